import type { Readable } from 'node:stream';
import { DomainError } from './errors.ts';

/**
 * Raw request bodies (uploads handed through as streams) read with a byte limit. Past the limit the reading
 * stops and the caller's 413 is thrown, but the connection is not destroyed: the rest of the body is read and
 * thrown away, so that a client still sending (a chunked upload has no Content-Length to refuse up front)
 * reads the answer. A client that keeps sending past DRAIN_LIMIT_BYTES more has its connection closed.
 */

/** How much of a refused body is still read (and dropped) so that its sender gets the answer. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads and drops the rest of a body nobody will use, closing the connection past DRAIN_LIMIT_BYTES. */
export function discardBody(body: Readable): void {
  if (body.readableEnded || body.destroyed) return;
  let drained = 0;
  body.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) body.destroy();
  });
  body.on('error', () => undefined);
  body.resume();
}

/**
 * The body's chunks, refusing it with `tooLarge()` once more than `limitBytes` have come. However the reading
 * ends early (the limit, or the consumer stopping), the rest of the body is discarded, not left hanging.
 */
export async function* limitedBody(body: Readable, limitBytes: number, tooLarge: () => Error): AsyncGenerator<Buffer> {
  let bytes = 0;
  let complete = false;
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      bytes += buffer.length;
      if (bytes > limitBytes) throw tooLarge();
      yield buffer;
    }
    complete = true;
  } finally {
    if (!complete) discardBody(body);
  }
}

/** A body over one of the limits on its shape (json-limits.ts): 413 with the limit's name and value. */
export const bodyLimitExceeded = (excess: { limit: string; max: number }): DomainError =>
  new DomainError(
    413,
    'body_limit_exceeded',
    `The request body passes the limit ${excess.limit} = ${excess.max}.`,
    [{ field: '(body)', message: `limit ${excess.limit}: ${excess.max}` }],
    excess,
  );
