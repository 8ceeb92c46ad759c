import type { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Viewer } from './auth.ts';
import { RequestErrorCode, requestError } from './errors.ts';
import type { SyncService } from './sync/service.ts';

export interface GatewayContext extends YogaInitialContext {
  sync: SyncService;
  /** Set by the auth plugin: who is calling, or why they are not authenticated. */
  viewer: Viewer | null;
  authError: GraphQLError | null;
}

/** Every sync operation is workspace-scoped: call this first. */
export function requireViewer(context: GatewayContext): Viewer {
  if (context.viewer) return context.viewer;
  throw (
    context.authError ??
    requestError(RequestErrorCode.UNAUTHENTICATED, 'Not authenticated: send "Authorization: Bearer <JWT>".')
  );
}
