/**
 * Bearer JWTs (HS256). Claim `sub` is the user, claim `workspace` the tenant that
 * every record, change and token belongs to.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { RequestErrorCode, requestError } from './errors.ts';

export interface Viewer {
  userId: string;
  workspaceId: string;
}

export type VerifyToken = (token: string) => Promise<Viewer>;

const MAX_CLAIM_LENGTH = 200;

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export function createTokenVerifier(secret: string): VerifyToken {
  const key = secretKey(secret);
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
    } catch (error) {
      const why = error instanceof joseErrors.JWTExpired ? 'the token has expired' : 'the token is invalid';
      throw requestError(RequestErrorCode.UNAUTHENTICATED, `Not authenticated: ${why}.`);
    }
    const { sub, workspace } = payload;
    if (!isClaim(sub) || !isClaim(workspace)) {
      throw requestError(
        RequestErrorCode.UNAUTHENTICATED,
        'Not authenticated: the token needs string claims `sub` (user) and `workspace`.',
      );
    }
    return { userId: sub, workspaceId: workspace };
  };
}

function isClaim(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}

export async function signToken(
  secret: string,
  viewer: Viewer,
  options: { expiresIn?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT({ workspace: viewer.workspaceId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(viewer.userId)
    .setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  return jwt.sign(secretKey(secret));
}
