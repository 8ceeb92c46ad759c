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
  error: Maybe<SyncError>;
  mutationId: Scalars['ID']['output'];
  record: Maybe<SyncRecord>;
  status: ChangeStatus;
};

export type ChangeStatus =
  /** Applied as sent: the edit started from the current version (or carried no baseVersion). */
  | 'APPLIED'
  /** Not applied because of the record's state (e.g. it was deleted); record holds the server's version. */
  | 'CONFLICT'
  /** This (clientId, mutationId) was applied before; record holds the current version. */
  | 'DUPLICATE'
  /** Applied on top of concurrent changes, field by field. conflictingFields lists fields this change overwrote. */
  | 'MERGED'
  /** Not applied: the change itself is invalid. error says why. Other changes of the batch are unaffected. */
  | 'REJECTED';

export type Mutation = {
  __typename?: 'Mutation';
  /** Apply a batch of local changes in one transaction. Idempotent per (clientId, mutationId). */
  pushChanges: PushResult;
};


export type MutationPushChangesArgs = {
  changes: Array<ChangeInput>;
  clientId: Scalars['ID']['input'];
};

/** A note of the notes app. Synced: create, edit and delete it offline. */
export type Note = SyncRecord & {
  __typename?: 'Note';
  body: Scalars['String']['output'];
  deleted: Scalars['Boolean']['output'];
  /** The folder the note is filed in, if any. */
  folderId: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  pinned: Scalars['Boolean']['output'];
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
 */
export type SyncStrategy =
  /** Last write wins by server arrival order, for this field, without reporting it as a conflict. */
  | 'LWW'
  /** Field-level merge: concurrent edits of different fields both survive; a concurrent edit of the same field is settled by server arrival order and reported in conflictingFields. */
  | 'MERGE';



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
  ChangeResult: ResolverTypeWrapper<Omit<ChangeResult, 'record'> & { record?: Maybe<ResolversTypes['SyncRecord']> }>;
  ChangeStatus: ChangeStatus;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Note: ResolverTypeWrapper<Note>;
  PushResult: ResolverTypeWrapper<Omit<PushResult, 'results'> & { results: Array<ResolversTypes['ChangeResult']> }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
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
  ChangeResult: Omit<ChangeResult, 'record'> & { record?: Maybe<ResolversParentTypes['SyncRecord']> };
  DateTime: Scalars['DateTime']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Note: Note;
  PushResult: Omit<PushResult, 'results'> & { results: Array<ResolversParentTypes['ChangeResult']> };
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  SyncError: SyncError;
  SyncRecord: RecordSnapshot;
};

export type SyncDirectiveArgs = {
  strategy: SyncStrategy;
};

export type SyncDirectiveResolver<Result, Parent, ContextType = GatewayContext, Args = SyncDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

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
  error?: Resolver<Maybe<ResolversTypes['SyncError']>, ParentType, ContextType>;
  mutationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  record?: Resolver<Maybe<ResolversTypes['SyncRecord']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ChangeStatus'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  pushChanges?: Resolver<ResolversTypes['PushResult'], ParentType, ContextType, RequireFields<MutationPushChangesArgs, 'changes' | 'clientId'>>;
};

export type NoteResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Note'] = ResolversParentTypes['Note']> = {
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  folderId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  pinned?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type PushResultResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['PushResult'] = ResolversParentTypes['PushResult']> = {
  results?: Resolver<Array<ResolversTypes['ChangeResult']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  notes?: Resolver<Array<ResolversTypes['Note']>, ParentType, ContextType>;
  pullChanges?: Resolver<ResolversTypes['ChangeBatch'], ParentType, ContextType, Partial<QueryPullChangesArgs>>;
};

export type SubscriptionResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  changes?: SubscriptionResolver<ResolversTypes['ChangeBatch'], "changes", ParentType, ContextType, Partial<SubscriptionChangesArgs>>;
};

export type SyncErrorResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SyncError'] = ResolversParentTypes['SyncError']> = {
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SyncRecordResolvers<ContextType = GatewayContext, ParentType extends ResolversParentTypes['SyncRecord'] = ResolversParentTypes['SyncRecord']> = {
  __resolveType: TypeResolveFn<'Note', ParentType, ContextType>;
};

export type Resolvers<ContextType = GatewayContext> = {
  Change?: ChangeResolvers<ContextType>;
  ChangeBatch?: ChangeBatchResolvers<ContextType>;
  ChangeResult?: ChangeResultResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Note?: NoteResolvers<ContextType>;
  PushResult?: PushResultResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  SyncError?: SyncErrorResolvers<ContextType>;
  SyncRecord?: SyncRecordResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = GatewayContext> = {
  sync?: SyncDirectiveResolver<any, any, ContextType>;
};
