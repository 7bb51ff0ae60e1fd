import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { demoEnterprises } from '../../src/server/demo/demo-data.ts';
import type { Client, TestContext } from '../support/app.ts';
import type { DemoEnterpriseRow } from './api-helpers.ts';
import type { MatrixFixtures } from './route-matrix.ts';

/**
 * Callers, scope rules and fixtures for the authorization tests of indicators, allocation runs, notices and
 * the quota ledger (test/api/authorization-allocation.db.test.ts). The scope rules are written out here,
 * independently of the server's code, from DESIGN.md §3 and docs/allocation.md.
 */

export const allocationLogins = [
  'miit',
  'miit.review',
  'mnr',
  'ndrc',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
  'operator',
] as const;
export type AllocationLogin = (typeof allocationLogins)[number];
export type AllocationCaller = AllocationLogin | 'anonymous';
export const allocationCallers: readonly AllocationCaller[] = [...allocationLogins, 'anonymous'];
export type AllocationExpectation = Record<AllocationCaller, number>;

/** `ok` for the listed callers, `otherwise` for the other signed-in ones, 401 for anonymous. */
export function only(ok: number, who: readonly AllocationLogin[], otherwise = 403): AllocationExpectation {
  const result = { anonymous: 401 } as AllocationExpectation;
  for (const login of allocationLogins) result[login] = who.includes(login) ? ok : otherwise;
  return result;
}
/** Start from `base` and change some callers. */
export const but = (base: AllocationExpectation, changes: Partial<AllocationExpectation>): AllocationExpectation => ({
  ...base,
  ...changes,
});

/** Who holds which permission (src/server/modules/auth/auth.rules.ts, as DESIGN.md §3 states it). */
const allBut = (...excluded: AllocationLogin[]) => allocationLogins.filter((login) => !excluded.includes(login));
export const granted = {
  /** Ministries, departments and oversight; not enterprises, not the operator. */
  indicatorRead: allBut('ent.bayan', 'ent.dingnan', 'operator'),
  indicatorDraft: ['miit', 'miit.review'],
  indicatorCosign: ['mnr', 'ndrc'],
  indicatorApprove: ['miit', 'miit.review'],
  allocationRead: allBut('operator'),
  /** MIIT with MNR (Art. 6). */
  allocationWrite: ['miit', 'miit.review', 'mnr'],
  ledgerRead: allBut('operator'),
  ledgerWrite: ['miit', 'miit.review'],
  /** Oversight reads the ledger and the runs but receives no notices. */
  noticeRead: allBut('oversight', 'operator'),
  noticeForward: ['nmg.iit', 'baotou.iit', 'ganzhou.nr', 'longnan.iit'],
} as const satisfies Record<string, readonly AllocationLogin[]>;

/** What part of the country a caller sees. */
export type Reach =
  | { readonly kind: 'national' }
  | { readonly kind: 'division'; readonly prefix: string }
  | { readonly kind: 'enterprise'; readonly key: string }
  | { readonly kind: 'none' };
export const reachOf: Record<AllocationLogin, Reach> = {
  miit: { kind: 'national' },
  'miit.review': { kind: 'national' },
  mnr: { kind: 'national' },
  ndrc: { kind: 'national' },
  oversight: { kind: 'national' },
  // Inner Mongolia (150000), Baotou (150200), Ganzhou (360700), Longnan county (360783).
  'nmg.iit': { kind: 'division', prefix: '15' },
  'baotou.iit': { kind: 'division', prefix: '1502' },
  'ganzhou.nr': { kind: 'division', prefix: '3607' },
  'longnan.iit': { kind: 'division', prefix: '360783' },
  'ent.bayan': { kind: 'enterprise', key: 'bayan' },
  'ent.dingnan': { kind: 'enterprise', key: 'dingnan' },
  operator: { kind: 'none' },
};

