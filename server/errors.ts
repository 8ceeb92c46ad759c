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
  BAD_REQUEST: 'BAD_REQUEST',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  RATE_LIMITED: 'RATE_LIMITED',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
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

const REQUEST_CODES: ReadonlySet<unknown> = new Set(Object.values(RequestErrorCode));

/** Whether `code` is one of the documented request error codes above. */
export function isRequestErrorCode(code: unknown): code is RequestErrorCode {
  return REQUEST_CODES.has(code);
}

/**
 * The code a client receives for this error, as metrics and logs report it.
 * They see errors before yoga masks faults: an error with no code of its own
 * (or none at all) is a fault and leaves as INTERNAL_SERVER_ERROR. A code not
 * in the table above counts as OTHER, so no caller can grow the set.
 */
export function clientErrorCode(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (typeof code === 'string') return isRequestErrorCode(code) ? code : 'OTHER';
  return RequestErrorCode.INTERNAL_SERVER_ERROR;
}
