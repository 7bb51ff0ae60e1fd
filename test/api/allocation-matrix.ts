import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { nextSerial } from './api-helpers.ts';
import {
  addressedTo,
  APPROVAL,
  approvedRun,
  cosignedBatch,
  draftBatch,
  enterpriseId,
  enterpriseRead,
  granted,
  MISSING,
  noticeId,
  only,
  planMemo,
  proposedRun,
  reachOf,
  seesDivision,
  seesEnterprise,
  sharedFixture,
  submittedBatch,
  whatIfInput,
  YEAR,
  type AllocationCaller,
  type AllocationFixtures,
  type AllocationLogin,
} from './allocation-world.ts';
import type { MatrixCase } from './route-matrix.ts';

/**
 * The authorization matrix of the indicator, allocation, notice and ledger routes. These cases are the one
 * list of them: authorization-allocation.db.test.ts runs them, and the route-coverage check in
 * authorization.db.test.ts counts them as covered.
 */
export type AllocationCase = MatrixCase<AllocationFixtures, AllocationCaller>;

const login = (caller: AllocationCaller): AllocationLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no scope');
  return caller;
};

interface Share {
  holder_kind: 'group' | 'enterprise';
  holder_id: string;
}
interface Run {
  id: string;
  status: string;
  approved_by: string | null;
  shares: Share[];
}
interface Notice {
  id: string;
  recipient_kind: 'enterprise' | 'authority';
  recipient_id: string;
  read_at: string | null;
  forwarded_from: string | null;
}

/** Whether a caller may see a share: group shares nationally only; enterprise shares by the enterprise's scope. */
export function shareVisible(fx: AllocationFixtures, caller: AllocationLogin, share: Share): boolean {
  if (share.holder_kind === 'group') return reachOf[caller].kind === 'national';
  const id = share.holder_id.replace(/^enterprise:/, '');
  const row = Object.values(fx.enterprises).find((item) => item.id === id);
  if (!row) throw new Error(`share of an unknown enterprise ${share.holder_id}`);
  return seesEnterprise(caller, row);
}

/** Whether a caller may see a notice's read receipt: the same rule as for shares, applied to its addressee. */
export function receiptVisible(
  fx: AllocationFixtures,
  caller: AllocationLogin,
  notice: Omit<Notice, 'id' | 'read_at' | 'forwarded_from'>,
): boolean {
  if (notice.recipient_kind === 'authority') {
    const seat = notice.recipient_id.slice(0, 6);
    return /^\d{6}$/.test(seat) ? seesDivision(caller, seat) : reachOf[caller].kind === 'national';
  }
  const row = Object.values(fx.enterprises).find((item) => item.id === notice.recipient_id);
  if (!row) throw new Error(`notice to an unknown enterprise ${notice.recipient_id}`);
  return seesEnterprise(caller, row);
}

const runsVisible = (fx: AllocationFixtures, caller: AllocationCaller, response: LightMyRequestResponse) => {
  const body = response.json<Run | Run[]>();
  for (const run of Array.isArray(body) ? body : [body])
    for (const share of run.shares)
      expect(shareVisible(fx, login(caller), share), `${caller} sees ${share.holder_id} in run ${run.id}`).toBe(true);
};

async function batchVersion(fx: AllocationFixtures, id: string): Promise<number> {
  const row = await fx.context.database.db
    .selectFrom('indicator_batch')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.version;
}

/** A fresh fixture for the callers expected to succeed, a shared one (left unchanged) for those refused. */
function freshForSuccess(
  expected: Record<AllocationCaller, number>,
  key: string,
  make: (fx: AllocationFixtures, caller: AllocationLogin) => Promise<string>,
  url: (id: string) => string,
) {
  return async (fx: AllocationFixtures, caller: AllocationCaller) => {
    if (caller !== 'anonymous' && expected[caller] < 400) return { url: url(await make(fx, caller)) };
    return { url: url(await sharedFixture(fx, key, () => make(fx, 'miit'))) };
  };
}

let planYears = 2040;
/** A year no plan has: 2040 onwards (the world's plan is for 2026; 2039 stays without one). */
const nextPlanYear = () => {
  planYears += 1;
  return planYears;
};

