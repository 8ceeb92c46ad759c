import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { RecordSnapshot } from '../sync/records.ts';
import type { GatewayContext } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 instant assigned by the server. Never the client's clock. */
  DateTime: { input: Date | string; output: Date | string; }
  /** Arbitrary JSON: the data of a change (a whole record for INSERT, the changed fields for UPDATE). */
  JSON: { input: unknown; output: unknown; }
};

/** One committed change, in server order. */
export type Change = {
  __typename?: 'Change';
  /** Fields this change set (all data fields for INSERT, none for DELETE). */
  changedFields: Array<Scalars['String']['output']>;
  /** The client that pushed the change. */
  clientId: Maybe<Scalars['ID']['output']>;
  entityId: Scalars['ID']['output'];
  entityType: Scalars['String']['output'];
  mutationId: Maybe<Scalars['ID']['output']>;
  op: ChangeOp;
  /** The record as it was right after this change. */
  record: SyncRecord;
};

export type ChangeBatch = {
  __typename?: 'ChangeBatch';
  changes: Array<Change>;
  /** More changes are waiting: pull again with syncToken. */
  hasMore: Scalars['Boolean']['output'];
  /** Opaque. Pass it as `since` to continue right after the last change of this batch. */
  syncToken: Scalars['String']['output'];
};

export type ChangeInput = {
  /** The record version this edit started from. Older than the server's version means concurrent edits happened: they are merged field by field. */
  baseVersion?: InputMaybe<Scalars['Int']['input']>;
  /** INSERT: the whole record. UPDATE: only the changed fields. DELETE: nothing. */
  data?: InputMaybe<Scalars['JSON']['input']>;
  entityId: Scalars['ID']['input'];
  /** A type implementing SyncRecord, e.g. "Note". */
  entityType: Scalars['String']['input'];
  /** Unique per client: replaying the same (clientId, mutationId) never applies the change twice. */
  mutationId: Scalars['ID']['input'];
  op: ChangeOp;
};

export type ChangeOp =
  | 'DELETE'
  | 'INSERT'
  | 'UPDATE';

export type ChangeResult = {
  __typename?: 'ChangeResult';
  /** Fields of this change that overwrote a concurrent edit of the same field (last write wins by server arrival). */
  conflictingFields: Array<Scalars['String']['output']>;
  /** The SyncConflicts this change raised: MANUAL fields held back, or the duplicate it was merged into. */
  conflicts: Array<SyncConflict>;
  error: Maybe<SyncError>;
  mutationId: Scalars['ID']['output'];
  record: Maybe<SyncRecord>;
  status: ChangeStatus;
};

export type ChangeStatus =
  /** Applied as sent: the edit started from the current version (or carried no baseVersion). */
  | 'APPLIED'
  /**
   * Not applied as sent because of the record's state: it was deleted (error says so), or
   * a MANUAL field was edited concurrently or a @unique value was taken (conflicts holds
   * what happened; fields of the change that did not conflict were applied). record holds
   * the server's version.
   */
  | 'CONFLICT'
  /** This (clientId, mutationId) was applied before; record holds the current version. */
  | 'DUPLICATE'
  /** Applied on top of concurrent changes, field by field. conflictingFields lists fields this change overwrote. */
  | 'MERGED'
  /** Not applied: the change itself is invalid. error says why. Other changes of the batch are unaffected. */
  | 'REJECTED';

export type ConflictKind =
  /** Two edits of a MANUAL field were made without seeing each other; a user chooses the value. */
  | 'CONCURRENT_EDIT'
  /** A record took a @unique value another record already had; the server merged it (see DuplicateRule). Informational. */
  | 'DUPLICATE_VALUE';

/** What happens when an edit and a delete of the same record were made without seeing each other. */
export type DeletePolicy =
  /** The delete wins: the edit is refused as CONFLICT (RECORD_DELETED) and the record stays a tombstone. */
  | 'DELETE_WINS'
  /**
   * The edit wins in either order: an edit made without seeing a delete brings the record
   * back (MERGED), and a delete made without seeing another client's edit is refused as
   * CONFLICT (RECORD_EDITED) with the edited record.
   */
  | 'EDIT_RESURRECTS';

/** What happens when a record takes a value of a @unique field that another live record of the workspace already has. */
export type DuplicateRule =
  /**
   * The record that arrives second is merged into the one that had the value first: it
   * becomes a tombstone, every record that @references it is moved to the survivor (now
   * and whenever a later change still points at it), and a DUPLICATE_VALUE SyncConflict,
   * already resolved, tells every client what happened. No change is refused.
   */
  | 'MERGE';

