import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  createApprovedUser,
  demoEnterpriseIds,
  expectProblem,
  rawSession,
  userIds,
  worldDigest,
} from './api-helpers.ts';
import { allocationMatrix, authorityOf, receiptVisible, shareVisible } from './allocation-matrix.ts';
import {
  allocationLogins,
  APPROVAL,
  buildWorld,
  enterpriseId,
  granted,
  noticeId,
  proposedRun,
  reachOf,
  seesEnterprise,
  submittedBatch,
  whatIfInput,
  YEAR,
  type AllocationCaller,
  type AllocationFixtures,
  type AllocationLogin,
} from './allocation-world.ts';
import { runMatrixCase } from './route-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for the indicators, allocation runs, notices and the quota ledger: every read
 * is scoped (a department sees the enterprise shares, receipts and quota of its division and no group
 * shares; an enterprise only its own), denied is denied in every endpoint, and a refused write writes
 * nothing. The matrix cases live in allocation-matrix.ts; authorization.db.test.ts checks that, with its own
 * cases, they cover every /api/v1 route.
 */

interface Share {
  holder_kind: 'group' | 'enterprise';
  holder_id: string;
  reo_kg: number;
}
interface Run {
  id: string;
  level: 'national' | 'group';
  group_id: string | null;
  status: string;
  total_reo_kg: number;
  shares: Share[];
}
interface Notice {
  id: string;
  run_id: string;
  recipient_kind: 'enterprise' | 'authority';
  recipient_id: string;
  read_at: string | null;
  forwarded_from: string | null;
}