function indicatorCases(): AllocationCase[] {
  const reads = only(200, granted.indicatorRead);
  const drafts = only(201, granted.indicatorDraft);
  const edits = only(200, granted.indicatorDraft);
  const cosigns = only(200, granted.indicatorCosign);
  const approves = only(200, granted.indicatorApprove);
  const batchUrl = (id: string) => `/api/v1/indicator-batches/${id}`;
  return [
    {
      route: 'GET /api/v1/indicator-plans',
      name: 'all plans',
      expect: reads,
      url: () => '/api/v1/indicator-plans',
      verify: (_fx, _caller, response) => {
        expect(response.json<{ year: number }[]>().map((plan) => plan.year)).toContain(YEAR);
      },
    },
    {
      route: 'POST /api/v1/indicator-plans',
      name: 'a year without a plan',
      expect: drafts,
      url: () => '/api/v1/indicator-plans',
      body: () => ({
        year: nextPlanYear(),
        memo: planMemo,
        weights: { capacity: 1, technical: 0, environment: 0, safety: 0 },
        penalty_reduction_ppm: 0,
      }),
    },
    {
      route: 'GET /api/v1/indicator-plans/{year}',
      name: String(YEAR),
      expect: reads,
      url: () => `/api/v1/indicator-plans/${YEAR}`,
      verify: (_fx, _caller, response) => expect(response.json<{ year: number }>().year).toBe(YEAR),
    },
    {
      route: 'GET /api/v1/indicator-plans/{year}',
      name: 'a year without a plan (2039)',
      expect: only(404, granted.indicatorRead),
      url: () => '/api/v1/indicator-plans/2039',
    },
    {
      route: 'POST /api/v1/indicator-plans/{year}/batches',
      name: String(YEAR),
      expect: drafts,
      url: () => `/api/v1/indicator-plans/${YEAR}/batches`,
      body: () => ({ name: `矩阵批次${nextSerial()}`, totals: [{ category: 'mining_rock', total_reo_kg: 1000 }] }),
    },
    {
      route: 'POST /api/v1/indicator-plans/{year}/batches',
      name: 'a year without a plan (2039)',
      expect: only(404, granted.indicatorDraft),
      url: () => '/api/v1/indicator-plans/2039/batches',
      body: () => ({ name: '无计划', totals: [{ category: 'mining_rock', total_reo_kg: 1000 }] }),
    },
    {
      route: 'GET /api/v1/indicator-batches/{id}',
      name: 'a draft',
      expect: reads,
      url: (fx) => batchUrl(fx.world.draftBatchId),
    },
    {
      route: 'GET /api/v1/indicator-batches/{id}',
      name: 'the approved and issued batch',
      expect: reads,
      url: (fx) => batchUrl(fx.world.batchId),
      verify: (fx, _caller, response) => {
        expect(response.json<{ id: string; status: string }>()).toMatchObject({
          id: fx.world.batchId,
          status: 'issued',
        });
      },
    },
    {
      route: 'GET /api/v1/indicator-batches/{id}',
      name: 'missing',
      expect: only(404, granted.indicatorRead),
      url: () => batchUrl(MISSING),
    },
    {
      route: 'PUT /api/v1/indicator-batches/{id}/totals',
      name: 'a draft',
      expect: edits,
      url: (fx) => `${batchUrl(fx.world.draftBatchId)}/totals`,
      body: async (fx) => ({
        expected_version: await batchVersion(fx, fx.world.draftBatchId),
        totals: [{ category: 'mining_rock', total_reo_kg: 1000 + nextSerial() }],
      }),
    },
    {
      route: 'PUT /api/v1/indicator-batches/{id}/totals',
      name: 'missing',
      expect: only(404, granted.indicatorDraft),
      url: () => `${batchUrl(MISSING)}/totals`,
      body: () => ({ expected_version: 1, totals: [{ category: 'mining_rock', total_reo_kg: 1 }] }),
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/cosign',
      name: 'a fresh draft',
      expect: cosigns,
      url: () => '',
      prepare: freshForSuccess(
        cosigns,
        'draft batch',
        (fx) => draftBatch(fx),
        (id) => `${batchUrl(id)}/cosign`,
      ),
      verify: (_fx, caller, response) => {
        const authority = { mnr: 'MNR', ndrc: 'NDRC' }[caller as 'mnr' | 'ndrc'];
        expect(
          response.json<{ cosigns: { authority_id: string }[] }>().cosigns.map((item) => item.authority_id),
        ).toEqual([authority]);
      },
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/cosign',
      name: 'missing',
      expect: only(404, granted.indicatorCosign),
      url: () => `${batchUrl(MISSING)}/cosign`,
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/submit',
      name: 'a fresh co-signed batch',
      expect: edits,
      url: () => '',
      prepare: freshForSuccess(
        edits,
        'cosigned batch',
        (fx) => cosignedBatch(fx),
        (id) => `${batchUrl(id)}/submit`,
      ),
      verify: (_fx, _caller, response) => expect(response.json<{ status: string }>().status).toBe('submitted'),
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/submit',
      name: 'missing',
      expect: only(404, granted.indicatorDraft),
      url: () => `${batchUrl(MISSING)}/submit`,
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/approve',
      name: 'a fresh submitted batch another official drafted',
      expect: approves,
      url: () => '',
      body: () => APPROVAL,
      prepare: freshForSuccess(
        approves,
        'submitted batch',
        (fx, caller) => submittedBatch(fx, caller === 'miit' ? 'miit.review' : 'miit'),
        (id) => `${batchUrl(id)}/approve`,
      ),
      verify: (_fx, _caller, response) => expect(response.json<{ status: string }>().status).toBe('approved'),
    },
    {
      // Second person: whoever drafted a batch cannot record its approval.
      route: 'POST /api/v1/indicator-batches/{id}/approve',
      name: 'a fresh submitted batch the caller drafted',
      expect: only(403, []),
      url: () => '',
      body: () => APPROVAL,
      prepare: async (fx, caller) => {
        const drafter = caller === 'miit.review' ? 'miit.review' : 'miit';
        const id =
          caller === 'miit' || caller === 'miit.review'
            ? await submittedBatch(fx, drafter)
            : await sharedFixture(fx, 'submitted batch', () => submittedBatch(fx));
        return { url: `${batchUrl(id)}/approve` };
      },
    },
    {
      route: 'POST /api/v1/indicator-batches/{id}/approve',
      name: 'missing',
      expect: only(404, granted.indicatorApprove),
      url: () => `${batchUrl(MISSING)}/approve`,
      body: () => APPROVAL,
    },
  ];
}

