import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SyncTokenCodec } from '../../server/sync/tokens.ts';

const codec = new SyncTokenCodec(randomBytes(32));

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return 'no error';
}

describe('SyncTokenCodec', () => {
  it('round-trips a position of its workspace', () => {
    for (const seq of [0, 1, 42, Number.MAX_SAFE_INTEGER]) {
      expect(codec.decode(codec.encode('ws-1', seq), 'ws-1')).toEqual({ seq, floor: 0 });
    }
  });

  it('carries the compaction floor only while the position is below it', () => {
    expect(codec.decode(codec.encode('ws-1', 3, 10), 'ws-1')).toEqual({ seq: 3, floor: 10 });
    expect(codec.decode(codec.encode('ws-1', 10, 10), 'ws-1')).toEqual({ seq: 10, floor: 0 });
    expect(codec.encode('ws-1', 12, 10)).toBe(codec.encode('ws-1', 12));
  });

  it('refuses an edited floor even with the signature kept', () => {
    const [prefix, , signature] = codec.encode('ws-1', 3, 10).split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify(['ws-1', 3, 99])).toString('base64url')}.${signature}`;
    expect(codeOf(() => codec.decode(forged, 'ws-1'))).toBe('BAD_SYNC_TOKEN');
  });

  it('refuses a token of another workspace', () => {
    expect(codeOf(() => codec.decode(codec.encode('ws-1', 5), 'ws-2'))).toBe('BAD_SYNC_TOKEN');
  });

  it('refuses an edited position even with the signature kept', () => {
    const token = codec.encode('ws-1', 5);
    const [prefix, , signature] = token.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify(['ws-1', 500])).toString('base64url')}.${signature}`;
    expect(codeOf(() => codec.decode(forged, 'ws-1'))).toBe('BAD_SYNC_TOKEN');
  });

  it('refuses tokens signed with another key (another database)', () => {
    const other = new SyncTokenCodec(randomBytes(32));
    expect(codeOf(() => codec.decode(other.encode('ws-1', 5), 'ws-1'))).toBe('BAD_SYNC_TOKEN');
  });

  it('refuses malformed and truncated tokens', () => {
    const token = codec.encode('ws-1', 5);
    for (const bad of ['', 'garbage', token.slice(0, -3), `${token}x`, token.replace('s1.', 's2.'), 'a.b.c.d']) {
      expect(codeOf(() => codec.decode(bad, 'ws-1'))).toBe('BAD_SYNC_TOKEN');
    }
  });
});
