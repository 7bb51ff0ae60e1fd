import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { march, mineEvents, plantEvents } from '../flows/flow-world.ts';
import { nextSerial, type DemoEnterpriseRow } from './api-helpers.ts';
import type { MatrixFixtures } from './route-matrix.ts';

/**
 * Callers, scope rules and fixtures for the authorization tests of flows, declarations, traces,
 * certificates, checks and anomalies (test/api/authorization-flows.db.test.ts). The scope rules are written
 * out here, independently of the server's code, from DESIGN.md §3, docs/security.md and the trace rule
 * (who may trace a batch: the ministries and oversight; officials whose division holds its maker or one of
 * its holders; an enterprise that made or held it).
 */

export const flowsLogins = [
  'ent.bayan',
  'ent.kundulun',
  'ent.dingnan',
  'baotou.iit',
  'ganzhou.nr',
  'nmg.iit',
  'miit',
  'mnr',
  'oversight',
  'operator',
] as const;
export type FlowsLogin = (typeof flowsLogins)[number];
export type FlowsCaller = FlowsLogin | 'anonymous';
export const flowsCallers: readonly FlowsCaller[] = [...flowsLogins, 'anonymous'];
export type FlowsExpectation = Record<FlowsCaller, number>;

/** `ok` for the listed callers, `otherwise` for the other signed-in ones, 401 for anonymous. */
export function only(ok: number, who: readonly FlowsLogin[], otherwise = 403): FlowsExpectation {
  const result = { anonymous: 401 } as FlowsExpectation;
  for (const login of flowsLogins) result[login] = who.includes(login) ? ok : otherwise;
  return result;
}

/** Everyone, anonymous included: a public route. */
export function everyone(status: number): FlowsExpectation {
  const result = { anonymous: status } as FlowsExpectation;
  for (const login of flowsLogins) result[login] = status;
  return result;
}

/** Who holds which permission (src/server/modules/auth/auth.rules.ts, as docs/security.md states it). */
const allBut = (...excluded: FlowsLogin[]) => flowsLogins.filter((login) => !excluded.includes(login));
export const enterpriseLogins = ['ent.bayan', 'ent.kundulun', 'ent.dingnan'] as const;
export const granted = {
  /** Flow records, batches, traces, declarations: everyone but the operator. */
  flowRead: allBut('operator'),
  /** Issuing a certificate (a write): everyone who reads flows except oversight. */
  certificateIssue: allBut('operator', 'oversight'),
  /** Recording flows and sealing declarations: enterprise users only. */
  flowWrite: enterpriseLogins,
  anomalyRead: allBut('operator'),
  /** Moving an anomaly: officials (ministries and departments), not enterprises, not oversight. */
  anomalyWrite: ['baotou.iit', 'ganzhou.nr', 'nmg.iit', 'miit', 'mnr'],
  /** Running the month's checks: MIIT only. */
  checksRun: ['miit'],
  /** The declaration board: officials and oversight (enterprises are refused by the service). */
  board: ['baotou.iit', 'ganzhou.nr', 'nmg.iit', 'miit', 'mnr', 'oversight'],
} as const satisfies Record<string, readonly FlowsLogin[]>;

/** What part of the country a caller sees. */
export type Reach =
  | { readonly kind: 'national' }
  | { readonly kind: 'division'; readonly prefix: string }
  | { readonly kind: 'enterprise'; readonly key: string }
  | { readonly kind: 'none' };
export const reachOf: Record<FlowsLogin, Reach> = {
  miit: { kind: 'national' },
  mnr: { kind: 'national' },
  oversight: { kind: 'national' },
  // Inner Mongolia (150000), Baotou (150200), Ganzhou (360700).
  'nmg.iit': { kind: 'division', prefix: '15' },
  'baotou.iit': { kind: 'division', prefix: '1502' },
  'ganzhou.nr': { kind: 'division', prefix: '3607' },
  'ent.bayan': { kind: 'enterprise', key: 'bayan' },
  'ent.kundulun': { kind: 'enterprise', key: 'kundulun' },
  'ent.dingnan': { kind: 'enterprise', key: 'dingnan' },
  operator: { kind: 'none' },
};

/** Demo domiciles of the enterprises in the world (src/server/demo/demo-data.ts). */
export const domicileOf = {
  bayan: '150206',
  kundulun: '150203',
  longnan: '360783',
  dingnan: '360728',
} as const;
export type WorldEnterprise = keyof typeof domicileOf;