function allocationCases(): AllocationCase[] {
  const writes = only(200, granted.allocationWrite);
  const reads = only(200, granted.allocationRead);
  const runUrl = (id: string) => `/api/v1/allocation-runs/${id}`;
  return [
    {
      route: 'GET /api/v1/allocation/input',
      name: 'the spare batch, rock mining, national',
      expect: writes,
      url: (fx) => `/api/v1/allocation/input?batch_id=${fx.world.spareBatchId}&category=mining_rock&level=national`,
      verify: (_fx, _caller, response) => {
        expect(response.json<{ holders: { id: string }[] }>().holders.map((item) => item.id)).toEqual(
          expect.arrayContaining(['group:northern', 'group:china-re']),
        );
      },
    },
    {
      route: 'GET /api/v1/allocation/input',
      name: 'a missing batch',
      expect: only(404, granted.allocationWrite),
      url: () => `/api/v1/allocation/input?batch_id=${MISSING}&category=mining_rock&level=national`,
    },
    {
      route: 'POST /api/v1/allocation/what-if',
      name: 'three holders',
      expect: writes,
      effect: 'nothing',
      url: () => '/api/v1/allocation/what-if',
      body: () => whatIfInput(),
    },
    {
      route: 'POST /api/v1/allocation/compare',
      name: 'two totals',
      expect: writes,
      effect: 'nothing',
      url: () => '/api/v1/allocation/compare',
      body: () => ({ a: whatIfInput(1000), b: whatIfInput(1200) }),
    },
    {
      route: 'GET /api/v1/allocation-runs',
      name: 'all runs, shares in scope only',
      expect: reads,
      url: () => '/api/v1/allocation-runs',
      verify: runsVisible,
    },
    {
      route: 'GET /api/v1/allocation-runs',
      name: 'issued runs of the 2026 batch',
      expect: reads,
      url: (fx) => `/api/v1/allocation-runs?status=issued&batch_id=${fx.world.batchId}`,
      verify: runsVisible,
    },
    {
      route: 'POST /api/v1/allocation-runs',
      name: 'engine, national, on the spare batch',
      expect: only(201, granted.allocationWrite),
      url: () => '/api/v1/allocation-runs',
      body: (fx) => ({ mode: 'engine', batch_id: fx.world.spareBatchId, category: 'mining_rock', level: 'national' }),
      verify: (_fx, _caller, response) => expect(response.json<Run>().status).toBe('proposed'),
    },
    {
      route: 'POST /api/v1/allocation-runs',
      name: 'a missing batch',
      expect: only(404, granted.allocationWrite),
      url: () => '/api/v1/allocation-runs',
      body: () => ({ mode: 'engine', batch_id: MISSING, category: 'mining_rock', level: 'national' }),
    },
    ...(['mining_rock', 'separation'] as const).map((category): AllocationCase => ({
      route: 'GET /api/v1/allocation-runs/{id}',
      name: `the national ${category} run`,
      expect: reads,
      url: (fx) => runUrl(fx.world.nationalRuns[category]),
      verify: runsVisible,
    })),
    ...(['northern:mining_rock', 'china-re:separation'] as const).map((key): AllocationCase => ({
      route: 'GET /api/v1/allocation-runs/{id}',
      name: `the ${key} group run`,
      expect: reads,
      url: (fx) => runUrl(fx.world.groupRuns[key]),
      verify: runsVisible,
    })),
    {
      route: 'GET /api/v1/allocation-runs/{id}',
      name: 'missing',
      expect: only(404, granted.allocationRead),
      url: () => runUrl(MISSING),
    },
    {
      route: 'POST /api/v1/allocation-runs/{id}/approve',
      name: 'a fresh run another official proposed',
      expect: writes,
      url: () => '',
      prepare: freshForSuccess(
        writes,
        'proposed run',
        (fx, caller) => proposedRun(fx, caller === 'miit' ? 'mnr' : 'miit'),
        (id) => `${runUrl(id)}/approve`,
      ),
      verify: (fx, caller, response) => {
        expect(response.json<Run>()).toMatchObject({ status: 'approved', approved_by: fx.users[login(caller)] });
      },
    },
    {
      // Second person: whoever proposed a run cannot approve it.
      route: 'POST /api/v1/allocation-runs/{id}/approve',
      name: 'a fresh run the caller proposed',
      expect: only(403, []),
      url: () => '',
      prepare: async (fx, caller) => {
        const id = (granted.allocationWrite as readonly string[]).includes(caller)
          ? await proposedRun(fx, caller as 'miit' | 'miit.review' | 'mnr')
          : await sharedFixture(fx, 'proposed run', () => proposedRun(fx));
        return { url: `${runUrl(id)}/approve` };
      },
    },
    {
      route: 'POST /api/v1/allocation-runs/{id}/approve',
      name: 'missing',
      expect: only(404, granted.allocationWrite),
      url: () => `${runUrl(MISSING)}/approve`,
    },
    {
      route: 'POST /api/v1/allocation-runs/{id}/issue',
      name: 'a fresh approved run',
      expect: writes,
      url: () => '',
      prepare: freshForSuccess(
        writes,
        'approved run',
        (fx) => approvedRun(fx),
        (id) => `${runUrl(id)}/issue`,
      ),
      verify: (_fx, _caller, response) => expect(response.json<Run>().status).toBe('issued'),
    },
    {
      route: 'POST /api/v1/allocation-runs/{id}/issue',
      name: 'missing',
      expect: only(404, granted.allocationWrite),
      url: () => `${runUrl(MISSING)}/issue`,
    },
    ...(['northern:mining_rock', 'china-re:separation'] as const).map((key): AllocationCase => ({
      route: 'GET /api/v1/allocation-runs/{id}/receipts',
      name: `the ${key} group run`,
      expect: reads,
      url: (fx) => `${runUrl(fx.world.groupRuns[key])}/receipts`,
      verify: (fx, caller, response) => {
        for (const notice of response.json<Notice[]>())
          expect(
            receiptVisible(fx, login(caller), notice),
            `${caller} sees the receipt of ${notice.recipient_id}`,
          ).toBe(true);
      },
    })),
    {
      // As for the run itself: a run that does not exist has no receipts to list.
      route: 'GET /api/v1/allocation-runs/{id}/receipts',
      name: 'missing',
      expect: only(404, granted.allocationRead),
      url: () => `${runUrl(MISSING)}/receipts`,
    },
  ];
}

