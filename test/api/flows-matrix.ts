import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import {
  creditCodeOf,
  domicileOf,
  enterpriseId,
  enterpriseRead,
  everyone,
  freshBayanBatch,
  freshProduce,
  granted,
  mayTrace,
  MISSING,
  MISSING_BATCH,
  only,
  PERIOD,
  reachOf,
  seesEnterprise,
  traceable,
  worldBatches,
  type FlowsCaller,
  type FlowsExpectation,
  type FlowsFixtures,
  type FlowsLogin,
  type WorldBatch,
} from './flows-world.ts';
import type { MatrixCase } from './route-matrix.ts';

/**
 * The authorization matrix of the flow, declaration, trace, certificate, check and anomaly routes (the flow
 * file routes are in flow-files-matrix.ts). authorization-flows.db.test.ts runs these cases; the
 * route-coverage check in authorization.db.test.ts counts them as covered.
 */
export type FlowsCase = MatrixCase<FlowsFixtures, FlowsCaller>;

const login = (caller: FlowsCaller): FlowsLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no scope');
  return caller;
};

/** Whether a caller sees an enterprise, by id (any demo enterprise). */
export function seesEnterpriseId(fx: FlowsFixtures, caller: FlowsLogin, id: string): boolean {
  const row = Object.values(fx.enterprises).find((item) => item.id === id);
  if (!row) throw new Error(`an unknown enterprise ${id}`);
  return seesEnterprise(caller, row);
}

const allInScope =
  (pick: (body: unknown) => string[]) => (fx: FlowsFixtures, caller: FlowsCaller, response: LightMyRequestResponse) => {
    for (const id of pick(response.json()))
      expect(seesEnterpriseId(fx, login(caller), id), `${caller} is shown enterprise ${id}`).toBe(true);
  };

interface Item {
  enterprise_id: string;
}
const itemsOf = (body: unknown) => (body as { items: Item[] }).items.map((item) => item.enterprise_id);
const listOf = (body: unknown) => (body as Item[]).map((item) => item.enterprise_id);