/** Whether a caller's scope takes in an enterprise (by its demo key and domicile). */
export function seesEnterprise(login: FlowsLogin, enterprise: { key: string; domicile_code: string }): boolean {
  const reach = reachOf[login];
  switch (reach.kind) {
    case 'national':
      return true;
    case 'division':
      return enterprise.domicile_code.startsWith(reach.prefix);
    case 'enterprise':
      return enterprise.key === reach.key;
    case 'none':
      return false;
  }
}

const world = (key: WorldEnterprise) => ({ key, domicile_code: domicileOf[key] });

/** Reading what belongs to one enterprise: in scope 200, outside 404, without the permission 403. */
export function enterpriseRead(key: WorldEnterprise, permission: readonly FlowsLogin[] = granted.flowRead) {
  const result = { anonymous: 401 } as FlowsExpectation;
  for (const login of flowsLogins)
    result[login] = !permission.includes(login) ? 403 : seesEnterprise(login, world(key)) ? 200 : 404;
  return result;
}

/** Whether a caller may trace a batch made by `maker` and held (now or before) by `holders`. */
export function mayTrace(login: FlowsLogin, maker: WorldEnterprise, holders: readonly WorldEnterprise[]): boolean {
  return [maker, ...holders].some((key) => seesEnterprise(login, world(key)));
}

/** A batch route: 200 for those who may trace it, 404 for the other readers. */
export function traceable(
  batch: WorldBatch,
  ok = 200,
  permission: readonly FlowsLogin[] = granted.flowRead,
): FlowsExpectation {
  const { maker, holders } = worldBatches[batch];
  const result = { anonymous: 401 } as FlowsExpectation;
  for (const login of flowsLogins)
    result[login] = !permission.includes(login) ? 403 : mayTrace(login, maker, holders) ? ok : 404;
  return result;
}

/** The batches of the world: their makers and the other enterprises that received them. */
export const worldBatches = {
  /** Bayan's concentrate, shipped to and received by kundulun, which separates it. */
  'BY-2603-01': { maker: 'bayan', holders: ['kundulun'] },
  /** Bayan's concentrate that stays at the mine. */
  'BY-2603-03': { maker: 'bayan', holders: [] },
  /** Kundulun's PrNd oxide (from bayan's ore): part shipped to dingnan, which exports part of it. */
  'KD-PRND-01': { maker: 'kundulun', holders: ['dingnan'] },
  /** Kundulun's La oxide, part exported. */
  'KD-LA-01': { maker: 'kundulun', holders: [] },
  /** Longnan's carbonate, shipped to and received by dingnan, which separates it. */
  'LN-2603-01': { maker: 'longnan', holders: ['dingnan'] },
  /** Dingnan's Dy oxide (from longnan's carbonate). */
  'DN-DY-01': { maker: 'dingnan', holders: [] },
} as const satisfies Record<string, { maker: WorldEnterprise; holders: readonly WorldEnterprise[] }>;
export type WorldBatch = keyof typeof worldBatches;

export const PERIOD = '2026-03';
export const MISSING = '00000000-0000-4000-8000-000000000000';
export const MISSING_BATCH = 999_999_999;
/** The names of the two enterprises abroad that buy from kundulun and from dingnan. */
export const KUNDULUN_CUSTOMER = 'Example Magnetics GmbH';
export const DINGNAN_CUSTOMER = 'Tokyo Magnet Trading KK';

export interface FlowsWorld {
  /** Batch ids by code. */
  batches: Record<WorldBatch, number>;
  /** The submissions that recorded the mine's and the Ganzhou plant's March. */
  submissions: { bayan: string; dingnan: string };
  /** An anomaly of each province found by the checks: bayan's and dingnan's output above quota. */
  anomalies: { bayan: string; dingnan: string };
  /** The certificate kundulun had issued for its PrNd oxide. */
  certificate: string;
}

export interface FlowsFixtures extends MatrixFixtures<FlowsCaller> {
  context: TestContext;
  clients: Record<FlowsCaller, Client>;
  /** The Ganzhou mine, which only builds the world (it is not one of the matrix's callers). */
  longnan: Client;
  /** Demo enterprises by key. */
  enterprises: Record<string, DemoEnterpriseRow>;
  world: FlowsWorld;
  /** Fixtures made once and shared by the callers a case refuses (a refusal changes nothing). */
  shared: Map<string, string>;
}