describe('authorization of indicators, allocation, notices and the quota ledger', () => {
  const fx = { shared: new Map<string, string>() } as AllocationFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp();
    fx.context = context;
    const clients = { anonymous: context.anonymous } as Record<AllocationCaller, Client>;
    for (const login of allocationLogins) clients[login] = await context.as(login);
    fx.clients = clients;
    fx.enterprises = await demoEnterpriseIds(context.database.db);
    fx.users = await userIds(context.database.db);
    fx.world = await buildWorld(fx);
  });
  afterAll(async () => context.close());

  const db = () => context.database.db;
  const shareRows = () =>
    db().selectFrom('allocation_share').select(['run_id', 'holder_kind', 'holder_id', 'reo_kg']).execute();
  const issuedShares = () =>
    db()
      .selectFrom('allocation_share')
      .innerJoin('allocation_run', 'allocation_run.id', 'allocation_share.run_id')
      .select(['allocation_share.holder_id', 'allocation_share.reo_kg'])
      .where('allocation_run.status', '=', 'issued')
      .execute();
  const noticeRows = () =>
    db().selectFrom('notice').select(['id', 'run_id', 'recipient_kind', 'recipient_id']).execute();

  /** The enterprises outside a caller's scope whose id or name appears in a response body. */
  const mentionsOutsideScope = (login: AllocationLogin, body: string): string[] =>
    Object.values(fx.enterprises)
      .filter((row) => !seesEnterprise(login, row) && (body.includes(row.id) || body.includes(row.name)))
      .map((row) => row.key);

  describe('reads leak nothing (run before the matrix changes data)', () => {
    it('the world gives every demo scope something to see', async () => {
      const shares = await shareRows();
      const positive = shares.filter((share) => Number(share.reo_kg) > 0).map((share) => share.holder_id);
      for (const key of ['bayan', 'weishan', 'kundulun', 'jiuyuan', 'longnan', 'dingnan'])
        expect(positive, key).toContain(`enterprise:${enterpriseId(fx, key)}`);
      expect(positive).toEqual(expect.arrayContaining(['group:northern', 'group:china-re']));
      const notices = await noticeRows();
      for (const authority of ['150000-industry_it', '360000-industry_it'])
        expect(notices.map((item) => item.recipient_id)).toContain(authority);
    });

    it.each(granted.allocationRead)(
      '%s: runs, listed or read one by one, hold exactly the shares in scope',
      async (login) => {
        const client = fx.clients[login];
        const shares = await shareRows();
        const runIds = (await db().selectFrom('allocation_run').select('id').execute()).map((row) => row.id);
        const listed = await client.get('/api/v1/allocation-runs');
        expect(listed.statusCode).toBe(200);
        const runs = listed.json<Run[]>();
        expect(new Set(runs.map((run) => run.id))).toEqual(new Set(runIds));
        expect(mentionsOutsideScope(login, listed.body), `${login} lists runs`).toEqual([]);
        for (const run of runs) {
          const expected = shares
            .filter((share) => share.run_id === run.id && shareVisible(fx, login, share))
            .map((share) => share.holder_id)
            .sort();
          expect(run.shares.map((share) => share.holder_id).sort(), `${login} lists run ${run.id}`).toEqual(expected);
          const one = await client.get(`/api/v1/allocation-runs/${run.id}`);
          expect(one.statusCode).toBe(200);
          expect(one.json<Run>(), `${login} reads run ${run.id}`).toEqual(run);
        }
        for (const status of ['proposed', 'approved', 'issued', 'withdrawn']) {
          const filtered = (await client.get(`/api/v1/allocation-runs?status=${status}`)).json<Run[]>();
          for (const run of filtered) {
            expect(run.status).toBe(status);
            for (const share of run.shares) expect(shareVisible(fx, login, share), share.holder_id).toBe(true);
          }
        }
      },
    );

    it.each(granted.allocationRead.filter((login) => reachOf[login].kind !== 'national'))(
      "%s: a group run's total does not disclose the group's share",
      async (login) => {
        // A department official or an enterprise sees no group shares; a group-level run's total is
        // exactly the group's issued share, so it must not be shown to them either.
        const groupShares = (await shareRows()).filter((share) => share.holder_kind === 'group');
        const runs = (await fx.clients[login].get('/api/v1/allocation-runs')).json<Run[]>();
        const disclosed: string[] = [];
        for (const run of runs.filter((item) => item.level === 'group')) {
          const visibleSum = run.shares.reduce((sum, share) => sum + share.reo_kg, 0);
          const share = groupShares.find((item) => item.holder_id === `group:${run.group_id}`);
          if (share && run.total_reo_kg === Number(share.reo_kg) && run.total_reo_kg !== visibleSum)
            disclosed.push(`run ${run.id} of group ${run.group_id}: total_reo_kg ${run.total_reo_kg}`);
        }
        expect(disclosed).toEqual([]);
      },
    );

    it.each(granted.allocationRead)('%s: receipts hold exactly the notices in scope', async (login) => {
      const notices = await noticeRows();
      for (const runId of [...new Set(notices.map((item) => item.run_id))]) {
        const response = await fx.clients[login].get(`/api/v1/allocation-runs/${runId}/receipts`);
        expect(response.statusCode).toBe(200);
        expect(mentionsOutsideScope(login, response.body), `${login} receipts of run ${runId}`).toEqual([]);
        const expected = notices
          .filter((item) => item.run_id === runId && receiptVisible(fx, login, item))
          .map((item) => item.id)
          .sort();
        expect(
          response
            .json<Notice[]>()
            .map((item) => item.id)
            .sort(),
          `${login} receipts of run ${runId}`,
        ).toEqual(expected);
      }
    });

    it.each(granted.noticeRead)('%s: /notices holds exactly the notices addressed to the caller', async (login) => {
      const reach = reachOf[login];
      const mine = (await noticeRows()).filter((item) =>
        item.recipient_kind === 'enterprise'
          ? reach.kind === 'enterprise' && item.recipient_id === enterpriseId(fx, reach.key)
          : item.recipient_id === authorityOf[login],
      );
      const response = await fx.clients[login].get('/api/v1/notices');
      expect(response.statusCode).toBe(200);
      expect(mentionsOutsideScope(login, response.body)).toEqual([]);
      expect(
        response
          .json<Notice[]>()
          .map((item) => item.id)
          .sort(),
      ).toEqual(mine.map((item) => item.id).sort());
    });

    it.each(granted.ledgerRead)(
      "%s: every demo enterprise's quota and entries: the ledger's figures in scope, 404 outside",
      async (login) => {
        const client = fx.clients[login];
        const mismatches: string[] = [];
        for (const row of Object.values(fx.enterprises)) {
          const expected = seesEnterprise(login, row) ? 200 : 404;
          const quota = await client.get(`/api/v1/quota/enterprises/${row.id}?year=${YEAR}`);
          const entries = await client.get(`/api/v1/quota/enterprises/${row.id}/entries?year=${YEAR}`);
          if (quota.statusCode !== expected) mismatches.push(`${row.key} quota: ${quota.statusCode}`);
          if (entries.statusCode !== expected) mismatches.push(`${row.key} entries: ${entries.statusCode}`);
          if (expected === 404) {
            expectProblem(quota, 404, 'not_found');
            expectProblem(entries, 404, 'not_found');
            continue;
          }
          const issued = (await issuedShares()).filter(
            (share) => share.holder_id === `enterprise:${row.id}` && Number(share.reo_kg) > 0,
          );
          const lines = quota.json<{ lines: { allocated_reo_kg: number }[] }>().lines;
          // Before the matrix makes adjustments, what an enterprise was allocated is what was issued to it.
          expect(
            lines.reduce((sum, line) => sum + line.allocated_reo_kg, 0),
            `${login} sees ${row.key}`,
          ).toBe(issued.reduce((sum, share) => sum + Number(share.reo_kg), 0));
          expect(entries.json<unknown[]>().length).toBe(issued.length);
        }
        expect(mismatches).toEqual([]);
      },
    );

    it.each(['nmg.iit', 'baotou.iit', 'ent.bayan', 'ent.dingnan'] as const)(
      "a token of %s reads runs, receipts, notices and quota with exactly its user's scope",
      async (login) => {
        const created = await fx.clients[login].post('/api/v1/auth/tokens', { name: `quota scope ${login}` });
        expect(created.statusCode).toBe(201);
        const bearer = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
        const urls = [
          '/api/v1/allocation-runs',
          `/api/v1/allocation-runs/${fx.world.groupRuns['northern:separation']}`,
          `/api/v1/allocation-runs/${fx.world.groupRuns['china-re:separation']}/receipts`,
          '/api/v1/notices',
          ...['bayan', 'kundulun', 'dingnan', 'longnan'].map(
            (key) => `/api/v1/quota/enterprises/${enterpriseId(fx, key)}?year=${YEAR}`,
          ),
        ];
        for (const url of urls) {
          const viaToken = await context.anonymous.request('GET', url, undefined, bearer);
          const viaSession = await fx.clients[login].get(url);
          expect(viaToken.statusCode, `${login} token ${url}`).toBe(viaSession.statusCode);
          if (viaSession.statusCode === 200)
            expect(viaToken.json(), `${login} token ${url}`).toEqual(viaSession.json());
        }
      },
    );

    it('enterprise users and the operator cannot read the indicators; oversight and the operator get no notices', async () => {
      for (const login of ['ent.bayan', 'ent.dingnan', 'operator'] as const) {
        expectProblem(await fx.clients[login].get('/api/v1/indicator-plans'), 403, 'forbidden');
        expectProblem(await fx.clients[login].get(`/api/v1/indicator-batches/${fx.world.batchId}`), 403, 'forbidden');
      }
      for (const login of ['oversight', 'operator'] as const)
        expectProblem(await fx.clients[login].get('/api/v1/notices'), 403, 'forbidden');
    });
  });

  describe('the route matrix', () => {
    it.each(allocationMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, [...allocationLogins, 'anonymous'])).toEqual([]);
      },
    );
  });

  describe('second-person rules', () => {
    it('whoever drafted a batch cannot record its approval; the other MIIT official can', async () => {
      for (const drafter of ['miit', 'miit.review'] as const) {
        const id = await submittedBatch(fx, drafter);
        const before = await worldDigest(db());
        expectProblem(
          await fx.clients[drafter].post(`/api/v1/indicator-batches/${id}/approve`, APPROVAL),
          403,
          'forbidden',
        );
        expect(await worldDigest(db()), `${drafter} approving its own draft wrote something`).toBe(before);
        const other = drafter === 'miit' ? 'miit.review' : 'miit';
        const approved = await fx.clients[other].post(`/api/v1/indicator-batches/${id}/approve`, APPROVAL);
        expect(approved.statusCode, approved.body).toBe(200);
        expect(await worldDigest(db()), 'the digest sees an approval').not.toBe(before);
        const row = await db()
          .selectFrom('indicator_batch')
          .select(['status', 'drafted_by', 'approval_recorded_by'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({
          status: 'approved',
          drafted_by: fx.users[drafter],
          approval_recorded_by: fx.users[other],
        });
      }
    });

    it('whoever proposed a run cannot approve it; a second official with allocation.write can', async () => {
      for (const [proposer, approver] of [
        ['miit', 'mnr'],
        ['mnr', 'miit.review'],
        ['miit.review', 'miit'],
      ] as const) {
        const id = await proposedRun(fx, proposer);
        const before = await worldDigest(db());
        expectProblem(await fx.clients[proposer].post(`/api/v1/allocation-runs/${id}/approve`), 403, 'forbidden');
        // Nor can someone without allocation.write approve it for them.
        expectProblem(await fx.clients.ndrc.post(`/api/v1/allocation-runs/${id}/approve`), 403, 'forbidden');
        expect(await worldDigest(db()), `${proposer} approving its own run wrote something`).toBe(before);
        const approved = await fx.clients[approver].post(`/api/v1/allocation-runs/${id}/approve`);
        expect(approved.statusCode, approved.body).toBe(200);
        expect(await worldDigest(db()), 'the digest sees an approval').not.toBe(before);
        expect(approved.json<{ status: string; approved_by: string }>()).toMatchObject({
          status: 'approved',
          approved_by: fx.users[approver],
        });
      }
    });
  });

  describe('the notice cascade stays within scope', () => {
    it('a county department reads a forwarded notice but cannot forward it; others cannot touch it', async () => {
      // The demo has no Jiangxi provincial official: the operator proposes one and MIIT approves it.
      const created = await createApprovedUser(context, fx.clients.operator, {
        login: 'jx.iit',
        display_name: '江西省工信厅 测试科长',
        password: DEMO_PASSWORD,
        role: 'department_official',
        authority_id: '360000-industry_it',
      });
      expect(created.statusCode, created.body).toBe(201);
      const jiangxi = await context.as('jx.iit');
      const source = noticeId(fx, 'china-re:mining_rock', { authority: '360000-industry_it' });
      const forwarded = await jiangxi.post(`/api/v1/notices/${source}/forward`);
      expect(forwarded.statusCode, forwarded.body).toBe(200);

      const county = (await fx.clients['longnan.iit'].get('/api/v1/notices')).json<Notice[]>();
      expect(county.map((item) => [item.recipient_id, item.forwarded_from])).toEqual([['360783-industry_it', source]]);
      const countyNotice = county[0]!;
      const body = JSON.stringify(countyNotice);
      // The county's copy names only its own enterprises.
      expect(body).toContain(enterpriseId(fx, 'longnan'));
      for (const key of ['dingnan', 'xinfeng', 'mianning', 'pingyuan', 'fusui', 'jianghua'])
        expect(body, key).not.toContain(enterpriseId(fx, key));

      const before = await worldDigest(db());
      expectProblem(
        await fx.clients['longnan.iit'].post(`/api/v1/notices/${countyNotice.id}/forward`),
        403,
        'forbidden',
      );
      for (const login of ['ganzhou.nr', 'baotou.iit', 'nmg.iit', 'ent.bayan', 'miit'] as const)
        expectProblem(await fx.clients[login].post(`/api/v1/notices/${countyNotice.id}/read`), 404, 'not_found');
      for (const login of ['ganzhou.nr', 'nmg.iit'] as const)
        expectProblem(await fx.clients[login].post(`/api/v1/notices/${countyNotice.id}/forward`), 404, 'not_found');
      // Nor can a provincial official forward what another province was sent.
      expectProblem(await fx.clients['nmg.iit'].post(`/api/v1/notices/${source}/forward`), 404, 'not_found');
      expect(await worldDigest(db())).toBe(before);

      const read = await fx.clients['longnan.iit'].post(`/api/v1/notices/${countyNotice.id}/read`);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json<Notice>().read_at).not.toBeNull();

      // Ganzhou sees the county's receipt (in its division), not the province's; Baotou sees neither.
      const receipts = (login: AllocationLogin) =>
        fx.clients[login]
          .get(`/api/v1/allocation-runs/${fx.world.groupRuns['china-re:mining_rock']}/receipts`)
          .then((response) => response.json<Notice[]>().map((item) => item.recipient_id));
      expect(await receipts('ganzhou.nr')).toContain('360783-industry_it');
      expect(await receipts('ganzhou.nr')).not.toContain('360000-industry_it');
      expect(await receipts('longnan.iit')).toContain('360783-industry_it');
      expect(await receipts('baotou.iit')).toEqual([]);
    });
  });

  describe('CSRF', () => {
    it('a cookie-session write to the new routes without X-CSRF-Token gets 403 csrf and writes nothing', async () => {
      const session = await rawSession(context, 'miit');
      const draft = await submittedBatch(fx, 'miit.review');
      const run = await proposedRun(fx, 'mnr');
      const attempts: { method: 'POST' | 'PUT'; url: string; payload?: object }[] = [
        {
          method: 'POST',
          url: '/api/v1/indicator-plans',
          payload: {
            year: 2099,
            memo: {
              economic_goals: 'x',
              reserves_and_variety: 'x',
              industry_development: 'x',
              ecological_protection: 'x',
              market_demand: 'x',
            },
            weights: { capacity: 1, technical: 0, environment: 0, safety: 0 },
            penalty_reduction_ppm: 0,
          },
        },
        {
          method: 'POST',
          url: `/api/v1/indicator-plans/${YEAR}/batches`,
          payload: { name: 'CSRF', totals: [{ category: 'mining_rock', total_reo_kg: 1 }] },
        },
        {
          method: 'PUT',
          url: `/api/v1/indicator-batches/${fx.world.draftBatchId}/totals`,
          payload: { expected_version: 1, totals: [{ category: 'mining_rock', total_reo_kg: 1 }] },
        },
        { method: 'POST', url: `/api/v1/indicator-batches/${draft}/approve`, payload: APPROVAL },
        { method: 'POST', url: '/api/v1/allocation/what-if', payload: whatIfInput() },
        {
          method: 'POST',
          url: '/api/v1/allocation-runs',
          payload: { mode: 'engine', batch_id: fx.world.spareBatchId, category: 'mining_rock', level: 'national' },
        },
        { method: 'POST', url: `/api/v1/allocation-runs/${run}/approve` },
        {
          method: 'POST',
          url: '/api/v1/ledger/adjustments',
          payload: {
            key: 'csrf-adjustment',
            year: YEAR,
            category: 'mining_ion_adsorption',
            enterprise_id: enterpriseId(fx, 'bayan'),
            kind: 'adjust',
            reo_kg: 1,
            memo: 'CSRF',
          },
        },
      ];
      const before = await worldDigest(db());
      for (const attempt of attempts) {
        for (const csrf of [undefined, 'wrong']) {
          const headers: Record<string, string> = { cookie: session.cookie };
          if (csrf !== undefined) headers['x-csrf-token'] = csrf;
          const response = await context.app.inject({
            method: attempt.method,
            url: attempt.url,
            headers,
            ...(attempt.payload !== undefined ? { payload: attempt.payload } : {}),
          });
          expectProblem(response, 403, 'csrf');
        }
      }
      expect(await worldDigest(db())).toBe(before);
    });
  });
});
