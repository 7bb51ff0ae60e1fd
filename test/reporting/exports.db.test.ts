import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompilationView, ReportView, TotalLine } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { auditCount, demoEnterpriseIds, expectProblem } from '../api/api-helpers.ts';
import {
  expectExportFile,
  reportingExportCallers,
  reportingExportsMatrix,
  runExportCase,
  type ReportingExportFixtures,
} from '../api/reporting-exports-matrix.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  boardNodes,
  categoryNames,
  findRow,
  grouped,
  inkedPixels,
  kgOf,
  parseCsv,
  percent,
  run,
  shown,
  statusNames,
  tableAfter,
} from './export-readers.ts';
import { compileAndForward, reportingWorld, submit, type ReportingWorld } from './reporting-world.ts';

/**
 * The exports of Art. 9 reports, compilations and the status board, on Ganzhou's October 2026 with a fixed clock:
 * every file is opened the way its reader would (exceljs and LibreOffice for XLSX, poppler for PDF, a CSV parser)
 * and must show the figures of the JSON view. Needs soffice, pdftoppm, pdftotext and a CJK font
 * (apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk).
 */
const PERIOD = '2026-10';
const at = (text: string) => new Date(`${text}+08:00`);

type Format = 'xlsx' | 'pdf' | 'csv';
interface Exported {
  readonly title: string;
  readonly lines: readonly TotalLine[];
  readonly texts: readonly string[];
  readonly files: Partial<Record<Format, Buffer>>;
}

