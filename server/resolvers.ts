import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { requireViewer } from './context.ts';
import type { Resolvers } from './generated/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  SyncRecord: {
    __resolveType: (record) => record.__typename as never,
  },
  Query: {
    pullChanges: (_root, { since, limit }, ctx) => ctx.sync.pull(requireViewer(ctx), since, limit),
  },
  Mutation: {
    pushChanges: (_root, { clientId, changes }, ctx) => ctx.sync.push(requireViewer(ctx), clientId, changes),
    // An absent `value` (not a null one) means "keep the record as it is".
    resolveConflict: (_root, args, ctx) =>
      ctx.sync.resolveConflict(requireViewer(ctx), args.clientId, {
        mutationId: args.mutationId,
        conflictId: args.conflictId,
        value: 'value' in args ? { value: args.value } : null,
      }),
  },
  Subscription: {
    changes: {
      subscribe: (_root, { since }, ctx) => ctx.sync.subscribe(requireViewer(ctx), since) as never,
      resolve: (batch: unknown) => batch as never,
    },
  },
};
