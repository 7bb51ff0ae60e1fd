import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_FONT, resolvePdfFont } from '../../src/server/modules/reporting/exports.font.ts';
import { boardDocument } from '../../src/server/modules/reporting/exports.documents.ts';
import { renderPdf } from '../../src/server/modules/reporting/exports.pdf.ts';
import { StartupError } from '../../src/server/shared/messages.ts';
import { startTestApp } from '../support/app.ts';
import { run } from './export-readers.ts';

/**
 * The CJK font of the PDF exports: Source Han Sans SC from the npm registry by default, never a font of the machine;
 * PDF_FONT_PATH chooses another; an override that cannot make the forms stops the start with a message in Chinese.
 * (test/reporting/exports-bare-machine.test.ts proves the default on a machine whose font folders are hidden.)
 */
const PERIOD = '2026-10';
const at = (text: string) => new Date(`${text}+08:00`);
const sample = () => boardDocument(PERIOD, [], at('2026-11-20T10:00:00'));

async function withPdf<T>(pdf: Buffer, read: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monazite-font-'));
  try {
    await writeFile(join(dir, 'f.pdf'), pdf);
    return await read(join(dir, 'f.pdf'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const fontsOf = (pdf: Buffer) => withPdf(pdf, async (file) => (await run('pdffonts', [file])).stdout);
const textOf = (pdf: Buffer) => withPdf(pdf, async (file) => (await run('pdftotext', ['-layout', file, '-'])).stdout);

function startupError(override: string): StartupError {
  try {
    resolvePdfFont(override);
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    return error as StartupError;
  }
  throw new Error(`PDF_FONT_PATH=${override} was accepted`);
}

describe('the CJK font of the PDF exports', () => {
  const systemSans = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
  const systemSerif = '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc';
  // An icon font: a real TrueType file with no Chinese in it.
  const iconFont = fileURLToPath(
    new URL('../../node_modules/playwright-core/lib/vite/recorder/assets/codicon-DCmgc-ay.ttf', import.meta.url),
  );

  it('is the bundled Source Han Sans SC from node_modules by default, embedded as a subset with its text', async () => {
    const font = resolvePdfFont(undefined);
    expect(font).toEqual(BUNDLED_FONT);
    expect(font.path).toContain(`${join('node_modules', 'node-source-han-sans-sc')}`);
    expect(font.path.startsWith('/usr/share/fonts')).toBe(false);
    const pdf = await renderPdf(sample(), font);
    const fonts = await fontsOf(pdf);
    // pdffonts: a subset (ABCDEF+ prefix), embedded (emb yes), with a ToUnicode map (uni yes), so text is text.
    expect(fonts).toMatch(/[A-Z]{6}\+SourceHanSansSC-Regular\s.*\syes\s+yes\s+yes/);
    expect(await textOf(pdf)).toContain('稀土总量控制指标执行情况报送进度表');
    // The subset keeps a one-page form small (the whole face is 17 MB).
    expect(pdf.length).toBeLessThan(200_000);
  });

  it('PDF_FONT_PATH chooses another face: a file, a collection (a known face found), or a named face', async () => {
    // These overrides use the machine's fonts-noto-cjk, which the browser tests install anyway.
    const serif = resolvePdfFont(systemSerif);
    expect(serif).toEqual({ path: systemSerif, name: 'NotoSerifCJKsc-Regular' });
    expect(await fontsOf(await renderPdf(sample(), serif))).toContain('NotoSerifCJKsc-Regular');
    const traditional = resolvePdfFont(`${systemSans}#NotoSansCJKtc-Regular`);
    expect(await fontsOf(await renderPdf(sample(), traditional))).toContain('NotoSansCJKtc-Regular');
    const bundled = resolvePdfFont(BUNDLED_FONT.path);
    expect(bundled).toEqual(BUNDLED_FONT);
  });

  it('a missing file, a file that is not a font, a face not in the collection, a font without Chinese: refused in Chinese', () => {
    const missing = startupError('/nonexistent/fonts/cjk.ttc');
    expect(missing.code).toBe('pdf_font_missing');
    expect(missing.message).toContain('PDF 字体设置有误：PDF_FONT_PATH 指向的文件“/nonexistent/fonts/cjk.ttc”不存在');
    expect(missing.message.split('\n')[1]).toContain('does not exist');

    const notAFont = startupError(fileURLToPath(import.meta.url));
    expect(notAFont.code).toBe('pdf_font_unreadable');
    expect(notAFont.message).toContain('不是可用的字体');

    const directory = startupError(tmpdir());
    expect(directory.code).toBe('pdf_font_missing');

    const noFace = startupError(`${systemSans}#NoSuchFace`);
    expect(noFace.code).toBe('pdf_font_face_missing');
    expect(noFace.params).toEqual({ path: systemSans, face: 'NoSuchFace' });
    expect(noFace.message).toContain('中没有名为“NoSuchFace”的字体');

    const latinOnly = startupError(iconFont);
    expect(latinOnly.code).toBe('pdf_font_no_glyphs');
    expect(latinOnly.message).toContain('缺少汉字（如“稀”）');
  });

  it('the app refuses to start with a bad override instead of answering 503 on the first export', async () => {
    const error = await startTestApp({ PDF_FONT_PATH: '/nonexistent/fonts/cjk.ttc' }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).code).toBe('pdf_font_missing');
  });
});