export const enterpriseId = (fx: FlowsFixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no demo enterprise ${key}`);
  return row.id;
};
export const creditCodeOf = (fx: FlowsFixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no demo enterprise ${key}`);
  return row.credit_code;
};

/** Asserts the status of a fixture-building call and returns its JSON. */
export async function expectStatus<T>(pending: Promise<LightMyRequestResponse>, status: number): Promise<T> {
  const response = await pending;
  expect(response.statusCode, response.body).toBe(status);
  return response.json<T>();
}

/** Records events as an enterprise (201) and returns the submission id. */
async function record(client: Client, events: unknown[]): Promise<string> {
  const result = await expectStatus<{ submission_id: string; accepted: number }>(
    client.post('/api/v1/flows', { events }),
    201,
  );
  expect(result.accepted).toBe(events.length);
  return result.submission_id;
}

/** A time in May 2026, Beijing: the month the matrix records its fresh events in (March is sealed). */
const may = (day: number) => `2026-05-${String(day).padStart(2, '0')}T10:00:00+08:00`;

/** One produce event of a new batch, with an event id and batch code no one has used. */
export function freshProduce(caller: string, product: 'BASTNAESITE_CONC' | 'ION_CARBONATE' | 'ND2O3') {
  const n = nextSerial();
  const tag = `${caller.replace(/\W/g, '')}-${n}`;
  return {
    event_id: `MX-P-${tag}`,
    kind: 'produce',
    event_time: may(1 + (n % 27)),
    batch: `MX-${tag}`,
    product,
    mass_kg: 100 + n,
    ...(product === 'ND2O3' ? {} : { grade_ppm: 500_000 }),
  };
}

/** A batch bayan has just produced (May 2026) and no one else has held; returns its id. */
export async function freshBayanBatch(fx: FlowsFixtures): Promise<number> {
  const event = freshProduce('bayan', 'BASTNAESITE_CONC');
  await record(fx.clients['ent.bayan'], [event]);
  return batchId(fx, event.batch);
}

/** The id of a batch by its code (there is one of each code in the world). */
export async function batchId(fx: FlowsFixtures, code: string): Promise<number> {
  const found = await expectStatus<{ id: number }[]>(
    fx.clients.miit.get(`/api/v1/batches?code=${encodeURIComponent(code)}`),
    200,
  );
  expect(found, `batches of code ${code}`).toHaveLength(1);
  return found[0]!.id;
}

/** The id of the anomaly of one rule found for an enterprise in March. */
async function anomalyOf(fx: FlowsFixtures, key: string, rule: string): Promise<string> {
  const page = await expectStatus<{ items: { id: string }[] }>(
    fx.clients.miit.get(`/api/v1/anomalies?period=${PERIOD}&rule=${rule}&enterprise_id=${enterpriseId(fx, key)}`),
    200,
  );
  expect(page.items, `${rule} anomalies of ${key}`).toHaveLength(1);
  return page.items[0]!.id;
}

/**
 * March 2026, recorded through the API: bayan mines concentrate and ships it to kundulun, which separates
 * it into PrNd and La oxide, exports La oxide and ships PrNd oxide to dingnan; dingnan exports part of that.
 * In Ganzhou, longnan mines carbonate and ships it to dingnan, which separates it. Bayan and kundulun seal
 * March (late); MIIT runs the month's checks (no quota is allocated in the demo, so every producer is over
 * its quota; the unsealed months are missing); kundulun has a certificate issued for its PrNd oxide.
 * Kundulun records its receipts and its separation in separate submissions, dingnan its whole month in one:
 * either way, a receiver has held what it received (and may trace it).
 */
