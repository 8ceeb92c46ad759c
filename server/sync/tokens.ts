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

export interface TokenPosition {
  seq: number;
  /** The compaction floor the reader's view was taken under; 0 when `seq` is at or above it. */
  floor: number;
}

export class SyncTokenCodec {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('sync token key must be at least 32 bytes');
    this.#key = key;
  }

  /**
   * `floor` is the compaction floor the reader's view of the log was taken under
   * (see pull.ts). It only matters while `seq` is below it (a full sync that has
   * not reached the floor yet), so it is left out otherwise.
   */
  encode(workspaceId: string, seq: number, floor = 0): string {
    const position = floor > seq ? [workspaceId, seq, floor] : [workspaceId, seq];
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${PREFIX}.${payload}.${this.#sign(payload)}`;
  }

  /** The position a token stands for. Throws BAD_SYNC_TOKEN unless it is intact and of this workspace. */
  decode(token: string, workspaceId: string): TokenPosition {
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
    const isPosition = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
    if (
      !Array.isArray(decoded) ||
      (decoded.length !== 2 && decoded.length !== 3) ||
      typeof decoded[0] !== 'string' ||
      !isPosition(decoded[1]) ||
      (decoded.length === 3 && !isPosition(decoded[2]))
    ) {
      throw badToken('it is malformed');
    }
    if (decoded[0] !== workspaceId) throw badToken('it belongs to another workspace');
    return { seq: decoded[1] as number, floor: (decoded[2] as number | undefined) ?? 0 };
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

export function tokenExpired(why: string) {
  return requestError(
    RequestErrorCode.SYNC_TOKEN_EXPIRED,
    `The sync token has expired: ${why}. Start a full sync with since: null; unsent local changes can be pushed as usual.`,
  );
}
