/**
 * Sync tokens: an opaque, signed position in one workspace's change log.
 *
 * The signature makes forged or edited tokens detectable, and binding the
 * workspace into it stops a token from being replayed against another tenant.
 * The key lives in the database, so tokens outlive restarts and are refused by
 * any other database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestErrorCode, requestError } from '../errors.ts';

const PREFIX = 's1';

export class SyncTokenCodec {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('sync token key must be at least 32 bytes');
    this.#key = key;
  }

  encode(workspaceId: string, seq: number): string {
    const payload = Buffer.from(JSON.stringify([workspaceId, seq])).toString('base64url');
    return `${PREFIX}.${payload}.${this.#sign(payload)}`;
  }

  /** The position a token stands for. Throws BAD_SYNC_TOKEN unless it is intact and of this workspace. */
  decode(token: string, workspaceId: string): number {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) throw badToken('it is malformed');
    const [, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw badToken('its signature does not match (forged, altered, or issued by another database)');
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw badToken('it is malformed');
    }
    if (!Array.isArray(decoded) || typeof decoded[0] !== 'string' || !Number.isSafeInteger(decoded[1]) || decoded[1] < 0) {
      throw badToken('it is malformed');
    }
    if (decoded[0] !== workspaceId) throw badToken('it belongs to another workspace');
    return decoded[1] as number;
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(`${PREFIX}.${payload}`).digest('base64url');
  }
}

export function badToken(why: string) {
  return requestError(
    RequestErrorCode.BAD_SYNC_TOKEN,
    `The sync token cannot be used: ${why}. Start a full sync with since: null.`,
  );
}