export async function buildWorld(fx: FlowsFixtures): Promise<FlowsWorld> {
  const codes = Object.fromEntries(
    (['bayan', 'kundulun', 'longnan', 'dingnan', 'jiuyuan'] as const).map((key) => [key, creditCodeOf(fx, key)]),
  );
  const bayan = fx.clients['ent.bayan'];
  const kundulun = fx.clients['ent.kundulun'];
  const dingnan = fx.clients['ent.dingnan'];
  const kept = {
    event_id: 'BY-P-3',
    kind: 'produce',
    event_time: march(4),
    batch: 'BY-2603-03',
    product: 'BASTNAESITE_CONC',
    mass_kg: 5_000,
    grade_ppm: 500_000,
  };
  const bayanSubmission = await record(bayan, [...mineEvents(codes), kept]);
  // Kundulun sends its receipts, then its separation and sales; dingnan sends its whole month at once.
  const plant = plantEvents(codes);
  await record(
    kundulun,
    plant.filter((event) => event.kind === 'receive'),
  );
  await record(
    kundulun,
    plant.filter((event) => event.kind !== 'receive'),
  );
  await record(kundulun, [
    {
      event_id: 'KD-S-1',
      kind: 'ship',
      event_time: march(21),
      batch: 'KD-PRND-01',
      product: 'PRND_OXIDE',
      mass_kg: 1_000,
      counterparty: codes.dingnan,
      documents: { waybill_no: 'WB-KD-001', invoice_no: 'INV-KD-001' },
    },
  ]);
  await record(fx.longnan, [
    {
      event_id: 'LN-P-1',
      kind: 'produce',
      event_time: march(3),
      batch: 'LN-2603-01',
      product: 'ION_CARBONATE',
      mass_kg: 10_000,
      grade_ppm: 920_000,
    },
    {
      event_id: 'LN-S-1',
      kind: 'ship',
      event_time: march(5),
      batch: 'LN-2603-01',
      product: 'ION_CARBONATE',
      mass_kg: 10_000,
      grade_ppm: 920_000,
      counterparty: codes.dingnan,
      documents: { waybill_no: 'WB-LN-001' },
    },
  ]);
  const dingnanSubmission = await record(dingnan, [
    {
      event_id: 'DN-R-1',
      kind: 'receive',
      event_time: march(6),
      batch: 'LN-2603-01',
      product: 'ION_CARBONATE',
      mass_kg: 10_000,
      grade_ppm: 920_000,
      counterparty: codes.longnan,
      documents: { waybill_no: 'WB-LN-001' },
    },
    {
      event_id: 'DN-T-1',
      kind: 'transform',
      event_time: march(14),
      inputs: [
        {
          batch: 'LN-2603-01',
          batch_maker: codes.longnan,
          product: 'ION_CARBONATE',
          mass_kg: 10_000,
          grade_ppm: 920_000,
        },
      ],
      outputs: [
        { batch: 'DN-DY-01', product: 'DY2O3', mass_kg: 500 },
        { batch: 'DN-Y-01', product: 'Y2O3', mass_kg: 8_000 },
      ],
    },
    {
      event_id: 'DN-R-2',
      kind: 'receive',
      event_time: march(22),
      batch: 'KD-PRND-01',
      product: 'PRND_OXIDE',
      mass_kg: 1_000,
      counterparty: codes.kundulun,
      documents: { waybill_no: 'WB-KD-001' },
    },
    {
      event_id: 'DN-X-1',
      kind: 'export',
      event_time: march(25),
      batch: 'KD-PRND-01',
      batch_maker: codes.kundulun,
      product: 'PRND_OXIDE',
      mass_kg: 400,
      counterparty_name: DINGNAN_CUSTOMER,
      country: 'JP',
      documents: { customs_declaration_no: '360120260000654321' },
    },
  ]);
  for (const client of [bayan, kundulun])
    await expectStatus(client.post('/api/v1/declarations', { period: PERIOD }), 201);
  const run = await expectStatus<{ by_rule: Record<string, number> }>(
    fx.clients.miit.post('/api/v1/checks/runs', { period: PERIOD }),
    200,
  );
  expect(run.by_rule.quota_exceeded ?? 0).toBeGreaterThanOrEqual(4);

  const batches = {} as Record<WorldBatch, number>;
  for (const code of Object.keys(worldBatches) as WorldBatch[]) batches[code] = await batchId(fx, code);
  const certificate = await expectStatus<{ code: string }>(
    kundulun.post(`/api/v1/batches/${batches['KD-PRND-01']}/certificates`),
    201,
  );
  return {
    batches,
    submissions: { bayan: bayanSubmission, dingnan: dingnanSubmission },
    anomalies: {
      bayan: await anomalyOf(fx, 'bayan', 'quota_exceeded'),
      dingnan: await anomalyOf(fx, 'dingnan', 'quota_exceeded'),
    },
    certificate: certificate.code,
  };
}

/** The fixture `key`, made by `make` the first time it is asked for. */
export async function sharedFixture(fx: FlowsFixtures, key: string, make: () => Promise<string>): Promise<string> {
  const existing = fx.shared.get(key);
  if (existing) return existing;
  const made = await make();
  fx.shared.set(key, made);
  return made;
}
