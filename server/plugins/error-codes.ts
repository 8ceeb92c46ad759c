/**
 * Every error leaves with a stable `extensions.code`. GraphQL-js reports syntax,
 * validation and variable-coercion errors without one; tag them here so clients
 * can branch on codes alone.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RequestErrorCode } from '../errors.ts';

export function useErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ result }) => {
        for (const error of result) tag(error, RequestErrorCode.GRAPHQL_VALIDATION_FAILED);
      };
    },
    onParse() {
      return ({ result }) => {
        if (result instanceof GraphQLError) tag(result, RequestErrorCode.GRAPHQL_PARSE_FAILED);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          // Errors without a path were raised before any field ran: the request
          // itself is wrong (e.g. a variable of the wrong type).
          if ('errors' in result && result.errors) {
            for (const error of result.errors) if (!error.path) tag(error, RequestErrorCode.BAD_USER_INPUT);
          }
        },
      };
    },
  };
}

function tag(error: GraphQLError, code: string) {
  if (error.extensions.code === undefined) (error.extensions as Record<string, unknown>).code = code;
}
