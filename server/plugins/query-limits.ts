/**
 * Depth, cost, alias, directive and token limits on every document, over HTTP,
 * SSE and WebSocket alike (the WebSocket server runs yoga's parse and validate),
 * from graphql-armor. Each rejection carries its own code.
 *
 * armor reports a rejection by throwing out of graphql-js's validate (or its
 * parser), with a "Syntax Error:" message and no code. Instead, the validation
 * rules report their error to the validation context, so that it comes back like
 * any validation error; the token limit, which runs in the parser, still throws
 * (parsing cannot go on), tagged first.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.ts';
import { RequestErrorCode } from '../errors.ts';

type RejectCallback = (context: ValidationContext | null, error: GraphQLError) => void;

export type QueryLimits = Pick<RequestLimits, 'maxQueryDepth' | 'maxQueryCost' | 'maxAliases' | 'maxTokens' | 'maxDirectives'>;

export function useQueryLimits(limits: QueryLimits, options: { hideFieldSuggestions: boolean }): Plugin {
  return EnvelopArmorPlugin({
    // "Did you mean …" tells a stranger the schema's field names: only in production.
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
    // Fragments only name a selection: nesting one adds no depth, and a fragment
    // spread in several places is counted in each.
    maxDepth: { n: limits.maxQueryDepth, flattenFragments: true, ...reportAs(RequestErrorCode.QUERY_TOO_DEEP) },
    costLimit: { maxCost: limits.maxQueryCost, flattenFragments: true, ...reportAs(RequestErrorCode.QUERY_TOO_COMPLEX) },
    maxAliases: { n: limits.maxAliases, ...reportAs(RequestErrorCode.TOO_MANY_ALIASES) },
    maxDirectives: { n: limits.maxDirectives, ...reportAs(RequestErrorCode.TOO_MANY_DIRECTIVES) },
    maxTokens: { n: limits.maxTokens, onReject: [tagThrown(RequestErrorCode.TOO_MANY_TOKENS)], propagateOnRejection: true },
  }) as Plugin;
}

function reportAs(code: RequestErrorCode): { onReject: RejectCallback[]; propagateOnRejection: false } {
  return {
    onReject: [(context, error) => context?.reportError(new GraphQLError(cleanMessage(error), { extensions: { code } }))],
    propagateOnRejection: false,
  };
}

/** The parser throws this very error right after the callback. */
function tagThrown(code: RequestErrorCode): RejectCallback {
  return (_context, error) => {
    (error as { message: string }).message = cleanMessage(error);
    (error.extensions as Record<string, unknown>).code = code;
  };
}

/** armor prefixes every message with "Syntax Error: ", also when the syntax is fine. */
function cleanMessage(error: GraphQLError): string {
  return error.message.replace(/^Syntax Error: /, '');
}
