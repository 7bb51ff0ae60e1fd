import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type {
  BoardView,
  CompilationView,
  ReconciliationView,
  ReportDraft,
  ReportView,
} from '../../src/contracts/reporting.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import type { Client, TestContext } from '../support/app.ts';
import { createApprovedUser, nextSerial, type DemoEnterpriseRow } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the Art. 9 reporting routes: enterprise reports, compilations, the status board,
 * reminders, reconciliation and the deadline calendar. authorization-reporting.db.test.ts runs these cases on
 * the demo flows and reports (July–September 2026 compiled up to the nation, October part way); the
 * route-coverage check in authorization.db.test.ts counts them as covered.
 *
 * The rules are written out here, independently of the server's code, from DESIGN.md §3 invariant 6 and §5:
 * an enterprise reads and submits only its own reports; officials read what lies in their division (a report or
 * compilation outside it is 404, a division outside it on the board, the drafts and the lists 403); only the
 * county of the enterprise's domicile (its industry & IT or natural resources department) returns a report; a
 * division's own two departments compile and forward its reports (the nation's: MIIT or MNR); the level above
 * returns a forwarded compilation; NDRC and oversight read and never write; the operator reads nothing.
 */

export const reportingLogins = [
  'miit',
  'miit.review',
  'mnr',
  'ndrc',
  'oversight',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'baiyunebo.iit',
  'kundulun.nr',
  'dingnan.iit',
  'ent.bayan',
  'ent.kundulun',
  'ent.dingnan',
  'ent.longnan',
  'operator',
] as const;
export type ReportingLogin = (typeof reportingLogins)[number];
export type ReportingCaller = ReportingLogin | 'anonymous';
export const reportingCallers: readonly ReportingCaller[] = [...reportingLogins, 'anonymous'];
export type ReportingExpectation = Record<ReportingCaller, number>;

/**
 * The county officials the demo users lack: the counties the Baotou enterprises bayan (白云鄂博矿区) and kundulun
 * (昆都仑区) and the Ganzhou plant dingnan (定南县) are domiciled in. One of natural resources, to show that
 * department reviews as well. Created through the API as the operator.
 */
export const countyOfficials = {
  'baiyunebo.iit': '150206-industry_it',
  'kundulun.nr': '150203-natural_resources',
  'dingnan.iit': '360728-industry_it',
} as const satisfies Partial<Record<ReportingLogin, string>>;

/** The enterprises of the matrix and their demo domiciles (src/server/demo/demo-data.ts). */
export const domicileOf = {
  bayan: '150206',
  kundulun: '150203',
  jiuyuan: '150207',
  dingnan: '360728',
  longnan: '360783',
} as const;
export type WorldKey = keyof typeof domicileOf;
/** The enterprises with a user among the callers. */
export const enterpriseLogin = {
  bayan: 'ent.bayan',
  kundulun: 'ent.kundulun',
  dingnan: 'ent.dingnan',
  longnan: 'ent.longnan',
} as const satisfies Partial<Record<WorldKey, ReportingLogin>>;
export type UserKey = keyof typeof enterpriseLogin;

export const NATION = '000000';
export const MISSING = '00000000-0000-4000-8000-000000000000';
/** Beijing, a Sunday at the end of November 2026: every month to October has ended and is due. */
export const NOW = new Date('2026-11-29T10:00:00+08:00');

/** What part of the country a caller's reads reach. */
type Reach =
  | { readonly kind: 'national' }
  | { readonly kind: 'division'; readonly code: string }
  | { readonly kind: 'enterprise'; readonly key: WorldKey }
  | { readonly kind: 'none' };
