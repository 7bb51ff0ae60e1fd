import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { AnnualReportView } from '../../src/contracts/supervision-annual.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import type { Client, TestContext } from '../support/app.ts';
import { auditCount, createApprovedUser, expectProblem, nextSerial, worldDigest, type Db } from './api-helpers.ts';
import { runMatrixCase, type MatrixCase, type MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the provincial annual supervision report (Art. 12 ¶3). authorization-supervision-
 * annual.db.test.ts runs these cases; the route-coverage check in authorization.db.test.ts counts them as covered.
 *
 * The rules, written out here from docs/supervision.md independently of the server: the report is a province's
 * report to the ministries. MIIT, MNR, NDRC and oversight read every province's (supervision.read, national); a
 * provincial official reads their own province's only; prefecture and county officials, enterprises and officials
 * of another province are refused (403, by the code alone); the operator has no supervision.read (403). Only the
 * province's own industry & IT or natural resources department submits (201); the ministries receive it and do not
 * submit (403); NDRC, oversight, enterprises and the operator have no supervision.write (403). An export is audited
 * like a report export (one `report.export` entry), so it runs with its own check here.
 */

export const annualLogins = [
  'miit',
  'mnr',
  'ndrc',
  'oversight',
  'nmg.iit',
  'nmg.nr',
  'jx.iit',
  'baotou.iit',
  'longnan.iit',
  'ent.bayan',
  'operator',
] as const;
export type AnnualLogin = (typeof annualLogins)[number];
export type AnnualCaller = AnnualLogin | 'anonymous';
export const annualCallers: readonly AnnualCaller[] = [...annualLogins, 'anonymous'];
type Expectation = Record<AnnualCaller, number>;

/** Officials the demo users lack, created as the operator through the API. */
export const annualOfficials = { 'nmg.nr': '150000-natural_resources', 'jx.iit': '360000-industry_it' } as const;

export type AnnualFixtures = MatrixFixtures<AnnualCaller>;
export type AnnualCase = MatrixCase<AnnualFixtures, AnnualCaller>;

const base = '/api/v1/supervision/annual-reports';
const YEAR = 2026;

/** The province each provincial official belongs to. */
const provinceOf: Partial<Record<AnnualLogin, string>> = {
  'nmg.iit': '150000',
  'nmg.nr': '150000',
  'jx.iit': '360000',
};
const national: readonly AnnualLogin[] = ['miit', 'mnr', 'ndrc', 'oversight'];

/** A read of a province's report: the ministries, oversight and the province's own officials. */
function readOf(province: string): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of annualLogins)
    result[login] = national.includes(login) || provinceOf[login] === province ? 200 : 403;
  return result;
}

/** A submission: the province's own industry & IT or natural resources official only. */
function submitOf(province: string): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of annualLogins) result[login] = provinceOf[login] === province ? 201 : 403;
  return result;
}

const listExpectation = (): Expectation => {
  const result = { anonymous: 401 } as Expectation;
  for (const login of annualLogins) result[login] = national.includes(login) || provinceOf[login] ? 200 : 403;
  return result;
};

export async function annualClients(context: TestContext): Promise<Record<AnnualCaller, Client>> {
  const operator = await context.as('operator');
  for (const [login, authority] of Object.entries(annualOfficials)) {
    const created = await createApprovedUser(context, operator, {
      login,
      display_name: login,
      password: DEMO_PASSWORD,
      role: 'department_official',
      authority_id: authority,
    });
    expect([201, 409], created.body).toContain(created.statusCode);
  }
  const clients = { anonymous: context.anonymous } as Record<AnnualCaller, Client>;
  for (const login of annualLogins) clients[login] = await context.as(login);
  return clients;
}

const submittedRows = async (db: Db): Promise<number> =>
  Number(
    (await sql<{ count: string }>`SELECT count(*) AS count FROM supervision_annual_report`.execute(db)).rows[0]!.count,
  );

/** The latest version of a province's report (0 for none): what a correction names. */
async function latestVersion(db: Db, province: string): Promise<number> {
  const row = await sql<{ version: number | null }>`
    SELECT max(version) AS version FROM supervision_annual_report WHERE province_code = ${province} AND year = ${YEAR}`.execute(
    db,
  );
  return Number(row.rows[0]?.version ?? 0);
}

const login = (caller: AnnualCaller): AnnualLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no scope');
  return caller;
};