/**
 * A folder notes are filed in. Names are unique per workspace: two folders given the
 * same name without seeing each other (say, "Work" created on two offline devices)
 * are merged, so the notes of both end up in one folder (see DuplicateRule.MERGE).
 * A delete wins over a concurrent rename (DELETE_WINS); notes of a deleted folder keep
 * its id and show as unfiled.
 */
export type Folder = SyncRecord & {
  __typename?: 'Folder';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
  version: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Apply a batch of local changes in one transaction. Idempotent per (clientId, mutationId). */
  pushChanges: PushResult;
  /**
   * Settle a conflict: give the field `value` (the chosen or hand-merged value), or omit
   * `value` to keep the record as it is. The same as pushing one change to the
   * SyncConflict, so it is idempotent per (clientId, mutationId) and syncs like any change.
   * A conflict already settled by someone else comes back CONFLICT (CONFLICT_SETTLED).
   */
  resolveConflict: ChangeResult;
};


export type MutationPushChangesArgs = {
  changes: Array<ChangeInput>;
  clientId: Scalars['ID']['input'];
};


export type MutationResolveConflictArgs = {
  clientId: Scalars['ID']['input'];
  conflictId: Scalars['ID']['input'];
  mutationId: Scalars['ID']['input'];
  value?: InputMaybe<Scalars['JSON']['input']>;
};

/**
 * A note of the notes app. Synced: create, edit and delete it offline.
 * Strategies: the title is a short label, so the last edit to arrive wins (LWW);
 * the body is prose that neither side should lose, so concurrent edits ask the user
 * (MANUAL); tags are an add-wins SET and likes a COUNTER, so concurrent additions
 * all count; pinned merges field by field (MERGE). An edit racing a delete brings
 * the note back (EDIT_RESURRECTS): losing text is worse than an extra note.
 */
export type Note = SyncRecord & {
  __typename?: 'Note';
  body: Scalars['String']['output'];
  deleted: Scalars['Boolean']['output'];
  /** The folder the note is filed in, if any. */
  folderId: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  likes: Scalars['Int']['output'];
  pinned: Scalars['Boolean']['output'];
  tags: Array<Scalars['String']['output']>;
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
  version: Scalars['Int']['output'];
};

export type PushResult = {
  __typename?: 'PushResult';
  /** One result per change, in input order. */
  results: Array<ChangeResult>;
};

export type Query = {
  __typename?: 'Query';
  /** Conflicts of the caller's workspace not yet settled or dismissed, newest first. */
  conflicts: Array<SyncConflict>;
  /** The caller's workspace's folders that are not deleted, newest change first. */
  folders: Array<Folder>;
  /** The caller's workspace's notes that are not deleted, newest change first. */
  notes: Array<Note>;
  /** Changes of the caller's workspace after `since` (null: from the beginning), in server order. Default page 500, at most 5,000. */
  pullChanges: ChangeBatch;
};


export type QueryPullChangesArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
  since?: InputMaybe<Scalars['String']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The catch-up from `since` in pages, then a batch each time other writes commit. Every event carries the token after it. */
  changes: ChangeBatch;
};


export type SubscriptionChangesArgs = {
  since?: InputMaybe<Scalars['String']['input']>;
};

/**
 * A conflict, stored and synced like any record, so every client of the workspace
 * sees it (pullChanges, changes, the `conflicts` list) until it is settled. Settling
 * it (resolveConflict, or pushChanges: UPDATE with data {"resolvedValue": v} to write
 * v, DELETE to keep the record as it is) turns it into a tombstone; that settling is
 * itself a change, idempotent per mutation id, and the first settlement wins.
 */
export type SyncConflict = SyncRecord & {
  __typename?: 'SyncConflict';
  /** The client whose change raised the conflict. */
  clientId: Maybe<Scalars['ID']['output']>;
  /** The value the held-back change wanted. */
  clientValue: Maybe<Scalars['JSON']['output']>;
  deleted: Scalars['Boolean']['output'];
  entityId: Scalars['ID']['output'];
  /** The record whose change was held back (CONCURRENT_EDIT) or merged away (DUPLICATE_VALUE). */
  entityType: Scalars['String']['output'];
  field: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  kind: ConflictKind;
  /** True once settled (DUPLICATE_VALUE conflicts are born settled: the server merged them). */
  resolved: Scalars['Boolean']['output'];
  /** The client that settled it. */
  resolvedBy: Maybe<Scalars['ID']['output']>;
  /** The value the field was given when the conflict was settled. */
  resolvedValue: Maybe<Scalars['JSON']['output']>;
  /** The field's value on the server when the conflict arose: the edit that arrived first. */
  serverValue: Maybe<Scalars['JSON']['output']>;
  /** DUPLICATE_VALUE: the record that kept the value and took over the references. */
  survivorId: Maybe<Scalars['ID']['output']>;
  updatedAt: Scalars['DateTime']['output'];
  version: Scalars['Int']['output'];
};

