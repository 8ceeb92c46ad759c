/**
 * A POST whose Content-Type no parser takes gets 415 with a GraphQL error that
 * says what to send; yoga answers it with an empty 415.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RequestErrorCode } from '../errors.ts';

export function useMediaTypeError(): Plugin {
  return {
    onRequestParse({ request, requestParser }) {
      if (requestParser || request.method !== 'POST') return;
      throw new GraphQLError(
        `Content-Type ${JSON.stringify(request.headers.get('content-type') ?? '')} is not supported: send application/json.`,
        { extensions: { code: RequestErrorCode.BAD_REQUEST, http: { status: 415 } } },
      );
    },
  };
}
