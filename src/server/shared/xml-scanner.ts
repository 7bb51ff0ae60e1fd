/**
 * A small streaming XML scanner for the parts of OOXML packages: start tags (with attributes), end tags and
 * text, pushed in chunks of any size. It holds at most one unfinished tag (`maxMarkupChars`) and hands text
 * on in pieces, so memory stays flat whatever the part's size. No DTDs (so no entity expansion), only the five
 * predefined entities and character references. Element and attribute names lose their namespace prefix.
 */

export interface XmlHandler {
  open(name: string, attributes: Readonly<Record<string, string>>, selfClosing: boolean): void;
  close(name: string): void;
  /** Text between tags, entities decoded; one text node may come in several pieces. */
  text(piece: string): void;
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** A tag (or comment, CDATA section) longer than the scanner holds. */
export class XmlMarkupTooLong extends Error {
  constructor(readonly max: number) {
    super(`an XML tag is longer than ${max} characters`);
    this.name = 'XmlMarkupTooLong';
  }
}

const predefined: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * XML 1.0's Char: tab, line feed, carriage return, and from U+0020 on, without the surrogates, U+FFFE and U+FFFF.
 * Nothing else may come out of the scanner, written raw or as a reference (`&#0;`, `&#xD800;`): a NUL or a lone
 * surrogate would otherwise reach the database, which refuses both.
 */
const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);
// eslint-disable-next-line no-control-regex
const notXmlText = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decodeEntities(text: string): string {
  if (notXmlText.test(text)) throw new XmlSyntaxError('a character XML does not allow');
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<]{0,12});/g, (match, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (!Number.isInteger(code) || !isXmlChar(code)) throw new XmlSyntaxError(`bad character reference ${match}`);
      return String.fromCodePoint(code);
    }
    const value = predefined[name];
    if (value === undefined) throw new XmlSyntaxError(`unknown entity ${match}`);
    return value;
  });
}

const localName = (name: string): string => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

const attributePattern = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export class XmlScanner {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private pending = '';

  constructor(
    private readonly handler: XmlHandler,
    private readonly maxMarkupChars = 64 * 1024,
  ) {}

  /** Scans a chunk of the part's UTF-8 bytes. */
  push(chunk: Uint8Array): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new XmlSyntaxError('the part is not valid UTF-8');
    }
    this.scan(this.pending + text);
  }

  /** The part has ended: nothing may be left unfinished. */
  end(): void {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new XmlSyntaxError('the part is not valid UTF-8');
    }
    this.scan(this.pending + rest);
    if (this.pending.trim() !== '') throw new XmlSyntaxError('the part ends inside a tag');
  }

  private scan(input: string): void {
    let at = 0;
    const length = input.length;
    while (at < length) {
      const lt = input.indexOf('<', at);
      if (lt < 0) {
        // Text to the end: keep back an entity that may continue in the next chunk.
        const amp = input.lastIndexOf('&');
        const cut = amp >= at && input.indexOf(';', amp) < 0 ? amp : length;
        if (length - cut > 16) throw new XmlSyntaxError('an entity reference is too long');
        if (cut > at) this.handler.text(decodeEntities(input.slice(at, cut)));
        this.pending = input.slice(cut);
        return;
      }
      if (lt > at) this.handler.text(decodeEntities(input.slice(at, lt)));
      const end = this.markupEnd(input, lt);
      if (end < 0) {
        if (length - lt > this.maxMarkupChars) throw new XmlMarkupTooLong(this.maxMarkupChars);
        this.pending = input.slice(lt);
        return;
      }
      if (end - lt > this.maxMarkupChars) throw new XmlMarkupTooLong(this.maxMarkupChars);
      this.markup(input, lt, end);
      at = end;
    }
    this.pending = '';
  }

  /** The index just after the markup starting at `lt`, or -1 when it is not complete yet. */
  private markupEnd(input: string, lt: number): number {
    if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt + 4);
      return end < 0 ? -1 : end + 3;
    }
    if (input.startsWith('<![CDATA[', lt)) {
      const end = input.indexOf(']]>', lt + 9);
      return end < 0 ? -1 : end + 3;
    }
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt + 2);
      return end < 0 ? -1 : end + 2;
    }
    if (input.length - lt < 9 && '<!DOCTYPE'.startsWith(input.slice(lt))) return -1;
    if (input.startsWith('<!', lt)) throw new XmlSyntaxError('DTDs and declarations are not accepted');
    // A tag: '>' outside quoted attribute values.
    let quote = '';
    for (let index = lt + 1; index < input.length; index += 1) {
      const char = input[index];
      if (quote) {
        if (char === quote) quote = '';
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '>') return index + 1;
      else if (char === '<') throw new XmlSyntaxError('a "<" inside a tag');
    }
    return -1;
  }

  private markup(input: string, start: number, end: number): void {
    if (input.startsWith('<!--', start) || input.startsWith('<?', start)) return;
    if (input.startsWith('<![CDATA[', start)) {
      const text = input.slice(start + 9, end - 3);
      if (notXmlText.test(text)) throw new XmlSyntaxError('a character XML does not allow');
      this.handler.text(text);
      return;
    }
    if (input[start + 1] === '/') {
      this.handler.close(localName(input.slice(start + 2, end - 1).trim()));
      return;
    }
    const selfClosing = input[end - 2] === '/';
    const body = input.slice(start + 1, selfClosing ? end - 2 : end - 1);
    const nameEnd = body.search(/[\s/]|$/);
    const name = body.slice(0, nameEnd);
    if (name === '') throw new XmlSyntaxError('a tag without a name');
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    const rest = body.slice(nameEnd);
    if (rest.includes('=')) {
      for (const match of rest.matchAll(attributePattern))
        attributes[localName(match[1]!)] = decodeEntities(match[2] ?? match[3] ?? '');
    }
    this.handler.open(localName(name), attributes, selfClosing);
    if (selfClosing) this.handler.close(localName(name));
  }
}
