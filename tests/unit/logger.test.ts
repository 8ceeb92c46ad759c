import { DrizzleQueryError } from 'drizzle-orm/errors';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger, describeFault, markLogged, yogaLogger } from '../../server/logger.ts';
import { requestIdFrom } from '../../server/request-id.ts';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('describeFault', () => {
  it('keeps a failed query\'s SQL and drops its parameters, which are record contents', () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "notes_pkey"'), { code: '23505' });
    const fault = new DrizzleQueryError('insert into notes (title) values ($1)', ['secret title'], cause);
    const described = describeFault(new GraphQLError(fault.message, { originalError: fault }));
    expect(JSON.stringify(described)).not.toContain('secret title');
    expect(described).toMatchObject({
      type: 'DrizzleQueryError',
      message: 'Failed query: insert into notes (title) values ($1)',
      cause: { code: '23505', message: expect.stringContaining('notes_pkey') },
    });
    expect(described.stack).toMatch(/^ {4}at /);
  });

  it('describes a thrown non-Error without showing it', () => {
    expect(describeFault('a secret string')).toEqual({ type: 'string', message: 'a non-Error value was thrown' });
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line, with the level by name', () => {
    const { logger, entries } = capture();
    logger.info({ requestId: 'r-1' }, 'hello');
    expect(entries()).toEqual([expect.objectContaining({ level: 'info', requestId: 'r-1', msg: 'hello', time: expect.any(String) })]);
  });

  it('redacts credentials and contents even when a caller passes them', () => {
    const { logger, lines } = capture();
    logger.info({ headers: { authorization: 'Bearer jwt-marker' }, variables: { x: 'var-marker' }, syncToken: 'tok-marker' }, 'careless');
    expect(lines.join('')).not.toMatch(/jwt-marker|var-marker|tok-marker/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('serializes err through describeFault', () => {
    const { logger, entries } = capture();
    logger.error({ err: new DrizzleQueryError('select $1', ['p-marker'], new Error('boom')) }, 'failed');
    expect(JSON.stringify(entries())).not.toContain('p-marker');
    expect(entries()[0]!.err).toMatchObject({ type: 'DrizzleQueryError', cause: { message: 'boom' } });
  });
});

describe('yogaLogger', () => {
  it('forwards yoga\'s messages, and skips a fault the operation log already reported', () => {
    const { logger, entries } = capture();
    const yoga = yogaLogger(logger);
    const reported = new Error('reported');
    markLogged(reported);
    yoga.error(reported);
    yoga.error(new Error('unreported'));
    yoga.debug('Processing GraphQL Parameters', { query: 'not logged' });
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'error', component: 'yoga', err: expect.objectContaining({ message: 'unreported' }) }),
      expect.objectContaining({ level: 'debug', msg: 'Processing GraphQL Parameters' }),
    ]);
    expect(JSON.stringify(entries())).not.toContain('not logged');
  });
});

describe('requestIdFrom', () => {
  it('keeps a plausible id and replaces anything else', () => {
    expect(requestIdFrom('3f9c-abc_1.2:x')).toBe('3f9c-abc_1.2:x');
    for (const bad of [undefined, '', 'with space', 'a\nb', 'x'.repeat(129), ['a', 'b']]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
