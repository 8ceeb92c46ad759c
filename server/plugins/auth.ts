/**
 * Puts the caller (`viewer`) on the context, from the Authorization header over
 * HTTP/SSE, or from the connection parameters (or upgrade request) over WebSocket.
 *
 * A missing token is not an error here, so that GraphiQL can load the schema;
 * the sync fields demand a viewer through `requireViewer`.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer, VerifyToken } from '../auth.ts';
import { RequestErrorCode, requestError } from '../errors.ts';

interface TransportContext {
  request?: { headers: { get(name: string): string | null } };
  connectionParams?: Record<string, unknown>;
  upgradeAuthorization?: string;
}

interface AuthContext {
  viewer: Viewer | null;
  authError: GraphQLError | null;
}

export function useAuth(verify: VerifyToken): Plugin<AuthContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const header = readAuthorization(context as TransportContext);
      if (!header) {
        extendContext({ viewer: null, authError: null });
        return;
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) {
        extendContext({
          viewer: null,
          authError: requestError(RequestErrorCode.UNAUTHENTICATED, 'The Authorization header must be "Bearer <JWT>".'),
        });
        return;
      }
      try {
        extendContext({ viewer: await verify(match[1]!), authError: null });
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        extendContext({ viewer: null, authError: error });
      }
    },
  };
}

function readAuthorization(context: TransportContext): string | null {
  const fromHeader = context.request?.headers.get('authorization');
  if (fromHeader) return fromHeader;
  const params = context.connectionParams;
  const fromParams = params?.authorization ?? params?.Authorization;
  if (typeof fromParams === 'string' && fromParams) return fromParams;
  return context.upgradeAuthorization || null;
}
