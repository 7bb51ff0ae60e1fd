/**
 * Text the database cannot hold: PostgreSQL refuses the NUL character (U+0000) in text and jsonb, and a lone
 * UTF-16 surrogate (U+D800–U+DFFF without its pair) is not Unicode at all. Both are refused wherever text
 * comes in — every string value and every object key of a body, query or path — before any route sees it.
 */

/**
 * `number_not_finite` is a JSON number too large for a double (`1e400`): JSON.parse makes it ±Infinity, which
 * no column, no JSON and no arithmetic on quantities holds, so it is refused with the text.
 */
export type BadTextKind = 'text_nul' | 'text_lone_surrogate' | 'text_bad_encoding' | 'number_not_finite';

export interface BadText {
  /** The value's path from its root: `name`, `licences.0.number`, `epcisBody.eventList.3.ex:note`. */
  readonly path: string;
  readonly kind: BadTextKind;
  /** Whether the bad character is in an object key rather than in a value. */
  readonly inKey: boolean;
}

/** Stop after this many findings: enough to name them, not a list as long as a hostile body. */
export const MAX_BAD_TEXT_FINDINGS = 20;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** What is wrong with one string, or null when the database can store it. */
export function badTextKind(text: string): BadTextKind | null {
  if (text.includes('\u0000')) return 'text_nul';
  if (LONE_SURROGATE.test(text)) return 'text_lone_surrogate';
  return null;
}

/** A key as it may be shown in a path: the refused characters written as escapes, so the path itself is clean. */
export function printableKey(key: string): string {
  return key
    .split('\u0000')
    .join('\\u0000')
    .replace(LONE_SURROGATES, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const join = (path: string, key: string): string => (path ? `${path}.${printableKey(key)}` : printableKey(key));

/**
 * Every string and key under `value` the database would refuse, depth-first in document order. The walk uses
 * its own stack, so a deeply nested body cannot exhaust the call stack; bytes and streams (uploaded files)
 * are not text here and are skipped.
 */
export function findBadText(value: unknown, root = ''): BadText[] {
  const found: BadText[] = [];
  // A key is looked at as a string of its own, just before its value.
  const stack: { value: unknown; path: string; isKey?: true }[] = [{ value, path: root }];
  while (stack.length > 0 && found.length < MAX_BAD_TEXT_FINDINGS) {
    const item = stack.pop();
    if (!item) break;
    const current = item.value;
    if (typeof current === 'string') {
      const kind = badTextKind(current);
      if (kind) found.push({ path: item.path, kind, inKey: item.isKey === true });
      continue;
    }
    if (typeof current === 'number' && !Number.isFinite(current)) {
      found.push({ path: item.path, kind: 'number_not_finite', inKey: false });
      continue;
    }
    if (current === null || typeof current !== 'object' || !isData(current)) continue;
    const children: { value: unknown; path: string; isKey?: true }[] = [];
    if (Array.isArray(current)) {
      current.forEach((child, index) => children.push({ value: child, path: join(item.path, String(index)) }));
    } else {
      for (const [key, child] of Object.entries(current)) {
        const path = join(item.path, key);
        children.push({ value: key, path, isKey: true }, { value: child, path });
      }
    }
    // Pushed in reverse so that the first child is looked at first.
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]!);
  }
  return found;
}

/**
 * A percent-encoded part of a URL that does not decode to Unicode text, or null: a surrogate encoded on its own
 * (`%ED%A0%80`, as WTF-8 writes one) is a lone surrogate; any other byte sequence that is not UTF-8 (`%FF`), or
 * a `%` not followed by two hex digits, is a bad encoding. Query strings that do not decode would otherwise
 * reach a route as their raw text.
 */
export function badPercentEncoding(raw: string): BadTextKind | null {
  try {
    decodeURIComponent(raw);
    return null;
  } catch {
    return /%ED%[AB][0-9A-F]%[89AB][0-9A-F]/i.test(raw) ? 'text_lone_surrogate' : 'text_bad_encoding';
  }
}

/** The names and values of a raw query string (`a=1&b=%00`) that do not decode, each named `root.name`. */
export function findBadQueryEncoding(rawQuery: string, root: string): BadText[] {
  const found: BadText[] = [];
  for (const pair of rawQuery.split('&')) {
    if (found.length >= MAX_BAD_TEXT_FINDINGS) break;
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const rawValue = equals < 0 ? '' : pair.slice(equals + 1);
    const nameKind = badPercentEncoding(rawName);
    const valueKind = badPercentEncoding(rawValue);
    const kind = nameKind ?? valueKind;
    if (kind)
      found.push({
        path: `${root}.${nameKind ? rawName : decodeURIComponent(rawName)}`,
        kind,
        inKey: nameKind !== null,
      });
  }
  return found;
}

/**
 * Data parsed from text (JSON, a query string, path parameters, headers), as opposed to bytes (a Buffer) or a
 * stream a route reads itself (an uploaded file).
 */
function isData(value: object): boolean {
  return !ArrayBuffer.isView(value) && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

export const badTextMessages: Record<BadTextKind, string> = {
  text_nul: 'contains a NUL character (U+0000), which text may not hold',
  text_lone_surrogate: 'contains a lone UTF-16 surrogate (U+D800–U+DFFF without its pair), which is not Unicode text',
  text_bad_encoding: 'is percent-encoded bytes that are not UTF-8 text',
  number_not_finite: 'is a number too large to hold (beyond ±1.8e308)',
};
