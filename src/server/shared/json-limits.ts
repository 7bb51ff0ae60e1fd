import type { FastifyInstance, FastifyRequest } from 'fastify';
/**
 * A linear scan of a JSON text before it is parsed: how deep it nests, how many keys one object holds and how
 * long one string is. A body over these is refused before JSON.parse and everything after it (schema checks,
 * canonical JSON, hashing) recurse into it. The scan does not validate JSON; the parser does that next.
 */

export interface JsonShapeLimits {
  /** Arrays and objects inside one another. */
  readonly json_depth: number;
  /** Keys of one object. */
  readonly json_object_keys: number;
  /** Characters of one string (as written, escapes included), keys and values alike. */
  readonly json_string_chars: number;
}

/** What every JSON body under /api may be (on top of its byte limit). */
export const apiJsonLimits: JsonShapeLimits = {
  json_depth: 64,
  json_object_keys: 10_000,
  json_string_chars: 1024 * 1024,
};

/** The first limit the text passes, with its value; null when it is within all of them. */
export function jsonShapeExcess(
  text: string,
  limits: JsonShapeLimits,
): { limit: keyof JsonShapeLimits; max: number } | null {
  const keys = new Int32Array(limits.json_depth + 2);
  const isObject = new Uint8Array(limits.json_depth + 2);
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (code === 0x22) {
        inString = false;
        if (index - stringStart > limits.json_string_chars)
          return { limit: 'json_string_chars', max: limits.json_string_chars };
      }
      continue;
    }
    switch (code) {
      case 0x22: // "
        inString = true;
        stringStart = index + 1;
        break;
      case 0x7b: // {
      case 0x5b: // [
        depth += 1;
        if (depth > limits.json_depth) return { limit: 'json_depth', max: limits.json_depth };
        keys[depth] = 0;
        isObject[depth] = code === 0x7b ? 1 : 0;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (depth > 0) depth -= 1;
        break;
      case 0x3a: // : after a key
        if (isObject[depth] === 1) {
          keys[depth] = (keys[depth] ?? 0) + 1;
          if ((keys[depth] ?? 0) > limits.json_object_keys)
            return { limit: 'json_object_keys', max: limits.json_object_keys };
        }
        break;
      default:
        break;
    }
  }
  if (inString && text.length - stringStart > limits.json_string_chars)
    return { limit: 'json_string_chars', max: limits.json_string_chars };
  return null;
}

type JsonParser = (
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, body?: unknown) => void,
) => void;

/**
 * A JSON content-type parser (parseAs: 'string') that refuses a text over `limits` with `refuse(excess)`, and
 * otherwise parses it as Fastify's default parser does (prototype keys refused).
 */
export function limitedJsonParser(
  app: Pick<FastifyInstance, 'getDefaultJsonParser'>,
  limits: JsonShapeLimits,
  refuse: (excess: { limit: keyof JsonShapeLimits; max: number }) => Error,
): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  return (request, body, done) => {
    const excess = jsonShapeExcess(typeof body === 'string' ? body : body.toString('utf8'), limits);
    if (excess) {
      done(refuse(excess));
      return;
    }
    parse(request, body, done);
  };
}
