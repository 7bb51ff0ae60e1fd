import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { pdfBytes } from '../supervision/supervision-world.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { findUserByLogin } from '../../src/server/modules/auth/auth.repository.ts';
import { createApprovedUser, demoEnterpriseIds, nextSerial, type DemoEnterpriseRow } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures, Prepared } from './route-matrix.ts';

/**
 * The authorization matrix of the supervision routes (Arts. 12–16): inspections, evidence, violations, decisions,
 * follow-up and upward reports. authorization-supervision.db.test.ts runs these cases; the route-coverage check in
 * authorization.db.test.ts counts them as covered.
 *
 * The rules, written out here from DESIGN.md §3 invariant 6 and docs/supervision.md, independently of the server:
 * everyone but the operator reads (supervision.read), each within its scope — the ministries and oversight all,
 * an official the enterprises under its division, an enterprise its own; an object outside the scope is 404. The
 * industry & IT and natural resources departments and MIIT and MNR write (supervision.write), within the same
 * scope; NDRC, oversight and enterprises never write (403); enterprises have no upward view (403).
 *
 * Writes belong to the deciding authority (docs/supervision.md): a decision's follow-up (comply, close, reopen), its
 * finality and its report upward belong to the deciding division and department alone — not the county below, not
 * the other department of the same division, not the ministries (403 for them in scope). An inspection's visit,
 * evidence and reassignment, and a decision on a recorded violation, belong to the owning department at its division
 * or above (its ministry included); the other department is refused (403). `ganzhou.iit` (Ganzhou, industry & IT)
 * is made for these cases: its decision on the Longnan mine (county 360783, below Ganzhou) is one the Longnan
 * county department of the same line may read but not close.
 */

export const supervisionLogins = [
  'miit',
  'mnr',
  'ndrc',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'ganzhou.iit',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
  'operator',
] as const;
export type SupervisionLogin = (typeof supervisionLogins)[number];
export type SupervisionCaller = SupervisionLogin | 'anonymous';
export const supervisionCallers: readonly SupervisionCaller[] = [...supervisionLogins, 'anonymous'];
type Expectation = Record<SupervisionCaller, number>;

/** The two enterprises of the world: a Baotou mine (150206) and a Ganzhou separation plant (360728). */
type WorldKey = 'bayan' | 'dingnan';

interface World {
  inspection: Record<WorldKey, string>;
  evidence: Record<WorldKey, string>;
  violation: Record<WorldKey, string>;
  decision: Record<WorldKey, string>;
}
export interface SupervisionFixtures extends MatrixFixtures<SupervisionCaller> {
  enterprises: Record<string, DemoEnterpriseRow>;
  world: World;
}
export type SupervisionCase = MatrixCase<SupervisionFixtures, SupervisionCaller>;

/** What part of the country a caller's reads reach: a division code prefix, an enterprise, all or nothing. */
type Reach = { kind: 'national' } | { kind: 'prefix'; prefix: string } | { kind: 'enterprise'; key: WorldKey };
const reachOf: Record<SupervisionLogin, Reach | null> = {
  miit: { kind: 'national' },
  mnr: { kind: 'national' },
  ndrc: { kind: 'national' },
  oversight: { kind: 'national' },
  'nmg.iit': { kind: 'prefix', prefix: '15' },
  'baotou.iit': { kind: 'prefix', prefix: '1502' },
  'ganzhou.nr': { kind: 'prefix', prefix: '3607' },
  'ganzhou.iit': { kind: 'prefix', prefix: '3607' },
  'longnan.iit': { kind: 'prefix', prefix: '360783' },
  'ent.bayan': { kind: 'enterprise', key: 'bayan' },
  'ent.dingnan': { kind: 'enterprise', key: 'dingnan' },
  operator: null,
};
/** The division each writer acts for (the nation for a ministry). */
const divisionOf: Partial<Record<SupervisionLogin, string>> = {
  miit: '000000',
  mnr: '000000',
  'nmg.iit': '150000',
  'baotou.iit': '150200',
  'ganzhou.nr': '360700',
  'ganzhou.iit': '360700',
  'longnan.iit': '360783',
};
const writers: readonly SupervisionLogin[] = [
  'miit',
  'mnr',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'ganzhou.iit',
  'longnan.iit',
];
/** The department each writer acts for. */
const departmentOf: Partial<Record<SupervisionLogin, 'industry_it' | 'natural_resources'>> = {
  miit: 'industry_it',
  mnr: 'natural_resources',
  'nmg.iit': 'industry_it',
  'baotou.iit': 'industry_it',
  'ganzhou.nr': 'natural_resources',
  'ganzhou.iit': 'industry_it',
  'longnan.iit': 'industry_it',
};

