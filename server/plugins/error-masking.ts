/**
 * What an error may tell the client. Errors carrying one of the documented codes
 * (server/errors.ts) leave as they are; so do GraphQL-js's own request errors,
 * which the error-codes plugin tags. A client error of the HTTP layer (yoga's,
 * with a 4xx status) becomes BAD_REQUEST. Anything else is a fault: it leaves as
 * INTERNAL_SERVER_ERROR with a generic message, and only with `exposeDetails`
 * (never in production) does it carry the original message and stack.
 *
 * yoga's own maskError lets every GraphQLError through, whatever its code, and
 * decides on details from NODE_ENV=development: both are decided here instead.
 */
import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError, type YogaServerOptions } from 'graphql-yoga';
import { isRequestErrorCode, RequestErrorCode } from '../errors.ts';

type MaskedErrorsOptions = Exclude<NonNullable<YogaServerOptions<{}, {}>['maskedErrors']>, boolean>;

export const MASKED_ERROR_MESSAGE = 'Unexpected error.';

export function errorMasking(options: { exposeDetails: boolean }): MaskedErrorsOptions {
  return {
    errorMessage: MASKED_ERROR_MESSAGE,
    isDev: options.exposeDetails,
    maskError: (error, message) => {
      if (!isOriginalGraphQLError(error)) return maskError(error, message, options.exposeDetails);
      const extensions = error.extensions as Record<string, unknown>;
      const code = extensions.code;
      const status = (extensions.http as { status?: number } | undefined)?.status;
      if (code !== undefined && !isRequestErrorCode(code) && status !== undefined && status >= 400 && status < 500) {
        // Changed in place (the error is this request's own): yoga logs every error replaced by another.
        extensions.code = RequestErrorCode.BAD_REQUEST;
      } else if (code !== undefined && !isRequestErrorCode(code)) {
        return createGraphQLError(message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          extensions: {
            code: RequestErrorCode.INTERNAL_SERVER_ERROR,
            ...(options.exposeDetails ? { originalError: { message: error.message, code } } : {}),
          },
        });
      }
      // yoga adds the JSON parser's own error to BAD_REQUEST: a detail of the server's runtime.
      if (!options.exposeDetails) delete extensions.originalError;
      return error;
    },
  };
}

/** A GraphQLError raised as one, not one wrapping a thrown Error (a resolver's fault). */
function isOriginalGraphQLError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginalGraphQLError(error.originalError);
}
