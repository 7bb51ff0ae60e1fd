import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  riskAnomalyRules,
  type RiskView,
  type RiskWeights,
  type RiskWeightsView,
} from '../../src/contracts/supervision-risk.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { recordAnomalies } from '../../src/server/modules/checks/index.ts';
import { elapsedShareOfYearPpm } from '../../src/server/modules/ledger/ledger.rules.ts';
import { accounts, postConsumption, transfer } from '../../src/server/modules/ledger/ledger.service.ts';
import {
  demoEnterpriseIds,
  expectFieldError,
  expectProblem,
  newEnterpriseBody,
  worldDigest,
} from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { key } from './supervision-world.ts';

/**
 * The risk-ranked inspection list (Art. 12): a county of eight new enterprises that differ in exactly one factor
 * each — nothing, an open anomaly, a late filing, a missing filing, utilisation ahead of the year, a difference
 * from the flow records, a past violation, a final penalty — rank as their weights say, with their reasons and
 * figures; a province's weights apply to its prefectures and counties until a nearer division sets its own; bad
 * weights are refused field by field and change nothing.
 */

const COUNTY = '150204'; // 青山区, Baotou: no demo enterprise is domiciled here
const NOW = new Date('2026-07-20T10:00:00+08:00');
const YEAR = 2026;

const names = {
  clean: 'R-0 守规企业',
  anomaly: 'R-1 异常企业',
  late: 'R-2 迟报企业',
  missing: 'R-3 漏报企业',
  utilisation: 'R-4 超前企业',
  difference: 'R-5 不符企业',
  violation: 'R-6 违法企业',
  penalty: 'R-7 处罚企业',
} as const;
type Key = keyof typeof names;