export type SyncError = {
  __typename?: 'SyncError';
  /** Stable, machine-readable. See the README for the list. */
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

/** Every synced entity type implements this. Records are never hard-deleted: a delete leaves a tombstone. */
export type SyncRecord = {
  /** True once the record is deleted (a tombstone). */
  deleted: Scalars['Boolean']['output'];
  /** Client-generated UUID, so records created offline need no server round trip. */
  id: Scalars['ID']['output'];
  /** Server time of the record's last accepted change. */
  updatedAt: Scalars['DateTime']['output'];
  /** Rises by one on every accepted change to the record. */
  version: Scalars['Int']['output'];
};

/**
 * How concurrent edits of one field are settled when an UPDATE was made from an
 * older version than the server's. Declared per field with @sync; MERGE is the default.
 * "Concurrent" means: another client changed the field in a version after the
 * change's baseVersion. A client's own earlier changes are never concurrent with it.
 */
export type SyncStrategy =
  /**
   * A CRDT counter (an Int). INSERT sets the starting value (0 when omitted); UPDATE
   * carries an increment, {"inc": n} (n may be negative), and concurrent increments add up.
   */
  | 'COUNTER'
  /** Last write wins by server arrival order, for this field, without reporting it as a conflict. */
  | 'LWW'
  /**
   * User-prompted: a concurrent edit of the same field does not overwrite. The change's
   * other fields still apply; this field is held back in a SyncConflict (both versions),
   * the push result is CONFLICT, and a client settles it with resolveConflict.
   */
  | 'MANUAL'
  /** Field-level merge: concurrent edits of different fields both survive; a concurrent edit of the same field is settled by server arrival order and reported in conflictingFields. */
  | 'MERGE'
  /**
   * An add-wins set (a list of strings, kept sorted and without repeats). INSERT sets
   * the starting elements ([] when omitted); UPDATE carries {"add": [...], "remove": [...]}.
   * A remove takes away only adds its client had seen: an element added concurrently stays.
   */
  | 'SET';



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Change: ResolverTypeWrapper<Omit<Change, 'record'> & { record: ResolversTypes['SyncRecord'] }>;
  ChangeBatch: ResolverTypeWrapper<Omit<ChangeBatch, 'changes'> & { changes: Array<ResolversTypes['Change']> }>;
  ChangeInput: ChangeInput;
  ChangeOp: ChangeOp;
  ChangeResult: ResolverTypeWrapper<Omit<ChangeResult, 'conflicts' | 'record'> & { conflicts: Array<ResolversTypes['SyncConflict']>, record?: Maybe<ResolversTypes['SyncRecord']> }>;
  ChangeStatus: ChangeStatus;
  ConflictKind: ConflictKind;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeletePolicy: DeletePolicy;
  DuplicateRule: DuplicateRule;
  Folder: ResolverTypeWrapper<Folder>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Note: ResolverTypeWrapper<Note>;
  PushResult: ResolverTypeWrapper<Omit<PushResult, 'results'> & { results: Array<ResolversTypes['ChangeResult']> }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SyncConflict: ResolverTypeWrapper<RecordSnapshot>;
  SyncError: ResolverTypeWrapper<SyncError>;
  SyncRecord: ResolverTypeWrapper<RecordSnapshot>;
  SyncStrategy: SyncStrategy;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  Change: Omit<Change, 'record'> & { record: ResolversParentTypes['SyncRecord'] };
  ChangeBatch: Omit<ChangeBatch, 'changes'> & { changes: Array<ResolversParentTypes['Change']> };
  ChangeInput: ChangeInput;
  ChangeResult: Omit<ChangeResult, 'conflicts' | 'record'> & { conflicts: Array<ResolversParentTypes['SyncConflict']>, record?: Maybe<ResolversParentTypes['SyncRecord']> };
  DateTime: Scalars['DateTime']['output'];
  Folder: Folder;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Note: Note;
  PushResult: Omit<PushResult, 'results'> & { results: Array<ResolversParentTypes['ChangeResult']> };
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  SyncConflict: RecordSnapshot;
  SyncError: SyncError;
  SyncRecord: RecordSnapshot;
};