function sees(fx: SupervisionFixtures, login: SupervisionLogin, enterpriseId: string): boolean {
  const reach = reachOf[login];
  const row = Object.values(fx.enterprises).find((item) => item.id === enterpriseId);
  if (!reach || !row) return false;
  if (reach.kind === 'national') return true;
  if (reach.kind === 'prefix') return row.domicile_code.startsWith(reach.prefix);
  return row.key === reach.key;
}
/** Where the enterprises of the world are: and the Longnan mine (county 360783, under Ganzhou). */
type Place = WorldKey | 'longnan';
const domicile: Record<Place, string> = { bayan: '150206', dingnan: '360728', longnan: '360783' };
const seesKey = (login: SupervisionLogin, key: Place): boolean => {
  const reach = reachOf[login];
  if (!reach) return false;
  if (reach.kind === 'national') return true;
  if (reach.kind === 'prefix') return domicile[key].startsWith(reach.prefix);
  return reach.key === key;
};

/** A read of an object of `key`: 200 in scope, 404 outside, 403 for the operator, 401 anonymous. */
function readOf(key: Place): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of supervisionLogins) result[login] = login === 'operator' ? 403 : seesKey(login, key) ? 200 : 404;
  return result;
}
/** A write on an object of `key`: `ok` for writers in scope, 404 for writers outside, 403 for the rest. */
function writeOf(key: Place, ok: number): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of supervisionLogins)
    result[login] = !writers.includes(login) ? 403 : seesKey(login, key) ? ok : 404;
  return result;
}
/** The code prefix of a division: a province's two digits, a prefecture's four, a county's six. */
const prefixOf = (code: string) =>
  code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code;
/**
 * A write that belongs to the deciding authority alone (`decider`, its division and department): `ok` for it, 403
 * for every other caller who may see the record (the county below, the other department, the ministries), 404 for
 * writers who may not.
 */
function deciderOnly(key: Place, decider: SupervisionLogin, ok: number): Expectation {
  return { ...writeOf(key, 403), [decider]: ok };
}
/**
 * A write that belongs to the owning department at its division or above (`owner`): `ok` for that department there
 * and above it (its ministry included), 403 for the other department and for divisions below, 404 outside the scope.
 */
function ownerLine(key: Place, owner: SupervisionLogin, ok: number): Expectation {
  const result = writeOf(key, ok);
  const division = divisionOf[owner]!;
  for (const login of writers) {
    if (result[login] === 404) continue;
    const own = divisionOf[login]!;
    const above = own === '000000' || division.startsWith(prefixOf(own));
    result[login] = departmentOf[login] === departmentOf[owner] && above ? ok : 403;
  }
  return result;
}
/** A list or view everyone but the operator may open. */
const everyReader = (): Expectation => {
  const result = { anonymous: 401 } as Expectation;
  for (const login of supervisionLogins) result[login] = login === 'operator' ? 403 : 200;
  return result;
};

const login = (caller: SupervisionCaller): SupervisionLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no scope');
  return caller;
};
const idOf = (fx: SupervisionFixtures, key: Place) => fx.enterprises[key]!.id;
const fresh = (tag: string) => `matrix-${tag}-${process.pid}-${nextSerial()}`;

/* Building the world, through the API, as the competent officials. */

async function expectCreated(response: LightMyRequestResponse): Promise<string> {
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ id: string }>().id;
}

async function planInspection(client: Client, enterpriseId: string, inspector: string): Promise<string> {
  return expectCreated(
    await client.post('/api/v1/supervision/inspections', {
      enterprise_id: enterpriseId,
      planned_on: '2026-11-20',
      purpose: '矩阵检查',
      reasons: ['授权矩阵'],
      inspectors: [inspector],
      idempotency_key: fresh('plan'),
    }),
  );
}

async function recordViolation(client: Client, enterpriseId: string): Promise<string> {
  return expectCreated(
    await client.post('/api/v1/supervision/violations', {
      enterprise_id: enterpriseId,
      type: 'false_records',
      description: '矩阵违法行为',
      found_on: '2026-11-20',
      idempotency_key: fresh('violation'),
    }),
  );
}

