import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnualReportContent, AnnualReportView } from '../../src/contracts/supervision-annual.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { canonicalJson, sm3Hex } from '../../src/server/shared/canonical-json.ts';
import { verifyText } from '../../src/server/shared/signing.ts';
import { auditCount, demoEnterpriseIds, expectFieldError, expectProblem, type Db } from '../api/api-helpers.ts';
import { categoryNames, findRow, grouped, parseCsv, percent, run } from '../reporting/export-readers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  createProvincialOfficials,
  decide,
  figuresFromTables,
  figuresOf,
  getReport,
  ledgerFromTables,
  move,
  outputFromTables,
  plan,
  violation,
  visit,
} from './annual-report-world.ts';
import { key } from './supervision-world.ts';

/**
 * The provincial annual supervision report (Art. 12 ¶3) of Inner Mongolia for 2026, on the demo flows and quota
 * with inspections, violations of several types and decisions of every kind made through the API (and records of
 * 2025 and of Jiangxi that must not count). Every figure of the report must equal what the tables give, computed
 * here without the server's code; the exports must show the same figures; a submission freezes them.
 */

const at = (text: string) => new Date(`${text}+08:00`);
const PROVINCE = '150000';
const YEAR = 2026;
const base = `/api/v1/supervision/annual-reports`;

let now = at('2026-12-10T10:00:00');
let context: TestContext;
let db: Db;
const clients = {} as Record<'miit' | 'mnr' | 'nmg' | 'nmgNr' | 'jx' | 'baotou' | 'ganzhou' | 'oversight', Client>;
const ids: Record<string, string> = {};
let baseline: AnnualReportContent;
let work: string;

const reportRows = async () =>
  Number(
    (await sql<{ count: string }>`SELECT count(*) AS count FROM supervision_annual_report`.execute(db)).rows[0]!.count,
  );

async function buildWorld(): Promise<void> {
  const baotou = clients.baotou;
  const { bayan, kundulun, jiuyuan, dingnan } = ids;
  // Inspections: one planned in 2025 and visited in 2026; three planned in 2026 (one not visited yet); one all of
  // 2025; one in Jiangxi.
  await visit(baotou, await plan(baotou, bayan!, '2025-12-20', 'baotou.iit'), '2026-01-05', 'no_violation');
  await visit(baotou, await plan(baotou, bayan!, '2026-03-10', 'baotou.iit'), '2026-03-12', 'violation_found');
  await visit(baotou, await plan(baotou, kundulun!, '2026-06-01', 'nmg.iit'), '2026-06-01', 'obstructed');
  await plan(baotou, jiuyuan!, '2026-12-08', 'baotou.iit');
  await visit(baotou, await plan(baotou, bayan!, '2025-05-01', 'baotou.iit'), '2025-05-02', 'no_violation');
  const ganzhou = clients.ganzhou;
  await visit(ganzhou, await plan(ganzhou, dingnan!, '2026-04-01', 'ganzhou.nr'), '2026-04-02', 'violation_found');

  const v1 = await violation(baotou, bayan!, 'exceeding_indicators', '2026-03-12');
  const v2 = await violation(baotou, bayan!, 'false_records', '2026-04-01');
  const v3 = await violation(baotou, kundulun!, 'obstructing_inspection', '2026-06-01');
  const v4 = await violation(baotou, jiuyuan!, 'flow_records_missing', '2026-05-10');
  const v5 = await violation(baotou, jiuyuan!, 'flow_records_missing', '2026-08-10');
  const v6 = await violation(baotou, bayan!, 'false_records', '2025-11-01');
  const v7 = await violation(ganzhou, dingnan!, 'network_data_security', '2026-05-01');

  const order = (due: string, on: string) => ({ kind: 'correction_order', decided_on: on, correction_due_on: due });
  await decide(baotou, v1, order('2026-04-30', '2026-03-20')); // open and overdue
  await decide(baotou, v4, order('2026-12-31', '2026-05-15')); // open, not yet due
  await move(baotou, await decide(baotou, v5, order('2026-09-30', '2026-08-15')), 'complied');
  await move(
    baotou,
    await move(baotou, await decide(baotou, v2, order('2026-05-05', '2026-04-05')), 'complied'),
    'closed',
  );
  await decide(baotou, v1, { kind: 'fine', decided_on: '2026-03-25', fine_yuan: 50_000, final: true });
  // A fine set aside on reconsideration: counted, closed, revoked, its amount not in the sum.
  const setAside = await decide(baotou, v2, { kind: 'fine', decided_on: '2026-04-10', fine_yuan: 20_000 });
  const revoked = await baotou.post(`/api/v1/supervision/decisions/${setAside.id}/finality`, {
    expected_version: setAside.version,
    outcome: 'revoked',
    effective_on: '2026-05-20',
    note: '行政复议撤销',
  });
  expect(revoked.statusCode, revoked.body).toBe(200);
  await decide(baotou, v3, {
    kind: 'suspension',
    decided_on: '2026-06-10',
    suspension_from: '2026-06-15',
    suspension_to: '2026-07-15',
    final: true,
  });
  await decide(baotou, v3, { kind: 'referral', decided_on: '2026-06-12', referred_to: '包头市公安局' });
  await decide(baotou, v6, { kind: 'fine', decided_on: '2025-11-05', fine_yuan: 9_999, final: true });
  await decide(ganzhou, v7, { kind: 'fine', decided_on: '2026-05-05', fine_yuan: 30_000 });
}

