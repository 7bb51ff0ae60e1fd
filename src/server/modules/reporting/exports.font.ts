import { existsSync } from 'node:fs';
import { unavailable } from '../../shared/errors.ts';

/**
 * The CJK font of the PDF exports. PDF's standard fonts have no Chinese, so the server embeds (a subset of) a font
 * it finds on the machine: PDF_FONT_PATH when set, else a few well-known places — Debian's fonts-noto-cjk first.
 * A collection (.ttc/.otc) needs the PostScript name of the face: `PDF_FONT_PATH=/path/font.ttc#Name`, or one of
 * the well-known names is tried.
 */

export interface FontChoice {
  readonly path: string;
  /** The PostScript name of the face in a collection. */
  readonly name: string | undefined;
}

/** Simplified-Chinese faces of the usual collections, most wanted first. */
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

const wellKnown: readonly FontChoice[] = [
  // Debian and Ubuntu: apt-get install fonts-noto-cjk
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', name: 'NotoSerifCJKsc-Regular' },
  // Fedora, Arch, Alpine
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf', name: undefined },
  // WenQuanYi (fonts-wqy-microhei, fonts-wqy-zenhei)
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', name: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', name: 'WenQuanYiZenHei' },
  // macOS and Windows
  { path: '/System/Library/Fonts/PingFang.ttc', name: 'PingFangSC-Regular' },
  { path: 'C:\\Windows\\Fonts\\msyh.ttc', name: 'MicrosoftYaHei' },
  { path: 'C:\\Windows\\Fonts\\simsun.ttc', name: 'SimSun' },
];

const isCollection = (path: string) => /\.(ttc|otc)$/i.test(path);

const HOW_TO_FIX =
  'Install a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk) or set PDF_FONT_PATH to a .ttf/.otf font, ' +
  'or to a .ttc collection as /path/font.ttc#PostScriptName.';

/** The fonts to try, in order: PDF_FONT_PATH alone when set (it must work), else the well-known ones present. */
export function fontCandidates(override: string | undefined): FontChoice[] {
  if (!override) return wellKnown.filter((choice) => existsSync(choice.path));
  const hash = override.lastIndexOf('#');
  const path = hash > 0 ? override.slice(0, hash) : override;
  const name = hash > 0 ? override.slice(hash + 1) : undefined;
  if (!existsSync(path))
    throw unavailable(`PDF export: PDF_FONT_PATH names ${path}, which does not exist. ${HOW_TO_FIX}`);
  if (name || !isCollection(path)) return [{ path, name }];
  return collectionFaces.map((face) => ({ path, name: face }));
}

/** The font that worked last, per PDF_FONT_PATH: later exports open it first. */
const chosen = new Map<string, FontChoice>();

/**
 * Makes `use` succeed with the first candidate font that opens, or answers 503 saying how to get one. `use` is
 * the PDF document's `font(path, name)`: it throws when the file is not a font or the face is not in it.
 */
export function applyCjkFont(override: string | undefined, use: (choice: FontChoice) => void): FontChoice {
  const key = override ?? '';
  const remembered = chosen.get(key);
  const candidates = remembered ? [remembered] : fontCandidates(override);
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      use(candidate);
      chosen.set(key, candidate);
      return candidate;
    } catch (error) {
      failures.push(`${candidate.path}${candidate.name ? `#${candidate.name}` : ''}: ${(error as Error).message}`);
    }
  }
  if (remembered) {
    chosen.delete(key);
    return applyCjkFont(override, use);
  }
  const tried = failures.length > 0 ? ` (tried ${failures.join('; ')})` : '';
  throw unavailable(`PDF export needs a CJK font and none could be opened${tried}. ${HOW_TO_FIX}`);
}