async function decide(client: Client, violationId: string): Promise<string> {
  return expectCreated(
    await client.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      kind: 'correction_order',
      document_no: `矩阵责改〔2026〕${nextSerial()}号`,
      decided_on: '2026-11-21',
      final: false,
      correction_due_on: '2026-12-31',
      idempotency_key: fresh('decision'),
    }),
  );
}

/** A client that sends its body as a file of the given type. */
const sendingFile = (client: Client, type: string): Client => ({
  ...client,
  request: (method, url, body, headers = {}) => client.request(method, url, body, { ...headers, 'content-type': type }),
});

/**
 * The officials the demo lacks: Ganzhou's industry & IT bureau, over the Longnan county bureau — proposed by the
 * operator and approved by an official of the authority above, as a department official must be.
 */
async function addOfficials(context: TestContext): Promise<void> {
  const db = context.database.db;
  if (await findUserByLogin(db, 'ganzhou.iit')) return;
  const created = await createApprovedUser(context, await context.as('operator'), {
    login: 'ganzhou.iit',
    display_name: '赣州市工信局 矩阵测试',
    password: DEMO_PASSWORD,
    role: 'department_official',
    authority_id: '360700-industry_it',
    enterprise_id: null,
  });
  expect(created.statusCode, created.body).toBe(201);
}

export async function supervisionClients(context: TestContext): Promise<Record<SupervisionCaller, Client>> {
  await addOfficials(context);
  const clients = { anonymous: context.anonymous } as Record<SupervisionCaller, Client>;
  for (const name of supervisionLogins) clients[name] = await context.as(name);
  return clients;
}

/** An inspection with evidence, a violation and a decision for each enterprise, each reported upward. */
export async function buildSupervisionWorld(fx: Omit<SupervisionFixtures, 'world'>): Promise<World> {
  fx.enterprises = await demoEnterpriseIds(fx.context.database.db);
  const world = { inspection: {}, evidence: {}, violation: {}, decision: {} } as World;
  const makers: Record<WorldKey, SupervisionLogin> = { bayan: 'baotou.iit', dingnan: 'ganzhou.nr' };
  for (const key of ['bayan', 'dingnan'] as const) {
    const client = fx.clients[makers[key]];
    const enterpriseId = fx.enterprises[key]!.id;
    world.inspection[key] = await planInspection(client, enterpriseId, makers[key]);
    const evidence = await sendingFile(client, 'application/pdf').request(
      'POST',
      `/api/v1/supervision/inspections/${world.inspection[key]}/evidence?name=world.pdf`,
      pdfBytes(`world-${key}`),
    );
    world.evidence[key] = await expectCreated(evidence);
    world.violation[key] = await recordViolation(client, enterpriseId);
    world.decision[key] = await decide(client, world.violation[key]);
    const reported = await client.post(`/api/v1/supervision/decisions/${world.decision[key]}/report-upward`, {
      expected_version: 1,
    });
    expect(reported.statusCode, reported.body).toBe(200);
  }
  return world;
}

/* Checks of what a successful answer shows. */

interface Item {
  enterprise_id: string;
  reported_to_code?: string | null;
}
const allInScope = (fx: SupervisionFixtures, caller: SupervisionCaller, response: LightMyRequestResponse) => {
  const items = response.json<{ items: Item[] }>().items;
  for (const item of items)
    expect(sees(fx, login(caller), item.enterprise_id), `${caller} is shown ${item.enterprise_id}`).toBe(true);
};

/** A fresh object for a write that changes it, made as the official of its division. */
const freshDecision = async (fx: SupervisionFixtures): Promise<Prepared> => {
  const violation = await recordViolation(fx.clients['baotou.iit'], idOf(fx, 'bayan'));
  return { url: `/api/v1/supervision/decisions/${await decide(fx.clients['baotou.iit'], violation)}` };
};

/** A fresh decision of Ganzhou's industry & IT bureau on the Longnan mine (county 360783, below Ganzhou). */
const ganzhouDecision = async (fx: SupervisionFixtures): Promise<string> => {
  const violation = await recordViolation(fx.clients['ganzhou.iit'], idOf(fx, 'longnan'));
  return `/api/v1/supervision/decisions/${await decide(fx.clients['ganzhou.iit'], violation)}`;
};
/** A fresh inspection of the Longnan mine planned by Ganzhou's industry & IT bureau. */
const ganzhouInspection = async (fx: SupervisionFixtures): Promise<string> =>
  `/api/v1/supervision/inspections/${await planInspection(fx.clients['ganzhou.iit'], idOf(fx, 'longnan'), 'ganzhou.iit')}`;

