/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment NoteFields on Note {\n  id\n  version\n  updatedAt\n  deleted\n  title\n  body\n  pinned\n  folderId\n  tags\n  likes\n}\n\nfragment FolderFields on Folder {\n  id\n  version\n  updatedAt\n  deleted\n  name\n}\n\nfragment ConflictFields on SyncConflict {\n  id\n  version\n  updatedAt\n  deleted\n  kind\n  entityType\n  entityId\n  field\n  serverValue\n  clientValue\n  survivorId\n  clientId\n  resolved\n  resolvedValue\n  resolvedBy\n}\n\nfragment RecordFields on SyncRecord {\n  __typename\n  id\n  version\n  updatedAt\n  deleted\n  ...NoteFields\n  ...FolderFields\n  ...ConflictFields\n}\n\nfragment ChangeFields on Change {\n  entityType\n  entityId\n  op\n  changedFields\n  clientId\n  mutationId\n  record {\n    ...RecordFields\n  }\n}\n\nquery Notes {\n  notes {\n    ...NoteFields\n  }\n}\n\nquery Folders {\n  folders {\n    ...FolderFields\n  }\n}\n\nquery Conflicts {\n  conflicts {\n    ...ConflictFields\n  }\n}\n\nquery PullChanges($since: String, $limit: Int) {\n  pullChanges(since: $since, limit: $limit) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nsubscription Changes($since: String) {\n  changes(since: $since) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nmutation PushChanges($clientId: ID!, $changes: [ChangeInput!]!) {\n  pushChanges(clientId: $clientId, changes: $changes) {\n    results {\n      mutationId\n      status\n      conflictingFields\n      error {\n        code\n        message\n      }\n      record {\n        ...RecordFields\n      }\n      conflicts {\n        __typename\n        ...ConflictFields\n      }\n    }\n  }\n}": typeof types.NoteFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment NoteFields on Note {\n  id\n  version\n  updatedAt\n  deleted\n  title\n  body\n  pinned\n  folderId\n  tags\n  likes\n}\n\nfragment FolderFields on Folder {\n  id\n  version\n  updatedAt\n  deleted\n  name\n}\n\nfragment ConflictFields on SyncConflict {\n  id\n  version\n  updatedAt\n  deleted\n  kind\n  entityType\n  entityId\n  field\n  serverValue\n  clientValue\n  survivorId\n  clientId\n  resolved\n  resolvedValue\n  resolvedBy\n}\n\nfragment RecordFields on SyncRecord {\n  __typename\n  id\n  version\n  updatedAt\n  deleted\n  ...NoteFields\n  ...FolderFields\n  ...ConflictFields\n}\n\nfragment ChangeFields on Change {\n  entityType\n  entityId\n  op\n  changedFields\n  clientId\n  mutationId\n  record {\n    ...RecordFields\n  }\n}\n\nquery Notes {\n  notes {\n    ...NoteFields\n  }\n}\n\nquery Folders {\n  folders {\n    ...FolderFields\n  }\n}\n\nquery Conflicts {\n  conflicts {\n    ...ConflictFields\n  }\n}\n\nquery PullChanges($since: String, $limit: Int) {\n  pullChanges(since: $since, limit: $limit) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nsubscription Changes($since: String) {\n  changes(since: $since) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nmutation PushChanges($clientId: ID!, $changes: [ChangeInput!]!) {\n  pushChanges(clientId: $clientId, changes: $changes) {\n    results {\n      mutationId\n      status\n      conflictingFields\n      error {\n        code\n        message\n      }\n      record {\n        ...RecordFields\n      }\n      conflicts {\n        __typename\n        ...ConflictFields\n      }\n    }\n  }\n}": types.NoteFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment NoteFields on Note {\n  id\n  version\n  updatedAt\n  deleted\n  title\n  body\n  pinned\n  folderId\n  tags\n  likes\n}\n\nfragment FolderFields on Folder {\n  id\n  version\n  updatedAt\n  deleted\n  name\n}\n\nfragment ConflictFields on SyncConflict {\n  id\n  version\n  updatedAt\n  deleted\n  kind\n  entityType\n  entityId\n  field\n  serverValue\n  clientValue\n  survivorId\n  clientId\n  resolved\n  resolvedValue\n  resolvedBy\n}\n\nfragment RecordFields on SyncRecord {\n  __typename\n  id\n  version\n  updatedAt\n  deleted\n  ...NoteFields\n  ...FolderFields\n  ...ConflictFields\n}\n\nfragment ChangeFields on Change {\n  entityType\n  entityId\n  op\n  changedFields\n  clientId\n  mutationId\n  record {\n    ...RecordFields\n  }\n}\n\nquery Notes {\n  notes {\n    ...NoteFields\n  }\n}\n\nquery Folders {\n  folders {\n    ...FolderFields\n  }\n}\n\nquery Conflicts {\n  conflicts {\n    ...ConflictFields\n  }\n}\n\nquery PullChanges($since: String, $limit: Int) {\n  pullChanges(since: $since, limit: $limit) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nsubscription Changes($since: String) {\n  changes(since: $since) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nmutation PushChanges($clientId: ID!, $changes: [ChangeInput!]!) {\n  pushChanges(clientId: $clientId, changes: $changes) {\n    results {\n      mutationId\n      status\n      conflictingFields\n      error {\n        code\n        message\n      }\n      record {\n        ...RecordFields\n      }\n      conflicts {\n        __typename\n        ...ConflictFields\n      }\n    }\n  }\n}"): (typeof documents)["fragment NoteFields on Note {\n  id\n  version\n  updatedAt\n  deleted\n  title\n  body\n  pinned\n  folderId\n  tags\n  likes\n}\n\nfragment FolderFields on Folder {\n  id\n  version\n  updatedAt\n  deleted\n  name\n}\n\nfragment ConflictFields on SyncConflict {\n  id\n  version\n  updatedAt\n  deleted\n  kind\n  entityType\n  entityId\n  field\n  serverValue\n  clientValue\n  survivorId\n  clientId\n  resolved\n  resolvedValue\n  resolvedBy\n}\n\nfragment RecordFields on SyncRecord {\n  __typename\n  id\n  version\n  updatedAt\n  deleted\n  ...NoteFields\n  ...FolderFields\n  ...ConflictFields\n}\n\nfragment ChangeFields on Change {\n  entityType\n  entityId\n  op\n  changedFields\n  clientId\n  mutationId\n  record {\n    ...RecordFields\n  }\n}\n\nquery Notes {\n  notes {\n    ...NoteFields\n  }\n}\n\nquery Folders {\n  folders {\n    ...FolderFields\n  }\n}\n\nquery Conflicts {\n  conflicts {\n    ...ConflictFields\n  }\n}\n\nquery PullChanges($since: String, $limit: Int) {\n  pullChanges(since: $since, limit: $limit) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nsubscription Changes($since: String) {\n  changes(since: $since) {\n    syncToken\n    hasMore\n    changes {\n      ...ChangeFields\n    }\n  }\n}\n\nmutation PushChanges($clientId: ID!, $changes: [ChangeInput!]!) {\n  pushChanges(clientId: $clientId, changes: $changes) {\n    results {\n      mutationId\n      status\n      conflictingFields\n      error {\n        code\n        message\n      }\n      record {\n        ...RecordFields\n      }\n      conflicts {\n        __typename\n        ...ConflictFields\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;