function noticeCases(): AllocationCase[] {
  const noticeUrl = (id: string) => `/api/v1/notices/${id}`;
  return [
    {
      route: 'GET /api/v1/notices',
      name: 'my notices',
      expect: only(200, granted.noticeRead),
      url: () => '/api/v1/notices',
      verify: (fx, caller, response) => {
        const reach = login(caller);
        for (const notice of response.json<Notice[]>()) {
          const mine =
            notice.recipient_kind === 'enterprise'
              ? reach === 'ent.bayan'
                ? notice.recipient_id === enterpriseId(fx, 'bayan')
                : reach === 'ent.dingnan' && notice.recipient_id === enterpriseId(fx, 'dingnan')
              : notice.recipient_id === authorityOf[reach];
          expect(mine, `${caller} is sent notice ${notice.recipient_kind} ${notice.recipient_id}`).toBe(true);
        }
      },
    },
    {
      route: 'POST /api/v1/notices/{id}/read',
      name: "the Baotou mine's notice (rock mining)",
      expect: addressedTo('ent.bayan', granted.noticeRead),
      url: (fx) => `${noticeUrl(noticeId(fx, 'northern:mining_rock', { enterprise: 'bayan' }))}/read`,
      verify: async (fx, caller, response) => {
        const notice = response.json<Notice>();
        expect(notice.read_at).not.toBeNull();
        const row = await fx.context.database.db
          .selectFrom('notice')
          .select('read_by')
          .where('id', '=', notice.id)
          .executeTakeFirstOrThrow();
        expect(row.read_by).toBe(fx.users[login(caller)]);
      },
    },
    {
      route: 'POST /api/v1/notices/{id}/read',
      name: "the Dingnan plant's notice (separation)",
      expect: addressedTo('ent.dingnan', granted.noticeRead),
      url: (fx) => `${noticeUrl(noticeId(fx, 'china-re:separation', { enterprise: 'dingnan' }))}/read`,
    },
    {
      route: 'POST /api/v1/notices/{id}/read',
      name: "Inner Mongolia's notice (separation)",
      expect: addressedTo('nmg.iit', granted.noticeRead),
      url: (fx) => `${noticeUrl(noticeId(fx, 'northern:separation', { authority: '150000-industry_it' }))}/read`,
    },
    {
      route: 'POST /api/v1/notices/{id}/read',
      name: "Jiangxi's notice (no demo user is its addressee)",
      expect: addressedTo(null, granted.noticeRead),
      url: (fx) => `${noticeUrl(noticeId(fx, 'china-re:mining_rock', { authority: '360000-industry_it' }))}/read`,
    },
    {
      route: 'POST /api/v1/notices/{id}/read',
      name: 'missing',
      expect: only(404, granted.noticeRead),
      url: () => `${noticeUrl(MISSING)}/read`,
    },
    {
      route: 'POST /api/v1/notices/{id}/forward',
      name: "Inner Mongolia's notice (rock mining)",
      expect: addressedTo('nmg.iit', granted.noticeForward),
      url: (fx) => `${noticeUrl(noticeId(fx, 'northern:mining_rock', { authority: '150000-industry_it' }))}/forward`,
      verify: (fx, _caller, response) => {
        const source = noticeId(fx, 'northern:mining_rock', { authority: '150000-industry_it' });
        const forwarded = response.json<Notice[]>();
        expect(forwarded.find((item) => item.id === source)?.read_at).not.toBeNull();
      },
    },
    {
      route: 'POST /api/v1/notices/{id}/forward',
      name: "Jiangxi's notice (no demo user is its addressee)",
      expect: addressedTo(null, granted.noticeForward),
      url: (fx) => `${noticeUrl(noticeId(fx, 'china-re:separation', { authority: '360000-industry_it' }))}/forward`,
    },
    {
      route: 'POST /api/v1/notices/{id}/forward',
      name: "the Baotou mine's own notice (an enterprise's notice is not forwarded)",
      expect: addressedTo(null, granted.noticeForward),
      url: (fx) => `${noticeUrl(noticeId(fx, 'northern:mining_rock', { enterprise: 'bayan' }))}/forward`,
    },
    {
      route: 'POST /api/v1/notices/{id}/forward',
      name: 'missing',
      expect: only(404, granted.noticeForward),
      url: () => `${noticeUrl(MISSING)}/forward`,
    },
  ];
}