beforeAll(async () => {
  context = await startTestApp({}, { clock: () => now });
  db = context.database.db;
  await loadDemoFlows(context.database);
  await createProvincialOfficials(context);
  const logins = {
    miit: 'miit',
    mnr: 'mnr',
    nmg: 'nmg.iit',
    nmgNr: 'nmg.nr',
    jx: 'jx.iit',
    baotou: 'baotou.iit',
    ganzhou: 'ganzhou.nr',
    oversight: 'oversight',
  } as const;
  for (const [name, login] of Object.entries(logins)) clients[name as keyof typeof clients] = await context.as(login);
  const demo = await demoEnterpriseIds(db);
  for (const name of ['bayan', 'kundulun', 'jiuyuan', 'dingnan']) ids[name] = demo[name]!.id;
  baseline = (await getReport(clients.nmg, PROVINCE, YEAR)).content;
  await buildWorld();
  work = await mkdtemp(join(tmpdir(), 'monazite-annual-'));
}, 300_000);
afterAll(async () => {
  await context.close();
  if (work && !process.env.KEEP_EXPORTS) await rm(work, { recursive: true, force: true });
});

describe('the report equals the records', () => {
  let draft: AnnualReportView;
  beforeAll(async () => {
    draft = await getReport(clients.nmg, PROVINCE, YEAR);
  });

  it('is a live draft, due in December, addressed to MIIT and MNR', () => {
    expect(draft.kind).toBe('draft');
    expect(draft.submission).toBeNull();
    expect(draft.status).toBe('due');
    expect(draft.late).toBe(false);
    expect(draft.deadline).toBe(at('2026-12-31T23:59:59.999').toISOString());
    expect(draft.addressed_to).toEqual(['MIIT', 'MNR']);
    expect(draft.content.province_name).toBe('内蒙古自治区');
    expect(draft.content.as_of).toBe('2026-12-10');
  });

  it('inspections: planned, visited, pending and outcomes as the tables count them; the world added exactly its own', async () => {
    const tables = await figuresFromTables(db, '15', YEAR, '2026-12-10');
    const { items, ...counts } = draft.content.inspections;
    const { items: itemCount, ...expected } = tables.inspections;
    expect(counts).toEqual(expected);
    expect(items).toHaveLength(itemCount);
    expect(draft.content.inspections.planned - baseline.inspections.planned).toBe(3);
    expect(draft.content.inspections.visited - baseline.inspections.visited).toBe(3);
    expect(draft.content.inspections.pending - baseline.inspections.pending).toBe(1);
    expect(draft.content.inspections.outcomes.obstructed - baseline.inspections.outcomes.obstructed).toBe(1);
    expect(items.length - baseline.inspections.items.length).toBe(4);
    expect(items.some((item) => item.enterprise_id === ids.dingnan)).toBe(false);
  });

  it('violations by type, each with its legal basis, as the tables count them', async () => {
    const tables = await figuresFromTables(db, '15', YEAR, '2026-12-10');
    const byType = Object.fromEntries(draft.content.violations.by_type.map((row) => [row.type, row.count]));
    for (const [type, count] of Object.entries(byType)) expect(count, type).toBe(tables.violations[type] ?? 0);
    for (const [type, count] of Object.entries(tables.violations)) expect(byType[type], type).toBe(count);
    expect(draft.content.violations.total).toBe(Object.values(tables.violations).reduce((a, b) => a + b, 0));
    const before = Object.fromEntries(baseline.violations.by_type.map((row) => [row.type, row.count]));
    const added = Object.fromEntries(
      Object.entries(byType).map(([type, count]) => [type, count - (before[type] ?? 0)]),
    );
    expect(added).toEqual({
      exceeding_indicators: 1,
      undesignated_production: 0,
      flow_records_missing: 2,
      false_records: 1,
      obstructing_inspection: 1,
      network_data_security: 0,
    });
    const exceeding = draft.content.violations.by_type.find((row) => row.type === 'exceeding_indicators')!;
    expect(exceeding.citation).toBe('Measures Arts. 8, 13');
    expect(exceeding.legal_basis).toContain('第八条');
  });

  it('decisions by kind: follow-up states, overdue orders, fines in yuan and final penalties, as the tables give them', async () => {
    const tables = await figuresFromTables(db, '15', YEAR, '2026-12-10');
    for (const row of draft.content.decisions.by_kind) {
      const { kind, label: _label, ...figures } = row;
      const expected = tables.decisions[kind] ?? {
        count: 0,
        open: 0,
        complied: 0,
        closed: 0,
        overdue: 0,
        revoked: 0,
        fine_yuan: 0,
        final: 0,
      };
      expect(figures, kind).toEqual(expected);
    }
    const sum = (pick: (row: { count: number; fine_yuan: number }) => number) =>
      Object.values(tables.decisions).reduce((total, row) => total + pick(row), 0);
    expect(draft.content.decisions.total).toBe(sum((row) => row.count));
    expect(draft.content.decisions.fines).toEqual({
      count: tables.standingFines,
      total_yuan: sum((row) => row.fine_yuan),
    });
    const delta = (
      kind: string,
      field: 'count' | 'open' | 'complied' | 'closed' | 'overdue' | 'revoked' | 'fine_yuan' | 'final',
    ) =>
      draft.content.decisions.by_kind.find((row) => row.kind === kind)![field] -
      baseline.decisions.by_kind.find((row) => row.kind === kind)![field];
    expect(
      ['count', 'open', 'complied', 'closed', 'overdue'].map((field) => delta('correction_order', field as 'count')),
    ).toEqual([4, 2, 1, 1, 1]);
    expect(
      ['count', 'open', 'closed', 'revoked', 'fine_yuan', 'final'].map((field) => delta('fine', field as 'count')),
    ).toEqual([2, 1, 1, 1, 50_000, 1]);
    expect(draft.content.decisions.fines.count - baseline.decisions.fines.count).toBe(1);
    expect([delta('suspension', 'count'), delta('suspension', 'final')]).toEqual([1, 1]);
    expect(delta('referral', 'count')).toBe(1);
    expect(draft.content.decisions.final_penalties).toHaveLength(
      Object.values(tables.decisions).reduce((total, row) => total + row.final, 0),
    );
  });

  it('indicator execution: every designated enterprise, allocated and consumed from the ledger, output from the flows', async () => {
    const tables = await figuresFromTables(db, '15', YEAR, '2026-12-10');
    const enterprises = draft.content.indicators.enterprises;
    expect(enterprises.map((row) => row.enterprise_id).sort()).toEqual(tables.enterprises);
    let lines = 0;
    for (const enterprise of enterprises) {
      const ledger = await ledgerFromTables(db, enterprise.enterprise_id, YEAR);
      for (const line of enterprise.lines) {
        lines += 1;
        const quota = ledger.get(line.category) ?? { allocated: 0, consumed: 0 };
        expect(line.allocated_reo_kg, `${enterprise.enterprise_name} ${line.category}`).toBe(quota.allocated);
        expect(line.consumed_reo_kg, `${enterprise.enterprise_name} ${line.category}`).toBe(quota.consumed);
        expect(line.remaining_reo_kg).toBe(line.allocated_reo_kg - line.produced_reo_kg);
        expect(line.utilisation_ppm).toBe(
          line.allocated_reo_kg > 0 ? Math.round((line.produced_reo_kg * 1_000_000) / line.allocated_reo_kg) : null,
        );
      }
      for (const category of ledger.keys())
        expect(
          enterprise.lines.map((line) => line.category),
          enterprise.enterprise_name,
        ).toContain(category);
      const output = enterprise.lines.reduce((total, line) => total + line.produced_reo_kg, 0);
      expect(output, enterprise.enterprise_name).toBe(await outputFromTables(db, enterprise.enterprise_id, YEAR));
    }
    expect(lines, 'the demo flows give Inner Mongolia quota and output').toBeGreaterThan(0);
    expect(
      enterprises.some((enterprise) => enterprise.lines.some((line) => line.produced_reo_kg > 0)),
      'some output',
    ).toBe(true);
    for (const total of draft.content.indicators.totals) {
      const of = enterprises.flatMap((row) => row.lines).filter((line) => line.category === total.category);
      const sum = (pick: (line: (typeof of)[number]) => number) => of.reduce((acc, line) => acc + pick(line), 0);
      expect(total.allocated_reo_kg).toBe(sum((line) => line.allocated_reo_kg));
      expect(total.produced_reo_kg).toBe(sum((line) => line.produced_reo_kg));
      expect(total.consumed_reo_kg).toBe(sum((line) => line.consumed_reo_kg));
      expect(total.remaining_reo_kg).toBe(sum((line) => line.remaining_reo_kg));
    }
  });

  it('the Art. 9 annual draft of each enterprise gives the same allocated and output figures', async () => {
    for (const enterprise of draft.content.indicators.enterprises) {
      const response = await clients.nmg.get(
        `/api/v1/reports/draft?enterprise_id=${enterprise.enterprise_id}&period=2026`,
      );
      expect(response.statusCode, response.body).toBe(200);
      const lines = response.json<{ lines: { category: string; flow_reo_kg: number; allocated_reo_kg: number }[] }>()
        .lines;
      expect(lines.map((line) => [line.category, line.allocated_reo_kg, line.flow_reo_kg])).toEqual(
        enterprise.lines.map((line) => [line.category, line.allocated_reo_kg, line.produced_reo_kg]),
      );
    }
  });

  it('the ministries and oversight read the same figures; two readings at once agree', async () => {
    for (const client of [clients.miit, clients.mnr, clients.oversight, clients.nmgNr]) {
      const view = await getReport(client, PROVINCE, YEAR);
      expect(figuresOf(view.content)).toEqual(figuresOf(draft.content));
    }
  });
});