export function supervisionMatrix(): SupervisionCase[] {
  const base = '/api/v1/supervision';
  const reads: SupervisionCase[] = [
    {
      route: 'GET /api/v1/supervision/violation-types',
      name: 'the type → legal basis table',
      expect: everyReader(),
      url: () => `${base}/violation-types`,
    },
    {
      route: 'GET /api/v1/supervision/inspections',
      name: 'inspections in scope only',
      expect: everyReader(),
      url: () => `${base}/inspections?page_size=200`,
      verify: allInScope,
    },
    {
      route: 'GET /api/v1/supervision/violations',
      name: 'violations in scope only',
      expect: everyReader(),
      url: () => `${base}/violations?page_size=200`,
      verify: allInScope,
    },
    {
      route: 'GET /api/v1/supervision/decisions',
      name: 'decisions in scope only, filtered by enterprise',
      expect: everyReader(),
      url: (fx) => `${base}/decisions?page_size=200&enterprise_id=${idOf(fx, 'dingnan')}`,
      verify: (fx, caller, response) => {
        allInScope(fx, caller, response);
        const total = response.json<{ total: number }>().total;
        if (!seesKey(login(caller), 'dingnan')) expect(total, `${caller} sees dingnan's decisions`).toBe(0);
      },
    },
    {
      route: 'GET /api/v1/supervision/reported',
      name: "results reported to the caller's division (officials only)",
      expect: { ...everyReader(), 'ent.bayan': 403, 'ent.dingnan': 403 },
      url: () => `${base}/reported?page_size=200`,
      verify: (fx, caller, response) => {
        allInScope(fx, caller, response);
        const own = divisionOf[login(caller)] ?? '000000';
        for (const item of response.json<{ items: Item[] }>().items) expect(item.reported_to_code).toBe(own);
      },
    },
  ];
  const byId: SupervisionCase[] = (['bayan', 'dingnan'] as const).flatMap((key): SupervisionCase[] => [
    {
      route: 'GET /api/v1/supervision/inspections/{id}',
      name: `${key}'s inspection`,
      expect: readOf(key),
      url: (fx) => `${base}/inspections/${fx.world.inspection[key]}`,
    },
    {
      route: 'GET /api/v1/supervision/evidence/{id}',
      name: `${key}'s evidence file`,
      expect: readOf(key),
      url: (fx) => `${base}/evidence/${fx.world.evidence[key]}`,
      verify: (_fx, _caller, response) => expect(response.headers['content-type']).toBe('application/pdf'),
    },
    {
      route: 'GET /api/v1/supervision/violations/{id}',
      name: `${key}'s violation`,
      expect: readOf(key),
      url: (fx) => `${base}/violations/${fx.world.violation[key]}`,
    },
    {
      route: 'GET /api/v1/supervision/decisions/{id}',
      name: `${key}'s decision`,
      expect: readOf(key),
      url: (fx) => `${base}/decisions/${fx.world.decision[key]}`,
    },
  ]);
  return [...reads, ...byId, ...writeCases()];
}

