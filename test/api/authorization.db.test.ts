import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { allocationMatrix } from './allocation-matrix.ts';
import { dashboardMatrix } from './dashboard-matrix.ts';
import { flowFilesMatrix } from './flow-files-matrix.ts';
import { flowsMatrix } from './flows-matrix.ts';
import { grantsMatrix } from './grants-matrix.ts';
import { oversightMatrix } from './oversight-matrix.ts';
import {
  enterpriseRows,
  enterpriseVersion,
  expectProblem,
  newEnterpriseBody,
  newProductBody,
  nextSerial,
  productVersion,
  rawSession,
  userIds,
  worldDigest,
  type DemoEnterpriseRow,
} from './api-helpers.ts';
import { reportingExportsMatrix } from './reporting-exports-matrix.ts';
import { reportingMatrix } from './reporting-matrix.ts';
import { routesFromTree, runMatrixCase, type MatrixCase } from './route-matrix.ts';
import { supervisionAnnualMatrix } from './supervision-annual-matrix.ts';
import { supervisionMatrix } from './supervision-matrix.ts';
import { supervisionRiskMatrix } from './supervision-risk-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3): every read and write is scoped, and denied is denied in every endpoint, export
 * and search. The matrix below, with the indicator, allocation, notice and ledger cases of allocation-matrix.ts
 * (run by authorization-allocation.db.test.ts), names every /api/v1 route; the first matrix test fails when the
 * app has a route neither covers.
 */

const signedIn = [
  'miit',
  'mnr',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
  'operator',
] as const;
type Login = (typeof signedIn)[number];
type Caller = Login | 'anonymous';
const callers: readonly Caller[] = [...signedIn, 'anonymous'];
type Expectation = Record<Caller, number>;

/** `ok` for the listed callers, `otherwise` for the other signed-in ones, 401 for anonymous. */
function only(ok: number, who: readonly Login[], otherwise = 403): Expectation {
  const result = { anonymous: 401 } as Expectation;
  for (const login of signedIn) result[login] = who.includes(login) ? ok : otherwise;
  return result;
}
const everyone = (ok: number): Expectation => only(ok, signedIn);
/** Start from `base` and change some callers. */
const but = (base: Expectation, changes: Partial<Expectation>): Expectation => ({ ...base, ...changes });

const readers = [
  'miit',
  'mnr',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
] as const satisfies readonly Login[];

/**
 * Reading one enterprise (or what belongs to it): ministries and oversight see all; a department its division;
 * an enterprise user only itself; the operator has no enterprise.read. Outside scope is 404, as if it did not exist.
 */
const readOne: Record<'bayan' | 'longnan' | 'dingnan' | 'missing', Expectation> = {
  // Baotou mine, 150206
  bayan: but(only(200, readers), { 'ganzhou.nr': 404, 'longnan.iit': 404, 'ent.dingnan': 404 }),
  // Longnan mine, 360783 (in Ganzhou, in Longnan county)
  longnan: but(only(200, readers), { 'baotou.iit': 404, 'ent.bayan': 404, 'ent.dingnan': 404 }),
  // Dingnan separation plant, 360728 (in Ganzhou, not in Longnan county)
  dingnan: but(only(200, readers), { 'baotou.iit': 404, 'longnan.iit': 404, 'ent.bayan': 404 }),
  missing: only(404, readers),
};

/** enterprise.write: MIIT nationally, industry & IT departments within their division. */
const writers = ['miit', 'baotou.iit', 'longnan.iit'] as const satisfies readonly Login[];
const writeOne: Record<'bayan' | 'longnan' | 'dingnan', Expectation> = {
  bayan: but(only(200, writers), { 'longnan.iit': 404 }),
  longnan: but(only(200, writers), { 'baotou.iit': 404 }),
  dingnan: but(only(200, writers), { 'baotou.iit': 404, 'longnan.iit': 404 }),
};
/** enterprise.security.write adds the enterprise users, for their own enterprise only. */
const securityWriters = [...writers, 'ent.bayan', 'ent.dingnan'] as const satisfies readonly Login[];
const securityOne: Record<'bayan' | 'longnan' | 'dingnan', Expectation> = {
  bayan: but(only(200, securityWriters), { 'longnan.iit': 404, 'ent.dingnan': 404 }),
  longnan: but(only(200, securityWriters), { 'baotou.iit': 404, 'ent.bayan': 404, 'ent.dingnan': 404 }),
  dingnan: but(only(200, securityWriters), { 'baotou.iit': 404, 'longnan.iit': 404, 'ent.bayan': 404 }),
};
/** Registering: the domicile is in the request, so outside one's division is a plain 403. */
const createAt: Record<'baotou' | 'longnan' | 'dingnan', Expectation> = {
  baotou: but(only(201, writers), { 'longnan.iit': 403 }),
  longnan: but(only(201, writers), { 'baotou.iit': 403 }),
  dingnan: but(only(201, writers), { 'baotou.iit': 403, 'longnan.iit': 403 }),
};

interface Fixtures {
  context: TestContext;
  clients: Record<Caller, Client>;
  enterprises: Record<string, DemoEnterpriseRow>;
  designations: Record<string, string>;
  users: Record<string, string>;
}

type Case = MatrixCase<Fixtures, Caller>;

/** Puts the demo authenticator back on an account that enrolled another one (the demo accounts share one secret). */
async function restoreDemoAuthenticator(fx: Fixtures, login: string): Promise<void> {
  await fx.context.database.db
    .updateTable('app_user')
    .set((eb) => ({
      totp_secret_sealed: eb
        .selectFrom('app_user as demo')
        .select('demo.totp_secret_sealed')
        .where('demo.login', '=', 'ndrc'),
    }))
    .where('login', '=', login)
    .execute();
}

