import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import type { BoardView, CompilationView, ReportView } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { canonicalJson } from '../../src/server/shared/canonical-json.ts';
import { expectFieldError, expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { compileAndForward, draftOf, reportingWorld, submit, type ReportingWorld } from './reporting-world.ts';

/**
 * Art. 9 beyond the happy path: signatures anyone can check, annual reports, the deadline calendar, returns at
 * the higher levels, stale compilations, reminders, reconciliation into anomalies, and a county of a
 * municipality (no prefecture level). A fixed clock throughout.
 */
const at = (text: string) => new Date(`${text}+08:00`);
const BAOTOU = '150200';

describe('reporting: signatures, calendar, returns, reminders, reconciliation', () => {
  let now = at('2026-09-05T10:00:00');
  let context: TestContext;
  let world: ReportingWorld;
  let miit: Client;
  const baotouEnterprises = () => world.enterprises.filter((item) => item.parent.startsWith('1502'));

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    await loadDemoFlows(context.database);
    world = await reportingWorld(context, '2026-08');
    miit = await context.as('miit');
  }, 300_000);
  afterAll(() => context.close());

  it('signs a report so that anyone can check it with the public key, and a changed figure fails', async () => {
    const enterprise = baotouEnterprises()[0]!;
    const report = await submit(await world.enterprise(enterprise.id), '2026-08', 'signature-1');
    const content = {
      enterprise_id: report.enterprise_id,
      period: report.period,
      version: report.version,
      replaces: report.replaces,
      lines: report.lines,
      submitted_by: report.submitted_by,
      submitted_at: report.submitted_at,
    };
    const check = (value: unknown) =>
      verify(
        'sm3',
        Buffer.from(canonicalJson(value)),
        report.signature.public_key_pem,
        Buffer.from(report.signature.signature, 'base64'),
      );
    expect(check(content)).toBe(true);
    const lines = report.lines.map((line, index) =>
      index === 0 ? { ...line, production_reo_kg: line.production_reo_kg + 1 } : line,
    );
    expect(check({ ...content, lines })).toBe(false);
  });

  it('takes an annual report only after the year, due by 31 January', async () => {
    const enterprise = baotouEnterprises()[0]!;
    const client = await world.enterprise(enterprise.id);
    expectFieldError(
      await client.post('/api/v1/reports', { period: '2026', idempotency_key: 'annual-early' }),
      422,
      'period',
    );
    const draft = await draftOf(client, enterprise.id, '2026');
    expect(draft.period_kind).toBe('year');
    expect(new Date(draft.deadline).toISOString()).toBe(at('2027-01-31T23:59:59.999').toISOString());
    for (const line of draft.lines) expect(line.cumulative_reo_kg).toBe(line.production_reo_kg);
  });

  it('lets MIIT set a deadline in working days, audited; bad rules are refused and change nothing', async () => {
    const province = await context.as('nmg.iit');
    const before = await worldDigest(context.database.db);
    expectFieldError(
      await miit.put('/api/v1/reporting/deadlines', {
        level: 'county',
        period_kind: 'month',
        month_offset: 1,
        day: 0,
        unit: 'calendar_day',
      }),
      400,
      'day',
    );
    expectProblem(
      await province.put('/api/v1/reporting/deadlines', {
        level: 'county',
        period_kind: 'month',
        month_offset: 1,
        day: 15,
        unit: 'working_day',
      }),
      403,
    );
    expect(await worldDigest(context.database.db)).toBe(before);
    const set = await miit.put('/api/v1/reporting/deadlines', {
      level: 'enterprise',
      period_kind: 'month',
      month_offset: 1,
      day: 5,
      unit: 'working_day',
    });
    expect(set.statusCode, set.body).toBe(200);
    const enterprise = baotouEnterprises()[1]!;
    // September's reports: the 5th working day of October (1–7 October are the National Day holiday).
    const draft = await draftOf(miit, enterprise.id, '2026-09');
    expect(draft.deadline).toBe(at('2026-10-13T23:59:59.999').toISOString());
    const rules = (await miit.get('/api/v1/reporting/deadlines')).json<
      { level: string; unit: string; set_by: string }[]
    >();
    expect(rules.find((rule) => rule.level === 'enterprise' && rule.unit === 'working_day')?.set_by).toBe('miit');
    // Put the default back for the cases below.
    expect(
      (
        await miit.put('/api/v1/reporting/deadlines', {
          level: 'enterprise',
          period_kind: 'month',
          month_offset: 1,
          day: 10,
          unit: 'calendar_day',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('reminds those overdue once a day, and the enterprise sees it', async () => {
    now = at('2026-09-12T09:00:00');
    const missing = baotouEnterprises().find((item) => item.id !== baotouEnterprises()[0]!.id)!;
    const county = await world.division(missing.parent);
    const sent = await county.post('/api/v1/reporting/reminders', { period: '2026-08' });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<{ sent: number }>().sent).toBeGreaterThan(0);
    const again = await county.post('/api/v1/reporting/reminders', { period: '2026-08' });
    expect(again.json()).toMatchObject({ sent: 0 });
    const mine = await (await world.enterprise(missing.id)).get('/api/v1/reporting/reminders');
    expect(mine.json<{ period: string; message: string }[]>()[0]).toMatchObject({ period: '2026-08' });
  });

  it('returns a forwarded county compilation at the prefecture; a stale compilation cannot be forwarded', async () => {
    // Every Baotou enterprise reports August (the first did already).
    for (const enterprise of baotouEnterprises().slice(1))
      await submit(await world.enterprise(enterprise.id), '2026-08', `aug-${enterprise.id}`);
    const counties = [...new Set(baotouEnterprises().map((item) => item.parent))];
    const views = new Map<string, CompilationView>();
    // Reported after the 10th: late, with the reason the county gives.
    const reasons = Object.fromEntries(baotouEnterprises().map((item) => [item.id, '企业系统升级，迟报']));
    for (const code of counties)
      views.set(code, await compileAndForward(await world.division(code), code, '2026-08', reasons));

    const prefecture = await world.division(BAOTOU);
    const county = counties[0]!;
    const returned = await prefecture.post(`/api/v1/compilations/${views.get(county)!.id}/return`, {
      reason: '汇总数与企业报表核对不一致',
    });
    expect(returned.statusCode, returned.body).toBe(200);
    const board = (await prefecture.get(`/api/v1/reporting/board?period=2026-08`)).json<BoardView>();
    expect(board.children.find((child) => child.code === county)?.status).toBe('returned');
    const before = await worldDigest(context.database.db);
    expectProblem(
      await prefecture.post('/api/v1/compilations', {
        division_code: BAOTOU,
        period: '2026-08',
        idempotency_key: 'blocked-prefecture',
      }),
      409,
    );
    expect(await worldDigest(context.database.db)).toBe(before);

    // The county compiles again (a new version naming the returned one), but an enterprise corrects its report
    // before the county forwards: the compilation is stale and must be made again.
    const countyClient = await world.division(county);
    const recompiled = await countyClient.post('/api/v1/compilations', {
      division_code: county,
      period: '2026-08',
      replaces: views.get(county)!.id,
      reasons,
      idempotency_key: `recompile-${county}`,
    });
    expect(recompiled.statusCode, recompiled.body).toBe(201);
    const second = recompiled.json<CompilationView>();
    expect(second).toMatchObject({ version: 2, replaces: views.get(county)!.id });
    const enterprise = baotouEnterprises().find((item) => item.parent === county)!;
    const enterpriseClient = await world.enterprise(enterprise.id);
    const latest = (await enterpriseClient.get(`/api/v1/reports?enterprise_id=${enterprise.id}&year=2026`))
      .json<ReportView[]>()
      .at(-1)!;
    await submit(enterpriseClient, '2026-08', `aug-fix-${enterprise.id}`, { replaces: latest.id });
    const stale = expectProblem(await countyClient.post(`/api/v1/compilations/${second.id}/forward`), 409);
    expect(stale.errors?.map((error) => error.field)).toContain(`children.${enterprise.id}`);
    const third = await countyClient.post('/api/v1/compilations', {
      division_code: county,
      period: '2026-08',
      replaces: second.id,
      reasons,
      idempotency_key: `recompile-2-${county}`,
    });
    expect(third.statusCode, third.body).toBe(201);
    expect(
      (await countyClient.post(`/api/v1/compilations/${third.json<CompilationView>().id}/forward`)).statusCode,
    ).toBe(200);
    const compiled = await compileAndForward(prefecture, BAOTOU, '2026-08', {}, false);
    expect(compiled.children.map((child) => child.code).sort()).toEqual(counties.sort());
  });

  it('puts reported, flow and ledger figures side by side, and records differences as anomalies once', async () => {
    const enterprise =
      baotouEnterprises().find((item) => item.parent !== baotouEnterprises()[0]!.parent) ?? baotouEnterprises()[1]!;
    const client = await world.enterprise(enterprise.id);
    const draft = await draftOf(client, enterprise.id, '2026-09');
    const line = draft.lines.find((item) => item.flow_reo_kg > 0)!;
    now = at('2026-10-09T10:00:00');
    await submit(client, '2026-09', `sep-${enterprise.id}`, {
      figures: [
        { category: line.category, production_reo_kg: line.flow_reo_kg + 5_000, explanation: '含外购未入账批次' },
      ],
    });
    const view = await miit.get(`/api/v1/reporting/reconciliation?period=2026-09&division_code=${enterprise.parent}`);
    expect(view.statusCode, view.body).toBe(200);
    const row = view
      .json<{ rows: { code: string; category: string; report_vs_flow_reo_kg: number; beyond_tolerance: boolean }[] }>()
      .rows.find((item) => item.code === enterprise.id && item.category === line.category)!;
    expect(row).toMatchObject({ report_vs_flow_reo_kg: 5_000, beyond_tolerance: true });
    const run = await miit.post('/api/v1/reporting/reconciliation/runs', { period: '2026-09' });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json<{ anomalies_new: number }>().anomalies_new).toBeGreaterThan(0);
    const rerun = await miit.post('/api/v1/reporting/reconciliation/runs', { period: '2026-09' });
    expect(rerun.json()).toMatchObject({ anomalies_new: 0 });
    const anomalies = await miit.get(`/api/v1/anomalies?rule=report_vs_flows&enterprise_id=${enterprise.id}`);
    expect(anomalies.json<{ items: { summary: string }[] }>().items[0]?.summary).toContain('5000');
  });

  it('handles a county of a municipality, which reports straight to the province level', async () => {
    const created = await miit.post('/api/v1/enterprises', {
      credit_code: makeCreditCode('91', '110108', 'MA0BJ001'),
      name: '北京海淀稀土新材料分离有限公司',
      kind: 'separation',
      domicile_code: '110108',
      group_id: null,
      mining_capacity_reo_kg_per_year: 0,
      separation_capacity_reo_kg_per_year: 1_000_000,
      technical_score: 80,
      environment_score: 80,
      safety_score: 80,
      licences: [],
      security_profile: { responsible_person: '张三', protection_level: 3, last_assessment_on: null },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const designated = await miit.post('/api/v1/designations', {
      enterprise_id: id,
      scope: 'separation',
      document_no: '工信部原函〔2026〕99号',
      effective_on: '2026-01-01',
    });
    expect(designated.statusCode, designated.body).toBe(201);
    const board = (await miit.get('/api/v1/reporting/board?period=2026-09&division_code=110000')).json<BoardView>();
    expect(board.children.map((child) => [child.code, child.level])).toEqual([['110108', 'county']]);
    now = at('2026-10-09T10:00:00');
    await submit(await world.enterprise(id), '2026-09', 'beijing-sep');
    now = at('2026-10-12T10:00:00');
    const county = await compileAndForward(await world.division('110108'), '110108', '2026-09', {});
    const beijing = await compileAndForward(await world.division('110000'), '110000', '2026-09', {});
    expect(beijing.children).toEqual([expect.objectContaining({ kind: 'compilation', id: county.id })]);
  });

  it('after a move, the county of the new domicile returns the reports filed before it', async () => {
    const enterprise = baotouEnterprises()[0]!;
    const reports = (await miit.get(`/api/v1/reports?enterprise_id=${enterprise.id}&year=2026`)).json<ReportView[]>();
    const latest = reports.filter((report) => report.period === '2026-08').at(-1)!;
    const target = enterprise.parent === '150207' ? '150203' : '150207';
    const current = (await miit.get(`/api/v1/enterprises/${enterprise.id}`)).json<{ version: number }>();
    const moved = await miit.patch(`/api/v1/enterprises/${enterprise.id}`, {
      expected_version: current.version,
      domicile_code: target,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expectProblem(
      await (
        await world.division(enterprise.parent)
      ).post(`/api/v1/reports/${latest.id}/return`, { reason: '旧住所地县不再受理' }),
      404,
    );
    const returned = await (
      await world.division(target)
    ).post(`/api/v1/reports/${latest.id}/return`, {
      reason: '迁入后请按新住所地重新报送',
    });
    expect(returned.statusCode, returned.body).toBe(200);
  });
});