export const reachOf: Record<ReportingLogin, Reach> = {
  miit: { kind: 'national' },
  'miit.review': { kind: 'national' },
  mnr: { kind: 'national' },
  ndrc: { kind: 'national' },
  oversight: { kind: 'national' },
  'nmg.iit': { kind: 'division', code: '150000' },
  'baotou.iit': { kind: 'division', code: '150200' },
  'ganzhou.nr': { kind: 'division', code: '360700' },
  'longnan.iit': { kind: 'division', code: '360783' },
  'baiyunebo.iit': { kind: 'division', code: '150206' },
  'kundulun.nr': { kind: 'division', code: '150203' },
  'dingnan.iit': { kind: 'division', code: '360728' },
  'ent.bayan': { kind: 'enterprise', key: 'bayan' },
  'ent.kundulun': { kind: 'enterprise', key: 'kundulun' },
  'ent.dingnan': { kind: 'enterprise', key: 'dingnan' },
  'ent.longnan': { kind: 'enterprise', key: 'longnan' },
  operator: { kind: 'none' },
};

/** Who holds which reporting permission (src/server/modules/auth/auth.rules.ts, as docs/security.md states it). */
const allBut = (...excluded: ReportingLogin[]) => reportingLogins.filter((login) => !excluded.includes(login));
const departmentOfficials = reportingLogins.filter((login) => reachOf[login].kind === 'division');
export const granted = {
  /** report.read: everyone but the operator. */
  read: allBut('operator'),
  /** report.submit: enterprise users. */
  submit: ['ent.bayan', 'ent.kundulun', 'ent.dingnan', 'ent.longnan'],
  /** report.review: MIIT, MNR and the local industry & IT and natural resources departments; not NDRC. */
  review: ['miit', 'miit.review', 'mnr', ...departmentOfficials],
  /** reporting.configure and checks.run: MIIT. */
  configure: ['miit', 'miit.review'],
  checksRun: ['miit', 'miit.review'],
} as const satisfies Record<string, readonly ReportingLogin[]>;
const has = (list: readonly ReportingLogin[], login: ReportingLogin) => list.includes(login);

/** The code prefix shared by a division and everything under it: PP0000 → PP, PPCC00 → PPCC. */
const prefixOf = (code: string) =>
  code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code;
/** Is division `code` at or under `root`? */
export const isUnder = (code: string, root: string): boolean =>
  root === NATION || (code !== NATION && code.startsWith(prefixOf(root)));
/** The level above a division of the demo tree (no county of it sits directly under a province). */
export const parentOf = (code: string): string =>
  code.endsWith('0000') ? NATION : code.endsWith('00') ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;

/** The division an official's board and reconciliation open on. */
export function rootOf(login: ReportingLogin): string | null {
  const reach = reachOf[login];
  return reach.kind === 'national' ? NATION : reach.kind === 'division' ? reach.code : null;
}
export function seesDivision(login: ReportingLogin, code: string): boolean {
  const root = rootOf(login);
  return root !== null && isUnder(code, root);
}
export function seesEnterprise(login: ReportingLogin, key: WorldKey): boolean {
  const reach = reachOf[login];
  if (reach.kind === 'enterprise') return reach.key === key;
  return seesDivision(login, domicileOf[key]);
}

/** Officials (and oversight): those with a division or the nation to read, who see boards and compilations. */
export const officials = reportingLogins.filter((login) => has(granted.read, login) && rootOf(login) !== null);

/** Who compiles and forwards a division's reports: its own two departments; the nation's, MIIT and MNR. */
export function compilersOf(code: string): ReportingLogin[] {
  if (code === NATION) return ['miit', 'miit.review', 'mnr'];
  return departmentOfficials.filter((login) => rootOf(login) === code);
}

/** The status of every caller: anonymous 401, each signed-in caller by `rule`. */
function each(rule: (login: ReportingLogin) => number): ReportingExpectation {
  const result = { anonymous: 401 } as ReportingExpectation;
  for (const login of reportingLogins) result[login] = rule(login);
  return result;
}
/** `ok` for the listed callers, 403 for the other signed-in ones. */
export const only = (ok: number, who: readonly ReportingLogin[]) => each((login) => (has(who, login) ? ok : 403));

/** A document of one enterprise (its reports, its draft): in reach 200, outside 404, without report.read 403. */
const enterpriseRead = (key: WorldKey) =>
  each((login) => (!has(granted.read, login) ? 403 : seesEnterprise(login, key) ? 200 : 404));
/**
 * A division with nothing to report: officials who reach it learn it is not in the tree (404); those who do not
 * are refused before anything is looked up (403), so a refusal never tells whether a division has enterprises.
 */
