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

/** Tokens whose signature was checked, kept so a client's next request costs no signature check. */
const VERIFIED_TOKENS_KEPT = 10_000;

export function createTokenVerifier(secret: string, options: { now?: () => number } = {}): VerifyToken {
  const key = secretKey(secret);
  const now = options.now ?? Date.now;
  // Checking an HS256 signature through WebCrypto costs about a millisecond of
  // CPU, on every request of every client. The same token string has the same
  // signature and claims, so once accepted only its expiry can change the answer.
  const verified = new Map<string, { viewer: Viewer; expiresAt: number }>();
  return async (token) => {
    const known = verified.get(token);
    if (known && now() < known.expiresAt) return known.viewer;
    if (known) verified.delete(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(now()) }));
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
    const viewer = { userId: sub, workspaceId: workspace };
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    // jose accepts a token while exp (seconds) is after now.
    verified.set(token, { viewer, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY });
    return viewer;
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