/** Whether a caller's scope takes in an enterprise (by its demo key and domicile). */
export function seesEnterprise(login: AllocationLogin, enterprise: { key: string; domicile_code: string }): boolean {
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

/** Whether a caller's scope takes in a division code (an authority's seat). */
export function seesDivision(login: AllocationLogin, code: string): boolean {
  const reach = reachOf[login];
  return reach.kind === 'national' || (reach.kind === 'division' && code.startsWith(reach.prefix));
}

export const demoDomicile = (key: string): string => {
  const found = demoEnterprises.find((item) => item.key === key);
  if (!found) throw new Error(`no demo enterprise ${key}`);
  return found.domicile_code;
};

/**
 * Reading what belongs to one enterprise (its quota, its ledger entries): national callers and oversight
 * see it; a department only within its division; an enterprise user only its own. Outside scope is 404.
 */
export function enterpriseRead(key: string, permission: readonly AllocationLogin[]): AllocationExpectation {
  const result = { anonymous: 401 } as AllocationExpectation;
  for (const login of allocationLogins) {
    result[login] = !permission.includes(login)
      ? 403
      : seesEnterprise(login, { key, domicile_code: demoDomicile(key) })
        ? 200
        : 404;
  }
  return result;
}

/** A notice is for its addressee only: anyone else with the permission gets 404, as if it did not exist. */
export function addressedTo(
  addressee: AllocationLogin | null,
  permission: readonly AllocationLogin[],
  ok = 200,
): AllocationExpectation {
  return but(only(404, permission), addressee && permission.includes(addressee) ? { [addressee]: ok } : {});
}

export const categories = ['mining_rock', 'separation'] as const;
export type Category = (typeof categories)[number];
export const groups = ['northern', 'china-re'] as const;
export type GroupId = (typeof groups)[number];

/** The year the world is built in: the demo licences are valid on its approval date. */
export const YEAR = 2026;
export const APPROVAL = { approval_document_no: '国函〔2026〕8号', approval_date: '2026-02-06' };
export const MISSING = '00000000-0000-4000-8000-000000000000';

export const planMemo = {
  economic_goals: '稳增长，保障战略性新兴产业需求',
  reserves_and_variety: '轻稀土为主，中重稀土从严控制',
  industry_development: '推动集约化、绿色化发展',
  ecological_protection: '离子型稀土矿区生态修复',
  market_demand: '新能源汽车、风电对高性能磁材需求增长',
};

/**
 * The 2026 world: a plan, an approved batch allocated nationally (engine, proposed by MIIT, approved by
 * MNR, issued) and sub-allocated by both groups in both categories, so that every demo scope has shares,
 * notices and quota; a spare approved batch to propose runs on; and a draft batch.
 */
export interface AllocationWorld {
  batchId: string;
  spareBatchId: string;
  draftBatchId: string;
  nationalRuns: Record<Category, string>;
  groupRuns: Record<`${GroupId}:${Category}`, string>;
  /** The notices the issuance sent. */
  notices: readonly WorldNotice[];
}

export interface WorldNotice {
  readonly id: string;
  readonly run_id: string;
  readonly recipient_kind: 'enterprise' | 'authority';
  readonly recipient_id: string;
}

export interface AllocationFixtures extends MatrixFixtures<AllocationCaller> {
  context: TestContext;
  clients: Record<AllocationCaller, Client>;
  /** Demo enterprises by key. */
  enterprises: Record<string, DemoEnterpriseRow>;
  /** User ids by login. */
  users: Record<string, string>;
  world: AllocationWorld;
  /** Fixtures made once and shared by the callers a case refuses (a refusal changes nothing). */
  shared: Map<string, string>;
}

/** The fixture `key`, made by `make` the first time it is asked for. */
export async function sharedFixture(fx: AllocationFixtures, key: string, make: () => Promise<string>): Promise<string> {
  const existing = fx.shared.get(key);
  if (existing) return existing;
  const made = await make();
  fx.shared.set(key, made);
  return made;
}

export const enterpriseId = (fx: AllocationFixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no demo enterprise ${key}`);
  return row.id;
};

/** Asserts the status of a fixture-building call and returns its JSON. */
async function expectStatus<T>(pending: Promise<LightMyRequestResponse>, status: number): Promise<T> {
  const response = await pending;
  expect(response.statusCode, response.body).toBe(status);
  return response.json<T>();
}

type Drafter = 'miit' | 'miit.review';
type AllocationWriter = 'miit' | 'miit.review' | 'mnr';
const otherMiit = (login: Drafter): Drafter => (login === 'miit' ? 'miit.review' : 'miit');

let batchSerial = 0;
/** A fresh draft batch of the 2026 plan (1 t of rock mining unless told). */
export async function draftBatch(
  fx: AllocationFixtures,
  drafter: Drafter = 'miit',
  totals: { category: string; total_reo_kg: number }[] = [{ category: 'mining_rock', total_reo_kg: 1000 }],
): Promise<string> {
  batchSerial += 1;
  const body = { name: `测试批次${batchSerial}`, totals };
  return (
    await expectStatus<{ id: string }>(fx.clients[drafter].post(`/api/v1/indicator-plans/${YEAR}/batches`, body), 201)
  ).id;
}

export async function cosignedBatch(
  fx: AllocationFixtures,
  drafter: Drafter = 'miit',
  totals?: Parameters<typeof draftBatch>[2],
) {
  const id = await draftBatch(fx, drafter, totals);
  for (const cosigner of ['mnr', 'ndrc'] as const)
    await expectStatus(fx.clients[cosigner].post(`/api/v1/indicator-batches/${id}/cosign`), 200);
  return id;
}

export async function submittedBatch(
  fx: AllocationFixtures,
  drafter: Drafter = 'miit',
  totals?: Parameters<typeof draftBatch>[2],
) {
  const id = await cosignedBatch(fx, drafter, totals);
  await expectStatus(fx.clients[drafter].post(`/api/v1/indicator-batches/${id}/submit`), 200);
  return id;
}

/** Approved, its approval recorded by the other MIIT official; its totals are in the national pool. */
export async function approvedBatch(
  fx: AllocationFixtures,
  drafter: Drafter = 'miit',
  totals?: Parameters<typeof draftBatch>[2],
) {
  const id = await submittedBatch(fx, drafter, totals);
  await expectStatus(fx.clients[otherMiit(drafter)].post(`/api/v1/indicator-batches/${id}/approve`, APPROVAL), 200);
  return id;
}

/** An engine run of rock mining over the groups, proposed (by default on a fresh approved batch of 1 t). */
export async function proposedRun(
  fx: AllocationFixtures,
  proposer: AllocationWriter = 'miit',
  batchId?: string,
  category: Category = 'mining_rock',
): Promise<string> {
  const batch = batchId ?? (await approvedBatch(fx));
  const body = { mode: 'engine', batch_id: batch, category, level: 'national' };
  return (await expectStatus<{ id: string }>(fx.clients[proposer].post('/api/v1/allocation-runs', body), 201)).id;
}

export async function approvedRun(
  fx: AllocationFixtures,
  proposer: AllocationWriter = 'miit',
  approver: AllocationWriter = 'mnr',
): Promise<string> {
  const id = await proposedRun(fx, proposer);
  await expectStatus(fx.clients[approver].post(`/api/v1/allocation-runs/${id}/approve`), 200);
  return id;
}

async function proposeApproveIssue(fx: AllocationFixtures, body: Record<string, unknown>): Promise<string> {
  const run = await expectStatus<{ id: string }>(fx.clients.miit.post('/api/v1/allocation-runs', body), 201);
  await expectStatus(fx.clients.mnr.post(`/api/v1/allocation-runs/${run.id}/approve`), 200);
  await expectStatus(fx.clients.miit.post(`/api/v1/allocation-runs/${run.id}/issue`), 200);
  return run.id;
}

export async function buildWorld(fx: AllocationFixtures): Promise<AllocationWorld> {
  const weights = { capacity: 60, technical: 15, environment: 15, safety: 10 };
  await expectStatus(
    fx.clients.miit.post('/api/v1/indicator-plans', {
      year: YEAR,
      memo: planMemo,
      weights,
      penalty_reduction_ppm: 100_000,
    }),
    201,
  );
  // Rock mining and separation are allocated; the ion-adsorption total stays in the pool for adjustments.
  const batchId = await approvedBatch(fx, 'miit', [
    { category: 'mining_rock', total_reo_kg: 60_000_000 },
    { category: 'mining_ion_adsorption', total_reo_kg: 1_000_000 },
    { category: 'separation', total_reo_kg: 40_000_000 },
  ]);
  const nationalRuns = {} as Record<Category, string>;
  const groupRuns = {} as Record<`${GroupId}:${Category}`, string>;
  for (const category of categories) {
    nationalRuns[category] = await proposeApproveIssue(fx, {
      mode: 'engine',
      batch_id: batchId,
      category,
      level: 'national',
    });
    for (const group of groups) {
      groupRuns[`${group}:${category}`] = await proposeApproveIssue(fx, {
        mode: 'engine',
        batch_id: batchId,
        category,
        level: 'group',
        group_id: group,
      });
    }
  }
  const spareBatchId = await approvedBatch(fx);
  const draftBatchId = await draftBatch(fx);
  const notices = await fx.context.database.db
    .selectFrom('notice')
    .select(['id', 'run_id', 'recipient_kind', 'recipient_id'])
    .execute();
  return { batchId, spareBatchId, draftBatchId, nationalRuns, groupRuns, notices };
}

/** The notice a group run sent to an enterprise (by demo key) or to an authority (by id). */
export function noticeId(
  fx: AllocationFixtures,
  run: `${GroupId}:${Category}`,
  recipient: { enterprise: string } | { authority: string },
): string {
  const [kind, id] =
    'enterprise' in recipient
      ? (['enterprise', enterpriseId(fx, recipient.enterprise)] as const)
      : (['authority', recipient.authority] as const);
  const found = fx.world.notices.find(
    (item) => item.run_id === fx.world.groupRuns[run] && item.recipient_kind === kind && item.recipient_id === id,
  );
  if (!found) throw new Error(`no notice of run ${run} to ${kind} ${id}`);
  return found.id;
}

/** A small what-if input: three holders, one of them not designated. */
export function whatIfInput(total = 1000) {
  const facts = {
    designated: true,
    mining_licence_valid: true,
    safety_licence_valid: true,
    discharge_permit_ok: true,
    idle: false,
  };
  const holder = (id: string, cap: number, designated = true) => ({
    id,
    cap_reo_kg: cap,
    technical_score: 80,
    environment_score: 70,
    safety_score: 90,
    facts: { ...facts, designated },
    prior_year_penalties: 0,
  });
  return {
    category: 'mining_rock',
    total_reo_kg: total,
    weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
    penalty_reduction_ppm: 0,
    holders: [holder('a', 800), holder('b', 800), holder('c', 800, false)],
  };
}