const emptyDivision = (code: string) =>
  each((login) => {
    const root = has(officials, login) ? rootOf(login) : null;
    return root !== null && isUnder(code, root) ? 404 : 403;
  });
/** Something that does not exist: 404 for readers. */
const missingRead = () => each((login) => (has(granted.read, login) ? 404 : 403));
/** A division on the board, the compilation drafts and lists: for officials within reach; otherwise 403. */
const divisionRead = (code: string) =>
  each((login) => (has(granted.read, login) && seesDivision(login, code) ? 200 : 403));
/** A compilation by id: for officials within reach; otherwise (enterprises too) 404; without report.read 403. */
const compilationRead = (code: string) =>
  each((login) => (!has(granted.read, login) ? 403 : seesDivision(login, code) ? 200 : 404));
/** A division's compilation: compiled by its own departments only (201). */
const compileWrite = (code: string) => only(201, compilersOf(code));
/** Forwarding a division's compilation: its compilers; other reviewers who see it 403, who do not 404. */
const forwardWrite = (code: string) =>
  each((login) =>
    !has(granted.review, login) ? 403 : !seesDivision(login, code) ? 404 : has(compilersOf(code), login) ? 200 : 403,
  );
/** Returning a forwarded compilation: the compilers of the level above. */
const compilationReturn = (code: string) =>
  each((login) =>
    !has(granted.review, login)
      ? 403
      : !seesDivision(login, code)
        ? 404
        : has(compilersOf(parentOf(code)), login)
          ? 200
          : 403,
  );
/** Returning an enterprise's report: the departments of its domicile county only. */
const reportReturn = (key: WorldKey) =>
  each((login) =>
    !has(granted.review, login)
      ? 403
      : !seesEnterprise(login, key)
        ? 404
        : rootOf(login) === domicileOf[key] && reachOf[login].kind === 'division'
          ? 200
          : 403,
  );
/** Reviewers get `status` (a refusal of something missing, 404); the rest 403. */
const reviewers = (status: number) => only(status, granted.review);

export interface ReportingWorld {
  /** The September 2026 reports (version 1, as the demo submitted them), by enterprise. */
  septemberReports: Record<WorldKey, string>;
  /** The latest September 2026 compilation of each division of the demo tree, as loaded. */
  septemberCompilations: Record<string, string>;
}

export interface ReportingFixtures extends MatrixFixtures<ReportingCaller> {
  context: TestContext;
  clients: Record<ReportingCaller, Client>;
  /** Demo enterprises by key. */
  enterprises: Record<string, DemoEnterpriseRow>;
  world: ReportingWorld;
}
export type ReportingCase = MatrixCase<ReportingFixtures, ReportingCaller>;

/** Creates the county officials (as the operator, through the API) and signs every caller in. */
export async function reportingClients(context: TestContext): Promise<Record<ReportingCaller, Client>> {
  const operator = await context.as('operator');
  for (const [login, authority] of Object.entries(countyOfficials)) {
    const created = await createApprovedUser(context, operator, {
      login,
      display_name: login,
      password: DEMO_PASSWORD,
      role: 'department_official',
      authority_id: authority,
    });
    expect(created.statusCode, created.body).toBe(201);
  }
  const clients = { anonymous: context.anonymous } as Record<ReportingCaller, Client>;
  for (const login of reportingLogins) clients[login] = await context.as(login);
  return clients;
}

