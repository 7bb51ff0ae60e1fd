import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OversightAlert } from '../../src/contracts/oversight.ts';
import { recordAudit } from '../../src/server/modules/audit/index.ts';
import { recordAnomalies } from '../../src/server/modules/checks/index.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { auditCount, demoEnterpriseIds, expectProblem, userIds, type DemoEnterpriseRow } from '../api/api-helpers.ts';
import { oversightCallers, oversightMatrix, type OversightFixtures } from '../api/oversight-matrix.ts';
import { runMatrixCase } from '../api/route-matrix.ts';

/**
 * Oversight of officials (Art. 15): every alert rule fires in a case made to trigger it and stays silent in one
 * made not to; acknowledging is audited and versioned; only the oversight role may do any of it.
 */

const YEAR = 2026;
const APPROVAL = { approval_document_no: '国函〔2026〕8号', approval_date: '2026-02-06' };
const logins = ['miit', 'miit.review', 'mnr', 'ndrc', 'nmg.iit', 'baotou.iit', 'ent.bayan', 'ent.dingnan'] as const;
type Login = (typeof logins)[number] | 'oversight' | 'operator';

let context: TestContext;
const clients = {} as Record<Login, Client>;
let users: Record<string, string>;
let enterprises: Record<string, DemoEnterpriseRow>;

async function ok<T>(pending: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const response = await pending;
  expect(response.statusCode, response.body).toBe(status);
  return response.json<T>();
}

async function runRules(): Promise<Record<string, number>> {
  return (await ok<{ new_alerts: Record<string, number> }>(clients.oversight.post('/api/v1/oversight/runs')))
    .new_alerts;
}

async function alertsOf(rule: string): Promise<OversightAlert[]> {
  return (
    await ok<{ items: OversightAlert[] }>(clients.oversight.get(`/api/v1/oversight/alerts?rule=${rule}&page_size=200`))
  ).items;
}

const about = (alerts: readonly OversightAlert[], subjectId: string) =>
  alerts.filter((alert) => alert.subject_id === subjectId);

async function setThreshold(name: string, value: number): Promise<void> {
  const { items } = await ok<{ items: { name: string; version: number }[] }>(
    clients.oversight.get('/api/v1/oversight/thresholds'),
  );
  const current = items.find((item) => item.name === name)!;
  await ok(clients.oversight.put(`/api/v1/oversight/thresholds/${name}`, { expected_version: current.version, value }));
}

let batchSerial = 0;
async function draft(drafter: Client, totals: { category: string; total_reo_kg: number }[]): Promise<string> {
  batchSerial += 1;
  const body = { name: `监督测试批次${batchSerial}`, totals };
  return (await ok<{ id: string }>(drafter.post(`/api/v1/indicator-plans/${YEAR}/batches`, body), 201)).id;
}

/** Drafted, co-signed, submitted by `submitter` and its approval recorded by `approver`. */
async function approvedBatch(
  totals: { category: string; total_reo_kg: number }[],
  submitter: Client = clients.miit,
  approver: Client = clients['miit.review'],
): Promise<string> {
  const id = await draft(clients.miit, totals);
  for (const cosigner of [clients.mnr, clients.ndrc]) await ok(cosigner.post(`/api/v1/indicator-batches/${id}/cosign`));
  await ok(submitter.post(`/api/v1/indicator-batches/${id}/submit`));
  await ok(approver.post(`/api/v1/indicator-batches/${id}/approve`, APPROVAL));
  return id;
}

async function engineRun(batchId: string, category: string, approve = true): Promise<string> {
  const body = { mode: 'engine', batch_id: batchId, category, level: 'national' };
  const run = await ok<{ id: string }>(clients.miit.post('/api/v1/allocation-runs', body), 201);
  if (approve) await ok(clients.mnr.post(`/api/v1/allocation-runs/${run.id}/approve`));
  return run.id;
}

