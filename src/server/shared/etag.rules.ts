import { createHash } from 'node:crypto';

/** A strong entity tag of a representation (its text or bytes). */
export function etagOf(content: string | Buffer): string {
  return `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an If-None-Match header names the tag (RFC 9110 §13.1.2: `*`, or a list of tags compared weakly, so a
 * `W/` prefix on either side does not matter).
 */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => weak(tag) === weak(etag));
}