const enterpriseId = (fx: ReportingFixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no demo enterprise ${key}`);
  return row.id;
};

/** The latest version of an enterprise's monthly report, or null. */
async function latestReport(fx: ReportingFixtures, key: WorldKey, period: string): Promise<string | null> {
  const row = await fx.context.database.db
    .selectFrom('report')
    .select('id')
    .where('enterprise_id', '=', enterpriseId(fx, key))
    .where('period_kind', '=', 'month')
    .where('period', '=', `${period}-01`)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The ids the read cases name, as the demo loaded them. */
export async function buildReportingWorld(fx: ReportingFixtures): Promise<ReportingWorld> {
  for (const [key, domicile] of Object.entries(domicileOf))
    expect(fx.enterprises[key]?.domicile_code, `${key}'s domicile`).toBe(domicile);
  const septemberReports = {} as Record<WorldKey, string>;
  for (const key of Object.keys(domicileOf) as WorldKey[]) {
    const id = await latestReport(fx, key, '2026-09');
    if (!id) throw new Error(`the demo has no September report of ${key}`);
    septemberReports[key] = id;
  }
  const compilations = await fx.context.database.db
    .selectFrom('compilation')
    .select(['id', 'division_code', 'version'])
    .where('period_kind', '=', 'month')
    .where('period', '=', '2026-09-01')
    .orderBy('version')
    .execute();
  const septemberCompilations: Record<string, string> = {};
  for (const row of compilations) septemberCompilations[row.division_code.trim()] = row.id;
  return { septemberReports, septemberCompilations };
}

const compilationOf = (fx: ReportingFixtures, code: string): string => {
  const id = fx.world.septemberCompilations[code];
  if (!id) throw new Error(`no September compilation of ${code}`);
  return id;
};

/** Asserts the status of a fixture-building call and returns its JSON. */
async function expectStatus<T>(pending: Promise<LightMyRequestResponse>, status: number): Promise<T> {
  const response = await pending;
  expect(response.statusCode, response.body).toBe(status);
  return response.json<T>();
}

/**
 * A new version of an enterprise's monthly report, submitted by the enterprise (naming the latest version, if
 * any): a report no one has returned yet.
 */
export async function freshReport(fx: ReportingFixtures, key: UserKey, period: string): Promise<string> {
  const replaces = await latestReport(fx, key, period);
  const body = {
    period,
    idempotency_key: `matrix-report-${key}-${period}-${nextSerial()}`,
    ...(replaces ? { replaces } : {}),
  };
  return (await expectStatus<ReportView>(fx.clients[enterpriseLogin[key]].post('/api/v1/reports', body), 201)).id;
}

/**
 * A valid compile body for a division and period as things stand: a reason for every missing or late child,
 * naming the latest version (if any), with a fresh idempotency key. Read as MIIT, which sees every division.
 */
export async function compileBody(fx: ReportingFixtures, code: string, period: string) {
  const draft = await expectStatus<{
    absent: { code: string }[];
    returned: { code: string }[];
    latest: { id: string } | null;
  }>(fx.clients.miit.get(`/api/v1/compilations/draft?division_code=${code}&period=${period}`), 200);
  expect(draft.returned, `${code} ${period}: children returned for correction block compiling`).toEqual([]);
  return {
    division_code: code,
    period,
    reasons: Object.fromEntries(draft.absent.map((child) => [child.code, '矩阵测试：尚未报送'])),
    ...(draft.latest ? { replaces: draft.latest.id } : {}),
    idempotency_key: `matrix-compile-${code}-${period}-${nextSerial()}`,
  };
}

/** A new version of a division's compilation, made (and, if told, forwarded) by its own compiler. */
export async function freshCompilation(
  fx: ReportingFixtures,
  code: string,
  period: string,
  forward: boolean,
): Promise<string> {
  const compiler = fx.clients[compilersOf(code)[0]!];
  const compiled = await expectStatus<CompilationView>(
    compiler.post('/api/v1/compilations', await compileBody(fx, code, period)),
    201,
  );
  if (forward) await expectStatus(compiler.post(`/api/v1/compilations/${compiled.id}/forward`), 200);
  return compiled.id;
}

const signedIn = (caller: ReportingCaller): ReportingLogin => {
  if (caller === 'anonymous') throw new Error('anonymous has no reach');
  return caller;
};

/** Every division child is within the caller's reach, every enterprise child domiciled there. */
function allWithin(caller: ReportingCaller, codes: readonly string[]) {
  const root = rootOf(signedIn(caller));
  if (root === null) throw new Error(`${caller} has no division`);
  for (const code of codes) expect(isUnder(code, root), `${caller} is shown ${code}`).toBe(true);
}

