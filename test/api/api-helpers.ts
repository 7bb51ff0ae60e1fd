import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import { DEMO_PASSWORD, demoEnterprises } from '../../src/server/demo/demo-data.ts';
import type { Client, TestContext } from '../support/app.ts';

/** Helpers shared by the API suites: fixtures looked up from the demo database, and "nothing was written" probes. */

export type Db = TestContext['database']['db'];
export type EnterpriseKey = (typeof demoEnterprises)[number]['key'];

export interface DemoEnterpriseRow {
  readonly key: string;
  readonly id: string;
  readonly credit_code: string;
  readonly name: string;
  readonly domicile_code: string;
  readonly group_id: string | null;
  readonly kind: string;
}

/** Every enterprise in the database, with the demo key where it is a demo enterprise. */
export async function enterpriseRows(db: Db): Promise<DemoEnterpriseRow[]> {
  const rows = await db
    .selectFrom('enterprise')
    .select(['id', 'credit_code', 'name', 'domicile_code', 'group_id', 'kind'])
    .orderBy('name')
    .execute();
  const keyByCode = new Map(demoEnterprises.map((item) => [item.credit_code, item.key]));
  return rows.map((row) => ({
    ...row,
    credit_code: row.credit_code.trim(),
    domicile_code: row.domicile_code.trim(),
    key: keyByCode.get(row.credit_code.trim()) ?? '',
  }));
}

export async function demoEnterpriseIds(db: Db): Promise<Record<string, DemoEnterpriseRow>> {
  const rows = await enterpriseRows(db);
  return Object.fromEntries(rows.filter((row) => row.key).map((row) => [row.key, row]));
}

export async function userIds(db: Db): Promise<Record<string, string>> {
  const rows = await db.selectFrom('app_user').select(['id', 'login']).execute();
  return Object.fromEntries(rows.map((row) => [row.login, row.id]));
}

export async function countRows(
  db: Db,
  table:
    | 'audit_entry'
    | 'enterprise'
    | 'designation'
    | 'product'
    | 'app_user'
    | 'api_token'
    | 'registry_revision'
    | 'enterprise_group'
    | 'user_session'
    | 'indicator_plan'
    | 'indicator_batch'
    | 'batch_category_total'
    | 'batch_cosign'
    | 'allocation_run'
    | 'allocation_share'
    | 'ledger_account'
    | 'ledger_entry'
    | 'notice',
): Promise<number> {
  const row = await sql<{ count: string | number }>`SELECT count(*) AS count FROM ${sql.table(table)}`.execute(db);
  return Number(row.rows[0]?.count ?? 0);
}

export const auditCount = (db: Db): Promise<number> => countRows(db, 'audit_entry');

/**
 * The indicator, allocation, ledger and notice state a refused request could have changed: batch states,
 * totals and co-signatures, run states, read receipts, and the sizes of the insert-only tables. Bigint
 * columns are read as text so that both engines give the same digest.
 */
async function quotaDigest(db: Db) {
  const plans = await db.selectFrom('indicator_plan').select(['id', 'year']).orderBy('id').execute();
  const batches = await db
    .selectFrom('indicator_batch')
    .select(['id', 'status', 'version', 'approval_document_no', 'approval_recorded_by', 'submitted_by'])
    .orderBy('id')
    .execute();
  const totals = await db
    .selectFrom('batch_category_total')
    .select(['batch_id', 'category', sql<string>`total_reo_kg::text`.as('total_reo_kg')])
    .orderBy('batch_id')
    .orderBy('category')
    .execute();
  const cosigns = await db
    .selectFrom('batch_cosign')
    .select(['batch_id', 'authority_id', 'user_id'])
    .orderBy('batch_id')
    .orderBy('authority_id')
    .execute();
  const runs = await db
    .selectFrom('allocation_run')
    .select(['id', 'status', 'approved_by', 'issued_at', 'due_on'])
    .orderBy('id')
    .execute();
  const notices = await db.selectFrom('notice').select(['id', 'read_at', 'read_by']).orderBy('id').execute();
  const counts = {
    shares: await countRows(db, 'allocation_share'),
    accounts: await countRows(db, 'ledger_account'),
    entries: await countRows(db, 'ledger_entry'),
  };
  return { plans, batches, totals, cosigns, runs, notices, counts };
}