async function anomalyState(fx: FlowsFixtures, id: string): Promise<{ status: string; version: number }> {
  return fx.context.database.db
    .selectFrom('anomaly')
    .select(['status', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** The next allowed status from the current one, so that every successful caller makes a valid move. */
const nextStatus: Record<string, string> = {
  open: 'explained',
  explained: 'open',
  confirmed: 'closed',
  closed: 'open',
};

/** A body for a transition of the anomaly as it is now (the current version and an allowed status). */
const transitionBody = (id: (fx: FlowsFixtures) => string) => async (fx: FlowsFixtures, caller: FlowsCaller) => {
  const current = await anomalyState(fx, id(fx));
  return {
    expected_version: current.version,
    status: nextStatus[current.status],
    note: `matrix: ${caller} moves it`,
  };
};

let sealMonths = 0;
/** A past month no one has sealed: 2024-01 onwards, one per successful call (March 2026 is the world's). */
const nextSealMonth = () => {
  const index = sealMonths;
  sealMonths += 1;
  return `${2024 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};

const batchUrl = (fx: FlowsFixtures, code: WorldBatch) => `/api/v1/batches/${fx.world.batches[code]}`;

function flowCases(): FlowsCase[] {
  const writes = only(201, granted.flowWrite);
  return [
    {
      route: 'POST /api/v1/flows',
      name: "a fresh produce event of the caller's own enterprise",
      expect: writes,
      url: () => '/api/v1/flows',
      body: (_fx, caller) => ({
        events: [freshProduce(caller, caller === 'ent.bayan' ? 'BASTNAESITE_CONC' : 'ND2O3')],
      }),
      verify: (fx, caller, response) => {
        const key = (reachOf[login(caller)] as { key: string }).key;
        expect(response.json<{ enterprise_id: string; accepted: number }>()).toMatchObject({
          enterprise_id: enterpriseId(fx, key),
          accepted: 1,
        });
      },
    },
    {
      route: 'GET /api/v1/flows',
      name: "bayan's March",
      expect: enterpriseRead('bayan'),
      url: (fx) => `/api/v1/flows?enterprise_id=${enterpriseId(fx, 'bayan')}&period=${PERIOD}`,
      verify: (_fx, _caller, response) => {
        const page = response.json<{ items: { event_id: string }[]; total: number }>();
        expect(page.total).toBe(5);
        expect(page.items.map((item) => item.event_id)).toContain('BY-S-1');
      },
    },
    {
      route: 'GET /api/v1/flows',
      name: "dingnan's March",
      expect: enterpriseRead('dingnan'),
      url: (fx) => `/api/v1/flows?enterprise_id=${enterpriseId(fx, 'dingnan')}&period=${PERIOD}`,
      verify: (_fx, _caller, response) => {
        expect(response.json<{ items: { event_id: string }[] }>().items.map((item) => item.event_id)).toContain(
          'DN-X-1',
        );
      },
    },
    {
      route: 'GET /api/v1/flows',
      name: "kundulun's shipments of one batch",
      expect: enterpriseRead('kundulun'),
      url: (fx) =>
        `/api/v1/flows?enterprise_id=${enterpriseId(fx, 'kundulun')}&period=${PERIOD}&kind=ship&batch=KD-PRND-01`,
      verify: (_fx, _caller, response) => {
        expect(response.json<{ items: { event_id: string }[] }>().items.map((item) => item.event_id)).toEqual([
          'KD-S-1',
        ]);
      },
    },
    {
      route: 'GET /api/v1/flows',
      name: 'an enterprise that does not exist',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/flows?enterprise_id=${MISSING}&period=${PERIOD}`,
    },
    {
      route: 'GET /api/v1/flows/submissions/{id}',
      name: "bayan's March submission",
      expect: enterpriseRead('bayan'),
      url: (fx) => `/api/v1/flows/submissions/${fx.world.submissions.bayan}`,
      verify: (fx, _caller, response) => {
        expect(response.json<{ submission_id: string; enterprise_id: string }>()).toMatchObject({
          submission_id: fx.world.submissions.bayan,
          enterprise_id: enterpriseId(fx, 'bayan'),
        });
      },
    },
    {
      route: 'GET /api/v1/flows/submissions/{id}',
      name: "dingnan's March submission",
      expect: enterpriseRead('dingnan'),
      url: (fx) => `/api/v1/flows/submissions/${fx.world.submissions.dingnan}`,
    },
    {
      route: 'GET /api/v1/flows/submissions/{id}',
      name: 'missing',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/flows/submissions/${MISSING}`,
    },
  ];
}

function declarationCases(): FlowsCase[] {
  return [
    {
      route: 'GET /api/v1/declarations',
      name: "bayan's 2026",
      expect: enterpriseRead('bayan'),
      url: (fx) => `/api/v1/declarations?enterprise_id=${enterpriseId(fx, 'bayan')}&year=2026`,
      verify: (fx, _caller, response) => {
        const months = response.json<{ enterprise_id: string; period: string; status: string }[]>();
        expect(new Set(months.map((item) => item.enterprise_id))).toEqual(new Set([enterpriseId(fx, 'bayan')]));
        expect(months.find((item) => item.period === PERIOD)?.status).toBe('late');
      },
    },
    {
      route: 'GET /api/v1/declarations',
      name: "dingnan's 2026",
      expect: enterpriseRead('dingnan'),
      url: (fx) => `/api/v1/declarations?enterprise_id=${enterpriseId(fx, 'dingnan')}&year=2026`,
    },
    {
      route: 'GET /api/v1/declarations',
      name: 'an enterprise that does not exist',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/declarations?enterprise_id=${MISSING}&year=2026`,
    },
    {
      route: 'GET /api/v1/declarations/board',
      name: 'March',
      expect: only(200, granted.board),
      url: () => `/api/v1/declarations/board?period=${PERIOD}`,
      verify: (fx, caller, response) => {
        allInScope(listOf)(fx, caller, response);
        // Each official's board holds the world's enterprises in its scope.
        const ids = new Set(listOf(response.json()));
        for (const key of Object.keys(domicileOf) as (keyof typeof domicileOf)[])
          expect(ids.has(enterpriseId(fx, key)), `${caller} board lists ${key}`).toBe(
            seesEnterprise(login(caller), { key, domicile_code: domicileOf[key] }),
          );
      },
    },
    {
      route: 'POST /api/v1/declarations',
      name: 'a past month the caller has not sealed',
      expect: only(201, granted.flowWrite),
      url: () => '/api/v1/declarations',
      body: () => ({ period: nextSealMonth() }),
      verify: (fx, caller, response) => {
        const key = (reachOf[login(caller)] as { key: string }).key;
        expect(response.json<{ enterprise_id: string; version: number }>()).toMatchObject({
          enterprise_id: enterpriseId(fx, key),
          version: 1,
        });
      },
    },
  ];
}

/** A search answers 200 to every reader, listing the batch only to those who may trace it. */
function searchCase(code: WorldBatch): FlowsCase {
  return {
    route: 'GET /api/v1/batches',
    name: `code ${code}`,
    expect: only(200, granted.flowRead),
    url: () => `/api/v1/batches?code=${code}`,
    verify: (fx, caller, response) => {
      const { maker, holders } = worldBatches[code];
      const found = response.json<{ id: number }[]>().map((item) => item.id);
      expect(found, `${caller} searches ${code}`).toEqual(
        mayTrace(login(caller), maker, holders) ? [fx.world.batches[code]] : [],
      );
    },
  };
}

/**
 * Forward traces: an enterprise sees its own movements and its partners' records of trading with it; any
 * other movement keeps its quantities but names neither who recorded it nor with whom.
 */
function movementsHidden(fx: FlowsFixtures, caller: FlowsCaller, response: LightMyRequestResponse) {
  const reach = reachOf[login(caller)];
  if (reach.kind !== 'enterprise') return;
  const own = fx.enterprises[reach.key]!;
  interface Movement {
    event_id: string;
    enterprise: { credit_code: string } | null;
    counterparty_name: string | null;
  }
  for (const movement of response.json<{ movements: Movement[] }>().movements) {
    if (movement.enterprise === null) {
      expect(movement, `${caller}: an unnamed movement`).toMatchObject({ event_id: '', counterparty_name: null });
    } else if (movement.enterprise.credit_code !== own.credit_code) {
      expect(movement.counterparty_name, `${caller}: a named movement of another enterprise`).toBe(own.name);
    }
  }
}

function traceCases(): FlowsCase[] {
  const certificateUrl = (id: number) => `/api/v1/batches/${id}/certificates`;
  const fresh = traceable('BY-2603-03', 201, granted.certificateIssue);
  return [
    searchCase('BY-2603-01'),
    searchCase('KD-PRND-01'),
    searchCase('LN-2603-01'),
    {
      route: 'GET /api/v1/batches',
      name: 'a code no one made',
      expect: only(200, granted.flowRead),
      url: () => '/api/v1/batches?code=NO-SUCH-BATCH',
      verify: (_fx, _caller, response) => expect(response.json()).toEqual([]),
    },
    ...(['BY-2603-01', 'BY-2603-03', 'KD-PRND-01', 'LN-2603-01', 'DN-DY-01'] as const).map((code): FlowsCase => ({
      route: 'GET /api/v1/batches/{id}',
      name: code,
      expect: traceable(code),
      url: (fx) => batchUrl(fx, code),
      verify: (_fx, _caller, response) => expect(response.json<{ code: string }>().code).toBe(code),
    })),
    {
      route: 'GET /api/v1/batches/{id}',
      name: 'missing',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/batches/${MISSING_BATCH}`,
    },
    ...(['KD-PRND-01', 'BY-2603-01', 'DN-DY-01'] as const).map((code): FlowsCase => ({
      route: 'GET /api/v1/batches/{id}/trace/back',
      name: code,
      expect: traceable(code),
      url: (fx) => `${batchUrl(fx, code)}/trace/back`,
      verify: (_fx, _caller, response) => {
        const trace = response.json<{ batch: { code: string }; origins: { batch: { code: string } }[] }>();
        expect(trace.batch.code).toBe(code);
        expect(trace.origins.length).toBeGreaterThan(0);
      },
    })),
    {
      route: 'GET /api/v1/batches/{id}/trace/back',
      name: 'missing',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/batches/${MISSING_BATCH}/trace/back`,
    },
    ...(['BY-2603-01', 'KD-PRND-01', 'LN-2603-01'] as const).map((code): FlowsCase => ({
      route: 'GET /api/v1/batches/{id}/trace/forward',
      name: code,
      expect: traceable(code),
      url: (fx) => `${batchUrl(fx, code)}/trace/forward`,
      verify: movementsHidden,
    })),
    {
      route: 'GET /api/v1/batches/{id}/trace/forward',
      name: 'missing',
      expect: only(404, granted.flowRead),
      url: () => `/api/v1/batches/${MISSING_BATCH}/trace/forward`,
    },
    {
      // Issuing is audited: each caller who may trace a batch of bayan's gets a fresh one, so that its
      // certificate is new. Those refused all ask for the world's unshipped BY-2603-03.
      route: 'POST /api/v1/batches/{id}/certificates',
      name: 'a fresh batch of bayan (held by no one else)',
      expect: fresh,
      url: (fx) => certificateUrl(fx.world.batches['BY-2603-03']),
      prepare: async (fx, caller) => (fresh[caller] === 201 ? { url: certificateUrl(await freshBayanBatch(fx)) } : {}),
      verify: (fx, _caller, response) => {
        const certificate = response.json<{ content: { batch: { maker: { credit_code: string } } } }>();
        expect(certificate.content.batch.maker.credit_code).toBe(creditCodeOf(fx, 'bayan'));
      },
    },
    {
      // Asking again for a batch's certificate returns the one issued, changing nothing.
      route: 'POST /api/v1/batches/{id}/certificates',
      name: "KD-PRND-01 again (its certificate exists): made by kundulun, held by dingnan, not bayan's",
      expect: traceable('KD-PRND-01', 200, granted.certificateIssue),
      effect: 'nothing',
      url: (fx) => certificateUrl(fx.world.batches['KD-PRND-01']),
      verify: (fx, _caller, response) => expect(response.json<{ code: string }>().code).toBe(fx.world.certificate),
    },
    {
      route: 'POST /api/v1/batches/{id}/certificates',
      name: 'missing',
      expect: only(404, granted.certificateIssue),
      url: () => certificateUrl(MISSING_BATCH),
    },
    {
      route: 'GET /api/v1/public/certificates/{code}',
      name: "kundulun's certificate",
      expect: everyone(200),
      url: (fx) => `/api/v1/public/certificates/${fx.world.certificate}`,
      verify: (fx, _caller, response) => {
        const verification = response.json<{ code: string; status: string }>();
        expect(verification).toMatchObject({ code: fx.world.certificate, status: 'verified' });
        // The check shows what the certificate states, and nothing about where the batch went.
        expect(response.body).not.toContain(enterpriseId(fx, 'dingnan'));
        expect(response.body).not.toContain(creditCodeOf(fx, 'dingnan'));
      },
    },
    {
      route: 'GET /api/v1/public/certificates/{code}',
      name: 'a code never issued',
      expect: everyone(404),
      url: () => '/api/v1/public/certificates/00000-00000-00000-00000',
    },
  ];
}

function checkCases(): FlowsCase[] {
  const anomalyUrl = (id: string) => `/api/v1/anomalies/${id}`;
  const anomalyOf = (key: 'bayan' | 'dingnan'): FlowsExpectation => enterpriseRead(key, granted.anomalyRead);
  const moves = (key: 'bayan' | 'dingnan'): FlowsExpectation => enterpriseRead(key, granted.anomalyWrite);
  return [
    {
      route: 'POST /api/v1/checks/runs',
      name: 'March again (nothing new)',
      expect: only(200, granted.checksRun),
      url: () => '/api/v1/checks/runs',
      body: () => ({ period: PERIOD }),
      verify: (_fx, _caller, response) =>
        expect(response.json<{ anomalies_found: number }>().anomalies_found).toBeGreaterThan(0),
    },
    {
      route: 'GET /api/v1/anomalies',
      name: 'all in scope',
      expect: only(200, granted.anomalyRead),
      url: () => '/api/v1/anomalies?page_size=200',
      verify: allInScope(itemsOf),
    },
    {
      route: 'GET /api/v1/anomalies',
      name: "filtered to dingnan's",
      expect: only(200, granted.anomalyRead),
      url: (fx) => `/api/v1/anomalies?page_size=200&enterprise_id=${enterpriseId(fx, 'dingnan')}`,
      verify: (fx, caller, response) => {
        const page = response.json<{ items: Item[]; total: number }>();
        const sees = seesEnterprise(login(caller), { key: 'dingnan', domicile_code: domicileOf.dingnan });
        expect(page.total > 0, `${caller} sees dingnan's anomalies`).toBe(sees);
        allInScope(itemsOf)(fx, caller, response);
      },
    },
    {
      route: 'GET /api/v1/anomalies/{id}',
      name: "bayan's output above quota",
      expect: anomalyOf('bayan'),
      url: (fx) => anomalyUrl(fx.world.anomalies.bayan),
      verify: (fx, _caller, response) =>
        expect(response.json<{ enterprise_id: string }>().enterprise_id).toBe(enterpriseId(fx, 'bayan')),
    },
    {
      route: 'GET /api/v1/anomalies/{id}',
      name: "dingnan's output above quota",
      expect: anomalyOf('dingnan'),
      url: (fx) => anomalyUrl(fx.world.anomalies.dingnan),
    },
    {
      route: 'GET /api/v1/anomalies/{id}',
      name: 'missing',
      expect: only(404, granted.anomalyRead),
      url: () => anomalyUrl(MISSING),
    },
    {
      route: 'POST /api/v1/anomalies/{id}/transitions',
      name: "bayan's anomaly, at its current version",
      expect: moves('bayan'),
      url: (fx) => `${anomalyUrl(fx.world.anomalies.bayan)}/transitions`,
      body: transitionBody((fx) => fx.world.anomalies.bayan),
      verify: (_fx, caller, response) => {
        const transitions = response.json<{ transitions: { actor: string }[] }>().transitions;
        expect(transitions.at(-1)?.actor).toBe(caller);
      },
    },
    {
      route: 'POST /api/v1/anomalies/{id}/transitions',
      name: "dingnan's anomaly, at its current version",
      expect: moves('dingnan'),
      url: (fx) => `${anomalyUrl(fx.world.anomalies.dingnan)}/transitions`,
      body: transitionBody((fx) => fx.world.anomalies.dingnan),
    },
    {
      route: 'POST /api/v1/anomalies/{id}/transitions',
      name: 'missing',
      expect: only(404, granted.anomalyWrite),
      url: () => `${anomalyUrl(MISSING)}/transitions`,
      body: () => ({ expected_version: 1, status: 'explained', note: 'matrix' }),
    },
  ];
}

export function flowsMatrix(): FlowsCase[] {
  return [...flowCases(), ...declarationCases(), ...traceCases(), ...checkCases()];
}