function reportCases(): ReportingCase[] {
  const draftCase = (key: WorldKey, period: string): ReportingCase => ({
    route: 'GET /api/v1/reports/draft',
    name: `${key}'s ${period}`,
    expect: enterpriseRead(key),
    url: (fx) => `/api/v1/reports/draft?enterprise_id=${enterpriseId(fx, key)}&period=${period}`,
    verify: (fx, _caller, response) => {
      const draft = response.json<ReportDraft>();
      expect(draft).toMatchObject({ enterprise_id: enterpriseId(fx, key), period });
      if (draft.latest) expect(draft.latest.enterprise_id).toBe(enterpriseId(fx, key));
    },
  });
  const listCase = (key: WorldKey): ReportingCase => ({
    route: 'GET /api/v1/reports',
    name: `${key}'s 2026`,
    expect: enterpriseRead(key),
    url: (fx) => `/api/v1/reports?enterprise_id=${enterpriseId(fx, key)}&year=2026`,
    verify: (fx, _caller, response) => {
      const reports = response.json<ReportView[]>();
      expect(reports.length).toBeGreaterThanOrEqual(3);
      expect(new Set(reports.map((report) => report.enterprise_id))).toEqual(new Set([enterpriseId(fx, key)]));
    },
  });
  const readCase = (key: WorldKey): ReportingCase => ({
    route: 'GET /api/v1/reports/{id}',
    name: `${key}'s September report`,
    expect: enterpriseRead(key),
    url: (fx) => `/api/v1/reports/${fx.world.septemberReports[key]}`,
    verify: (fx, _caller, response) => {
      expect(response.json<ReportView>()).toMatchObject({
        id: fx.world.septemberReports[key],
        enterprise_id: enterpriseId(fx, key),
        period: '2026-09',
      });
    },
  });
  const returnCase = (key: UserKey): ReportingCase => ({
    route: 'POST /api/v1/reports/{id}/return',
    name: `a new version of ${key}'s October report (${domicileOf[key]} returns it)`,
    expect: reportReturn(key),
    url: () => '',
    prepare: async (fx) => ({ url: `/api/v1/reports/${await freshReport(fx, key, '2026-10')}/return` }),
    body: (_fx, caller) => ({ reason: `矩阵测试：${caller} 退回，请核实后重报` }),
    verify: (fx, caller, response) => {
      const report = response.json<ReportView>();
      expect(report.enterprise_id).toBe(enterpriseId(fx, key));
      expect(report.returned?.returned_by).toBe(caller);
    },
  });
  return [
    draftCase('bayan', '2026-10'),
    draftCase('kundulun', '2026-09'),
    draftCase('dingnan', '2026-10'),
    draftCase('longnan', '2026'),
    draftCase('jiuyuan', '2026-08'),
    {
      route: 'GET /api/v1/reports/draft',
      name: 'an enterprise that does not exist',
      expect: missingRead(),
      url: () => `/api/v1/reports/draft?enterprise_id=${MISSING}&period=2026-10`,
    },
    listCase('bayan'),
    listCase('kundulun'),
    listCase('dingnan'),
    listCase('longnan'),
    listCase('jiuyuan'),
    {
      route: 'GET /api/v1/reports',
      name: 'an enterprise that does not exist',
      expect: missingRead(),
      url: () => `/api/v1/reports?enterprise_id=${MISSING}&year=2026`,
    },
    {
      route: 'POST /api/v1/reports',
      name: "a new version of the caller's own October report",
      expect: only(201, granted.submit),
      url: () => '/api/v1/reports',
      body: async (fx, caller) => {
        const reach = caller === 'anonymous' ? null : reachOf[caller];
        const key = reach?.kind === 'enterprise' ? reach.key : null;
        const replaces = key ? await latestReport(fx, key, '2026-10') : null;
        return {
          period: '2026-10',
          idempotency_key: `matrix-submit-${caller}-${nextSerial()}`,
          ...(replaces ? { replaces } : {}),
        };
      },
      verify: (fx, caller, response) => {
        const reach = reachOf[signedIn(caller)];
        if (reach.kind !== 'enterprise') throw new Error(`${caller} submitted a report`);
        expect(response.json<ReportView>()).toMatchObject({
          enterprise_id: enterpriseId(fx, reach.key),
          period: '2026-10',
          submitted_by: caller,
        });
      },
    },
    readCase('bayan'),
    readCase('kundulun'),
    readCase('jiuyuan'),
    readCase('dingnan'),
    readCase('longnan'),
    {
      route: 'GET /api/v1/reports/{id}',
      name: 'missing',
      expect: missingRead(),
      url: () => `/api/v1/reports/${MISSING}`,
    },
    returnCase('bayan'),
    returnCase('kundulun'),
    returnCase('dingnan'),
    returnCase('longnan'),
    {
      route: 'POST /api/v1/reports/{id}/return',
      name: "jiuyuan's September report (no caller is of its county, 150207)",
      expect: reportReturn('jiuyuan'),
      url: (fx) => `/api/v1/reports/${fx.world.septemberReports.jiuyuan}/return`,
      body: () => ({ reason: '矩阵测试：不应退回' }),
    },
    {
      route: 'POST /api/v1/reports/{id}/return',
      name: 'missing',
      expect: reviewers(404),
      url: () => `/api/v1/reports/${MISSING}/return`,
      body: () => ({ reason: '矩阵测试：不存在' }),
    },
  ];
}