export type ReferencesDirectiveArgs = {
  type: Scalars['String']['input'];
};

export type ReferencesDirectiveResolver<Result, Parent, ContextType = GatewayContext, Args = ReferencesDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type SyncDirectiveArgs = {
  strategy: SyncStrategy;
};

export type SyncDirectiveResolver<Result, Parent, ContextType = GatewayContext, Args = SyncDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type SyncEntityDirectiveArgs = {
  onConcurrentDelete: DeletePolicy;
};

export type SyncEntityDirectiveResolver<Result, Parent, ContextType = GatewayContext, Args = SyncEntityDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type UniqueDirectiveArgs = {
  onDuplicate: DuplicateRule;
};

export type UniqueDirectiveResolver<Result, Parent, ContextType = GatewayContext, Args = UniqueDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ChangeResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Change'] = ResolversParentTypes['Change']> = {
  changedFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  clientId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  entityId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  mutationId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  op?: Resolver<ResolversTypes['ChangeOp'], ParentType, ContextType>;
  record?: Resolver<ResolversTypes['SyncRecord'], ParentType, ContextType>;
};

export type ChangeBatchResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChangeBatch'] = ResolversParentTypes['ChangeBatch']> = {
  changes?: Resolver<Array<ResolversTypes['Change']>, ParentType, ContextType>;
  hasMore?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  syncToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ChangeResultResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['ChangeResult'] = ResolversParentTypes['ChangeResult']> = {
  conflictingFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  conflicts?: Resolver<Array<ResolversTypes['SyncConflict']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['SyncError']>, ParentType, ContextType>;
  mutationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  record?: Resolver<Maybe<ResolversTypes['SyncRecord']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ChangeStatus'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type FolderResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Folder'] = ResolversParentTypes['Folder']> = {
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  pushChanges?: Resolver<ResolversTypes['PushResult'], ParentType, ContextType, RequireFields<MutationPushChangesArgs, 'changes' | 'clientId'>>;
  resolveConflict?: Resolver<ResolversTypes['ChangeResult'], ParentType, ContextType, RequireFields<MutationResolveConflictArgs, 'clientId' | 'conflictId' | 'mutationId'>>;
};

export type NoteResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Note'] = ResolversParentTypes['Note']> = {
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  folderId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  likes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  pinned?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type PushResultResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['PushResult'] = ResolversParentTypes['PushResult']> = {
  results?: Resolver<Array<ResolversTypes['ChangeResult']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  conflicts?: Resolver<Array<ResolversTypes['SyncConflict']>, ParentType, ContextType>;
  folders?: Resolver<Array<ResolversTypes['Folder']>, ParentType, ContextType>;
  notes?: Resolver<Array<ResolversTypes['Note']>, ParentType, ContextType>;
  pullChanges?: Resolver<ResolversTypes['ChangeBatch'], ParentType, ContextType, Partial<QueryPullChangesArgs>>;
};

export type SubscriptionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  changes?: SubscriptionResolver<ResolversTypes['ChangeBatch'], "changes", ParentType, ContextType, Partial<SubscriptionChangesArgs>>;
};

export type SyncConflictResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SyncConflict'] = ResolversParentTypes['SyncConflict']> = {
  clientId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  clientValue?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  entityId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ConflictKind'], ParentType, ContextType>;
  resolved?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  resolvedBy?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  resolvedValue?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  serverValue?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  survivorId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SyncErrorResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SyncError'] = ResolversParentTypes['SyncError']> = {
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SyncRecordResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SyncRecord'] = ResolversParentTypes['SyncRecord']> = {
  __resolveType: TypeResolveFn<'Folder' | 'Note' | 'SyncConflict', ParentType, ContextType>;
};

export type Resolvers<ContextType = GatewayContext> = {
  Change?: ChangeResolvers<ContextType>;
  ChangeBatch?: ChangeBatchResolvers<ContextType>;
  ChangeResult?: ChangeResultResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Folder?: FolderResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Note?: NoteResolvers<ContextType>;
  PushResult?: PushResultResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  SyncConflict?: SyncConflictResolvers<ContextType>;
  SyncError?: SyncErrorResolvers<ContextType>;
  SyncRecord?: SyncRecordResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = GatewayContext> = {
  references?: ReferencesDirectiveResolver<any, any, ContextType>;
  sync?: SyncDirectiveResolver<any, any, ContextType>;
  syncEntity?: SyncEntityDirectiveResolver<any, any, ContextType>;
  unique?: UniqueDirectiveResolver<any, any, ContextType>;
};