/**
 * A digest of every state a refused request could have changed: registry rows with their versions, users
 * with their grants, tokens, the quota tables, and the sizes of the append-only tables. Equal digests before and after:
 * nothing was written.
 */
export async function worldDigest(db: Db): Promise<string> {
  const enterprises = await db
    .selectFrom('enterprise')
    .select(['id', 'version', 'updated_at', 'security_profile', 'technical_score'])
    .orderBy('id')
    .execute();
  const designations = await db.selectFrom('designation').select(['id', 'revoked_on']).orderBy('id').execute();
  const products = await db.selectFrom('product').select(['code', 'version', 'active']).orderBy('code').execute();
  const groups = await db.selectFrom('enterprise_group').select(['id', 'name']).orderBy('id').execute();
  const users = await db
    .selectFrom('app_user')
    .select(['id', 'display_name', 'active', 'failed_logins', 'locked_until', 'role', 'authority_id', 'grant_status'])
    .orderBy('id')
    .execute();
  const grants = await db.selectFrom('account_grant').select(['id', 'status', 'decided_by']).orderBy('id').execute();
  const tokens = await db.selectFrom('api_token').select(['id', 'revoked_at']).orderBy('id').execute();
  const counts = {
    audit: await countRows(db, 'audit_entry'),
    revisions: await countRows(db, 'registry_revision'),
  };
  return JSON.stringify({
    enterprises,
    designations,
    products,
    groups,
    users,
    grants,
    tokens,
    counts,
    quota: await quotaDigest(db),
    flows: await flowDigest(db),
    reporting: await reportingDigest(db),
    supervision: await supervisionDigest(db),
  });
}

/** The reporting tables (all append-only): their sizes. */
async function reportingDigest(db: Db) {
  const result = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM report) AS reports, (SELECT count(*) FROM compilation) AS compilations,
           (SELECT count(*) FROM compilation_forward) AS forwards, (SELECT count(*) FROM report_return) AS returns,
           (SELECT count(*) FROM report_reminder) AS reminders, (SELECT count(*) FROM report_deadline_rule) AS rules,
           (SELECT count(*) FROM signing_key) AS keys`.execute(db);
  return result.rows[0];
}

/** The flow records and everything derived from them: counts and sums that any write would move. */
async function flowDigest(db: Db) {
  const result = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM flow_line) AS lines, (SELECT coalesce(sum(mass_kg), 0) FROM flow_line) AS mass,
           (SELECT count(*) FROM flow_batch) AS batches, (SELECT count(*) FROM batch_edge) AS edges,
           (SELECT count(*) FROM batch_origin) AS origins, (SELECT coalesce(sum(mass_kg), 0) FROM batch_holding) AS held,
           (SELECT count(*) FROM flow_submission) AS submissions, (SELECT count(*) FROM flow_superseded) AS superseded,
           (SELECT count(*) || '/' || coalesce(sum(line_count), 0) || '/' || coalesce(sum(reo_kg), 0) || '/' ||
                   coalesce(sum(superseded_lines), 0) FROM flow_summary) AS summaries,
           (SELECT count(*) FROM declaration) AS declarations, (SELECT count(*) FROM certificate) AS certificates,
           (SELECT count(*) FROM anomaly) AS anomalies, (SELECT coalesce(sum(version), 0) FROM anomaly) AS anomaly_versions`.execute(
    db,
  );
  return result.rows[0];
}

/** Asserts an RFC 9457 problem answer and returns its body. */
export function expectProblem(response: LightMyRequestResponse, status: number, code?: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json<{
    type: string;
    title: string;
    status: number;
    detail: string;
    code: string;
    instance: string;
    errors?: { field: string; message: string; row?: number; event_id?: string }[];
  }>();
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  if (code) expect(body.code).toBe(code);
  return body;
}

/** Asserts a problem with a field error on `field` (exactly that field name) and returns the error's message. */
export function expectFieldError(
  response: LightMyRequestResponse,
  status: number,
  field: string,
  code?: string,
): string {
  const body = expectProblem(response, status, code);
  const fields = (body.errors ?? []).map((item) => item.field);
  expect(fields, `errors[].field of ${response.body}`).toContain(field);
  return body.errors?.find((item) => item.field === field)?.message ?? '';
}

