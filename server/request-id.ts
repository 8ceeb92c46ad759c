/**
 * One id per HTTP request (and per WebSocket connection), to find every log
 * line of a request. A caller's `x-request-id` is kept when it is a plausible
 * id (a proxy's or a client's trace id); anything else is replaced, so a
 * header cannot inject text into the logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const PLAUSIBLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && PLAUSIBLE_ID.test(header) ? header : randomUUID();
}

/**
 * Settles the request's id and echoes it in the response. The id is written
 * back into the request's headers, which is where yoga (and the operation log)
 * reads it.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The same for a WebSocket upgrade (ws's `headers` event): the id goes in the 101 response. */
export function assignUpgradeRequestId(responseHeaders: string[], req: IncomingMessage): string {
  const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id;
  responseHeaders.push(`${REQUEST_ID_HEADER}: ${id}`);
  return id;
}