function writeCases(): SupervisionCase[] {
  const base = '/api/v1/supervision';
  return [
    {
      route: 'POST /api/v1/supervision/inspections',
      name: "plan an inspection of bayan's",
      expect: writeOf('bayan', 201),
      url: () => `${base}/inspections`,
      body: (fx) => ({
        enterprise_id: idOf(fx, 'bayan'),
        planned_on: '2026-12-01',
        purpose: '矩阵计划',
        reasons: ['授权矩阵'],
        inspectors: ['baotou.iit'],
        idempotency_key: fresh('plan'),
      }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/visit',
      name: "record the visit of Baotou's (industry & IT) inspection of bayan's: that department, at or above Baotou",
      expect: ownerLine('bayan', 'baotou.iit', 200),
      prepare: async (fx) => ({
        url: `${base}/inspections/${await planInspection(fx.clients['baotou.iit'], idOf(fx, 'bayan'), 'baotou.iit')}/visit`,
      }),
      url: () => '',
      body: () => ({ expected_version: 1, visited_on: '2026-11-20', findings: '未见异常', outcome: 'no_violation' }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/inspectors',
      name: "reassign Baotou's (industry & IT) planned inspection of bayan's: that department, at or above Baotou",
      expect: ownerLine('bayan', 'baotou.iit', 200),
      prepare: async (fx) => ({
        url: `${base}/inspections/${await planInspection(fx.clients['baotou.iit'], idOf(fx, 'bayan'), 'baotou.iit')}/inspectors`,
      }),
      url: () => '',
      body: () => ({ expected_version: 1, inspectors: ['nmg.iit'], note: '矩阵改派' }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/evidence',
      name: "attach evidence to Baotou's (industry & IT) inspection of bayan's: that department, at or above Baotou",
      expect: ownerLine('bayan', 'baotou.iit', 201),
      prepare: async (fx, caller) => ({ client: sendingFile(fx.clients[caller], 'application/pdf') }),
      url: (fx) => `${base}/inspections/${fx.world.inspection.bayan}/evidence?name=matrix.pdf`,
      body: (_fx, caller) => pdfBytes(`matrix-${caller}-${nextSerial()}`),
    },
    {
      route: 'POST /api/v1/supervision/violations',
      name: "record a violation of bayan's",
      expect: writeOf('bayan', 201),
      url: () => `${base}/violations`,
      body: (fx) => ({
        enterprise_id: idOf(fx, 'bayan'),
        type: 'flow_records_missing',
        description: '矩阵',
        found_on: '2026-11-20',
        idempotency_key: fresh('violation'),
      }),
    },
    {
      route: 'POST /api/v1/supervision/violations/{id}/decisions',
      name: "decide on Baotou's (industry & IT) violation of bayan's: that department, at or above Baotou",
      expect: ownerLine('bayan', 'baotou.iit', 201),
      url: (fx) => `${base}/violations/${fx.world.violation.bayan}/decisions`,
      body: () => ({
        kind: 'fine',
        document_no: `矩阵罚〔2026〕${nextSerial()}号`,
        decided_on: '2026-11-22',
        final: false,
        fine_yuan: 10_000,
        idempotency_key: fresh('fine'),
      }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/transitions',
      name: "close Baotou's decision on bayan's: only Baotou's industry & IT bureau, the deciding authority",
      expect: deciderOnly('bayan', 'baotou.iit', 200),
      prepare: async (fx) => {
        const { url } = await freshDecision(fx);
        return { url: `${url!}/transitions` };
      },
      url: () => '',
      body: () => ({ expected_version: 1, status: 'closed', note: '矩阵结案' }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/finality',
      name: 'revoke a decision of Baotou on appeal: only Baotou, the deciding division',
      expect: deciderOnly('bayan', 'baotou.iit', 200),
      prepare: async (fx) => {
        const { url } = await freshDecision(fx);
        return { url: `${url!}/finality` };
      },
      url: () => '',
      body: () => ({ expected_version: 1, outcome: 'revoked', effective_on: '2026-11-25', note: '矩阵撤销' }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/report-upward',
      name: 'report upward a decision of Baotou: only Baotou, the deciding division',
      expect: deciderOnly('bayan', 'baotou.iit', 200),
      prepare: async (fx) => {
        const { url } = await freshDecision(fx);
        return { url: `${url!}/report-upward` };
      },
      url: () => '',
      body: () => ({ expected_version: 1 }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/report-upward',
      name: "report upward a decision of Ganzhou's natural resources bureau: only it, not Ganzhou's industry & IT",
      expect: deciderOnly('dingnan', 'ganzhou.nr', 200),
      prepare: async (fx) => {
        const violation = await recordViolation(fx.clients['ganzhou.nr'], idOf(fx, 'dingnan'));
        return {
          url: `${base}/decisions/${await decide(fx.clients['ganzhou.nr'], violation)}/report-upward`,
        };
      },
      url: () => '',
      body: () => ({ expected_version: 1 }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/visit',
      name: "record the visit of Ganzhou's (natural resources) inspection of dingnan's: that department and MNR",
      expect: ownerLine('dingnan', 'ganzhou.nr', 200),
      prepare: async (fx) => ({
        url: `${base}/inspections/${await planInspection(fx.clients['ganzhou.nr'], idOf(fx, 'dingnan'), 'ganzhou.nr')}/visit`,
      }),
      url: () => '',
      body: () => ({ expected_version: 1, visited_on: '2026-11-20', findings: '未见异常', outcome: 'no_violation' }),
    },
    {
      route: 'POST /api/v1/supervision/violations/{id}/decisions',
      name: "decide on Ganzhou's (natural resources) violation of dingnan's: that department and MNR",
      expect: ownerLine('dingnan', 'ganzhou.nr', 201),
      url: (fx) => `${base}/violations/${fx.world.violation.dingnan}/decisions`,
      body: () => ({
        kind: 'referral',
        document_no: `矩阵移送〔2026〕${nextSerial()}号`,
        decided_on: '2026-11-22',
        final: false,
        referred_to: '赣州市公安局',
        idempotency_key: fresh('referral'),
      }),
    },
    ...deciderCases(),
  ];
}

/**
 * The deciding authority's own writes, on a decision of Ganzhou's industry & IT bureau (a prefecture) on the Longnan
 * mine: the Longnan county bureau of the same department below it reads it but may not close, comply, settle or
 * report it; nor may Ganzhou's natural resources bureau (the other department of the same division), nor MIIT.
 */
function deciderCases(): SupervisionCase[] {
  const base = '/api/v1/supervision';
  const onDecision =
    (path: string) =>
    async (fx: SupervisionFixtures): Promise<Prepared> => ({ url: `${await ganzhouDecision(fx)}/${path}` });
  return [
    {
      route: 'POST /api/v1/supervision/decisions/{id}/transitions',
      name: "close Ganzhou's (prefecture) decision on the Longnan mine: not the Longnan county bureau below it",
      expect: deciderOnly('longnan', 'ganzhou.iit', 200),
      prepare: onDecision('transitions'),
      url: () => '',
      body: () => ({ expected_version: 1, status: 'closed', note: '越级结案' }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/transitions',
      name: "record compliance with Ganzhou's decision on the Longnan mine: only Ganzhou's industry & IT bureau",
      expect: deciderOnly('longnan', 'ganzhou.iit', 200),
      prepare: onDecision('transitions'),
      url: () => '',
      body: () => ({ expected_version: 1, status: 'complied', note: '已整改' }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/finality',
      name: "revoke Ganzhou's decision on the Longnan mine on appeal: only Ganzhou's industry & IT bureau",
      expect: deciderOnly('longnan', 'ganzhou.iit', 200),
      prepare: onDecision('finality'),
      url: () => '',
      body: () => ({ expected_version: 1, outcome: 'revoked', effective_on: '2026-11-25', note: '复议撤销' }),
    },
    {
      route: 'POST /api/v1/supervision/decisions/{id}/report-upward',
      name: "report upward Ganzhou's decision on the Longnan mine: only Ganzhou's industry & IT bureau",
      expect: deciderOnly('longnan', 'ganzhou.iit', 200),
      prepare: onDecision('report-upward'),
      url: () => '',
      body: () => ({ expected_version: 1 }),
    },
    {
      route: 'POST /api/v1/supervision/violations/{id}/decisions',
      name: "decide on Ganzhou's violation of the Longnan mine: Ganzhou's industry & IT bureau or MIIT, not the county",
      expect: ownerLine('longnan', 'ganzhou.iit', 201),
      prepare: async (fx) => ({
        url: `${base}/violations/${await recordViolation(fx.clients['ganzhou.iit'], idOf(fx, 'longnan'))}/decisions`,
      }),
      url: () => '',
      body: () => ({
        kind: 'correction_order',
        document_no: `矩阵责改〔2026〕${nextSerial()}号`,
        decided_on: '2026-11-21',
        final: false,
        correction_due_on: '2026-12-31',
        idempotency_key: fresh('county-decision'),
      }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/visit',
      name: "record the visit of Ganzhou's inspection of the Longnan mine: not the county bureau below it",
      expect: ownerLine('longnan', 'ganzhou.iit', 200),
      prepare: async (fx) => ({ url: `${await ganzhouInspection(fx)}/visit` }),
      url: () => '',
      body: () => ({ expected_version: 1, visited_on: '2026-11-20', findings: '未见异常', outcome: 'no_violation' }),
    },
    {
      route: 'POST /api/v1/supervision/inspections/{id}/evidence',
      name: "attach evidence to Ganzhou's inspection of the Longnan mine: not the county bureau below it",
      expect: ownerLine('longnan', 'ganzhou.iit', 201),
      prepare: async (fx, caller) => ({
        url: `${await ganzhouInspection(fx)}/evidence?name=matrix.pdf`,
        client: sendingFile(fx.clients[caller], 'application/pdf'),
      }),
      url: () => '',
      body: (_fx, caller) => pdfBytes(`matrix-longnan-${caller}-${nextSerial()}`),
    },
  ];
}