/** Signs in without the test client, for tests that need the raw cookie and CSRF token. */
export async function rawSession(
  context: TestContext,
  login: string,
  password = DEMO_PASSWORD,
): Promise<{ cookie: string; csrf: string }> {
  const response = await context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password },
  });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((item) => item.name === 'monazite_session');
  if (!cookie) throw new Error('no session cookie');
  const { csrf_token: csrf, session_stage: stage } = response.json<{ csrf_token: string; session_stage: string }>();
  const headers = { cookie: `monazite_session=${cookie.value}`, 'x-csrf-token': csrf };
  if (stage === 'second_factor') {
    // The one-time code, as the sign-in page's second step sends it.
    const given = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers,
      payload: { code: await context.codes.next(login) },
    });
    expect(given.statusCode, given.body).toBe(200);
  }
  return { cookie: headers.cookie, csrf };
}

let serial = 0;
/** A number unique within this test process, for unique codes, logins and document numbers. */
export const nextSerial = (): number => {
  serial += 1;
  return serial;
};

/** A new, valid enterprise registration domiciled at `domicile` (a county code). */
export function newEnterpriseBody(domicile: string, n = nextSerial()) {
  return {
    credit_code: makeCreditCode('91', domicile, String(70_000_000 + n)),
    name: `测试稀土分离有限公司${n}`,
    kind: 'separation' as const,
    domicile_code: domicile,
    group_id: null,
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 1_000_000,
    technical_score: 70,
    environment_score: 71,
    safety_score: 72,
    licences: [{ kind: 'safety' as const, number: `TEST-${n}`, valid_from: '2025-01-01', valid_to: '2028-12-31' }],
    security_profile: { responsible_person: '测试负责人', protection_level: 2, last_assessment_on: null },
  };
}

export function newProductBody(n = nextSerial()) {
  return {
    code: `TEST_P${n}`,
    name_zh: `测试氧化物${n}`,
    name_en: `Test oxide ${n}`,
    category: 'separated',
    form: 'oxide',
    ore_type: null,
    conversion: 'factor',
    reo_factor_ppm: 1_000_000,
  };
}

export async function enterpriseVersion(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('enterprise').select('version').where('id', '=', id).executeTakeFirstOrThrow();
  return row.version;
}

export async function productVersion(db: Db, code: string): Promise<number> {
  const row = await db.selectFrom('product').select('version').where('code', '=', code).executeTakeFirstOrThrow();
  return row.version;
}

/**
 * The supervision tables: their sizes, the sum of the versions of those that move (inspections, decisions), the
 * risk weights set and the annual reports submitted.
 */
async function supervisionDigest(db: Db) {
  const result = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM inspection) AS inspections, (SELECT coalesce(sum(version), 0) FROM inspection) AS inspection_versions,
           (SELECT count(*) FROM evidence_file) AS evidence, (SELECT count(*) FROM evidence_content) AS contents,
           (SELECT count(*) FROM violation) AS violations, (SELECT count(*) FROM decision) AS decisions,
           (SELECT coalesce(sum(version), 0) FROM decision) AS decision_versions,
           (SELECT count(*) FROM supervision_transition) AS transitions,
           (SELECT count(*) FROM risk_weight) AS risk_weights,
           (SELECT count(*) FROM supervision_annual_report) AS annual_reports`.execute(db);
  return result.rows[0];
}

/**
 * Creates an account as the operator and, when it is a privileged one (a proposal since the two-person rule),
 * has an official of the approving authority approve it, so a world can sign it in. The approver is any approved
 * demo or test account of that authority (they all have DEMO_PASSWORD). A taken login (409) is left as it is.
 */
export async function createApprovedUser(
  context: TestContext,
  operator: Client,
  body: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  const created = await operator.post('/api/v1/users', body);
  if (created.statusCode !== 201) return created;
  const user = created.json<{
    id: string;
    grant: { status: string; approver_role: string; approver_authority_id: string | null } | null;
  }>();
  if (user.grant?.status !== 'pending') return created;
  let query = context.database.db
    .selectFrom('app_user')
    .select('login')
    .where('role', '=', user.grant.approver_role as 'ministry_official')
    .where('active', '=', true)
    .where('grant_status', '=', 'approved')
    .orderBy('login');
  if (user.grant.approver_authority_id !== null)
    query = query.where('authority_id', '=', user.grant.approver_authority_id);
  const approver = await query.executeTakeFirstOrThrow();
  const approved = await (await context.as(approver.login)).post(`/api/v1/users/${user.id}/grant/approve`);
  expect(approved.statusCode, approved.body).toBe(200);
  return created;
}
