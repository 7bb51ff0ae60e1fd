import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { RiskView, RiskWeightsView } from '../../src/contracts/supervision-risk.ts';
import type { Client, TestContext } from '../support/app.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the risk-ranked inspection list and its weights (Art. 12, docs/supervision.md
 * "Risk-ranked list"). authorization-supervision-risk.db.test.ts runs these cases; the route-coverage check in
 * authorization.db.test.ts counts them as covered.
 *
 * The rules, written out here independently of the server: the list and the weights are for officials — the
 * ministries (NDRC too) and oversight read any division, a department official its own division and those below
 * it; a division outside that is 403 (judged by the code alone, as the reporting board does); enterprises and the
 * operator get 403. Weights are set by MIIT and MNR for any division and the nation, and by the industry & IT and
 * natural resources departments for their own division or one below it; everyone else 403.
 */

export const riskLogins = [
  'miit',
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
export type RiskLogin = (typeof riskLogins)[number];
export type RiskCaller = RiskLogin | 'anonymous';
export const riskCallers: readonly RiskCaller[] = [...riskLogins, 'anonymous'];
type Expectation = Record<RiskCaller, number>;

export type RiskFixtures = MatrixFixtures<RiskCaller>;
export type RiskCase = MatrixCase<RiskFixtures, RiskCaller>;

/** The division each official reads from (the nation for the ministries and oversight); null: not an official. */
const rootOf: Record<RiskLogin, string | null> = {
  miit: '000000',
  mnr: '000000',
  ndrc: '000000',
  oversight: '000000',
  'nmg.iit': '150000',
  'baotou.iit': '150200',
  'ganzhou.nr': '360700',
  'longnan.iit': '360783',
  'ent.bayan': null,
  'ent.dingnan': null,
  operator: null,
};
/** Who sets weights: MIIT, MNR and the industry & IT and natural resources departments. */
const writers: readonly RiskLogin[] = ['miit', 'mnr', 'nmg.iit', 'baotou.iit', 'ganzhou.nr', 'longnan.iit'];

const prefixOf = (code: string): string =>
  code === '000000' ? '' : code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code;
const reaches = (root: string, code: string): boolean =>
  root === '000000' || (code !== '000000' && code.startsWith(prefixOf(root)));

/** A read of division `code` (or of the caller's own with null): 200 within reach, 403 otherwise. */
function readOf(code: string | null): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of riskLogins) {
    const root = rootOf[login];
    result[login] = root !== null && (code === null || reaches(root, code)) ? 200 : 403;
  }
  return result;
}
/** Setting the weights of `code`: 200 for writers whose jurisdiction holds it, 403 for everyone else. */
export function writeOf(code: string): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of riskLogins) {
    const root = rootOf[login];
    result[login] = writers.includes(login) && root !== null && reaches(root, code) ? 200 : 403;
  }
  return result;
}

export async function riskClients(context: TestContext): Promise<Record<RiskCaller, Client>> {
  const clients = { anonymous: context.anonymous } as Record<RiskCaller, Client>;
  for (const name of riskLogins) clients[name] = await context.as(name);
  return clients;
}

const login = (caller: RiskCaller): RiskLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no scope');
  return caller;
};

/** Every enterprise listed lies under the division shown, which the caller may read. */
const listInScope =
  (expected: string | null) => (_fx: RiskFixtures, caller: RiskCaller, response: LightMyRequestResponse) => {
    const view = response.json<RiskView>();
    const root = rootOf[login(caller)]!;
    expect(view.division_code).toBe(expected ?? root);
    expect(reaches(root, view.division_code)).toBe(true);
    for (const item of view.items)
      expect(
        item.domicile_code.startsWith(prefixOf(view.division_code)),
        `${caller} is shown ${item.domicile_code}`,
      ).toBe(true);
  };

/** The body of a weights change: the division's current weights, one changed, at the version in force. */
async function changeOf(fx: RiskFixtures, code: string) {
  const current = (
    await fx.clients.miit.get(`/api/v1/supervision/risk-weights?division=${code}`)
  ).json<RiskWeightsView>();
  return {
    division_code: code,
    expected_version: current.own_version,
    weights: { ...current.weights, late_filing: current.weights.late_filing + 1 },
    note: 'matrix',
  };
}

export function supervisionRiskMatrix(): RiskCase[] {
  const base = '/api/v1/supervision';
  const reads: RiskCase[] = [
    {
      route: 'GET /api/v1/supervision/risk',
      name: "the caller's own jurisdiction",
      expect: readOf(null),
      url: () => `${base}/risk?year=2026`,
      verify: listInScope(null),
    },
    ...(['150200', '360700', '000000'] as const).map((code): RiskCase => ({
      route: 'GET /api/v1/supervision/risk',
      name: `division ${code}`,
      expect: readOf(code),
      url: () => `${base}/risk?year=2026&division=${code}`,
      verify: listInScope(code),
    })),
    {
      route: 'GET /api/v1/supervision/risk-weights',
      name: "the weights in force at the caller's own division",
      expect: readOf(null),
      url: () => `${base}/risk-weights`,
      verify: (_fx, caller, response) =>
        expect(response.json<RiskWeightsView>().division_code).toBe(rootOf[login(caller)]),
    },
    ...(['150200', '360783'] as const).map((code): RiskCase => ({
      route: 'GET /api/v1/supervision/risk-weights',
      name: `the weights in force at ${code}`,
      expect: readOf(code),
      url: () => `${base}/risk-weights?division=${code}`,
    })),
  ];
  const writes = (['150200', '360783', '000000'] as const).map((code): RiskCase => ({
    route: 'PUT /api/v1/supervision/risk-weights',
    name: `set the weights of ${code}`,
    expect: writeOf(code),
    url: () => `${base}/risk-weights`,
    body: (fx) => changeOf(fx, code),
    verify: (_fx, caller, response) =>
      expect(response.json<RiskWeightsView>()).toMatchObject({ division_code: code, source: 'own', set_by: caller }),
  }));
  return [...reads, ...writes];
}
