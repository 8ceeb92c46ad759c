/**
 * Token verification, including the verified-token memo: a token accepted once
 * is refused as soon as it expires, and nothing unsigned or altered is accepted.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, signToken } from '../../server/auth.ts';

const SECRET = 'auth-test-secret-0123456789-abcdefghijklmnop';
const viewer = { userId: 'user-1', workspaceId: 'ws-1' };

describe('createTokenVerifier', () => {
  it('accepts a valid token every time, with the same viewer', async () => {
    const verify = createTokenVerifier(SECRET);
    const token = await signToken(SECRET, viewer);
    expect(await verify(token)).toEqual(viewer);
    expect(await verify(token)).toEqual(viewer);
  });

  it('refuses a token it accepted before, once the token has expired', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier(SECRET, { now: () => clock });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await new SignJWT({ workspace: viewer.workspaceId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(viewer.userId)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    expect(await verify(token)).toEqual(viewer);
    clock = exp * 1000 - 1;
    expect(await verify(token)).toEqual(viewer);
    clock = exp * 1000;
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringContaining('expired') });
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses an altered or foreign token even after accepting the original', async () => {
    const verify = createTokenVerifier(SECRET);
    const token = await signToken(SECRET, viewer);
    await verify(token);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'user-1', workspace: 'ws-other' })).toString('base64url');
    await expect(verify(`${header}.${forgedPayload}.${signature}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(verify(await signToken('another-secret-0123456789-abcdefghijklmnop', viewer))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