/** The engine's shares for a batch and category, as a manual allocation would list them. */
async function engineShares(batchId: string, category: string) {
  const input = await ok<unknown>(
    clients.miit.get(`/api/v1/allocation/input?batch_id=${batchId}&category=${category}&level=national`),
  );
  const result = await ok<{ holders: { id: string; reo_kg: number }[] }>(
    clients.miit.post('/api/v1/allocation/what-if', input),
  );
  return result.holders.map((holder) => ({ holder_id: holder.id, reo_kg: holder.reo_kg }));
}

const db = () => context.database.db;

describe('oversight alerts', () => {
  let batchA: string; // approved; its totals are then changed behind the application's back
  let batchB: string; // approved, untouched
  let batchC: string; // submitted and approved by the same MIIT official
  let runChanged: string; // approved; a share then changed in the table
  let runIntact: string; // approved, untouched
  let runForged: string; // approved by MNR; a forged entry says its proposer approved it

  beforeAll(async () => {
    // The requests below stand for clients behind a proxy at 127.0.0.1 (the default inject address), which
    // names them in X-Forwarded-For.
    context = await startTestApp({ TRUST_PROXY: '127.0.0.1' });
    for (const login of [...logins, 'oversight', 'operator'] as const) clients[login] = await context.as(login);
    users = await userIds(db());
    enterprises = await demoEnterpriseIds(db());
    await ok(
      clients.miit.post('/api/v1/indicator-plans', {
        year: YEAR,
        memo: {
          economic_goals: '稳增长',
          reserves_and_variety: '轻稀土为主',
          industry_development: '集约化',
          ecological_protection: '生态修复',
          market_demand: '磁材需求增长',
        },
        weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
        penalty_reduction_ppm: 100_000,
      }),
      201,
    );
    const totals = [
      { category: 'mining_rock', total_reo_kg: 60_000_000 },
      { category: 'separation', total_reo_kg: 40_000_000 },
    ];
    batchA = await approvedBatch(totals);
    batchB = await approvedBatch(totals);
    batchC = await approvedBatch(totals, clients['miit.review'], clients['miit.review']);
    runChanged = await engineRun(batchB, 'mining_rock');
    runIntact = await engineRun(batchB, 'separation');
    runForged = await engineRun(batchC, 'mining_rock');
  });
  afterAll(async () => {
    await context.close();
  });

  it('(1) an approved figure changed: fires for the changed batch and run, silent for the intact ones', async () => {
    // Someone with direct database access gets past the freeze and raises a total of approved batch A.
    await sql`ALTER TABLE batch_category_total DISABLE TRIGGER batch_totals_frozen`.execute(db());
    await sql`UPDATE batch_category_total SET total_reo_kg = total_reo_kg + 5000
              WHERE batch_id = ${batchA} AND category = 'mining_rock'`.execute(db());
    await sql`ALTER TABLE batch_category_total ENABLE TRIGGER batch_totals_frozen`.execute(db());
    // …and moves 1 000 kg from one holder of an approved run to another.
    const shares = await db()
      .selectFrom('allocation_share')
      .select(['holder_id', 'reo_kg'])
      .where('run_id', '=', runChanged)
      .where('reo_kg', '>', '1000')
      .orderBy('holder_id')
      .execute();
    expect(shares.length).toBeGreaterThanOrEqual(2);
    const [from, to] = [shares[0]!.holder_id, shares[1]!.holder_id];
    await sql`UPDATE allocation_share SET reo_kg = reo_kg - 1000 WHERE run_id = ${runChanged} AND holder_id = ${from}`.execute(
      db(),
    );
    await sql`UPDATE allocation_share SET reo_kg = reo_kg + 1000 WHERE run_id = ${runChanged} AND holder_id = ${to}`.execute(
      db(),
    );

    const counts = await runRules();
    expect(counts.approved_figure_changed).toBe(2);
    const alerts = await alertsOf('approved_figure_changed');
    const [batchAlert] = about(alerts, batchA);
    expect(batchAlert).toMatchObject({ subject_type: 'indicator_batch', status: 'open', version: 1 });
    expect(batchAlert!.evidence).toMatchObject({
      approved_totals: { mining_rock: 60_000_000, separation: 40_000_000 },
      current_totals: { mining_rock: 60_005_000, separation: 40_000_000 },
      approved_by: 'miit.review',
    });
    const [runAlert] = about(alerts, runChanged);
    expect(runAlert).toMatchObject({ subject_type: 'allocation_run' });
    expect(runAlert!.evidence.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ holder_id: from, difference_reo_kg: -1000 }),
        expect.objectContaining({ holder_id: to, difference_reo_kg: 1000 }),
      ]),
    );
    for (const intact of [batchB, batchC, runIntact, runForged]) expect(about(alerts, intact)).toEqual([]);
    // Found once: running again finds nothing new.
    expect((await runRules()).approved_figure_changed).toBe(0);
  });

  it('(2) an allocation differing from the engine needs a reason; with one it is silent, without one it fires', async () => {
    const engine = await engineShares(batchC, 'separation');
    const manual = (shares: typeof engine, reason?: string) =>
      clients.miit.post('/api/v1/allocation-runs', {
        mode: 'manual',
        batch_id: batchC,
        category: 'separation',
        level: 'national',
        shares,
        ...(reason === undefined ? {} : { reason }),
      });
    // Equal to the engine: no reason needed.
    const asEngine = await ok<{ id: string; reason: string | null }>(manual(engine), 201);
    expect(asEngine.reason).toBeNull();
    const given = engine.filter((share) => share.reo_kg > 1000);
    expect(given.length).toBeGreaterThanOrEqual(2);
    const moved = engine.map((share) =>
      share.holder_id === given[0]!.holder_id
        ? { ...share, reo_kg: share.reo_kg - 1000 }
        : share.holder_id === given[1]!.holder_id
          ? { ...share, reo_kg: share.reo_kg + 1000 }
          : share,
    );
    // Differing without a reason (absent, or blank once trimmed): refused, naming `reason`; nothing changes.
    const runsBefore = await db()
      .selectFrom('allocation_run')
      .select(sql<number>`count(*)::int`.as('n'))
      .execute();
    const auditBefore = await auditCount(db());
    for (const reason of [undefined, '   ']) {
      const refused = expectProblem(await manual(moved, reason), 422);
      expect(refused.errors?.map((error) => error.field)).toEqual(['reason']);
      expect(refused.detail).toContain('2 holders');
    }
    expectProblem(await manual(moved, '理'.repeat(1001)), 422);
    expect(
      await db()
        .selectFrom('allocation_run')
        .select(sql<number>`count(*)::int`.as('n'))
        .execute(),
    ).toEqual(runsBefore);
    expect(await auditCount(db())).toBe(auditBefore);

    // With a reason: saved, shown with the run, in its audit entry and the shares' explanations; the rule is silent.
    const why = '  国务院批复：优先保障稀土功能材料重点项目  ';
    const explained = await ok<{ id: string; reason: string; shares: { holder_id: string; explanation: unknown }[] }>(
      manual(moved, why),
      201,
    );
    expect(explained.reason).toBe(why.trim());
    expect(explained.shares.find((share) => share.holder_id === given[0]!.holder_id)?.explanation).toMatchObject({
      reo_kg: given[0]!.reo_kg - 1000,
      engine_reo_kg: given[0]!.reo_kg,
    });
    const entry = await db()
      .selectFrom('audit_entry')
      .select('after')
      .where('object_id', '=', explained.id)
      .where('action', '=', 'allocation.run.propose')
      .executeTakeFirstOrThrow();
    expect(entry.after).toMatchObject({ reason: why.trim(), differences_from_engine: 2 });
    // A second differing run, whose reason is then removed behind the application's back.
    const unexplained = await ok<{ id: string }>(manual(moved, '临时调整'), 201);
    await sql`UPDATE allocation_run SET reason = NULL WHERE id = ${unexplained.id}`.execute(db());

    expect((await runRules()).allocation_differs_from_engine).toBe(1);
    const alerts = await alertsOf('allocation_differs_from_engine');
    expect(about(alerts, asEngine.id)).toEqual([]);
    expect(about(alerts, explained.id)).toEqual([]);
    const [alert] = about(alerts, unexplained.id);
    expect(alert).toMatchObject({ subject_type: 'allocation_run', actor_id: users.miit });
    expect(alert!.evidence).toMatchObject({ holders_differing: 2, moved_reo_kg: 1000, status: 'proposed' });
  });

  it('(3) a filing accepted late without a reason fires; one with its reason is silent', async () => {
    const bayan = enterprises.bayan!;
    const dingnan = enterprises.dingnan!;
    // Two May declarations sealed after the 10th of June; an official explains dingnan's lateness only.
    for (const enterprise of [bayan, dingnan])
      await db()
        .insertInto('declaration')
        .values({
          enterprise_id: enterprise.id,
          period: '2026-05-01',
          version: 1,
          events_sm3: '0'.repeat(64),
          event_count: 0,
          late: true,
          sealed_by: enterprise.key,
          sealed_at: new Date(),
        })
        .execute();
    await recordAnomalies(db(), [
      {
        key: `declaration_late:${dingnan.id}:2026-05-01`,
        rule: 'declaration_late',
        enterprise_id: dingnan.id,
        period: '2026-05-01',
        product_code: null,
        summary: '2026-05 declared after the deadline',
        details: {},
        evidence: [],
      },
    ]);
    const anomaly = await db()
      .selectFrom('anomaly')
      .select(['id', 'version'])
      .where('key', '=', `declaration_late:${dingnan.id}:2026-05-01`)
      .executeTakeFirstOrThrow();
    await ok(
      clients.miit.post(`/api/v1/anomalies/${anomaly.id}/transitions`, {
        expected_version: anomaly.version,
        status: 'explained',
        note: '系统故障，经县级部门核实',
      }),
    );
    // Two May compilations that each took in a late report: one says why, the other does not.
    const compiled = async (division: string, enterprise: DemoEnterpriseRow, reason: string | null) =>
      (
        await db()
          .insertInto('compilation')
          .values({
            division_code: division,
            level: 'county',
            period_kind: 'month',
            period: '2026-05-01',
            version: 1,
            replaces_id: null,
            idempotency_key: `oversight-${division}`,
            totals: '[]',
            children: JSON.stringify([
              {
                kind: 'report',
                id: enterprise.id,
                version: 1,
                code: enterprise.id,
                name: enterprise.name,
                late: true,
                lines: [],
              },
            ]),
            absent: JSON.stringify(
              reason === null
                ? []
                : [{ kind: 'enterprise', code: enterprise.id, name: enterprise.name, status: 'late', reason }],
            ),
            content_sm3: '0'.repeat(64),
            signature: 'test',
            signer: `division:${division}`,
            compiled_by: 'test',
            compiled_at: new Date(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const unexplained = await compiled(bayan.domicile_code, bayan, null);
    const explained = await compiled(dingnan.domicile_code, dingnan, '企业系统升级，延迟两日报送');

    const counts = await runRules();
    const alerts = await alertsOf('late_filing_without_reason');
    const declarationAlerts = about(alerts, `${bayan.id}:2026-05`);
    expect(declarationAlerts).toHaveLength(1);
    expect(declarationAlerts[0]).toMatchObject({ subject_type: 'declaration' });
    expect(about(alerts, `${dingnan.id}:2026-05`)).toEqual([]);
    const compilationAlerts = alerts.filter((alert) => alert.evidence.compilation_id === unexplained);
    expect(compilationAlerts).toHaveLength(1);
    expect(compilationAlerts[0]).toMatchObject({ subject_type: 'report', subject_id: bayan.id });
    expect(alerts.filter((alert) => alert.evidence.compilation_id === explained)).toEqual([]);
    expect(counts.late_filing_without_reason).toBeGreaterThanOrEqual(2);
  });

  it('(4) repeated denied access fires for a user and an address past the threshold, silent below it', async () => {
    await setThreshold('denied_attempts', 5);
    const auditBefore = await auditCount(db());
    const eventsBefore = await db()
      .selectFrom('security_event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    for (let attempt = 0; attempt < 5; attempt += 1)
      expectProblem(await clients['ent.bayan'].get('/api/v1/audit'), 403, 'forbidden');
    for (let attempt = 0; attempt < 4; attempt += 1)
      expectProblem(await clients['ent.dingnan'].get('/api/v1/audit'), 403, 'forbidden');
    for (let attempt = 0; attempt < 5; attempt += 1)
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/audit', undefined, { 'x-forwarded-for': '203.0.113.9' }),
        401,
      );
    for (let attempt = 0; attempt < 4; attempt += 1)
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/audit', undefined, { 'x-forwarded-for': '203.0.113.8' }),
        401,
      );
    // A refusal writes no audit entry, but one security event each.
    expect(await auditCount(db())).toBe(auditBefore);
    const eventsAfter = await db()
      .selectFrom('security_event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(eventsAfter.n) - Number(eventsBefore.n)).toBe(18);

    const counts = await runRules();
    expect(counts.repeated_denials).toBe(2);
    const alerts = await alertsOf('repeated_denials');
    const [byUser] = about(alerts, users['ent.bayan']!);
    expect(byUser).toMatchObject({ subject_type: 'user', actor_id: users['ent.bayan'] });
    expect(byUser!.evidence).toMatchObject({ count: 5, routes: ['/api/v1/audit'] });
    expect(about(alerts, '203.0.113.9')[0]).toMatchObject({ subject_type: 'ip', evidence: { count: 5 } });
    expect(about(alerts, users['ent.dingnan']!)).toEqual([]);
    expect(about(alerts, '203.0.113.8')).toEqual([]);

    const log = await ok<{ items: { route: string; status: number; code: string; actor_login: string | null }[] }>(
      clients.oversight.get(`/api/v1/oversight/security-events?kind=denied&ip=203.0.113.9`),
    );
    expect(log.items).toHaveLength(5);
    expect(log.items[0]).toMatchObject({
      route: '/api/v1/audit',
      status: 401,
      code: 'unauthenticated',
      actor_login: null,
    });
  });

  it('(5) an unusually large export fires, a small one is silent; many exports in a window fire', async () => {
    const sizes: Record<string, number> = {};
    for (const login of ['miit', 'ent.bayan'] as const) {
      const response = await clients[login].get('/api/v1/enterprises/export.csv');
      expect(response.statusCode).toBe(200);
      sizes[login] = response.rawPayload.length;
    }
    expect(sizes.miit).toBeGreaterThan(sizes['ent.bayan']!);
    await setThreshold('export_max_bytes', sizes['ent.bayan']!);
    await setThreshold('exports_per_window', 3);
    for (let export_ = 0; export_ < 3; export_ += 1)
      expect((await clients['baotou.iit'].get('/api/v1/enterprises/export.csv')).statusCode).toBe(200);

    await runRules();
    const alerts = (await alertsOf('large_export')).filter((alert) => alert.subject_id !== 'matrix');
    // Each file above the byte threshold is one alert: miit's (every enterprise), and baotou's (its division's).
    const single = alerts.filter((alert) => alert.subject_type === 'export');
    const byMiit = single.filter((alert) => alert.actor_id === users.miit);
    expect(byMiit).toHaveLength(1);
    expect(byMiit[0]!.evidence).toMatchObject({ bytes: sizes.miit, route: '/api/v1/enterprises/export.csv' });
    expect(single.filter((alert) => alert.actor_id === users['baotou.iit'])).toHaveLength(3);
    const burst = alerts.filter((alert) => alert.subject_type === 'user');
    expect(burst).toHaveLength(1);
    expect(burst[0]).toMatchObject({ subject_id: users['baotou.iit'], evidence: { count: 3 } });
    expect(about(alerts, users['ent.bayan']!)).toEqual([]);
    expect(alerts.filter((alert) => alert.actor_id === users['ent.bayan'])).toEqual([]);
  });

  it('(6) the same person drafting and approving fires, from the columns and from the audit trail', async () => {
    // A forged entry: the run's proposer approving it, written round the application (which refuses it).
    await db()
      .transaction()
      .execute((tx) =>
        recordAudit(
          tx,
          { actor: { id: users.miit!, login: 'miit', role: 'ministry_official' }, requestId: 'forged' },
          {
            action: 'allocation.run.approve',
            objectType: 'allocation_run',
            objectId: runForged,
            after: { status: 'approved' },
          },
        ),
      );
    await runRules();
    const alerts = await alertsOf('same_person_drafted_and_approved');
    const [batchAlert] = about(alerts, batchC);
    expect(batchAlert).toMatchObject({ subject_type: 'indicator_batch', actor_id: users['miit.review'] });
    expect(batchAlert!.evidence.drafted).toEqual(expect.arrayContaining(['submitted']));
    const [runAlert] = about(alerts, runForged);
    expect(runAlert).toMatchObject({ subject_type: 'allocation_run', actor_id: users.miit });
    for (const intact of [batchA, batchB, runChanged, runIntact]) expect(about(alerts, intact)).toEqual([]);
  });

  it('acknowledging is versioned and audited, with where it came from; the chain still verifies', async () => {
    const [alert] = await alertsOf('repeated_denials');
    const note = '已约谈该企业联络人，系误操作';
    const acknowledged = await ok<OversightAlert>(
      clients.oversight.request(
        'POST',
        `/api/v1/oversight/alerts/${alert!.id}/acknowledge`,
        { expected_version: 1, note },
        { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'oversight-test' },
      ),
    );
    expect(acknowledged).toMatchObject({ status: 'acknowledged', version: 2, acknowledged_by: 'oversight', note });
    expectProblem(
      await clients.oversight.post(`/api/v1/oversight/alerts/${alert!.id}/acknowledge`, { expected_version: 1, note }),
      409,
      'conflict',
    );
    expectProblem(
      await clients.oversight.post(`/api/v1/oversight/alerts/${alert!.id}/acknowledge`, { expected_version: 2, note }),
      409,
      'wrong_state',
    );
    expectProblem(
      await clients.miit.post(`/api/v1/oversight/alerts/${alert!.id}/acknowledge`, { expected_version: 2, note }),
      403,
    );
    const search = await ok<{
      items: {
        action: string;
        object_id: string;
        ip: string | null;
        user_agent: string | null;
        actor_login: string;
        after: { note: string };
      }[];
    }>(
      clients.oversight.get(
        `/api/v1/audit?action=oversight.alert.acknowledge&ip=198.51.100.7&actor_login=oversight&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`,
      ),
    );
    expect(search.items).toHaveLength(1);
    expect(search.items[0]).toMatchObject({
      object_id: alert!.id,
      ip: '198.51.100.7',
      user_agent: 'oversight-test',
      after: { note },
    });
    expect((await ok<{ items: unknown[] }>(clients.oversight.get('/api/v1/audit?ip=192.0.2.1'))).items).toEqual([]);
    expect(await ok<{ ok: boolean }>(clients.oversight.get('/api/v1/audit/verify'))).toMatchObject({ ok: true });
  });

  it('refuses every oversight route to everyone but the oversight role (authorization matrix)', async () => {
    const fx: OversightFixtures = {
      context,
      clients: {
        miit: clients.miit,
        mnr: clients.mnr,
        'nmg.iit': clients['nmg.iit'],
        'baotou.iit': clients['baotou.iit'],
        'ent.bayan': clients['ent.bayan'],
        oversight: clients.oversight,
        operator: clients.operator,
        anonymous: context.anonymous,
      },
    };
    const mismatches: string[] = [];
    for (const item of oversightMatrix())
      mismatches.push(
        ...(await runMatrixCase(fx, item, oversightCallers)).map((line) => `${item.route} (${item.name}) ${line}`),
      );
    expect(mismatches).toEqual([]);
  });
});