export function supervisionAnnualMatrix(): AnnualCase[] {
  return [
    {
      route: 'GET /api/v1/supervision/annual-reports',
      name: "every province's standing: the ministries all, a provincial official their own",
      expect: listExpectation(),
      url: () => `${base}?year=${YEAR}`,
      verify: (_fx, caller, response) => {
        const items = response.json<{ items: { province_code: string }[] }>().items;
        const own = provinceOf[login(caller)];
        if (own) expect(items.map((item) => item.province_code)).toEqual([own]);
        else expect(items.length, `${caller} sees every province`).toBeGreaterThan(30);
      },
    },
    ...(['150000', '360000'] as const).flatMap((province): AnnualCase[] => [
      {
        route: 'GET /api/v1/supervision/annual-reports/{province}/{year}',
        name: `the ${province} report`,
        expect: readOf(province),
        url: () => `${base}/${province}/${YEAR}`,
        verify: (_fx, _caller, response) => {
          const view = response.json<AnnualReportView>();
          expect(view.province_code).toBe(province);
          expect(
            view.content.indicators.enterprises.every((row) => row.domicile_code.startsWith(province.slice(0, 2))),
          ).toBe(true);
        },
      },
      {
        route: 'POST /api/v1/supervision/annual-reports/{province}/{year}/submit',
        name: `submit (or correct) the ${province} report`,
        expect: submitOf(province),
        url: () => `${base}/${province}/${YEAR}/submit`,
        body: async (fx) => {
          const version = await latestVersion(fx.context.database.db, province);
          return {
            expected_version: version,
            comment: version > 0 ? '矩阵更正' : '',
            idempotency_key: `matrix-annual-${process.pid}-${nextSerial()}`,
          };
        },
        verify: (_fx, caller, response) => {
          const view = response.json<AnnualReportView>();
          expect(view.submission?.submitted_by).toBe(caller);
          expect(view.province_code).toBe(province);
        },
      },
      {
        route: 'GET /api/v1/supervision/annual-reports/{province}/{year}/export',
        name: `export the ${province} report`,
        expect: readOf(province),
        url: () => `${base}/${province}/${YEAR}/export?format=csv`,
        verify: (_fx, _caller, response) => {
          expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
          expect(response.headers['content-disposition']).toContain(`supervision-annual-${province}-${YEAR}`);
        },
      },
    ]),
  ];
}

/** An export writes one audit entry where the shared runner expects a read to write none: checked here. */
async function runExport(fx: AnnualFixtures, item: AnnualCase, caller: AnnualCaller): Promise<string | null> {
  const db = fx.context.database.db;
  const expected = item.expect[caller];
  const url = item.url(fx, caller);
  const before = await worldDigest(db);
  const audits = await auditCount(db);
  const response: LightMyRequestResponse = await fx.clients[caller].get(url);
  if (response.statusCode !== expected)
    return `${caller}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 200)}`;
  if (expected >= 400) {
    expect(expectProblem(response, expected).code).toBe(expected === 401 ? 'unauthenticated' : 'forbidden');
    expect(await worldDigest(db), `${caller}: a refused export wrote something`).toBe(before);
  } else {
    expect(await auditCount(db), `${caller}: an export leaves one audit entry`).toBe(audits + 1);
    await item.verify?.(fx, caller, response, {});
  }
  const head = await fx.clients[caller].request('HEAD' as 'GET', url);
  if (head.statusCode !== expected) return `${caller}: HEAD expected ${expected}, got ${head.statusCode}`;
  if (expected < 400) expect(await auditCount(db), `${caller}: HEAD is not audited`).toBe(audits + 1);
  return null;
}

/** Runs a case as every caller; a refusal must also leave the stored reports as they were. */
export async function runAnnualCase(
  fx: AnnualFixtures,
  item: AnnualCase,
  callers: readonly AnnualCaller[],
): Promise<string[]> {
  const db = fx.context.database.db;
  const mismatches: string[] = [];
  for (const caller of callers) {
    const rows = await submittedRows(db);
    const mismatch = item.route.endsWith('/export')
      ? await runExport(fx, item, caller)
      : ((await runMatrixCase(fx, item, [caller]))[0] ?? null);
    if (mismatch) mismatches.push(mismatch);
    const expectedRows = item.route.startsWith('POST') && item.expect[caller] === 201 ? rows + 1 : rows;
    if (!mismatch) expect(await submittedRows(db), `${caller}: ${item.route} stored reports`).toBe(expectedRows);
  }
  return mismatches;
}