describe('report, compilation and board exports', () => {
  let now = at('2026-11-08T10:00:00');
  let context: TestContext;
  let world: ReportingWorld;
  let work: string;
  const ids: Record<string, string> = {};
  const reports = new Map<string, ReportView>();
  const compilations = new Map<string, CompilationView>();
  const exported = new Map<string, Exported>();

  const download = async (client: Client, url: string, format: Format) => {
    const response = await client.get(`${url}${url.includes('?') ? '&' : '?'}format=${format}`);
    expect(response.statusCode, response.body).toBe(200);
    expectExportFile(response, format);
    return response;
  };

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    await loadDemoFlows(context.database);
    world = await reportingWorld(context, PERIOD);
    work = await mkdtemp(join(tmpdir(), 'monazite-exports-'));
    const demo = await demoEnterpriseIds(context.database.db);
    for (const key of ['longnan', 'dingnan', 'xinfeng']) ids[key] = demo[key]!.id;

    // On time: Longnan and Dingnan; late: Xinfeng.
    reports.set('longnan-v1', await submit(await context.as('ent.longnan'), PERIOD, 'x-longnan-1'));
    reports.set('dingnan', await submit(await context.as('ent.dingnan'), PERIOD, 'x-dingnan-1'));
    now = at('2026-11-11T09:00:00');
    reports.set('xinfeng', await submit(await world.enterprise(ids.xinfeng!), PERIOD, 'x-xinfeng-1'));

    // Longnan's county returns its report; the mine corrects one figure, with the reason.
    now = at('2026-11-12T09:00:00');
    const first = reports.get('longnan-v1')!;
    const returned = await (
      await world.division('360783')
    ).post(`/api/v1/reports/${first.id}/return`, { reason: '产量与台账不一致，请核实后重报' });
    expect(returned.statusCode, returned.body).toBe(200);
    const line = first.lines.find((item) => item.production_reo_kg > 0) ?? first.lines[0]!;
    const figures = [
      {
        category: line.category,
        production_reo_kg: line.production_reo_kg + 1234,
        explanation: '10月31日夜班产量次日入库，补记本月',
      },
    ];
    reports.set(
      'longnan-v2',
      await submit(await context.as('ent.longnan'), PERIOD, 'x-longnan-2', { replaces: first.id, figures }),
    );
    reports.set('longnan-v1', (await (await context.as('miit')).get(`/api/v1/reports/${first.id}`)).json());

    // The counties of Ganzhou compile and forward; the prefecture compiles.
    now = at('2026-11-14T10:00:00');
    const counties = world.divisions.filter((division) => division.parent === '360700');
    for (const county of counties) {
      const view = await compileAndForward(
        await world.division(county.code),
        county.code,
        PERIOD,
        await reasonsFor(county.code),
      );
      compilations.set(county.code, view);
    }
    now = at('2026-11-19T10:00:00');
    compilations.set(
      '360700',
      await compileAndForward(await world.division('360700'), '360700', PERIOD, await reasonsFor('360700'), false),
    );
  }, 300_000);

  afterAll(async () => {
    await context.close();
    // KEEP_EXPORTS=1 leaves the files for a person to look at.
    if (work && !process.env.KEEP_EXPORTS) await rm(work, { recursive: true, force: true });
    else if (work) console.log(`exports kept in ${work}`);
  });

  /** Reasons for every missing or late child of a division, as its compiler would give them. */
  async function reasonsFor(code: string): Promise<Record<string, string>> {
    const draft = await (
      await world.division(code)
    ).get(`/api/v1/compilations/draft?division_code=${code}&period=${PERIOD}`);
    expect(draft.statusCode, draft.body).toBe(200);
    const absent = draft.json<{ absent: { code: string; status: string }[] }>().absent;
    const reasons = { missing: '企业停产检修，未报送', late: '系统升级，延迟一日报送' };
    return Object.fromEntries(
      absent.map((child) => [child.code, reasons[child.status as keyof typeof reasons] ?? child.status]),
    );
  }

  it('the scenario has what the exports must show: versions, a return, lateness, absences', () => {
    expect(reports.get('longnan-v1')!.returned?.reason).toContain('核实');
    expect(reports.get('longnan-v2')!.version).toBe(2);
    expect(reports.get('xinfeng')!.late).toBe(true);
    expect(compilations.get('360722')!.absent.map((child) => child.status)).toContain('late');
    expect(compilations.get('360700')!.children.length).toBe(compilations.size - 1);
  });

  describe('every document, in every format', () => {
    beforeAll(async () => {
      const miit = await context.as('miit');
      const fetchAll = async (url: string) => {
        const files: Exported['files'] = {};
        for (const format of ['xlsx', 'pdf', 'csv'] as const)
          files[format] = (await download(miit, url, format)).rawPayload;
        return files;
      };
      for (const [key, report] of reports)
        exported.set(`report ${key}`, {
          title: '稀土总量控制指标执行情况月报表',
          lines: report.lines,
          texts: [
            report.enterprise_name,
            ...report.lines.flatMap((line) => (line.explanation ? [line.explanation] : [])),
          ],
          files: await fetchAll(`/api/v1/reports/${report.id}/export`),
        });
      for (const [code, compilation] of compilations)
        exported.set(`compilation ${code}`, {
          title: `${compilation.division_name}稀土总量控制指标执行情况月报汇总表`,
          lines: compilation.totals,
          texts: [
            ...compilation.children.map((child) => child.name),
            ...compilation.absent.map((child) => child.reason),
          ],
          files: await fetchAll(`/api/v1/compilations/${compilation.id}/export`),
        });
      exported.set('board 360700', {
        title: '稀土总量控制指标执行情况报送进度表',
        lines: [],
        texts: (await boardNodes(miit, PERIOD, '360700')).map((node) => node.name),
        files: await fetchAll(`/api/v1/reporting/board/export?period=${PERIOD}&division_code=360700`),
      });
    }, 120_000);

    it('CSV: UTF-8 with BOM; the header block, and the figures exactly as the JSON has them', () => {
      for (const [key, item] of exported) {
        const records = parseCsv(item.files.csv!);
        expect(records[0], key).toEqual([item.title]);
        expect(records, key).toContainEqual(['报告期', '2026年10月']);
        if (key.startsWith('board')) continue;
        expect(records, key).toContainEqual(['计量单位', '千克（REO折合量）']);
        const report = key.startsWith('report') ? reports.get(key.slice('report '.length)) : undefined;
        const expected = item.lines.map((line, index) => {
          const row = shown(line, false);
          return report ? [...row, report.lines[index]!.explanation ?? ''] : row;
        });
        expect(tableAfter(records, '指标类别'), key).toEqual(expected);
        for (const text of item.texts) expect(records.flat().join('\n'), key).toContain(text);
      }
    });

    it('CSV: a compilation lists each child per category, and the missing and late with reasons', () => {
      for (const [code, compilation] of compilations) {
        const records = parseCsv(exported.get(`compilation ${code}`)!.files.csv!);
        expect(tableAfter(records, '报送单位'), code).toEqual(
          compilation.children.flatMap((child) => {
            const head = [
              child.name,
              child.kind === 'report' ? '企业报表' : '下级汇总',
              `第${child.version}版`,
              child.late ? '迟报' : '按时',
            ];
            if (child.lines.length === 0) return [[...head, '（无指标类别）', ...Array<string>(7).fill('')]];
            return child.lines.map((line) => [...head, ...shown(line, false)]);
          }),
        );
        expect(tableAfter(records, '单位'), code).toEqual(
          compilation.absent.map((child) => [
            child.name,
            child.kind === 'enterprise' ? '企业' : '行政区',
            child.status === 'late' ? '迟报' : '缺报',
            child.reason,
          ]),
        );
        expect(records, code).toContainEqual(['内容摘要（SM3）', compilation.signature.content_sm3]);
        expect(records, code).toContainEqual(['汇总人', compilation.compiled_by]);
        expect(records.at(-1), code).toEqual(['审核人：', '填表人：', '日期：']);
      }
      expect(compilations.get('360722')!.absent).toContainEqual(expect.objectContaining({ status: 'late' }));
      expect(compilations.get('360783')!.children[0]!.lines.length).toBeGreaterThan(0);
    });

    it('CSV: the board has every node under the division, indented, with its status in Chinese', async () => {
      const nodes = await boardNodes(await context.as('miit'), PERIOD, '360700');
      const rows = tableAfter(parseCsv(exported.get('board 360700')!.files.csv!), '单位名称');
      expect(rows.map((row) => [row[0], row[3], row[4]])).toEqual(
        nodes.map((node) => [
          '\u3000'.repeat(node.depth) + node.name,
          statusNames[node.status],
          node.late ? '是' : '否',
        ]),
      );
      expect(rows.map((row) => row[3])).toContain('已汇总');
      expect(rows.map((row) => row[3])).toContain('已上报');
    });

    it('XLSX: opens with exceljs; merged title, numeric figures with number formats, A4 landscape one page wide', async () => {
      for (const [key, item] of exported) {
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(item.files.xlsx! as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0]!;
        expect(sheet.getCell('A1').value, key).toBe(item.title);
        expect(sheet.getCell('A1').isMerged, key).toBe(true);
        expect(sheet.getCell('A1').font?.bold, key).toBe(true);
        expect(sheet.pageSetup, key).toMatchObject({
          orientation: 'landscape',
          paperSize: 9,
          fitToPage: true,
          fitToWidth: 1,
        });
        const header = findRow(sheet, '指标类别');
        if (key.startsWith('board')) continue;
        expect(header, key).toBeDefined();
        expect(sheet.getRow(header!).getCell(2).font?.bold, key).toBe(true);
        item.lines.forEach((line, index) => {
          const row = sheet.getRow(header! + 1 + index);
          const kg = kgOf(line);
          expect(row.getCell(1).value, key).toBe(categoryNames[line.category]);
          expect(
            [2, 3, 4, 5, 7, 8].map((column) => row.getCell(column).value),
            key,
          ).toEqual(kg);
          expect(row.getCell(2).numFmt, key).toBe('#,##0');
          expect(row.getCell(2).border?.top?.style, key).toBe('thin');
          const utilisation = row.getCell(6);
          if (line.utilisation_ppm === null) expect(utilisation.value, key).toBe('—');
          else {
            expect(utilisation.value, key).toBeCloseTo(line.utilisation_ppm / 1_000_000, 4);
            expect(utilisation.numFmt, key).toBe('0.00%');
          }
        });
      }
    });

    it('XLSX: LibreOffice converts every file, and shows the figures with separators and percentages', async () => {
      const files: string[] = [];
      for (const [key, item] of exported) {
        const file = join(work, `${key.replace(/\W+/g, '-')}.xlsx`);
        await writeFile(file, item.files.xlsx!);
        files.push(file);
      }
      const out = join(work, 'soffice');
      await run(
        'soffice',
        [
          `-env:UserInstallation=file://${join(work, 'profile')}`,
          '--headless',
          '--convert-to',
          'csv:Text - txt - csv (StarCalc):44,34,76,1',
          '--outdir',
          out,
          ...files,
        ],
        { timeout: 240_000 },
      );
      for (const [key, item] of exported) {
        const converted = await readFile(join(out, `${key.replace(/\W+/g, '-')}.csv`));
        const records = parseCsv(converted).map((record) => record.map((cell) => cell.trim()));
        expect(records[0]?.[0], key).toBe(item.title);
        if (key.startsWith('board')) {
          for (const text of item.texts)
            expect(
              records.map((record) => record[0]),
              key,
            ).toContain(text);
          continue;
        }
        const figures = tableAfter(records, '指标类别').map((row) => row.slice(0, 8));
        expect(figures, key).toEqual(item.lines.map((line) => shown(line, true, '—')));
      }
    }, 300_000);

    it('PDF: renders to non-empty pages, and its text has the title, the categories and the figures', async () => {
      for (const [key, item] of exported) {
        const file = join(work, `${key.replace(/\W+/g, '-')}.pdf`);
        await writeFile(file, item.files.pdf!);
        const prefix = join(work, `${key.replace(/\W+/g, '-')}-page`);
        await run('pdftoppm', ['-png', '-r', '50', file, prefix]);
        const pages = (await readdir(work)).filter((name) => name.startsWith(`${key.replace(/\W+/g, '-')}-page`));
        expect(pages.length, key).toBeGreaterThanOrEqual(1);
        for (const page of pages) expect((await stat(join(work, page))).size, key).toBeGreaterThan(0);
        expect(await inkedPixels(file), key).toBeGreaterThan(500);
        const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
        expect(text, key).toContain(item.title);
        for (const line of item.lines) {
          expect(text, key).toContain(categoryNames[line.category]);
          for (const kg of kgOf(line)) expect(text, key).toContain(grouped(kg));
          if (line.utilisation_ppm !== null) expect(text, key).toContain(percent(line.utilisation_ppm));
        }
        for (const name of item.texts) expect(text.replace(/\s+/g, ''), key).toContain(name.replace(/\s+/g, ''));
        expect(text, key).toMatch(/第 1 页，共 \d+ 页/);
      }
    }, 120_000);

    it('the report shows version, lateness, the return with its reason, and the SM2 signature block', () => {
      const returned = reports.get('longnan-v1')!;
      const records = parseCsv(exported.get('report longnan-v1')!.files.csv!);
      expect(records).toContainEqual(['退回修改', expect.stringContaining(returned.returned!.reason) as string]);
      expect(records).toContainEqual([
        '版本',
        expect.stringContaining(`已被新版本 ${returned.superseded_by} 更正`) as string,
      ]);
      expect(records).toContainEqual(['签名人', returned.signature.signer]);
      expect(records).toContainEqual(['内容摘要（SM3）', returned.signature.content_sm3]);
      expect(records).toContainEqual(['是否迟报', '否']);
      expect(records.at(-1)).toEqual(['单位负责人：', '填表人：', '联系电话：', '填报日期：']);
      const late = parseCsv(exported.get('report xinfeng')!.files.csv!);
      expect(late).toContainEqual(['是否迟报', '是（迟报）']);
      expect(late).toContainEqual(['报送时间', '2026-11-11 09:00（北京时间）']);
    });
  });

  it('writes one audit entry per export: what was exported, the format and the row count', async () => {
    const miit = await context.as('miit');
    const report = reports.get('longnan-v2')!;
    const before = await auditCount(context.database.db);
    await download(miit, `/api/v1/reports/${report.id}/export`, 'csv');
    expect(await auditCount(context.database.db)).toBe(before + 1);
    const entry = await sql<{ action: string; object_type: string; object_id: string; after: Record<string, unknown> }>`
      SELECT action, object_type, object_id, after FROM audit_entry ORDER BY seq DESC LIMIT 1`.execute(
      context.database.db,
    );
    expect(entry.rows[0]).toMatchObject({
      action: 'report.export',
      object_type: 'report',
      object_id: report.id,
      after: { format: 'csv', rows: report.lines.length, period: PERIOD, version: 2 },
    });
  });

  it('refuses an unknown format and a malformed period, writing nothing', async () => {
    const miit = await context.as('miit');
    const before = await auditCount(context.database.db);
    expectProblem(await miit.get(`/api/v1/reports/${reports.get('dingnan')!.id}/export?format=docx`), 400);
    expectProblem(await miit.get('/api/v1/reporting/board/export?period=2026-13&format=csv'), 400);
    expect(await auditCount(context.database.db)).toBe(before);
  });

  describe('authorization matrix', () => {
    const fx = {} as ReportingExportFixtures;
    beforeAll(async () => {
      fx.context = context;
      fx.period = PERIOD;
      fx.reportId = reports.get('longnan-v2')!.id;
      fx.compilationId = compilations.get('360783')!.id;
      const clients = { anonymous: context.anonymous } as ReportingExportFixtures['clients'];
      for (const caller of reportingExportCallers)
        if (caller !== 'anonymous') clients[caller] = await context.as(caller);
      fx.clients = clients;
    });

    it.each(reportingExportsMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runExportCase(fx, item, reportingExportCallers)).toEqual([]);
      },
      120_000,
    );
  });
});