function compilationCases(): ReportingCase[] {
  const draftCase = (code: string, period: string): ReportingCase => ({
    route: 'GET /api/v1/compilations/draft',
    name: `${code}, ${period}`,
    expect: divisionRead(code),
    url: () => `/api/v1/compilations/draft?division_code=${code}&period=${period}`,
    verify: (_fx, _caller, response) => {
      expect(response.json<{ division_code: string; period: string }>()).toMatchObject({
        division_code: code,
        period,
      });
    },
  });
  const listCase = (code: string): ReportingCase => ({
    route: 'GET /api/v1/compilations',
    name: `${code}, September`,
    expect: divisionRead(code),
    url: () => `/api/v1/compilations?division_code=${code}&period=2026-09`,
    verify: (_fx, _caller, response) => {
      const versions = response.json<CompilationView[]>();
      expect(versions.length).toBeGreaterThan(0);
      expect(new Set(versions.map((item) => item.division_code))).toEqual(new Set([code]));
    },
  });
  const readCase = (code: string): ReportingCase => ({
    route: 'GET /api/v1/compilations/{id}',
    name: `${code}'s September compilation`,
    expect: compilationRead(code),
    url: (fx) => `/api/v1/compilations/${compilationOf(fx, code)}`,
    verify: (fx, _caller, response) => {
      expect(response.json<CompilationView>()).toMatchObject({ id: compilationOf(fx, code), division_code: code });
    },
  });
  // August: compiled up to the nation by the demo; every successful caller makes the next version.
  const compileCase = (code: string): ReportingCase => ({
    route: 'POST /api/v1/compilations',
    name: `a new version of ${code}'s August`,
    expect: compileWrite(code),
    url: () => '/api/v1/compilations',
    body: (fx) => compileBody(fx, code, '2026-08'),
    verify: (_fx, caller, response) => {
      expect(response.json<CompilationView>()).toMatchObject({
        division_code: code,
        period: '2026-08',
        compiled_by: caller,
      });
    },
  });
  // September: each caller gets a version just compiled by the division's own compiler.
  const forwardCase = (code: string): ReportingCase => ({
    route: 'POST /api/v1/compilations/{id}/forward',
    name: `a new version of ${code}'s September`,
    expect: forwardWrite(code),
    url: () => '',
    prepare: async (fx) => ({
      url: `/api/v1/compilations/${await freshCompilation(fx, code, '2026-09', false)}/forward`,
    }),
    verify: (_fx, _caller, response) => {
      const view = response.json<CompilationView>();
      expect(view.division_code).toBe(code);
      expect(view.forwarded_at).not.toBeNull();
    },
  });
  // July: each caller gets a version just compiled and forwarded by the division's own compiler.
  const returnCase = (code: string): ReportingCase => ({
    route: 'POST /api/v1/compilations/{id}/return',
    name: `a new version of ${code}'s July, forwarded to ${parentOf(code)}`,
    expect: compilationReturn(code),
    url: () => '',
    prepare: async (fx) => ({
      url: `/api/v1/compilations/${await freshCompilation(fx, code, '2026-07', true)}/return`,
    }),
    body: (_fx, caller) => ({ reason: `矩阵测试：${caller} 退回，请更正` }),
    verify: (_fx, caller, response) => {
      const view = response.json<CompilationView>();
      expect(view.division_code).toBe(code);
      expect(view.returned?.returned_by).toBe(caller);
    },
  });
  return [
    draftCase('150206', '2026-10'),
    draftCase('150200', '2026-10'),
    draftCase('150000', '2026-10'),
    draftCase('360700', '2026-10'),
    draftCase('360783', '2026-10'),
    draftCase(NATION, '2026-10'),
    {
      route: 'GET /api/v1/compilations/draft',
      name: 'a division with no designated enterprise (Beijing): 404 within reach, 403 outside it',
      expect: emptyDivision('110000'),
      url: () => '/api/v1/compilations/draft?division_code=110000&period=2026-10',
    },
    listCase('150206'),
    listCase('150203'),
    listCase('360728'),
    listCase('150200'),
    listCase('360700'),
    listCase('150000'),
    listCase(NATION),
    ...['150206', '150203', '360728', '360783', '150200', '360700', '150000', NATION].map(compileCase),
    ...['150206', '150203', '150207', '360728', '360783', '150200', '360700', '150000', '360000', NATION].map(readCase),
    {
      route: 'GET /api/v1/compilations/{id}',
      name: 'missing',
      expect: missingRead(),
      url: () => `/api/v1/compilations/${MISSING}`,
    },
    ...['150206', '150203', '360728', '360783', '150200', '360700', '150000'].map(forwardCase),
    {
      route: 'POST /api/v1/compilations/{id}/forward',
      name: 'missing',
      expect: reviewers(404),
      url: () => `/api/v1/compilations/${MISSING}/forward`,
    },
    // 360700's parent, Jiangxi (360000), has no official among the callers: no one may return it.
    ...['150206', '150203', '360728', '360783', '150200', '360700', '150000'].map(returnCase),
    {
      route: 'POST /api/v1/compilations/{id}/return',
      name: 'missing',
      expect: reviewers(404),
      url: () => `/api/v1/compilations/${MISSING}/return`,
      body: () => ({ reason: '矩阵测试：不存在' }),
    },
  ];
}