describe('the risk-ranked inspection list', () => {
  let context: TestContext;
  let miit: Client;
  let nmg: Client;
  let baotou: Client;
  const ids = {} as Record<Key, string>;
  const db = () => context.database.db;

  const list = async (client: Client, division = COUNTY, year = YEAR) => {
    const response = await client.get(`/api/v1/supervision/risk?year=${year}&division=${division}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<RiskView>();
  };
  const weightsAt = async (client: Client, division: string) => {
    const response = await client.get(`/api/v1/supervision/risk-weights?division=${division}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<RiskWeightsView>();
  };
  const put = (client: Client, division: string, expected: number, weights: unknown) =>
    client.put('/api/v1/supervision/risk-weights', {
      division_code: division,
      expected_version: expected,
      weights,
      note: '测试权重',
    });
  const weightRows = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM risk_weight`.execute(db())).rows[0]!.n);

  async function enterprise(name: string): Promise<string> {
    const created = await miit.post('/api/v1/enterprises', { ...newEnterpriseBody(COUNTY), name });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const designated = await miit.post('/api/v1/designations', {
      enterprise_id: id,
      scope: 'separation',
      document_no: `工信部风险测试〔2026〕${name}`,
      effective_on: '2026-06-15',
    });
    expect(designated.statusCode, designated.body).toBe(201);
    return id;
  }

  /** June's flow declaration and monthly report: on time unless said otherwise (designated from 15 June). */
  async function fileJune(id: string, declaration: 'on_time' | 'late' | 'missing') {
    if (declaration !== 'missing')
      await db()
        .insertInto('declaration')
        .values({
          enterprise_id: id,
          period: '2026-06-01',
          version: 1,
          events_sm3: '0'.repeat(64),
          event_count: 0,
          late: declaration === 'late',
          sealed_by: 'risk-test',
          sealed_at: new Date(declaration === 'late' ? '2026-07-14T09:00:00+08:00' : '2026-07-05T09:00:00+08:00'),
        })
        .execute();
    await db()
      .insertInto('report')
      .values({
        enterprise_id: id,
        domicile_code: COUNTY,
        period_kind: 'month',
        period: '2026-06-01',
        version: 1,
        replaces_id: null,
        idempotency_key: key('risk-report'),
        lines: '[]',
        late: false,
        content_sm3: '0'.repeat(64),
        signature: 'risk-test',
        signer: 'risk-test',
        submitted_by: 'risk-test',
        submitted_at: new Date('2026-07-05T09:00:00+08:00'),
      })
      .execute();
  }

  const anomaly = (id: string, rule: string) => ({
    key: `${rule}:${id}:risk-test`,
    rule,
    enterprise_id: id,
    period: '2026-06-01',
    product_code: null,
    summary: `risk test ${rule}`,
    details: {},
    evidence: [],
  });

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => NOW });
    [miit, nmg, baotou] = await Promise.all([context.as('miit'), context.as('nmg.iit'), context.as('baotou.iit')]);
    for (const item of Object.keys(names) as Key[]) ids[item] = await enterprise(names[item]);
    for (const item of Object.keys(names) as Key[])
      await fileJune(ids[item], item === 'late' ? 'late' : item === 'missing' ? 'missing' : 'on_time');
    await recordAnomalies(db(), [anomaly(ids.anomaly, 'mass_balance'), anomaly(ids.difference, 'report_vs_flows')]);
    // 90% of the separation quota used with 55% of the year gone.
    await db()
      .transaction()
      .execute(async (tx) => {
        await transfer(tx, {
          kind: 'issue',
          year: YEAR,
          category: 'separation',
          from: accounts.approved(YEAR, 'separation'),
          to: accounts.enterprise(ids.utilisation, YEAR, 'separation'),
          reoKg: 1_000_000,
          key: key('risk-issue'),
          reference: 'risk-test',
          createdBy: 'risk-test',
          enterpriseId: ids.utilisation,
        });
        await postConsumption(tx, {
          enterpriseId: ids.utilisation,
          year: YEAR,
          category: 'separation',
          reoKg: 900_000,
          sourceId: key('risk-consume'),
          createdBy: 'risk-test',
        });
      });
    for (const item of ['violation', 'penalty'] as const) {
      const violation = await baotou.post('/api/v1/supervision/violations', {
        enterprise_id: ids[item],
        type: 'false_records',
        description: '流向记录不实',
        found_on: '2025-05-01',
        idempotency_key: key('risk-violation'),
      });
      expect(violation.statusCode, violation.body).toBe(201);
      if (item === 'penalty') {
        const fine = await baotou.post(
          `/api/v1/supervision/violations/${violation.json<{ id: string }>().id}/decisions`,
          {
            kind: 'fine',
            document_no: '包工信罚〔2025〕7号',
            decided_on: '2025-06-01',
            final: true,
            fine_yuan: 50_000,
            idempotency_key: key('risk-fine'),
          },
        );
        expect(fine.statusCode, fine.body).toBe(201);
      }
    }
    const plan = await baotou.post('/api/v1/supervision/inspections', {
      enterprise_id: ids.penalty,
      planned_on: '2026-08-03',
      purpose: '风险排序检查',
      reasons: ['风险排序第一'],
      inspectors: ['baotou.iit'],
      idempotency_key: key('risk-plan'),
    });
    expect(plan.statusCode, plan.body).toBe(201);
  }, 300_000);
  afterAll(async () => context.close());

  /** Each enterprise's expected score under a set of weights, from the one factor it has. */
  const expectedScores = (weights: RiskWeights): Record<Key, number> => ({
    clean: 0,
    anomaly: weights.anomaly.mass_balance,
    late: weights.late_filing,
    missing: weights.missing_filing,
    // floor((900,000 − elapsed) / 10,000) points ahead, beyond the threshold.
    utilisation:
      weights.utilisation_point *
      Math.max(
        0,
        Math.floor((900_000 - elapsedShareOfYearPpm(YEAR, '2026-07-20')) / 10_000) -
          weights.utilisation_threshold_points,
      ),
    difference: weights.report_vs_flows,
    violation: weights.past_violation,
    penalty: weights.past_violation + weights.final_penalty,
  });
  const expectedOrder = (scores: Record<Key, number>): string[] =>
    (Object.keys(scores) as Key[])
      .sort((a, b) => scores[b] - scores[a] || (names[a] < names[b] ? -1 : 1))
      .map((item) => names[item]);

  it('ranks the enterprises by their one factor under the default weights, each with its reasons and figures', async () => {
    const view = await list(baotou);
    expect(view.weights.source).toBe('default');
    expect(view.elapsed_ppm).toBe(elapsedShareOfYearPpm(YEAR, '2026-07-20'));
    expect(view.as_of).toBe(NOW.toISOString());
    const scores = expectedScores(view.weights.weights);
    expect(view.items.map((item) => item.enterprise_name)).toEqual(expectedOrder(scores));
    expect(view.items.map((item) => item.enterprise_name)).toEqual([
      names.penalty,
      names.utilisation,
      names.violation,
      names.missing,
      names.anomaly,
      names.difference,
      names.late,
      names.clean,
    ]);
    const byKey = (item: Key) => view.items.find((entry) => entry.enterprise_id === ids[item])!;
    for (const item of Object.keys(names) as Key[]) {
      const entry = byKey(item);
      expect(entry.score, item).toBe(scores[item]);
      expect(entry.reasons.reduce((total, reason) => total + reason.points, 0)).toBe(entry.score);
      expect(entry.domicile_code).toBe(COUNTY);
    }
    // Equal scores share a rank; the order among them is by name.
    expect(byKey('anomaly').rank).toBe(byKey('difference').rank);
    expect(byKey('clean').reasons).toEqual([]);
    expect(byKey('clean').rank).toBe(8);

    const anomalyIds = async (id: string) =>
      (await db().selectFrom('anomaly').select('id').where('enterprise_id', '=', id).execute()).map((row) => row.id);
    expect(byKey('anomaly').reasons).toEqual([
      expect.objectContaining({
        factor: 'open_anomalies',
        detail: 'mass_balance',
        figure: 1,
        anomaly_ids: await anomalyIds(ids.anomaly),
      }),
    ]);
    expect(byKey('late').reasons).toEqual([
      expect.objectContaining({ factor: 'late_filings', figure: 1, params: { declarations: 1, reports: 0 } }),
    ]);
    expect(byKey('missing').reasons).toEqual([
      expect.objectContaining({ factor: 'missing_filings', figure: 1, params: { declarations: 1, reports: 0 } }),
    ]);
    const ahead = byKey('utilisation').reasons;
    expect(ahead).toHaveLength(1);
    expect(ahead[0]).toMatchObject({
      factor: 'utilisation_ahead',
      detail: 'separation',
      figure: 14,
      params: { utilisation_ppm: 900_000, elapsed_ppm: view.elapsed_ppm, threshold_points: 20 },
    });
    expect(ahead[0]!.text.en).toContain('90.0% of the indicator used with 55.1% of the year gone');
    expect(ahead[0]!.text.zh).toContain('90.0%');
    expect(byKey('difference').reasons).toEqual([
      expect.objectContaining({
        factor: 'report_vs_flows',
        figure: 1,
        params: { report_vs_flows: 1, ledger_vs_flows: 0 },
        anomaly_ids: await anomalyIds(ids.difference),
      }),
    ]);
    expect(byKey('penalty').reasons.map((reason) => [reason.factor, reason.figure, reason.weight])).toEqual([
      ['final_penalties', 1, view.weights.weights.final_penalty],
      ['past_violations', 1, view.weights.weights.past_violation],
    ]);
    expect(byKey('penalty').reasons[0]!.text.zh).toBe('2023 年以来已生效的行政处罚 1 项');
    // Only the penalised enterprise has an inspection planned this year.
    expect(byKey('penalty').inspection_open).toBe(true);
    expect(byKey('penalty').inspection).toMatchObject({
      status: 'planned',
      planned_on: '2026-08-03',
      visited_on: null,
    });
    expect(view.items.filter((item) => item.inspection_open)).toHaveLength(1);
  });

  it('reads the year asked about: last year, the 2025 violations and penalty only, the year fully gone', async () => {
    const view = await list(baotou, COUNTY, 2025);
    expect(view.elapsed_ppm).toBe(1_000_000);
    // Designated from 15 June 2026, none of them was designated in 2025: the list is empty.
    expect(view.items).toEqual([]);
  });

  it('a province’s weights apply to its prefectures and counties; a nearer division’s own take over', async () => {
    const before = await weightsAt(baotou, '150200');
    expect(before).toMatchObject({ source: 'default', own_version: 0, source_division_code: null });
    const heavy = { ...before.weights, late_filing: 100 };
    const set = await put(nmg, '150000', 0, heavy);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<RiskWeightsView>()).toMatchObject({ source: 'own', own_version: 1, set_by: 'nmg.iit' });

    for (const division of ['150200', COUNTY])
      expect(await weightsAt(baotou, division)).toMatchObject({
        division_code: division,
        source: 'inherited',
        source_division_code: '150000',
        source_version: 1,
        own_version: 0,
        weights: heavy,
        note: '测试权重',
      });
    const county = await list(baotou);
    expect(county.items[0]).toMatchObject({ enterprise_name: names.late, score: 100, rank: 1 });
    expect(county.items.map((item) => item.enterprise_name)).toEqual(expectedOrder(expectedScores(heavy)));
    // The prefecture's list (demo enterprises included) scores the late enterprise the same way.
    const prefecture = await list(baotou, '150200');
    expect(prefecture.items.find((item) => item.enterprise_id === ids.late)!.score).toBe(100);
    expect(prefecture.items.every((item) => item.domicile_code.startsWith('1502'))).toBe(true);

    // Baotou sets its own, with violations weighing nothing: they apply below Baotou, not to the province.
    const own = { ...heavy, late_filing: 1, past_violation: 0, final_penalty: 0 };
    const baotouSet = await put(baotou, '150200', 0, own);
    expect(baotouSet.statusCode, baotouSet.body).toBe(200);
    const after = await list(baotou);
    expect(after.weights).toMatchObject({ source: 'inherited', source_division_code: '150200' });
    const penalty = after.items.find((item) => item.enterprise_id === ids.penalty)!;
    expect(penalty.score).toBe(0);
    expect(penalty.reasons.map((reason) => reason.points)).toEqual([0, 0]);
    expect((await weightsAt(nmg, '150000')).weights).toEqual(heavy);
    expect(after.items.map((item) => item.enterprise_name)).toEqual(expectedOrder(expectedScores(own)));
  });

  describe('setting the weights', () => {
    const unchanged = async (call: () => Promise<LightMyRequestResponse>) => {
      const digest = await worldDigest(db());
      const rows = await weightRows();
      const response = await call();
      expect(await worldDigest(db()), response.body).toBe(digest);
      expect(await weightRows()).toBe(rows);
      return response;
    };

    it('refuses a weight out of range, naming it (422), and changes nothing', async () => {
      const current = await weightsAt(nmg, '150000');
      const base = current.weights;
      const cases: [Record<string, unknown>, string][] = [
        [{ ...base, late_filing: -1 }, 'weights.late_filing'],
        [{ ...base, missing_filing: 1001 }, 'weights.missing_filing'],
        [{ ...base, anomaly: { ...base.anomaly, non_designated_party: 5000 } }, 'weights.anomaly.non_designated_party'],
        [{ ...base, utilisation_threshold_points: 101 }, 'weights.utilisation_threshold_points'],
        [{ ...base, lookback_years: 11 }, 'weights.lookback_years'],
      ];
      for (const [weights, field] of cases) {
        const response = await unchanged(() => put(nmg, '150000', current.own_version, weights));
        expect(expectFieldError(response, 422, field, 'invalid')).toMatch(/whole number from 0 to/);
      }
      const unknown = await unchanged(() => put(miit, '159900', 0, base));
      expectFieldError(unknown, 422, 'division_code', 'invalid');
      // Shapes are checked before anything else (400), naming the field too.
      expectFieldError(
        await unchanged(() => put(nmg, '150000', current.own_version, { ...base, late_filing: 1.5 })),
        400,
        'weights.late_filing',
        'validation',
      );
      expectFieldError(
        await unchanged(() => put(nmg, '150000', current.own_version, { ...base, extra: 1 })),
        400,
        'weights.extra',
        'validation',
      );
      const { lookback_years: _dropped, ...missing } = base;
      expectFieldError(
        await unchanged(() => put(nmg, '150000', current.own_version, missing)),
        400,
        'weights.lookback_years',
        'validation',
      );
      expect(await weightsAt(nmg, '150000')).toEqual(current);
    });

    it('refuses a stale version (409) and changes nothing; the right one makes a new version, audited', async () => {
      const current = await weightsAt(nmg, '150000');
      const stale = await unchanged(() => put(nmg, '150000', current.own_version - 1, current.weights));
      expectFieldError(stale, 409, 'expected_version', 'conflict');
      const ahead = await unchanged(() => put(nmg, '150000', current.own_version + 1, current.weights));
      expectFieldError(ahead, 409, 'expected_version', 'conflict');

      const audits = await db()
        .selectFrom('audit_entry')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('action', '=', 'risk_weights.set')
        .executeTakeFirstOrThrow();
      const next = await put(nmg, '150000', current.own_version, { ...current.weights, late_filing: 7 });
      expect(next.statusCode, next.body).toBe(200);
      expect(next.json<RiskWeightsView>()).toMatchObject({
        own_version: current.own_version + 1,
        source_version: current.own_version + 1,
      });
      const entry = await db()
        .selectFrom('audit_entry')
        .select(['actor_login', 'object_id', 'before', 'after'])
        .where('action', '=', 'risk_weights.set')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ actor_login: 'nmg.iit', object_id: '150000' });
      expect(entry.after).toMatchObject({ version: current.own_version + 1, weights: { late_filing: 7 } });
      expect(entry.before).toMatchObject({ version: current.own_version, weights: { late_filing: 100 } });
      const after = await db()
        .selectFrom('audit_entry')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('action', '=', 'risk_weights.set')
        .executeTakeFirstOrThrow();
      expect(after.n).toBe(audits.n + 1);
      // History is kept: the older version is still there, and the table refuses edits.
      await expect(sql`UPDATE risk_weight SET note = 'x'`.execute(db())).rejects.toThrow();
    });

    it('is for your own division or below: another jurisdiction or the nation is 403, and nothing changes', async () => {
      const weights = (await weightsAt(miit, '000000')).weights;
      expectProblem(await unchanged(() => put(baotou, '150000', 1, weights)), 403, 'forbidden');
      expectProblem(await unchanged(() => put(baotou, '000000', 0, weights)), 403, 'forbidden');
      const ganzhou = await context.as('ganzhou.nr');
      expectProblem(await unchanged(() => put(ganzhou, COUNTY, 0, weights)), 403, 'forbidden');
    });
  });

  describe('who sees which list', () => {
    it('officials outside the division get 403, enterprises 403, an unknown division 404', async () => {
      const ganzhou = await context.as('ganzhou.nr');
      expectProblem(await ganzhou.get(`/api/v1/supervision/risk?year=${YEAR}&division=${COUNTY}`), 403, 'forbidden');
      expectProblem(await baotou.get(`/api/v1/supervision/risk?year=${YEAR}&division=150000`), 403, 'forbidden');
      expectProblem(await baotou.get(`/api/v1/supervision/risk?year=${YEAR}&division=000000`), 403, 'forbidden');
      const enterpriseUser = await context.as('ent.bayan');
      expectProblem(await enterpriseUser.get(`/api/v1/supervision/risk?year=${YEAR}`), 403, 'forbidden');
      expectProblem(await enterpriseUser.get('/api/v1/supervision/risk-weights'), 403, 'forbidden');
      expectProblem(await miit.get(`/api/v1/supervision/risk?year=${YEAR}&division=159900`), 404, 'not_found');
      expectFieldError(await miit.get('/api/v1/supervision/risk?year=20x6'), 400, 'querystring.year', 'validation');
      expectFieldError(await miit.get('/api/v1/supervision/risk'), 400, 'querystring.year', 'validation');
      // The clock says July 2026: 2027 has not begun.
      const future = expectFieldError(await miit.get('/api/v1/supervision/risk?year=2027'), 422, 'querystring.year');
      expect(future).toContain('has not begun');
    });

    it("an official's list defaults to its own jurisdiction and holds nothing outside it", async () => {
      const view = await list(baotou, '150200');
      const own = await baotou.get(`/api/v1/supervision/risk?year=${YEAR}`);
      expect(own.json<RiskView>().division_code).toBe('150200');
      expect(own.json<RiskView>().items.map((item) => item.enterprise_id)).toEqual(
        view.items.map((item) => item.enterprise_id),
      );
      const nation = await list(miit, '000000');
      expect(nation.items.length).toBeGreaterThan(view.items.length);
    });
  });
});

describe('the risk-ranked list over the demo flows', () => {
  let context: TestContext;
  let miit: Client;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-12-01T10:00:00+08:00') });
    await loadDemoFlows(context.database);
    miit = await context.as('miit');
  }, 300_000);
  afterAll(async () => context.close());

  const get = async (division: string) => {
    const response = await miit.get(`/api/v1/supervision/risk?year=2026&division=${division}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<RiskView>();
  };

  it('scores each enterprise the same in the national list as in its province’s, under the same weights', async () => {
    const nation = await get('000000');
    expect(nation.items.length).toBeGreaterThan(5);
    const provinces = [...new Set(nation.items.map((item) => `${item.domicile_code.slice(0, 2)}0000`))];
    const byProvince = (await Promise.all(provinces.map(get))).flatMap((view) => view.items);
    const scoreOf = (items: RiskView['items']) =>
      Object.fromEntries(items.map((item) => [item.enterprise_id, [item.score, item.reasons]]));
    expect(scoreOf(byProvince)).toEqual(scoreOf(nation.items));
    for (const item of nation.items)
      expect(item.reasons.reduce((total, reason) => total + reason.points, 0)).toBe(item.score);
    for (let index = 1; index < nation.items.length; index += 1)
      expect(nation.items[index - 1]!.score).toBeGreaterThanOrEqual(nation.items[index]!.score);
  });

  it('counts every unresolved anomaly of the listed enterprises once, under its own factor', async () => {
    const nation = await get('000000');
    const listed = nation.items.map((item) => item.enterprise_id);
    const rows = await sql<{ rule: string; n: number }>`
      SELECT rule, count(*)::int AS n FROM anomaly
      WHERE status IN ('open', 'confirmed') AND period >= '2026-01-01' AND period < '2027-01-01'
        AND enterprise_id = ANY(${listed}::uuid[])
      GROUP BY rule`.execute(context.database.db);
    const inDb = (rules: readonly string[]) =>
      rows.rows.filter((row) => rules.includes(row.rule)).reduce((total, row) => total + row.n, 0);
    const inList = (factor: string) =>
      nation.items
        .flatMap((item) => item.reasons)
        .filter((reason) => reason.factor === factor)
        .reduce((total, reason) => total + reason.figure, 0);
    expect(inDb(riskAnomalyRules)).toBeGreaterThan(0);
    expect(inList('open_anomalies')).toBe(inDb(riskAnomalyRules));
    expect(inList('report_vs_flows')).toBe(inDb(['report_vs_flows', 'ledger_vs_flows']));
    // dingnan never sealed October and kundulun sealed it late (demo flows); the window is August to October
    // (November's filings fall due on 10 December), where both lack the same months otherwise.
    const ids = await demoEnterpriseIds(context.database.db);
    const reason = (id: string, factor: string) =>
      nation.items.find((item) => item.enterprise_id === id)?.reasons.find((item) => item.factor === factor)?.params;
    const kundulunMissing = Number(reason(ids.kundulun!.id, 'missing_filings')?.declarations ?? 0);
    expect(reason(ids.dingnan!.id, 'missing_filings')).toMatchObject({ declarations: kundulunMissing + 1 });
    expect(reason(ids.kundulun!.id, 'late_filings')).toMatchObject({ declarations: 1 });
  });
});
