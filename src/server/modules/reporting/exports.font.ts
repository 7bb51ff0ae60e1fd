import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { StartupError } from '../../shared/messages.ts';

/**
 * The CJK font of the PDF exports. PDF's standard fonts have no Chinese, so every PDF embeds the subset of a CJK
 * font it uses. The default is Source Han Sans SC (思源黑体), installed by `npm ci` from the npm registry
 * (docs/adr/0008-pdf-font.md): the exports never depend on a font of the machine. `PDF_FONT_PATH` overrides it for
 * an operator who must use a mandated face: a .ttf/.otf file, or a face of a .ttc/.otc collection as
 * `/path/font.ttc#PostScriptName`. The choice is checked once, at start: a bad override stops the server with a
 * message saying what to change, instead of failing the first export.
 */

export interface FontChoice {
  readonly path: string;
  /** The PostScript name of the face in a collection. */
  readonly name: string | undefined;
}

export const BUNDLED_FONT: FontChoice = {
  path: createRequire(import.meta.url).resolve('node-source-han-sans-sc/SourceHanSansSC-Regular.otf'),
  name: undefined,
};

/** Simplified-Chinese faces of the usual collections, tried in this order when an override names no face. */
const collectionFaces = [
  'NotoSansCJKsc-Regular',
  'SourceHanSansSC-Regular',
  'NotoSerifCJKsc-Regular',
  'SourceHanSerifSC-Regular',
  'WenQuanYiMicroHei',
  'WenQuanYiZenHei',
  'MicrosoftYaHei',
  'SimSun',
  'PingFangSC-Regular',
];

/** Characters every form prints (its title, 填报单位, 报告期 …): a font without them cannot make the forms. */
const REQUIRED_TEXT = '稀土开采冶炼分离总量控制指标执行情况报告填报单位期计量吨';

const isCollection = (path: string) => /\.(ttc|otc)$/i.test(path);

/** The fontkit font pdfkit opened; pdfkit keeps it as `_font.font`. */
interface OpenedFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

/** Opens the face the way the exports will, or says why it cannot be used. */
function open(choice: FontChoice): OpenedFont {
  const pdf = new PDFDocument({ autoFirstPage: false });
  try {
    if (choice.name) pdf.font(choice.path, choice.name);
    else pdf.font(choice.path);
    const opened = (pdf as unknown as { _font?: { font?: Partial<OpenedFont> } })._font?.font;
    if (typeof opened?.hasGlyphForCodePoint !== 'function') throw new Error('pdfkit kept no font');
    return opened as OpenedFont;
  } finally {
    pdf.end();
  }
}

/**
 * The font the PDF exports embed: the bundled one, or the override, checked — the file exists, is a font, the face
 * is in the collection, and it has the Chinese the forms print. Throws a StartupError otherwise.
 */
export function resolvePdfFont(override: string | undefined): FontChoice {
  if (!override) return checked(BUNDLED_FONT, BUNDLED_FONT.path);
  const hash = override.lastIndexOf('#');
  const path = hash > 0 ? override.slice(0, hash) : override;
  const name = hash > 0 ? override.slice(hash + 1) : undefined;
  if (!existsSync(path) || !statSync(path).isFile()) throw new StartupError('pdf_font_missing', { path });
  if (name || !isCollection(path)) return checked({ path, name }, override);
  for (const face of collectionFaces) {
    try {
      return checked({ path, name: face }, override);
    } catch {
      // not this face: try the next
    }
  }
  throw new StartupError('pdf_font_face_missing', { path, face: collectionFaces.join(', ') });
}

function checked(choice: FontChoice, shown: string): FontChoice {
  let font: OpenedFont;
  try {
    font = open(choice);
  } catch {
    if (choice.name && isCollection(choice.path))
      throw new StartupError('pdf_font_face_missing', { path: choice.path, face: choice.name });
    throw new StartupError('pdf_font_unreadable', { path: shown });
  }
  const missing = [...REQUIRED_TEXT].find((character) => !font.hasGlyphForCodePoint(character.codePointAt(0)!));
  if (missing) throw new StartupError('pdf_font_no_glyphs', { path: shown, missing });
  return choice;
}