function boardCases(): ReportingCase[] {
  const boardCase = (code: string, period: string): ReportingCase => ({
    route: 'GET /api/v1/reporting/board',
    name: `${code}, ${period}`,
    expect: divisionRead(code),
    url: () => `/api/v1/reporting/board?period=${period}&division_code=${code}`,
    verify: (_fx, caller, response) => {
      const view = response.json<BoardView>();
      expect(view.node.code).toBe(code);
      allWithin(caller, [view.node.code, ...view.children.map((child) => child.code)]);
      expect(view.path[0]?.code).toBe(rootOf(signedIn(caller)));
    },
  });
  const reconciliationCase = (code: string, period: string): ReportingCase => ({
    route: 'GET /api/v1/reporting/reconciliation',
    name: `${code}, ${period}`,
    expect: divisionRead(code),
    url: () => `/api/v1/reporting/reconciliation?period=${period}&division_code=${code}`,
    verify: (_fx, _caller, response) => {
      const view = response.json<ReconciliationView>();
      expect(view.division_code).toBe(code);
      expect(view.rows.length).toBeGreaterThan(0);
    },
  });
  return [
    {
      route: 'GET /api/v1/reporting/board',
      name: "October, the caller's own jurisdiction",
      expect: only(200, officials),
      url: () => '/api/v1/reporting/board?period=2026-10',
      verify: (_fx, caller, response) => {
        const view = response.json<BoardView>();
        expect(view.node.code).toBe(rootOf(signedIn(caller)));
        expect(view.children.length).toBeGreaterThan(0);
        allWithin(
          caller,
          view.children.map((child) => child.code),
        );
      },
    },
    boardCase('150200', '2026-10'),
    boardCase('150206', '2026-10'),
    boardCase('360700', '2026-10'),
    boardCase('360783', '2026-09'),
    boardCase(NATION, '2026-09'),
    {
      route: 'GET /api/v1/reporting/board',
      name: 'a division with no designated enterprise (Beijing): 404 within reach, 403 outside it',
      expect: emptyDivision('110000'),
      url: () => '/api/v1/reporting/board?period=2026-10&division_code=110000',
    },
    {
      route: 'GET /api/v1/reporting/reconciliation',
      name: "September, the caller's own jurisdiction",
      expect: only(200, officials),
      url: () => '/api/v1/reporting/reconciliation?period=2026-09',
      verify: (_fx, caller, response) => {
        const view = response.json<ReconciliationView>();
        expect(view.division_code).toBe(rootOf(signedIn(caller)));
        allWithin(
          caller,
          view.rows.filter((row) => row.kind === 'division').map((row) => row.code),
        );
      },
    },
    reconciliationCase('150200', '2026-10'),
    reconciliationCase('360783', '2026-10'),
    reconciliationCase('360700', '2026-09'),
    {
      route: 'GET /api/v1/reporting/reminders',
      name: 'the reminders addressed to the caller',
      expect: only(200, granted.read),
      url: () => '/api/v1/reporting/reminders',
      verify: (fx, caller, response) => {
        const reach = reachOf[signedIn(caller)];
        const own =
          reach.kind === 'enterprise'
            ? { type: 'enterprise', code: enterpriseId(fx, reach.key) }
            : reach.kind === 'division'
              ? { type: 'division', code: reach.code }
              : null;
        for (const item of response.json<{ target_type: string; target_code: string }[]>())
          expect({ type: item.target_type, code: item.target_code }, `${caller} is shown a reminder`).toEqual(own);
      },
    },
    {
      route: 'POST /api/v1/reporting/reminders',
      name: "October's overdue in the caller's jurisdiction",
      expect: reviewers(200),
      url: () => '/api/v1/reporting/reminders',
      body: () => ({ period: '2026-10' }),
    },
    {
      route: 'POST /api/v1/reporting/reconciliation/runs',
      name: 'October',
      expect: only(200, granted.checksRun),
      url: () => '/api/v1/reporting/reconciliation/runs',
      body: () => ({ period: '2026-10' }),
      verify: (_fx, _caller, response) => {
        expect(response.json<{ period: string }>().period).toBe('2026-10');
      },
    },
    {
      route: 'GET /api/v1/reporting/deadlines',
      name: 'the calendar in force',
      expect: only(200, granted.read),
      url: () => '/api/v1/reporting/deadlines',
      verify: (_fx, _caller, response) => {
        expect(response.json<unknown[]>().length).toBeGreaterThanOrEqual(8);
      },
    },
    {
      route: 'PUT /api/v1/reporting/deadlines',
      name: "the provinces' annual deadline, set again as it stands",
      expect: only(200, granted.configure),
      url: () => '/api/v1/reporting/deadlines',
      body: async (fx) => {
        const rules = await expectStatus<
          { level: string; period_kind: string; month_offset: number; day: number; unit: string }[]
        >(fx.clients.miit.get('/api/v1/reporting/deadlines'), 200);
        const rule = rules.find((item) => item.level === 'province' && item.period_kind === 'year');
        if (!rule) throw new Error("no provinces' annual deadline");
        return {
          level: rule.level,
          period_kind: rule.period_kind,
          month_offset: rule.month_offset,
          day: rule.day,
          unit: rule.unit,
        };
      },
      verify: (_fx, caller, response) => {
        expect(response.json<{ level: string; set_by: string }>()).toMatchObject({ level: 'province', set_by: caller });
      },
    },
  ];
}

/** Every case, in the order they run: reads of the loaded world before the writes that add to it. */
export function reportingMatrix(): ReportingCase[] {
  return [...reportCases(), ...compilationCases(), ...boardCases()];
}
