/**
 * Structured JSON logs (pino), one object per line on stdout.
 *
 * What is never logged: Authorization headers, JWTs, sync tokens, GraphQL
 * variables and record contents. The code that logs only passes ids, names,
 * codes and durations; the redaction paths below are a second line of defence
 * for a field added carelessly later. Fault messages are stripped of the query
 * parameters drizzle puts in them, which are record contents.
 */
import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';
import type { YogaLogger } from '@graphql-yoga/logger';

export type { Logger };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

const REDACTED = ['authorization', 'token', 'syncToken', 'since', 'variables', 'data', 'record'];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: describeFault },
      redact: { paths: REDACTED.flatMap((key) => [key, `*.${key}`]), censor: '[redacted]' },
    },
    // Synchronous on stdout: lines keep their order with what main.ts prints for humans, and none is lost on exit.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** For a gateway created without a logger (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface FaultDescription {
  type: string;
  message: string;
  /** e.g. a PostgreSQL SQLSTATE. */
  code?: string;
  stack?: string;
  cause?: FaultDescription;
}

/** A fault as logs may show it: its kind, a message without data, and where it was raised. */
export function describeFault(error: unknown): FaultDescription {
  if (!(error instanceof Error)) return { type: typeof error, message: 'a non-Error value was thrown' };
  const fault = error as Error & { query?: unknown; params?: unknown; code?: unknown; originalError?: unknown };
  // A GraphQLError wrapping a fault repeats the fault's message: describe the fault.
  if (fault.originalError instanceof Error) return describeFault(fault.originalError);
  // DrizzleQueryError: "Failed query: <sql>\nparams: <values>". Keep the SQL, drop the values.
  const message = typeof fault.query === 'string' && 'params' in fault ? `Failed query: ${fault.query}` : fault.message;
  // Some classes (DrizzleQueryError) leave name at "Error": the class says more.
  const type = fault.name === 'Error' ? fault.constructor.name : fault.name;
  const description: FaultDescription = { type, message };
  if (typeof fault.code === 'string') description.code = fault.code;
  const frames = fault.stack?.split('\n').filter((line) => line.startsWith('    at '));
  if (frames?.length) description.stack = frames.join('\n');
  if (fault.cause !== undefined) description.cause = describeFault(fault.cause);
  return description;
}

const alreadyLogged = new WeakSet<object>();

/** Marks an error logged with its operation, so yoga's own report of it is not repeated. */
export function markLogged(error: object) {
  alreadyLogged.add(error);
}

/** yoga's logger interface on top of pino: its messages, faults described as above. */
export function yogaLogger(logger: Logger): YogaLogger {
  const child = logger.child({ component: 'yoga' });
  const forward = (level: Level) => (...args: unknown[]) => {
    const errors = args.filter((arg): arg is Error => arg instanceof Error);
    if (errors.length > 0 && errors.every((e) => alreadyLogged.has(e))) return;
    const text = args.filter((arg) => typeof arg === 'string').join(' ');
    if (errors.length > 0) child[level]({ err: errors[0] }, text || 'unexpected error');
    else child[level](text);
  };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