/** The authority each caller receives notices as (ministries have none addressed to them in the world). */
export const authorityOf: Record<AllocationLogin, string | null> = {
  miit: 'MIIT',
  'miit.review': 'MIIT',
  mnr: 'MNR',
  ndrc: 'NDRC',
  'nmg.iit': '150000-industry_it',
  'baotou.iit': '150200-industry_it',
  'ganzhou.nr': '360700-natural_resources',
  'longnan.iit': '360783-industry_it',
  'ent.bayan': null,
  'ent.dingnan': null,
  oversight: null,
  operator: null,
};

function ledgerCases(): AllocationCase[] {
  const quotaUrl = (id: string) => `/api/v1/quota/enterprises/${id}`;
  const cases: AllocationCase[] = [];
  for (const key of ['bayan', 'weishan', 'longnan', 'dingnan'] as const) {
    cases.push(
      {
        route: 'GET /api/v1/quota/enterprises/{id}',
        name: key,
        expect: enterpriseRead(key, granted.ledgerRead),
        url: (fx) => `${quotaUrl(enterpriseId(fx, key))}?year=${YEAR}`,
        verify: (fx, _caller, response) => {
          const quota = response.json<{ enterprise_id: string; lines: { allocated_reo_kg: number }[] }>();
          expect(quota.enterprise_id).toBe(enterpriseId(fx, key));
          expect(quota.lines.reduce((sum, line) => sum + line.allocated_reo_kg, 0)).toBeGreaterThan(0);
        },
      },
      {
        route: 'GET /api/v1/quota/enterprises/{id}/entries',
        name: key,
        expect: enterpriseRead(key, granted.ledgerRead),
        url: (fx) => `${quotaUrl(enterpriseId(fx, key))}/entries?year=${YEAR}`,
        verify: (_fx, _caller, response) => expect(response.json<unknown[]>().length).toBeGreaterThan(0),
      },
    );
  }
  cases.push(
    {
      route: 'GET /api/v1/quota/enterprises/{id}',
      name: 'missing',
      expect: only(404, granted.ledgerRead),
      url: () => `${quotaUrl(MISSING)}?year=${YEAR}`,
    },
    {
      route: 'GET /api/v1/quota/enterprises/{id}/entries',
      name: 'missing',
      expect: only(404, granted.ledgerRead),
      url: () => `${quotaUrl(MISSING)}/entries?year=${YEAR}`,
    },
    {
      route: 'POST /api/v1/ledger/adjustments',
      name: 'from the ion-adsorption pool to the Baotou mine',
      expect: only(201, granted.ledgerWrite),
      url: () => '/api/v1/ledger/adjustments',
      body: (fx) => ({
        key: `matrix-adjust-${nextSerial()}`,
        year: YEAR,
        category: 'mining_ion_adsorption',
        enterprise_id: enterpriseId(fx, 'bayan'),
        kind: 'adjust',
        reo_kg: 10,
        memo: '矩阵测试追加',
      }),
      verify: (_fx, _caller, response) => {
        expect(response.json<{ direction: string; reo_kg: number }>()).toMatchObject({ direction: 'in', reo_kg: 10 });
      },
    },
    {
      route: 'POST /api/v1/ledger/adjustments',
      name: 'a missing enterprise',
      expect: only(404, granted.ledgerWrite),
      url: () => '/api/v1/ledger/adjustments',
      body: () => ({
        key: `matrix-adjust-${nextSerial()}`,
        year: YEAR,
        category: 'mining_ion_adsorption',
        enterprise_id: MISSING,
        kind: 'adjust',
        reo_kg: 10,
        memo: '矩阵测试追加',
      }),
    },
    {
      route: 'GET /api/v1/ledger/trial-balance',
      name: String(YEAR),
      expect: only(200, granted.ledgerWrite),
      url: () => `/api/v1/ledger/trial-balance?year=${YEAR}`,
      verify: (_fx, _caller, response) => expect(response.json<{ sum: number }>().sum).toBe(0),
    },
  );
  return cases;
}

/** Every case of the indicator, allocation, notice and ledger routes. */
export function allocationMatrix(): AllocationCase[] {
  return [...indicatorCases(), ...allocationCases(), ...noticeCases(), ...ledgerCases()];
}
