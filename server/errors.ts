/**
 * Error codes the gateway puts in `extensions.code`. They are part of the public
 * contract (listed in the README): add new ones, never rename.
 *
 * Request errors (the whole operation fails) are GraphQL errors. Per-change
 * outcomes of a push are data (`ChangeResult.error.code`), not errors: a rejected
 * change must not fail the batch it came in.
 */
import { GraphQLError } from 'graphql';

export const RequestErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_SYNC_TOKEN: 'BAD_SYNC_TOKEN',
  SYNC_TOKEN_EXPIRED: 'SYNC_TOKEN_EXPIRED',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  PAGE_TOO_LARGE: 'PAGE_TOO_LARGE',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type RequestErrorCode = (typeof RequestErrorCode)[keyof typeof RequestErrorCode];

export const ChangeErrorCode = {
  UNKNOWN_ENTITY_TYPE: 'UNKNOWN_ENTITY_TYPE',
  INVALID_ID: 'INVALID_ID',
  INVALID_MUTATION_ID: 'INVALID_MUTATION_ID',
  INVALID_CHANGE: 'INVALID_CHANGE',
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  READ_ONLY_FIELD: 'READ_ONLY_FIELD',
  INVALID_FIELD_VALUE: 'INVALID_FIELD_VALUE',
  MISSING_FIELD: 'MISSING_FIELD',
  INVALID_BASE_VERSION: 'INVALID_BASE_VERSION',
  RECORD_NOT_FOUND: 'RECORD_NOT_FOUND',
  RECORD_EXISTS: 'RECORD_EXISTS',
  RECORD_DELETED: 'RECORD_DELETED',
  READ_ONLY_ENTITY: 'READ_ONLY_ENTITY',
  RECORD_EDITED: 'RECORD_EDITED',
  RECORD_RESURRECTED: 'RECORD_RESURRECTED',
  CONCURRENT_EDIT: 'CONCURRENT_EDIT',
  DUPLICATE_MERGED: 'DUPLICATE_MERGED',
  CONFLICT_SETTLED: 'CONFLICT_SETTLED',
} as const;
export type ChangeErrorCode = (typeof ChangeErrorCode)[keyof typeof ChangeErrorCode];

export function requestError(code: RequestErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}
