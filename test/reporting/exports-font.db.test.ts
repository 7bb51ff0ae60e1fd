import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boardDocument } from '../../src/server/modules/reporting/exports.documents.ts';
import { renderPdf } from '../../src/server/modules/reporting/exports.pdf.ts';
import { auditCount, expectProblem } from '../api/api-helpers.ts';
import { expectExportFile } from '../api/reporting-exports-matrix.ts';
import { startTestApp } from '../support/app.ts';
import { run } from './export-readers.ts';

/**
 * The CJK font of the PDF exports: found where fonts-noto-cjk puts it, chosen by PDF_FONT_PATH, and, when there
 * is none, a 503 that says what to install or set (and no audit entry).
 */
const PERIOD = '2026-10';
const at = (text: string) => new Date(`${text}+08:00`);

describe('the CJK font of the PDF exports', () => {
  const sans = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
  const serif = '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc';
  const sample = () => boardDocument(PERIOD, [], at('2026-11-20T10:00:00'));
  const fontsOf = async (pdf: Buffer) => {
    const dir = await mkdtemp(join(tmpdir(), 'monazite-font-'));
    try {
      await writeFile(join(dir, 'f.pdf'), pdf);
      return (await run('pdffonts', [join(dir, 'f.pdf')])).stdout;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('finds fonts-noto-cjk by itself, and PDF_FONT_PATH chooses another (a collection gets a known face)', async () => {
    expect(existsSync(sans), 'apt-get install fonts-noto-cjk').toBe(true);
    expect(await fontsOf(await renderPdf(sample(), undefined))).toContain('NotoSansCJKsc-Regular');
    expect(await fontsOf(await renderPdf(sample(), serif))).toContain('NotoSerifCJKsc-Regular');
    expect(await fontsOf(await renderPdf(sample(), `${sans}#NotoSansCJKtc-Regular`))).toContain('NotoSansCJKtc');
  });

  it('a PDF_FONT_PATH that is not a font, or names no face of the collection, is a 503 saying what to do', async () => {
    for (const override of [fileURLToPath(import.meta.url), `${sans}#NoSuchFace`]) {
      const error = await renderPdf(sample(), override).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ status: 503, code: 'unavailable' });
      expect((error as Error).message).toMatch(/fonts-noto-cjk.*PDF_FONT_PATH/s);
    }
  });

  it('without one the PDF export answers 503 and audits nothing; XLSX and CSV still work', async () => {
    const context = await startTestApp({ PDF_FONT_PATH: '/nonexistent/fonts/cjk.ttc' });
    try {
      const miit = await context.as('miit');
      const url = `/api/v1/reporting/board/export?period=${PERIOD}&division_code=360700`;
      const before = await auditCount(context.database.db);
      const problem = expectProblem(await miit.get(`${url}&format=pdf`), 503, 'unavailable');
      expect(problem.detail).toContain('apt-get install fonts-noto-cjk');
      expect(problem.detail).toContain('PDF_FONT_PATH');
      expect(await auditCount(context.database.db)).toBe(before);
      for (const format of ['xlsx', 'csv'] as const)
        expectExportFile(await miit.get(`${url}&format=${format}`), format);
      expect(await auditCount(context.database.db)).toBe(before + 2);
    } finally {
      await context.close();
    }
  });
});