const id = (fx: Fixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no demo enterprise ${key}`);
  return row.id;
};
const designationId = (fx: Fixtures, key: string): string => {
  const value = fx.designations[key];
  if (!value) throw new Error(`no demo designation ${key}`);
  return value;
};
const MISSING = '00000000-0000-4000-8000-000000000000';
const expectId = (expected: string) => (_fx: Fixtures, _caller: Caller, response: LightMyRequestResponse) => {
  expect(response.json<{ id: string }>().id).toBe(expected);
};

function enterpriseCases(): Case[] {
  const cases: Case[] = [
    { route: 'GET /api/v1/enterprises', name: 'list', expect: only(200, readers), url: () => '/api/v1/enterprises' },
    {
      route: 'GET /api/v1/enterprises/export.csv',
      name: 'CSV export',
      expect: only(200, readers),
      url: () => '/api/v1/enterprises/export.csv',
    },
  ];
  for (const key of ['bayan', 'longnan', 'dingnan'] as const) {
    cases.push(
      {
        route: 'GET /api/v1/enterprises/{id}',
        name: key,
        expect: readOne[key],
        url: (fx) => `/api/v1/enterprises/${id(fx, key)}`,
        verify: (fx, c, r) => expectId(id(fx, key))(fx, c, r),
      },
      {
        route: 'GET /api/v1/enterprises/{id}/history',
        name: key,
        expect: readOne[key],
        url: (fx) => `/api/v1/enterprises/${id(fx, key)}/history`,
      },
      {
        route: 'PATCH /api/v1/enterprises/{id}',
        name: key,
        expect: writeOne[key],
        url: (fx) => `/api/v1/enterprises/${id(fx, key)}`,
        body: async (fx) => ({
          expected_version: await enterpriseVersion(fx.context.database.db, id(fx, key)),
          technical_score: 40 + (nextSerial() % 50),
        }),
      },
      {
        route: 'PUT /api/v1/enterprises/{id}/security-profile',
        name: key,
        expect: securityOne[key],
        url: (fx) => `/api/v1/enterprises/${id(fx, key)}/security-profile`,
        body: async (fx, caller) => ({
          expected_version: await enterpriseVersion(fx.context.database.db, id(fx, key)),
          security_profile: {
            responsible_person: `负责人 ${caller}`,
            protection_level: 3,
            last_assessment_on: '2026-06-01',
          },
        }),
      },
    );
  }
  cases.push(
    {
      route: 'GET /api/v1/enterprises/{id}',
      name: 'missing',
      expect: readOne.missing,
      url: () => `/api/v1/enterprises/${MISSING}`,
    },
    {
      route: 'GET /api/v1/enterprises/{id}/history',
      name: 'missing',
      expect: readOne.missing,
      url: () => `/api/v1/enterprises/${MISSING}/history`,
    },
    {
      route: 'POST /api/v1/enterprises',
      name: 'domiciled in Baotou (150206)',
      expect: createAt.baotou,
      url: () => '/api/v1/enterprises',
      body: () => newEnterpriseBody('150206'),
    },
    {
      route: 'POST /api/v1/enterprises',
      name: 'domiciled in Longnan (360783)',
      expect: createAt.longnan,
      url: () => '/api/v1/enterprises',
      body: () => newEnterpriseBody('360783'),
    },
    {
      route: 'POST /api/v1/enterprises',
      name: 'domiciled in Dingnan (360728)',
      expect: createAt.dingnan,
      url: () => '/api/v1/enterprises',
      body: () => newEnterpriseBody('360728'),
    },
  );
  return cases;
}

function designationCases(): Case[] {
  const cases: Case[] = [
    { route: 'GET /api/v1/designations', name: 'list', expect: only(200, readers), url: () => '/api/v1/designations' },
  ];
  for (const [key, scope] of [
    ['bayan', 'mining'],
    ['longnan', 'mining'],
    ['dingnan', 'separation'],
  ] as const) {
    cases.push({
      route: 'GET /api/v1/designations/{id}',
      name: `${key} ${scope}`,
      expect: readOne[key],
      url: (fx) => `/api/v1/designations/${designationId(fx, `${key}:${scope}`)}`,
      verify: (fx, c, r) => expectId(designationId(fx, `${key}:${scope}`))(fx, c, r),
    });
  }
  cases.push(
    {
      route: 'GET /api/v1/designations/{id}',
      name: 'missing',
      expect: readOne.missing,
      url: () => `/api/v1/designations/${MISSING}`,
    },
    {
      route: 'POST /api/v1/designations',
      name: 'designate the undesignated Lincang mine',
      expect: only(201, ['miit']),
      url: () => '/api/v1/designations',
      body: (fx) => ({
        enterprise_id: id(fx, 'lincang'),
        scope: 'mining',
        document_no: `工信部原函〔2026〕${nextSerial()}号`,
        effective_on: '2026-01-01',
      }),
    },
    {
      route: 'POST /api/v1/designations/{id}/revoke',
      name: 'revoke Xinfeng separation',
      expect: only(200, ['miit']),
      url: (fx) => `/api/v1/designations/${designationId(fx, 'xinfeng:separation')}/revoke`,
      body: () => ({
        revoked_on: '2026-06-30',
        revocation_document_no: `工信部原函〔2026〕${nextSerial()}号`,
        reason: '安全许可证过期',
      }),
    },
  );
  return cases;
}

function referenceAndProductCases(): Case[] {
  return [
    { route: 'GET /api/v1/divisions', name: 'provinces', expect: everyone(200), url: () => '/api/v1/divisions' },
    {
      route: 'GET /api/v1/divisions/{code}',
      name: 'Baotou',
      expect: everyone(200),
      url: () => '/api/v1/divisions/150200',
    },
    { route: 'GET /api/v1/authorities', name: 'ministries', expect: everyone(200), url: () => '/api/v1/authorities' },
    { route: 'GET /api/v1/groups', name: 'groups', expect: everyone(200), url: () => '/api/v1/groups' },
    {
      route: 'POST /api/v1/groups',
      name: 'new group',
      expect: only(201, ['miit']),
      url: () => '/api/v1/groups',
      body: () => {
        const n = nextSerial();
        return { id: `test-group-${n}`, name: `测试稀土集团${n}` };
      },
    },
    { route: 'GET /api/v1/products', name: 'catalogue', expect: everyone(200), url: () => '/api/v1/products' },
    { route: 'GET /api/v1/products/{code}', name: 'ND2O3', expect: everyone(200), url: () => '/api/v1/products/ND2O3' },
    {
      route: 'GET /api/v1/products/{code}/history',
      name: 'ND2O3',
      expect: everyone(200),
      url: () => '/api/v1/products/ND2O3/history',
    },
    {
      route: 'POST /api/v1/products',
      name: 'new product',
      expect: only(201, ['miit', 'operator']),
      url: () => '/api/v1/products',
      body: () => newProductBody(),
    },
    {
      route: 'PATCH /api/v1/products/{code}',
      name: 'rename DY2O3',
      expect: only(200, ['miit', 'operator']),
      url: () => '/api/v1/products/DY2O3',
      body: async (fx, caller) => ({
        expected_version: await productVersion(fx.context.database.db, 'DY2O3'),
        name_en: `Dysprosium oxide (${caller})`,
      }),
    },
  ];
}

function userAndAuditCases(): Case[] {
  return [
    { route: 'GET /api/v1/users', name: 'list', expect: only(200, ['operator']), url: () => '/api/v1/users' },
    {
      route: 'GET /api/v1/users/{id}',
      name: 'ndrc',
      expect: only(200, ['operator']),
      url: (fx) => `/api/v1/users/${fx.users.ndrc}`,
    },
    {
      route: 'POST /api/v1/users',
      name: 'new oversight account (a proposal: pending until oversight approves)',
      expect: only(201, ['operator']),
      verify: (_fx, _caller, response) => {
        expect(response.json()).toMatchObject({ grant_status: 'pending', grant: { approver_role: 'oversight' } });
      },
      url: () => '/api/v1/users',
      body: () => ({
        login: `test.user${nextSerial()}`,
        display_name: '测试审计员',
        password: 'Test-password-2026',
        role: 'oversight',
      }),
    },
    {
      route: 'PATCH /api/v1/users/{id}',
      name: 'rename ndrc',
      expect: only(200, ['operator']),
      url: (fx) => `/api/v1/users/${fx.users.ndrc}`,
      body: () => ({ display_name: `国家发展改革委 赵处长 ${nextSerial()}` }),
    },
    { route: 'GET /api/v1/audit', name: 'entries', expect: only(200, ['oversight']), url: () => '/api/v1/audit' },
    {
      route: 'GET /api/v1/audit/verify',
      name: 'chain',
      expect: only(200, ['oversight']),
      url: () => '/api/v1/audit/verify',
    },
  ];
}

function authCases(): Case[] {
  return [
    {
      route: 'POST /api/v1/auth/login',
      name: 'own credentials (anonymous signs in as ndrc)',
      expect: { ...everyone(200), anonymous: 200 },
      url: () => '/api/v1/auth/login',
      body: (_fx, caller) => ({ login: caller === 'anonymous' ? 'ndrc' : caller, password: DEMO_PASSWORD }),
      verify: (_fx, caller, response) => {
        expect(response.json<{ login: string }>().login).toBe(caller === 'anonymous' ? 'ndrc' : caller);
      },
    },
    {
      route: 'POST /api/v1/auth/logout',
      name: 'a throwaway session',
      expect: everyone(204),
      url: () => '/api/v1/auth/logout',
      prepare: async (fx, caller) => (caller === 'anonymous' ? {} : { client: await fx.context.as(caller) }),
      verify: async (fx, caller, _response, prepared) => {
        expect((await prepared.client?.get('/api/v1/auth/me'))?.statusCode).toBe(401);
        expect((await fx.clients[caller].get('/api/v1/auth/me')).statusCode).toBe(200);
      },
    },
    {
      route: 'GET /api/v1/auth/sign-in-help',
      name: 'public: the demo code',
      expect: { ...everyone(200), anonymous: 200 },
      url: () => '/api/v1/auth/sign-in-help',
    },
    {
      route: 'POST /api/v1/auth/second-factor',
      name: 'a fresh code (step-up)',
      expect: everyone(200),
      url: () => '/api/v1/auth/second-factor',
      body: async (fx, caller) => ({ code: caller === 'anonymous' ? '000000' : await fx.context.codes.next(caller) }),
    },
    {
      route: 'POST /api/v1/auth/second-factor/enrolment',
      name: 'a new authenticator (pending)',
      expect: everyone(200),
      url: () => '/api/v1/auth/second-factor/enrolment',
    },
    {
      route: 'POST /api/v1/auth/second-factor/enrolment/confirm',
      name: 'the new authenticator confirmed (then the demo one put back)',
      expect: everyone(200),
      url: () => '/api/v1/auth/second-factor/enrolment/confirm',
      body: async (fx, caller) => {
        if (caller === 'anonymous') return { code: '000000' };
        const started = await fx.clients[caller].post('/api/v1/auth/second-factor/enrolment');
        const { secret } = started.json<{ secret: string }>();
        return { code: await fx.context.codes.next(caller, secret) };
      },
      verify: async (fx, caller, response) => {
        expect(response.json<{ recovery_codes: string[] }>().recovery_codes).toHaveLength(10);
        await restoreDemoAuthenticator(fx, caller);
      },
    },
    {
      route: 'POST /api/v1/auth/second-factor/recovery-codes',
      name: 'new recovery codes',
      expect: everyone(200),
      url: () => '/api/v1/auth/second-factor/recovery-codes',
    },
    {
      route: 'POST /api/v1/auth/password',
      name: 'my password changed (then the demo one put back)',
      expect: everyone(204),
      url: () => '/api/v1/auth/password',
      body: () => ({ current_password: DEMO_PASSWORD, new_password: 'Matrix-changed-2026' }),
      verify: async (fx, caller) => {
        await fx.context.database.db
          .updateTable('app_user')
          .set((eb) => ({
            password_hash: eb
              .selectFrom('app_user as demo')
              .select('demo.password_hash')
              .where('demo.login', '=', 'ndrc'),
          }))
          .where('login', '=', caller)
          .execute();
        await fx.context.database.db.deleteFrom('password_history').where('user_id', '=', fx.users[caller]!).execute();
      },
    },
    {
      route: 'GET /api/v1/auth/sessions',
      name: 'my sessions',
      expect: everyone(200),
      url: () => '/api/v1/auth/sessions',
    },
    {
      route: 'DELETE /api/v1/auth/sessions/{id}',
      name: 'another session of mine',
      expect: everyone(204),
      url: () => `/api/v1/auth/sessions/${randomUUID()}`,
      prepare: async (fx, caller) => {
        if (caller === 'anonymous') return {};
        const other = await fx.context.as(caller);
        const sessions = (await other.get('/api/v1/auth/sessions')).json<{ id: string; current: boolean }[]>();
        return { url: `/api/v1/auth/sessions/${sessions.find((item) => item.current)!.id}` };
      },
    },
    {
      route: 'POST /api/v1/auth/sessions/sign-out-others',
      name: 'my other sessions',
      expect: everyone(200),
      url: () => '/api/v1/auth/sessions/sign-out-others',
      prepare: async (fx, caller) => {
        if (caller !== 'anonymous') await fx.context.as(caller);
        return {};
      },
      verify: (_fx, _caller, response) => {
        expect(response.json<{ signed_out: number }>().signed_out).toBeGreaterThanOrEqual(1);
      },
    },
    {
      route: 'POST /api/v1/users/{id}/second-factor/reset',
      name: "an enterprise user's lost authenticator",
      expect: only(200, ['operator']),
      url: (fx) => `/api/v1/users/${fx.users['ent.kundulun']}/second-factor/reset`,
      verify: (_fx, _caller, response) => {
        expect(response.json()).toMatchObject({ applied: true, grant: null });
      },
    },
    {
      route: 'GET /api/v1/auth/me',
      name: 'self',
      expect: everyone(200),
      url: () => '/api/v1/auth/me',
      verify: (_fx, caller, response) => {
        expect(response.json<{ login: string }>().login).toBe(caller);
      },
    },
    { route: 'GET /api/v1/auth/tokens', name: 'own tokens', expect: everyone(200), url: () => '/api/v1/auth/tokens' },
    {
      route: 'POST /api/v1/auth/tokens',
      name: 'new token',
      expect: everyone(201),
      url: () => '/api/v1/auth/tokens',
      body: () => ({ name: `matrix ${nextSerial()}` }),
    },
    {
      route: 'DELETE /api/v1/auth/tokens/{id}',
      name: 'own token',
      expect: everyone(200),
      url: () => `/api/v1/auth/tokens/${randomUUID()}`,
      prepare: async (fx, caller) => {
        if (caller === 'anonymous') return {};
        const created = await fx.clients[caller].post('/api/v1/auth/tokens', { name: 'to revoke' });
        expect(created.statusCode).toBe(201);
        return { url: `/api/v1/auth/tokens/${created.json<{ id: string }>().id}` };
      },
      verify: (_fx, _caller, response) => {
        expect(response.json<{ revoked_at: string | null }>().revoked_at).not.toBeNull();
      },
    },
  ];
}

const cases: Case[] = [
  ...authCases(),
  ...userAndAuditCases(),
  ...referenceAndProductCases(),
  ...enterpriseCases(),
  ...designationCases(),
];

describe('authorization', () => {
  const fx = {} as Fixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp();
    fx.context = context;
    const clients = { anonymous: context.anonymous } as Record<Caller, Client>;
    for (const login of signedIn) clients[login] = await context.as(login);
    fx.clients = clients;
    fx.enterprises = Object.fromEntries(
      (await enterpriseRows(context.database.db)).filter((row) => row.key).map((row) => [row.key, row]),
    );
    const designations = await context.database.db
      .selectFrom('designation')
      .select(['id', 'enterprise_id', 'scope'])
      .execute();
    const keyOf = new Map(Object.values(fx.enterprises).map((row) => [row.id, row.key]));
    fx.designations = Object.fromEntries(
      designations.map((row) => [`${keyOf.get(row.enterprise_id)}:${row.scope}`, row.id]),
    );
    fx.users = await userIds(context.database.db);
  });
  afterAll(async () => context.close());

  describe('lists, search and CSV export leak nothing (run before the matrix changes data)', () => {
    /** What each scoped caller may see, by the rule in DESIGN.md §3.6, independent of the server's code. */
    const visibleTo: Record<string, (row: DemoEnterpriseRow) => boolean> = {
      miit: () => true,
      mnr: () => true,
      oversight: () => true,
      'baotou.iit': (row) => row.domicile_code.startsWith('1502'),
      'ganzhou.nr': (row) => row.domicile_code.startsWith('3607'),
      'longnan.iit': (row) => row.domicile_code === '360783',
      'ent.bayan': (row) => row.key === 'bayan',
      'ent.dingnan': (row) => row.key === 'dingnan',
    };
    const demoCounts: Record<string, number> = {
      miit: 14,
      mnr: 14,
      oversight: 14,
      'baotou.iit': 3,
      'ganzhou.nr': 3,
      'longnan.iit': 1,
      'ent.bayan': 1,
      'ent.dingnan': 1,
    };

    type Listed = { items: { id: string; domicile_code: string; credit_code: string }[]; total: number };

    it('the demo scopes hold the expected number of enterprises and designations', async () => {
      for (const [login, count] of Object.entries(demoCounts)) {
        const client = fx.clients[login as Login];
        const enterprises = (await client.get('/api/v1/enterprises?page_size=200')).json<Listed>();
        expect(enterprises.total, login).toBe(count);
        expect(enterprises.items).toHaveLength(count);
        const designations = (await client.get('/api/v1/designations?page_size=200')).json<Listed>();
        // Every demo enterprise has one designation except weishan and fusui (two) and lincang (none).
        const expected = { miit: 15, mnr: 15, oversight: 15 }[login] ?? count;
        expect(designations.total, login).toBe(expected);
      }
    });

    const queries = [
      '',
      'q=稀土',
      'q=包头',
      'q=赣州',
      'q=3607',
      'q=1502',
      'q=91',
      'q=%25',
      'q=_',
      'division=360700',
      'division=150200',
      'division=360783',
      'group_id=northern',
      'group_id=china-re',
      'kind=mining',
      'kind=separation&q=稀土',
    ];

    function expectedFor(login: string, rows: DemoEnterpriseRow[], query: string): Set<string> {
      const params = new URLSearchParams(query);
      const q = params.get('q');
      const division = params.get('division');
      const prefix = division
        ? division.endsWith('0000')
          ? division.slice(0, 2)
          : division.endsWith('00')
            ? division.slice(0, 4)
            : division
        : null;
      const visible = visibleTo[login] ?? (() => false);
      return new Set(
        rows
          .filter(visible)
          .filter((row) => !q || row.name.includes(q) || row.credit_code.includes(q.toUpperCase()))
          .filter((row) => !prefix || row.domicile_code.startsWith(prefix))
          .filter((row) => !params.get('group_id') || row.group_id === params.get('group_id'))
          .filter((row) => !params.get('kind') || row.kind === params.get('kind'))
          .map((row) => row.id),
      );
    }

    it.each(Object.keys(visibleTo))(
      '%s: every enterprise listed, searched or filtered lies in scope, and all of the scope is listed',
      async (login) => {
        const rows = await enterpriseRows(context.database.db);
        const client = fx.clients[login as Login];
        for (const query of queries) {
          const response = await client.get(`/api/v1/enterprises?page_size=200&${query}`);
          expect(response.statusCode, `${login} ${query}`).toBe(200);
          const body = response.json<Listed>();
          const expected = expectedFor(login, rows, query);
          expect(new Set(body.items.map((item) => item.id)), `${login} ${query}`).toEqual(expected);
          expect(body.total, `${login} ${query}`).toBe(expected.size);
          for (const item of body.items)
            expect(
              visibleTo[login]?.(rows.find((row) => row.id === item.id)!),
              `${login} sees ${item.domicile_code}`,
            ).toBe(true);
        }
      },
    );

    it.each(Object.keys(visibleTo))('%s: paging one by one gives the same scoped set and total', async (login) => {
      const rows = await enterpriseRows(context.database.db);
      const expected = expectedFor(login, rows, '');
      const seen = new Set<string>();
      for (let page = 1; page <= expected.size + 1; page += 1) {
        const body = (
          await fx.clients[login as Login].get(`/api/v1/enterprises?page_size=1&page=${page}`)
        ).json<Listed>();
        expect(body.total).toBe(expected.size);
        expect(body.items.length).toBe(page <= expected.size ? 1 : 0);
        body.items.forEach((item) => seen.add(item.id));
      }
      expect(seen).toEqual(expected);
    });

    it.each(Object.keys(visibleTo))('%s: the CSV export holds exactly the scoped rows', async (login) => {
      const rows = await enterpriseRows(context.database.db);
      for (const query of ['', 'q=稀土', 'q=3607', 'q=1502', 'division=360700', 'group_id=northern']) {
        const response = await fx.clients[login as Login].get(`/api/v1/enterprises/export.csv?${query}`);
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/csv/);
        expect(response.body.startsWith('\uFEFF')).toBe(true);
        const records: string[][] = parse(response.body.slice(1));
        expect(records[0]?.[0]).toBe('统一社会信用代码');
        const codes = new Set(records.slice(1).map((record) => record[0]));
        const expectedCodes = new Set(
          rows.filter((row) => expectedFor(login, rows, query).has(row.id)).map((row) => row.credit_code),
        );
        expect(codes, `${login} ${query}`).toEqual(expectedCodes);
        for (const record of records.slice(1)) {
          const row = rows.find((item) => item.credit_code === record[0]);
          expect(row && visibleTo[login]?.(row), `${login} exports ${record[3]}`).toBe(true);
          expect(record[3]).toBe(row?.domicile_code);
        }
      }
    });

    it.each(Object.keys(visibleTo))(
      '%s: designations listed and filtered belong to enterprises in scope',
      async (login) => {
        const rows = await enterpriseRows(context.database.db);
        const visible = new Set(rows.filter(visibleTo[login] ?? (() => false)).map((row) => row.id));
        const all = await context.database.db.selectFrom('designation').select(['id', 'enterprise_id']).execute();
        const expected = new Set(all.filter((row) => visible.has(row.enterprise_id)).map((row) => row.id));
        const client = fx.clients[login as Login];
        const body = (await client.get('/api/v1/designations?page_size=200')).json<{
          items: { id: string; enterprise_id: string }[];
          total: number;
        }>();
        expect(new Set(body.items.map((item) => item.id))).toEqual(expected);
        expect(body.total).toBe(expected.size);
        for (const status of ['active', 'pending', 'revoked']) {
          const filtered = (await client.get(`/api/v1/designations?page_size=200&status=${status}`)).json<{
            items: { enterprise_id: string }[];
            total: number;
          }>();
          expect(filtered.items.every((item) => visible.has(item.enterprise_id))).toBe(true);
          expect(filtered.total).toBe(filtered.items.length);
        }
        // Asking for another enterprise's designations by id gives nothing, not an error that confirms it exists.
        for (const row of rows) {
          const filtered = (await client.get(`/api/v1/designations?page_size=200&enterprise_id=${row.id}`)).json<{
            items: unknown[];
            total: number;
          }>();
          const count = all.filter((item) => item.enterprise_id === row.id).length;
          expect(filtered.total, `${login} designations of ${row.key}`).toBe(visible.has(row.id) ? count : 0);
        }
      },
    );

    it("group enterprise counts do not disclose enterprises outside the caller's scope", async () => {
      const rows = await enterpriseRows(context.database.db);
      const leaks: string[] = [];
      for (const login of [
        'baotou.iit',
        'ganzhou.nr',
        'longnan.iit',
        'ent.bayan',
        'ent.dingnan',
        'operator',
      ] as const) {
        const visible = visibleTo[login] ?? (() => false);
        const response = await fx.clients[login].get('/api/v1/groups');
        expect(response.statusCode).toBe(200);
        for (const group of response.json<{ id: string; enterprise_count: number }[]>()) {
          const inScope = rows.filter((row) => row.group_id === group.id && visible(row)).length;
          if (group.enterprise_count !== inScope)
            leaks.push(
              `${login} sees ${group.enterprise_count} enterprises in group ${group.id}, ${inScope} of them in scope`,
            );
        }
      }
      expect(leaks).toEqual([]);
    });
  });

  describe('the route matrix', () => {
    it('covers every /api/v1 route the app serves, and the OpenAPI document lists them all', () => {
      const openapi = context.app.swagger() as { paths: Record<string, Record<string, unknown>> };
      const documented = new Set(
        Object.entries(openapi.paths)
          .filter(([path]) => path.startsWith('/api/v1/'))
          .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)),
      );
      const served = routesFromTree(context.app.printRoutes({ commonPrefix: false }));
      expect(served.size).toBeGreaterThan(20);
      expect([...served].sort()).toEqual([...documented].sort());
      // The indicator, allocation, notice and ledger cases run in authorization-allocation.db.test.ts; the flow,
      // trace, declaration and anomaly cases in authorization-flows.db.test.ts; the flow-file cases in files.db.test.ts;
      // the report, compilation, board, reminder, reconciliation and deadline cases in
      // authorization-reporting.db.test.ts; the report export cases in reporting/exports.db.test.ts; the dashboard
      // cases in dashboard/dashboard.db.test.ts; the supervision cases in authorization-supervision.db.test.ts; the
      // risk-ranked list cases in authorization-supervision-risk.db.test.ts; the annual supervision report cases in
      // authorization-supervision-annual.db.test.ts; the oversight cases in oversight/alerts.db.test.ts; the grant cases
      // (two people for privileged accounts) in grants.db.test.ts.
      const covered = new Set(
        [
          ...cases,
          ...allocationMatrix(),
          ...flowsMatrix(),
          ...flowFilesMatrix(),
          ...reportingMatrix(),
          ...reportingExportsMatrix(),
          ...dashboardMatrix(),
          ...supervisionMatrix(),
          ...supervisionRiskMatrix(),
          ...supervisionAnnualMatrix(),
          ...oversightMatrix(),
          ...grantsMatrix(),
        ].map((item) => item.route),
      );
      expect([...served].filter((route) => !covered.has(route)).sort(), 'routes without a matrix entry').toEqual([]);
      expect(
        [...covered].filter((route) => !served.has(route)).sort(),
        'matrix entries for routes that do not exist',
      ).toEqual([]);
    });

    it.each(cases.map((item) => [`${item.route} (${item.name})`, item] as const))('%s', async (_title, item) => {
      expect(await runMatrixCase(fx, item, callers)).toEqual([]);
    });
  });

  describe('writes outside scope are refused and write nothing', () => {
    it('baotou.iit cannot change a Ganzhou enterprise, even with the right version', async () => {
      const db = context.database.db;
      const target = id(fx, 'dingnan');
      const version = await enterpriseVersion(db, target);
      const before = await worldDigest(db);
      const patch = await fx.clients['baotou.iit'].patch(`/api/v1/enterprises/${target}`, {
        expected_version: version,
        name: '被篡改',
      });
      expectProblem(patch, 404, 'not_found');
      const security = await fx.clients['baotou.iit'].put(`/api/v1/enterprises/${target}/security-profile`, {
        expected_version: version,
        security_profile: { responsible_person: '被篡改', protection_level: 1, last_assessment_on: null },
      });
      expectProblem(security, 404, 'not_found');
      expect(await worldDigest(db)).toBe(before);
      expect(await enterpriseVersion(db, target)).toBe(version);
    });

    it('baotou.iit cannot move a Baotou enterprise into Ganzhou', async () => {
      const db = context.database.db;
      const target = id(fx, 'kundulun');
      const before = await worldDigest(db);
      const response = await fx.clients['baotou.iit'].patch(`/api/v1/enterprises/${target}`, {
        expected_version: await enterpriseVersion(db, target),
        domicile_code: '360728',
      });
      expectProblem(response, 403, 'forbidden');
      expect(await worldDigest(db)).toBe(before);
      const row = await db
        .selectFrom('enterprise')
        .select('domicile_code')
        .where('id', '=', target)
        .executeTakeFirstOrThrow();
      expect(row.domicile_code).toBe('150203');
    });

    it('baotou.iit cannot register an enterprise domiciled in Ganzhou', async () => {
      const db = context.database.db;
      const body = newEnterpriseBody('360728');
      const before = await worldDigest(db);
      expectProblem(await fx.clients['baotou.iit'].post('/api/v1/enterprises', body), 403, 'forbidden');
      expect(await worldDigest(db)).toBe(before);
      expect(
        await db.selectFrom('enterprise').select('id').where('credit_code', '=', body.credit_code).executeTakeFirst(),
      ).toBeUndefined();
    });

    it('longnan.iit (a county) cannot change an enterprise elsewhere in its prefecture', async () => {
      const db = context.database.db;
      const target = id(fx, 'xinfeng');
      const before = await worldDigest(db);
      const response = await fx.clients['longnan.iit'].patch(`/api/v1/enterprises/${target}`, {
        expected_version: await enterpriseVersion(db, target),
        safety_score: 1,
      });
      expectProblem(response, 404, 'not_found');
      expect(await worldDigest(db)).toBe(before);
    });

    it("an enterprise user cannot change another enterprise's security profile", async () => {
      const db = context.database.db;
      const target = id(fx, 'kundulun');
      const before = await worldDigest(db);
      const response = await fx.clients['ent.bayan'].put(`/api/v1/enterprises/${target}/security-profile`, {
        expected_version: await enterpriseVersion(db, target),
        security_profile: { responsible_person: '被篡改', protection_level: 1, last_assessment_on: null },
      });
      expectProblem(response, 404, 'not_found');
      expect(await worldDigest(db)).toBe(before);
    });

    it('read-only national ministries and oversight write nothing', async () => {
      const db = context.database.db;
      const target = id(fx, 'bayan');
      for (const login of ['mnr', 'oversight', 'ganzhou.nr'] as const) {
        const before = await worldDigest(db);
        expectProblem(
          await fx.clients[login].patch(`/api/v1/enterprises/${target}`, {
            expected_version: await enterpriseVersion(db, target),
            name: 'x x',
          }),
          403,
          'forbidden',
        );
        expectProblem(
          await fx.clients[login].post('/api/v1/enterprises', newEnterpriseBody('150206')),
          403,
          'forbidden',
        );
        expectProblem(
          await fx.clients[login].post('/api/v1/designations', {
            enterprise_id: target,
            scope: 'mining',
            document_no: 'X',
            effective_on: '2026-01-01',
          }),
          403,
          'forbidden',
        );
        expect(await worldDigest(db), login).toBe(before);
      }
    });
  });

  describe('API tokens', () => {
    async function tokenFor(login: Login): Promise<{ id: string; token: string }> {
      const response = await fx.clients[login].post('/api/v1/auth/tokens', { name: `scope check ${nextSerial()}` });
      expect(response.statusCode).toBe(201);
      const body = response.json<{ id: string; token: string; prefix: string }>();
      expect(body.token.length).toBeGreaterThan(20);
      return body;
    }
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it.each(['baotou.iit', 'ganzhou.nr', 'longnan.iit', 'ent.bayan', 'ent.dingnan', 'miit'] as const)(
      "a token of %s acts with exactly its user's scope",
      async (login) => {
        const { token } = await tokenFor(login);
        const anonymous = context.anonymous;
        const me = await anonymous.request('GET', '/api/v1/auth/me', undefined, bearer(token));
        expect(me.statusCode).toBe(200);
        expect(me.json<{ login: string; csrf_token: string | null }>()).toMatchObject({ login, csrf_token: null });
        for (const url of [
          '/api/v1/enterprises?page_size=200',
          '/api/v1/designations?page_size=200',
          '/api/v1/enterprises?page_size=200&q=稀土',
        ]) {
          const viaToken = await anonymous.request('GET', url, undefined, bearer(token));
          const viaSession = await fx.clients[login].get(url);
          expect(viaToken.statusCode).toBe(200);
          expect(viaToken.json<{ items: { id: string }[] }>().items.map((item) => item.id)).toEqual(
            viaSession.json<{ items: { id: string }[] }>().items.map((item) => item.id),
          );
        }
        const csv = await anonymous.request('GET', '/api/v1/enterprises/export.csv', undefined, bearer(token));
        expect(csv.body).toBe((await fx.clients[login].get('/api/v1/enterprises/export.csv')).body);
        for (const key of ['bayan', 'longnan', 'dingnan', 'weishan']) {
          const viaToken = await anonymous.request(
            'GET',
            `/api/v1/enterprises/${id(fx, key)}`,
            undefined,
            bearer(token),
          );
          const viaSession = await fx.clients[login].get(`/api/v1/enterprises/${id(fx, key)}`);
          expect(viaToken.statusCode, `${login} token reads ${key}`).toBe(viaSession.statusCode);
        }
      },
    );

    it('a token writes within scope without CSRF, and is refused outside it without writing', async () => {
      const db = context.database.db;
      const { token } = await tokenFor('baotou.iit');
      const inside = id(fx, 'jiuyuan');
      const ok = await context.anonymous.request(
        'PATCH',
        `/api/v1/enterprises/${inside}`,
        { expected_version: await enterpriseVersion(db, inside), safety_score: 85 },
        bearer(token),
      );
      expect(ok.statusCode, ok.body).toBe(200);
      const entry = await db
        .selectFrom('audit_entry')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ actor_login: 'baotou.iit', action: 'enterprise.update', object_id: inside });
      const outside = id(fx, 'longnan');
      const before = await worldDigest(db);
      expectProblem(
        await context.anonymous.request(
          'PATCH',
          `/api/v1/enterprises/${outside}`,
          { expected_version: await enterpriseVersion(db, outside), safety_score: 1 },
          bearer(token),
        ),
        404,
        'not_found',
      );
      expectProblem(
        await context.anonymous.request('POST', '/api/v1/enterprises', newEnterpriseBody('360783'), bearer(token)),
        403,
        'forbidden',
      );
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/users', undefined, bearer(token)),
        403,
        'forbidden',
      );
      expect(await worldDigest(db)).toBe(before);
    });

    it('a revoked token, an expired token and a malformed header get 401', async () => {
      const db = context.database.db;
      const revoked = await tokenFor('ent.bayan');
      expect(
        (await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer(revoked.token))).statusCode,
      ).toBe(200);
      expect((await fx.clients['ent.bayan'].delete(`/api/v1/auth/tokens/${revoked.id}`)).statusCode).toBe(200);
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer(revoked.token)),
        401,
        'unauthenticated',
      );
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/enterprises', undefined, bearer(revoked.token)),
        401,
        'unauthenticated',
      );
      // Revoking it again: there is no live token of that id any more.
      expectProblem(await fx.clients['ent.bayan'].delete(`/api/v1/auth/tokens/${revoked.id}`), 404, 'not_found');

      const expired = await tokenFor('ent.bayan');
      await db
        .updateTable('api_token')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', expired.id)
        .execute();
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer(expired.token)),
        401,
        'unauthenticated',
      );

      for (const authorization of [
        'Basic bWlpdDp4',
        'Bearer',
        'Bearer mzt_not-a-real-token',
        `Bearer ${expired.token.slice(0, -1)}x`,
      ]) {
        expectProblem(
          await context.anonymous.request('GET', '/api/v1/auth/me', undefined, { authorization }),
          401,
          'unauthenticated',
        );
      }
    });

    it("a token cannot be used to see or revoke another user's token", async () => {
      const db = context.database.db;
      const victim = await tokenFor('baotou.iit');
      const attacker = await tokenFor('ent.bayan');
      const before = await worldDigest(db);
      expectProblem(
        await context.anonymous.request(
          'DELETE',
          `/api/v1/auth/tokens/${victim.id}`,
          undefined,
          bearer(attacker.token),
        ),
        404,
        'not_found',
      );
      expectProblem(await fx.clients['ent.bayan'].delete(`/api/v1/auth/tokens/${victim.id}`), 404, 'not_found');
      expectProblem(await fx.clients.miit.delete(`/api/v1/auth/tokens/${victim.id}`), 404, 'not_found');
      expect(await worldDigest(db)).toBe(before);
      const listed = (
        await context.anonymous.request('GET', '/api/v1/auth/tokens', undefined, bearer(attacker.token))
      ).json<{ id: string }[]>();
      expect(listed.map((item) => item.id)).toContain(attacker.id);
      expect(listed.map((item) => item.id)).not.toContain(victim.id);
      // The victim's token still works.
      expect(
        (await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer(victim.token))).json<{
          login: string;
        }>().login,
      ).toBe('baotou.iit');
    });
  });

  describe('CSRF', () => {
    it('a cookie-session write without X-CSRF-Token, or with a wrong one, gets 403 csrf and writes nothing', async () => {
      const db = context.database.db;
      const session = await rawSession(context, 'miit');
      const other = await rawSession(context, 'miit');
      const target = id(fx, 'bayan');
      const attempts: { method: 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; payload?: unknown }[] = [
        { method: 'POST', url: '/api/v1/enterprises', payload: newEnterpriseBody('150206') },
        {
          method: 'PATCH',
          url: `/api/v1/enterprises/${target}`,
          payload: { expected_version: await enterpriseVersion(db, target), name: '跨站请求伪造' },
        },
        {
          method: 'PUT',
          url: `/api/v1/enterprises/${target}/security-profile`,
          payload: {
            expected_version: await enterpriseVersion(db, target),
            security_profile: { responsible_person: 'x', protection_level: 1, last_assessment_on: null },
          },
        },
        {
          method: 'POST',
          url: '/api/v1/designations',
          payload: {
            enterprise_id: id(fx, 'lincang'),
            scope: 'mining',
            document_no: 'CSRF-1',
            effective_on: '2026-02-01',
          },
        },
        { method: 'POST', url: '/api/v1/products', payload: newProductBody() },
        { method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'csrf' } },
        { method: 'POST', url: '/api/v1/auth/logout' },
      ];
      const before = await worldDigest(db);
      for (const attempt of attempts) {
        for (const csrf of [undefined, '', 'wrong', other.csrf]) {
          const headers: Record<string, string> = { cookie: session.cookie };
          if (csrf !== undefined) headers['x-csrf-token'] = csrf;
          const response = await context.app.inject({
            method: attempt.method,
            url: attempt.url,
            headers,
            ...(attempt.payload !== undefined ? { payload: attempt.payload as object } : {}),
          });
          expectProblem(response, 403, 'csrf');
        }
      }
      expect(await worldDigest(db)).toBe(before);
      // The session is still alive (logout without the token did not end it), and reads need no token.
      const me = await context.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: session.cookie },
      });
      expect(me.statusCode).toBe(200);
      // With the right token the same write goes through.
      const ok = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
        payload: { name: 'with csrf' },
      });
      expect(ok.statusCode).toBe(201);
    });

    it('a forged or ended session cookie is not signed in', async () => {
      expectProblem(
        await context.app.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { cookie: 'monazite_session=forged' },
        }),
        401,
        'unauthenticated',
      );
      const session = await rawSession(context, 'ent.dingnan');
      const logout = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      });
      expect(logout.statusCode).toBe(204);
      expectProblem(
        await context.app.inject({ method: 'GET', url: '/api/v1/enterprises', headers: { cookie: session.cookie } }),
        401,
        'unauthenticated',
      );
    });
  });
});