describe('exports in the official layout', () => {
  let view: AnnualReportView;
  const files: Partial<Record<'xlsx' | 'pdf' | 'csv', Buffer>> = {};
  const title = `内蒙古自治区${YEAR}年度稀土总量控制监督检查情况报告`;

  beforeAll(async () => {
    view = await getReport(clients.nmg, PROVINCE, YEAR);
    for (const format of ['xlsx', 'pdf', 'csv'] as const) {
      const before = await auditCount(db);
      const response = await clients.nmg.get(`${base}/${PROVINCE}/${YEAR}/export?format=${format}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-disposition']).toContain(
        `supervision-annual-${PROVINCE}-${YEAR}-draft.${format}`,
      );
      expect(response.headers['content-disposition']).toContain("filename*=UTF-8''");
      expect(await auditCount(db)).toBe(before + 1);
      files[format] = response.rawPayload;
      await writeFile(join(work, `annual.${format}`), response.rawPayload);
    }
  });

  it('each export is audited as a report export, with its rows and bytes', async () => {
    const rows = await db
      .selectFrom('audit_entry')
      .select(['action', 'object_type', 'object_id', 'after'])
      .where('object_type', '=', 'supervision_annual_report')
      .where('action', '=', 'report.export')
      .execute();
    expect(rows.map((row) => (row.after as { format: string }).format).sort()).toEqual(['csv', 'pdf', 'xlsx']);
    for (const row of rows) {
      expect(row.object_id).toBe(`${PROVINCE}:${YEAR}:draft`);
      expect((row.after as { rows: number }).rows).toBeGreaterThan(10);
    }
  });

  it('XLSX opens with exceljs and holds the figures as numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(files.xlsx! as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe(title);
    const value = (first: string, column: number) => sheet.getRow(findRow(sheet, first)!).getCell(column).value;
    const content = view.content;
    expect(findRow(sheet, '一、监督检查情况')).toBeDefined();
    expect(findRow(sheet, '二、违法违规行为（按类型）')).toBeDefined();
    expect(findRow(sheet, '三、处理处罚决定')).toBeDefined();
    expect(findRow(sheet, '四、总量控制指标执行情况（分企业）')).toBeDefined();
    expect(value('计划检查', 2)).toBe(content.inspections.planned);
    expect(value('实施检查', 2)).toBe(content.inspections.visited);
    for (const row of content.violations.by_type) {
      expect(value(row.label, 2)).toBe(row.legal_basis);
      expect(value(row.label, 3)).toBe(row.count);
    }
    for (const row of content.decisions.by_kind) {
      const cells = [2, 3, 4, 5, 6, 7, 8, 9].map((column) => value(row.label, column));
      expect(cells).toEqual([
        row.count,
        row.open,
        row.complied,
        row.closed,
        row.overdue,
        row.revoked,
        row.fine_yuan,
        row.final,
      ]);
    }
    const indicatorRows: unknown[][] = [];
    sheet.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (typeof values[3] === 'number' && typeof values[2] === 'string' && values[2] in reverseCategory())
        indicatorRows.push(values);
    });
    const expected = content.indicators.enterprises.flatMap((enterprise) =>
      enterprise.lines.map((line) => [
        enterprise.enterprise_name,
        enterprise.credit_code,
        categoryNames[line.category],
        line.allocated_reo_kg,
        line.produced_reo_kg,
        line.consumed_reo_kg,
        line.remaining_reo_kg,
      ]),
    );
    expect(indicatorRows.filter((row) => row[0] !== '合计').map((row) => row.slice(0, 7))).toEqual(expected);
  });

  it('PDF text (pdftotext) holds the title, the sections and the figures', async () => {
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-layout', join(work, 'annual.pdf'), '-']);
    const text = stdout.replace(/\s+/g, ' ');
    const squeezed = stdout.replace(/\s+/g, '');
    expect(squeezed).toContain(title);
    for (const section of [
      '一、监督检查情况',
      '二、违法违规行为（按类型）',
      '三、处理处罚决定',
      '四、总量控制指标执行情况（分企业）',
    ])
      expect(squeezed).toContain(section);
    expect(squeezed).toContain('填报单位');
    expect(squeezed).toContain('报告期：2026年1月1日至2026年12月31日');
    expect(text).toContain(grouped(view.content.decisions.fines.total_yuan));
    for (const enterprise of view.content.indicators.enterprises)
      for (const line of enterprise.lines) {
        expect(text).toContain(grouped(line.allocated_reo_kg));
        expect(text).toContain(grouped(line.produced_reo_kg));
        if (line.utilisation_ppm !== null) expect(text).toContain(percent(line.utilisation_ppm));
      }
    expect(stdout).toMatch(/第 1 页，共 \d+ 页/);
  });

  it('CSV holds every section with the figures as plain numbers', () => {
    const records = parseCsv(files.csv!);
    expect(records[0]).toEqual([title]);
    const section = (caption: string) => {
      const start = records.findIndex((record) => record[0] === caption);
      expect(start, caption).toBeGreaterThan(0);
      const rows: string[][] = [];
      for (const record of records.slice(start + 2)) {
        if (record.every((cell) => cell === '')) break;
        rows.push(record);
      }
      return rows;
    };
    const content = view.content;
    expect(section('一、监督检查情况').slice(0, 3)).toEqual([
      ['计划检查', String(content.inspections.planned)],
      ['实施检查', String(content.inspections.visited)],
      ['尚未实施（本年计划）', String(content.inspections.pending)],
    ]);
    expect(section('（检查明细，按企业）')).toHaveLength(content.inspections.items.length);
    expect(section('二、违法违规行为（按类型）')).toEqual([
      ...content.violations.by_type.map((row) => [row.label, row.legal_basis, String(row.count)]),
      ['合计', '', String(content.violations.total)],
    ]);
    expect(section('三、处理处罚决定').slice(0, 4)).toEqual(
      content.decisions.by_kind.map((row) =>
        [
          row.label,
          row.count,
          row.open,
          row.complied,
          row.closed,
          row.overdue,
          row.revoked,
          row.fine_yuan,
          row.final,
        ].map(String),
      ),
    );
    const indicators = section('四、总量控制指标执行情况（分企业）').filter((row) => row[0] !== '合计');
    expect(indicators).toEqual(
      content.indicators.enterprises.flatMap((enterprise) =>
        enterprise.lines.length === 0
          ? [[enterprise.enterprise_name, enterprise.credit_code, '（无指标）', '', '', '', '', '']]
          : enterprise.lines.map((line) => [
              enterprise.enterprise_name,
              enterprise.credit_code,
              categoryNames[line.category],
              String(line.allocated_reo_kg),
              String(line.produced_reo_kg),
              String(line.consumed_reo_kg),
              String(line.remaining_reo_kg),
              percent(line.utilisation_ppm),
            ]),
      ),
    );
  });
});

function reverseCategory(): Record<string, string> {
  return Object.fromEntries(Object.entries(categoryNames).map(([code, name]) => [name, code]));
}

describe('submission, freezing, corrections and lateness', () => {
  let first: AnnualReportView;
  const firstKey = key('annual-submit');

  it('is not open before December (422 on the year), and writes nothing', async () => {
    now = at('2026-11-20T10:00:00');
    const before = [await reportRows(), await auditCount(db)];
    const response = await clients.nmg.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 0,
      idempotency_key: key('early'),
    });
    expectFieldError(response, 422, 'params.year', 'invalid');
    const list = await clients.miit.get(`${base}?year=${YEAR}`);
    expect(
      list
        .json<{ items: { province_code: string; status: string }[] }>()
        .items.find((item) => item.province_code === PROVINCE)?.status,
    ).toBe('not_due');
    expect([await reportRows(), await auditCount(db)]).toEqual(before);
    now = at('2026-12-10T10:00:00');
  });

  it('freezes the generated content, signed with the province’s key, audited once; the same key again returns it', async () => {
    const draft = await getReport(clients.nmg, PROVINCE, YEAR);
    const audits = await auditCount(db);
    const response = await clients.nmg.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 0,
      comment: '2026年度监督检查情况，请审阅。',
      idempotency_key: firstKey,
    });
    expect(response.statusCode, response.body).toBe(201);
    first = response.json<AnnualReportView>();
    expect(first.kind).toBe('submitted');
    expect(first.status).toBe('submitted');
    expect(first.late).toBe(false);
    expect(first.submission).toMatchObject({ version: 1, replaces: null, late: false, department: 'industry_it' });
    expect(first.content).toEqual(draft.content);
    const signature = first.submission!.signature;
    expect(signature.signer).toBe('division:150000');
    expect(signature.content_sm3).toBe(sm3Hex(canonicalJson(first.content)));
    expect(verifyText(canonicalJson(first.content), signature.signature, signature.public_key_pem)).toBe(true);
    expect(await auditCount(db)).toBe(audits + 1);
    const audit = await db
      .selectFrom('audit_entry')
      .select(['action', 'after'])
      .where('object_id', '=', first.submission!.id)
      .executeTakeFirstOrThrow();
    expect(audit.action).toBe('supervision.annual_report.submit');

    const again = await clients.nmg.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 0,
      comment: '2026年度监督检查情况，请审阅。',
      idempotency_key: firstKey,
    });
    expect(again.statusCode, again.body).toBe(200);
    // The key again with another comment is another request: refused, naming the comment (docs/api.md).
    const changed = await clients.nmg.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 0,
      idempotency_key: firstKey,
    });
    expectFieldError(changed, 409, 'comment', 'conflict');
    expect(again.json<AnnualReportView>().submission!.id).toBe(first.submission!.id);
    expect(await auditCount(db)).toBe(audits + 1);
    // A key is its submitter's own: the natural resources official sending it gets no replay of nmg.iit's version.
    const other = await clients.nmgNr.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 0,
      idempotency_key: firstKey,
    });
    expectFieldError(other, 409, 'expected_version', 'conflict');
    expect(await auditCount(db)).toBe(audits + 1);
  });

  it('a second submission that is not a correction is refused (409 on expected_version) and changes nothing', async () => {
    const before = [await reportRows(), await auditCount(db)];
    for (const login of [clients.nmg, clients.nmgNr]) {
      const response = await login.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
        expected_version: 0,
        idempotency_key: key('twice'),
      });
      expectFieldError(response, 409, 'expected_version', 'conflict');
    }
    const noComment = await clients.nmgNr.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 1,
      idempotency_key: key('no-comment'),
    });
    expectFieldError(noComment, 422, 'comment', 'invalid');
    expect([await reportRows(), await auditCount(db)]).toEqual(before);
  });

  it('a later violation changes the draft, not the submitted version', async () => {
    await violation(clients.baotou, ids.bayan!, 'network_data_security', '2026-12-10');
    const submitted = await getReport(clients.miit, PROVINCE, YEAR);
    expect(submitted.kind).toBe('submitted');
    expect(submitted.content).toEqual(first.content);
    const draft = await getReport(clients.miit, PROVINCE, YEAR, '?version=draft');
    expect(draft.kind).toBe('draft');
    expect(draft.status).toBe('submitted');
    expect(draft.content.violations.total).toBe(first.content.violations.total + 1);
    const security = (content: AnnualReportContent) =>
      content.violations.by_type.find((row) => row.type === 'network_data_security')!.count;
    expect(security(draft.content)).toBe(security(first.content) + 1);
  });

  it('a correction is version 2 naming version 1, submitted by natural resources; both ministries see it', async () => {
    const response = await clients.nmgNr.post(`${base}/${PROVINCE}/${YEAR}/submit`, {
      expected_version: 1,
      comment: '补报12月10日发现的网络和数据安全违法行为。',
      idempotency_key: key('correction'),
    });
    expect(response.statusCode, response.body).toBe(201);
    const second = response.json<AnnualReportView>();
    expect(second.submission).toMatchObject({
      version: 2,
      replaces: first.submission!.id,
      department: 'natural_resources',
      late: false,
    });
    expect(second.content.violations.total).toBe(first.content.violations.total + 1);
    expect(second.versions.map((item) => item.version)).toEqual([1, 2]);
    for (const client of [clients.miit, clients.mnr]) {
      const latest = await getReport(client, PROVINCE, YEAR);
      expect(latest.submission!.id).toBe(second.submission!.id);
    }
    const old = await getReport(clients.mnr, PROVINCE, YEAR, '?version=1');
    expect(old.submission).toMatchObject({ version: 1, superseded_by: second.submission!.id });
    expect(old.content).toEqual(first.content);
    const list = await clients.mnr.get(`${base}?year=${YEAR}`);
    expect(list.statusCode, list.body).toBe(200);
    const item = list
      .json<{ items: { province_code: string; status: string; version: number | null; late: boolean }[] }>()
      .items.find((row) => row.province_code === PROVINCE);
    expect(item).toMatchObject({ status: 'submitted', version: 2, late: false });
    // The export of a submitted version carries its version and signature.
    const csv = await clients.miit.get(`${base}/${PROVINCE}/${YEAR}/export?format=csv&version=1`);
    expect(csv.statusCode, csv.body).toBe(200);
    const records = parseCsv(csv.rawPayload);
    expect(records.find((record) => record[0] === '版本')?.[1]).toContain('第1版');
    expect(records.find((record) => record[0] === '内容摘要（SM3）')?.[1]).toBe(
      first.submission!.signature.content_sm3,
    );
  });

  it('two corrections sent at once make one new version; the other is told the version moved (409)', async () => {
    const rows = await reportRows();
    const body = (tag: string) => ({ expected_version: 2, comment: `同时更正 ${tag}`, idempotency_key: key(tag) });
    const responses = await Promise.all([
      clients.nmg.post(`${base}/${PROVINCE}/${YEAR}/submit`, body('a')),
      clients.nmgNr.post(`${base}/${PROVINCE}/${YEAR}/submit`, body('b')),
    ]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409]);
    const loser = responses.find((response) => response.statusCode === 409)!;
    expectFieldError(loser, 409, 'expected_version', 'conflict');
    expect(await reportRows()).toBe(rows + 1);
    const latest = await getReport(clients.miit, PROVINCE, YEAR);
    expect(latest.submission?.version).toBe(3);
    expect(latest.versions.map((item) => item.version)).toEqual([1, 2, 3]);
  });

  it('after 31 December a province that has not submitted is late; its submission is late, and so is its correction', async () => {
    now = at('2027-01-02T09:00:00');
    const list = await clients.miit.get(`${base}?year=${YEAR}`);
    const items = list.json<{ items: { province_code: string; status: string; late: boolean }[] }>().items;
    expect(items.find((row) => row.province_code === PROVINCE)).toMatchObject({ status: 'submitted', late: false });
    expect(items.find((row) => row.province_code === '360000')).toMatchObject({ status: 'late', late: true });
    expect(items.some((row) => row.province_code === '710000')).toBe(false);

    const late = await clients.jx.post(`${base}/360000/${YEAR}/submit`, {
      expected_version: 0,
      idempotency_key: key('jx'),
    });
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json<AnnualReportView>()).toMatchObject({ status: 'submitted', late: true });
    const corrected = await clients.jx.post(`${base}/360000/${YEAR}/submit`, {
      expected_version: 1,
      comment: '更正',
      idempotency_key: key('jx-2'),
    });
    expect(corrected.statusCode, corrected.body).toBe(201);
    expect(corrected.json<AnnualReportView>().submission).toMatchObject({ version: 2, late: true });
    // Jiangxi's report holds Jiangxi's records only.
    const jiangxi = corrected.json<AnnualReportView>().content;
    expect(
      jiangxi.violations.by_type.find((row) => row.type === 'network_data_security')!.count,
    ).toBeGreaterThanOrEqual(1);
    expect(jiangxi.indicators.enterprises.every((row) => row.domicile_code.startsWith('36'))).toBe(true);
    now = at('2026-12-10T10:00:00');
  });
});

/** The shape of a request is checked first (400 `validation`, naming the field); then what it means (422 `invalid`). */
describe('bad input gets a specific answer and changes nothing', () => {
  it.each([
    ['an unknown province', 'miit', 'GET', `${base}/990000/${YEAR}`, 422, 'params.province'],
    ['Taiwan, outside total quantity control', 'miit', 'GET', `${base}/710000/${YEAR}`, 422, 'params.province'],
    ['a prefecture, not a province', 'miit', 'GET', `${base}/150200/${YEAR}`, 400, 'params.province'],
    ['the nation, not a province', 'miit', 'GET', `${base}/000000/${YEAR}`, 422, 'params.province'],
    ['a year not begun', 'nmg', 'GET', `${base}/${PROVINCE}/2027`, 422, 'params.year'],
    ['a year before the system', 'nmg', 'GET', `${base}/${PROVINCE}/1999`, 400, 'params.year'],
    ['a version never submitted', 'nmg', 'GET', `${base}/${PROVINCE}/${YEAR}?version=9`, 404, null],
    [
      'a version that is not a number',
      'nmg',
      'GET',
      `${base}/${PROVINCE}/${YEAR}?version=latest`,
      400,
      'querystring.version',
    ],
    [
      'an unknown export format',
      'nmg',
      'GET',
      `${base}/${PROVINCE}/${YEAR}/export?format=docx`,
      400,
      'querystring.format',
    ],
    ['a list of a year not begun', 'miit', 'GET', `${base}?year=2027`, 422, 'querystring.year'],
    ['a list without a year', 'miit', 'GET', base, 400, 'querystring.year'],
    ['submitting for a year not begun', 'nmg', 'POST', `${base}/${PROVINCE}/2027/submit`, 422, 'params.year'],
    ['submitting for a prefecture', 'nmg', 'POST', `${base}/150200/${YEAR}/submit`, 400, 'params.province'],
  ] as const)('%s', async (_name, caller, method, url, status, field) => {
    const before = [await reportRows(), await auditCount(db)];
    const body = method === 'POST' ? { expected_version: 0, idempotency_key: key('bad') } : undefined;
    const response = await clients[caller].request(method, url, body);
    if (field) expectFieldError(response, status, field);
    else expectProblem(response, status);
    expect([await reportRows(), await auditCount(db)]).toEqual(before);
  });

  it('a body with an unknown field, a negative version or no key is refused by field (400, the shape)', async () => {
    const before = [await reportRows(), await auditCount(db)];
    const url = `${base}/${PROVINCE}/${YEAR}/submit`;
    expectFieldError(
      await clients.nmg.post(url, { expected_version: -1, idempotency_key: key('neg') }),
      400,
      'expected_version',
    );
    expectFieldError(
      await clients.nmg.post(url, { expected_version: 2, idempotency_key: key('x'), content: {} }),
      400,
      'content',
    );
    expectFieldError(await clients.nmg.post(url, { expected_version: 2 }), 400, 'idempotency_key');
    expect([await reportRows(), await auditCount(db)]).toEqual(before);
  });

  it('stored versions cannot be changed in the database', async () => {
    await expect(sql`UPDATE supervision_annual_report SET comment = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM supervision_annual_report`.execute(db)).rejects.toThrow(/append-only/);
  });
});
