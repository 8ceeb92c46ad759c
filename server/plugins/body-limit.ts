/**
 * Refuses a request body over `maxBytes` with HTTP 413 and REQUEST_TOO_LARGE,
 * without reading it whole first: a Content-Length over the limit is refused
 * before any byte is read, and a body without one (chunked) is counted as it
 * streams into the parser, which fails at the first byte past the limit.
 *
 * Replaces yoga's own `maxRequestBodySize` (turned off in server/app.ts), which
 * works the same way but answers with a code of its own.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RequestErrorCode } from '../errors.ts';

const DIGITS = /^\d+$/;

export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    new GraphQLError(`The request body is larger than ${maxBytes} bytes.`, {
      extensions: { code: RequestErrorCode.REQUEST_TOO_LARGE, http: { status: 413 } },
    });
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Several or non-numeric lengths are a request-smuggling shape: refuse, never skip the check.
        if (!DIGITS.test(declared)) {
          throw new GraphQLError('The Content-Length header is invalid.', {
            extensions: { code: RequestErrorCode.BAD_REQUEST, http: { status: 400 } },
          });
        }
        if (Number(declared) > maxBytes) throw tooLarge();
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        if (!req.body) return parse(req);
        // A native stream needs the native TransformStream (yoga issue #4583).
        const Transform = req.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        let seen = 0;
        const counted = req.body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > maxBytes) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: counted, duplex: 'half' } as RequestInit));
      });
    },
  };
}
