import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView, CompilationView, ReportView, TotalLine } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { expectFieldError, expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { compileAndForward, draftOf, reportingWorld, submit, type ReportingWorld } from './reporting-world.ts';

/**
 * Art. 9 end to end on the demo data, with a fixed clock: October 2026 goes from every enterprise through
 * counties, prefectures and provinces to the ministries. One enterprise never reports, one reports late, one is
 * returned and corrects; one prefecture forwards late.
 */
const PERIOD = '2026-10';
const at = (text: string) => new Date(`${text}+08:00`);

describe('a month through all four levels', () => {
  let now = at('2026-11-03T09:00:00');
  let context: TestContext;
  let world: ReportingWorld;
  let miit: Client;
  const reports = new Map<string, ReportView>();
  let missing: string;
  let late: string;
  let corrected: string;
  let latePrefecture: string | undefined;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    await loadDemoFlows(context.database);
    world = await reportingWorld(context, PERIOD);
    miit = await context.as('miit');
    // Three enterprises with production in October play the missing, late and returned parts.
    const producing: string[] = [];
    for (const enterprise of world.enterprises) {
      const draft = await draftOf(miit, enterprise.id, PERIOD);
      if (draft.lines.some((line) => line.flow_reo_kg > 0)) producing.push(enterprise.id);
    }
    expect(producing.length).toBeGreaterThanOrEqual(3);
    [missing, late, corrected] = producing as [string, string, string];
  }, 300_000);
  afterAll(() => context.close());

  it('refuses a report for a month not yet ended, and changes nothing', async () => {
    const client = await world.enterprise(corrected);
    const before = await worldDigest(context.database.db);
    const message = expectFieldError(
      await client.post('/api/v1/reports', { period: '2026-11', idempotency_key: 'too-early-1' }),
      422,
      'period',
    );
    expect(message).toMatch(/not ended/);
    expect(await worldDigest(context.database.db)).toBe(before);
  });

  it('refuses a figure that departs from the flows without an explanation, and changes nothing', async () => {
    const client = await world.enterprise(corrected);
    const draft = await draftOf(client, corrected, PERIOD);
    const line = draft.lines.find((item) => item.flow_reo_kg > 0)!;
    const before = await worldDigest(context.database.db);
    const message = expectFieldError(
      await client.post('/api/v1/reports', {
        period: PERIOD,
        idempotency_key: 'unexplained-1',
        figures: [{ category: line.category, production_reo_kg: line.flow_reo_kg + 500 }],
      }),
      422,
      'figures.0.explanation',
    );
    expect(message).toContain(String(line.flow_reo_kg));
    expect(await worldDigest(context.database.db)).toBe(before);
  });

  it('takes the reports in before the 10th, pre-filled from the flows, signed', async () => {
    now = at('2026-11-08T10:00:00');
    for (const enterprise of world.enterprises) {
      if (enterprise.id === missing || enterprise.id === late) continue;
      const client = await world.enterprise(enterprise.id);
      const draft = await draftOf(client, enterprise.id, PERIOD);
      const report = await submit(client, PERIOD, `oct-${enterprise.id}`);
      expect(report.version).toBe(1);
      expect(report.late).toBe(false);
      expect(report.lines.map((line) => [line.category, line.production_reo_kg])).toEqual(
        draft.lines.map((line) => [line.category, line.flow_reo_kg]),
      );
      expect(report.signature.algorithm).toBe('SM2-with-SM3');
      expect(report.signature.public_key_pem).toContain('BEGIN PUBLIC KEY');
      reports.set(enterprise.id, report);
    }
    // The same key again is the same report.
    const again = await (
      await world.enterprise(corrected)
    ).post('/api/v1/reports', {
      period: PERIOD,
      idempotency_key: `oct-${corrected}`,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json<ReportView>().id).toBe(reports.get(corrected)!.id);
  });

  it('marks a report after the deadline late', async () => {
    now = at('2026-11-11T08:00:00');
    const report = await submit(await world.enterprise(late), PERIOD, `oct-${late}`);
    expect(report.late).toBe(true);
    reports.set(late, report);
  });

  it('returns a report; the county cannot compile until the correction comes back as a new version', async () => {
    now = at('2026-11-12T09:00:00');
    const county = world.enterprises.find((item) => item.id === corrected)!.parent;
    const official = await world.division(county);
    const first = reports.get(corrected)!;
    const returned = await official.post(`/api/v1/reports/${first.id}/return`, {
      reason: '稀土矿产品产量与台账不一致，请核实后重报',
    });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json<ReportView>().returned?.reason).toContain('核实');

    const before = await worldDigest(context.database.db);
    const blocked = expectProblem(
      await official.post('/api/v1/compilations', {
        division_code: county,
        period: PERIOD,
        reasons: { [missing]: '企业停产检修', [late]: '系统故障' },
        idempotency_key: 'blocked-compile',
      }),
      409,
    );
    expect(blocked.errors?.map((error) => error.field)).toContain(`children.${corrected}`);
    expect(await worldDigest(context.database.db)).toBe(before);

    const client = await world.enterprise(corrected);
    const line = first.lines.find((item) => item.production_reo_kg > 0)!;
    const second = await submit(client, PERIOD, `oct-${corrected}-v2`, {
      replaces: first.id,
      figures: [
        {
          category: line.category,
          production_reo_kg: line.production_reo_kg - 100,
          explanation: '10月31日一批次产品于11月1日零时后入库，计入11月',
        },
      ],
    });
    expect(second.version).toBe(2);
    expect(second.replaces).toBe(first.id);
    expect(second.late).toBe(false); // lateness is judged by the first version
    reports.set(corrected, second);
    const old = await client.get(`/api/v1/reports/${first.id}`);
    expect(old.json<ReportView>().superseded_by).toBe(second.id);
  });

  it('compiles level by level; the ministry total is the exact sum of the enterprise reports', async () => {
    const depths = [...new Set(world.divisions.map((division) => division.depth))].sort((a, b) => b - a);
    const times: Record<string, string> = {
      county: '2026-11-14T10:00:00',
      prefecture: '2026-11-19T10:00:00',
      province: '2026-11-24T10:00:00',
      nation: '2026-11-27T10:00:00',
    };
    const compiled = new Map<string, CompilationView>();
    latePrefecture = world.divisions.find((division) => division.level === 'prefecture')?.code;
    for (const depth of depths)
      for (const division of world.divisions.filter((item) => item.depth === depth)) {
        now = at(division.code === latePrefecture ? '2026-11-21T10:00:00' : times[division.level]!);
        const draft = await (
          await world.division(division.code)
        ).get(`/api/v1/compilations/draft?division_code=${division.code}&period=${PERIOD}`);
        expect(draft.statusCode, draft.body).toBe(200);
        const absent = draft.json<{ absent: { code: string; status: string }[] }>().absent;
        const reasons = Object.fromEntries(absent.map((child) => [child.code, `说明：${child.status}`]));
        if (absent.length > 0) {
          const before = await worldDigest(context.database.db);
          expectFieldError(
            await (
              await world.division(division.code)
            ).post('/api/v1/compilations', {
              division_code: division.code,
              period: PERIOD,
              idempotency_key: `no-reasons-${division.code}`,
            }),
            422,
            `reasons.${absent[0]!.code}`,
          );
          expect(await worldDigest(context.database.db)).toBe(before);
        }
        const view = await compileAndForward(
          await world.division(division.code),
          division.code,
          PERIOD,
          reasons,
          division.level !== 'nation',
        );
        compiled.set(division.code, view);
      }

    const nation = compiled.get('000000')!;
    const expected = sumByCategory([...reports.values()].map((report) => report.lines));
    expect(nation.totals.map(pick)).toEqual(expected.map(pick));
    expect(nation.totals.length).toBeGreaterThan(0);

    // Missing and late enterprises are named in their own county's compilation, with the reason given.
    const countyOf = (id: string) => world.enterprises.find((item) => item.id === id)!.parent;
    expect(compiled.get(countyOf(missing))!.absent).toContainEqual(
      expect.objectContaining({ code: missing, status: 'missing', reason: '说明：missing' }),
    );
    expect(compiled.get(countyOf(late))!.absent).toContainEqual(
      expect.objectContaining({ code: late, status: 'late' }),
    );
    if (latePrefecture) {
      const prefecture = world.divisions.find((item) => item.code === latePrefecture)!;
      expect(compiled.get(latePrefecture)!.forwarded_late).toBe(true);
      expect(compiled.get(prefecture.parent!)!.absent).toContainEqual(
        expect.objectContaining({ code: latePrefecture, kind: 'division', status: 'late' }),
      );
    }
  });

  it('shows where everything stands on the board, from the nation down to one enterprise', async () => {
    const national = (await miit.get(`/api/v1/reporting/board?period=${PERIOD}`)).json<BoardView>();
    expect(national.node.status).toBe('compiled');
    const counts = national.node.enterprises;
    expect(counts.late).toBe(1); // the one that never reported
    expect(counts.forwarded).toBe(world.enterprises.length - 1);
    const county = world.enterprises.find((item) => item.id === missing)!.parent;
    const view = (await miit.get(`/api/v1/reporting/board?period=${PERIOD}&division_code=${county}`)).json<BoardView>();
    expect(view.path[0]!.code).toBe('000000');
    expect(view.path.at(-1)!.code).toBe(county);
    const node = view.children.find((child) => child.id === missing)!;
    expect(node.status).toBe('late');
    const lateCounty = world.enterprises.find((item) => item.id === late)!.parent;
    const lateView = (
      await miit.get(`/api/v1/reporting/board?period=${PERIOD}&division_code=${lateCounty}`)
    ).json<BoardView>();
    expect(lateView.children.find((child) => child.id === late)).toMatchObject({ status: 'forwarded', late: true });
  });
});

const pick = (line: TotalLine) => [
  line.category,
  line.production_reo_kg,
  line.cumulative_reo_kg,
  line.allocated_reo_kg,
  line.remaining_reo_kg,
];

function sumByCategory(lists: readonly (readonly TotalLine[])[]): TotalLine[] {
  const map = new Map<string, TotalLine>();
  for (const lines of lists)
    for (const line of lines) {
      const total = map.get(line.category);
      map.set(line.category, {
        ...line,
        production_reo_kg: (total?.production_reo_kg ?? 0) + line.production_reo_kg,
        cumulative_reo_kg: (total?.cumulative_reo_kg ?? 0) + line.cumulative_reo_kg,
        allocated_reo_kg: (total?.allocated_reo_kg ?? 0) + line.allocated_reo_kg,
        remaining_reo_kg: (total?.remaining_reo_kg ?? 0) + line.remaining_reo_kg,
      });
    }
  return [...map.values()].sort((a, b) => a.category.localeCompare(b.category));
}
