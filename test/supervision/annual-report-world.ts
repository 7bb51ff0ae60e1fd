import { sql } from 'kysely';
import { expect } from 'vitest';
import type { AnnualReportContent, AnnualReportView } from '../../src/contracts/supervision-annual.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { createApprovedUser, type Db } from '../api/api-helpers.ts';
import type { Client, TestContext } from '../support/app.ts';
import { key } from './supervision-world.ts';

/**
 * Helpers of the annual supervision report tests (Art. 12 ¶3): the provincial officials the demo lacks, records
 * made through the API, and every figure of a report computed again straight from the tables, independently of
 * the server's code.
 */

/** Provincial officials the demo users lack: Inner Mongolia's natural resources, Jiangxi's industry & IT. */
export const provincialOfficials = { 'nmg.nr': '150000-natural_resources', 'jx.iit': '360000-industry_it' } as const;

export async function createProvincialOfficials(context: TestContext): Promise<void> {
  const operator = await context.as('operator');
  for (const [login, authority] of Object.entries(provincialOfficials)) {
    const created = await createApprovedUser(context, operator, {
      login,
      display_name: login,
      password: DEMO_PASSWORD,
      role: 'department_official',
      authority_id: authority,
    });
    expect(created.statusCode, created.body).toBe(201);
  }
}

async function created(response: Awaited<ReturnType<Client['post']>>): Promise<{ id: string; version: number }> {
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ id: string; version: number }>();
}

export async function plan(client: Client, enterpriseId: string, plannedOn: string, inspector: string) {
  return (
    await created(
      await client.post('/api/v1/supervision/inspections', {
        enterprise_id: enterpriseId,
        planned_on: plannedOn,
        purpose: '年度监督检查',
        reasons: ['年度计划'],
        inspectors: [inspector],
        idempotency_key: key('annual-plan'),
      }),
    )
  ).id;
}

export async function visit(client: Client, id: string, visitedOn: string, outcome: string) {
  await created(
    await client.post(`/api/v1/supervision/inspections/${id}/visit`, {
      expected_version: 1,
      visited_on: visitedOn,
      findings: `检查结果：${outcome}`,
      outcome,
    }),
  );
}

export async function violation(client: Client, enterpriseId: string, type: string, foundOn: string) {
  return (
    await created(
      await client.post('/api/v1/supervision/violations', {
        enterprise_id: enterpriseId,
        type,
        description: `年度报告测试：${type}`,
        found_on: foundOn,
        idempotency_key: key('annual-violation'),
      }),
    )
  ).id;
}

export async function decide(client: Client, violationId: string, body: Record<string, unknown>) {
  return created(
    await client.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      document_no: `年报测〔2026〕${key('doc')}号`,
      final: false,
      idempotency_key: key('annual-decision'),
      ...body,
    }),
  );
}

export async function move(client: Client, decision: { id: string; version: number }, status: string) {
  const moved = await created(
    await client.post(`/api/v1/supervision/decisions/${decision.id}/transitions`, {
      expected_version: decision.version,
      status,
      note: `跟进：${status}`,
    }),
  );
  return moved;
}

export async function getReport(client: Client, province: string, year: number, query = ''): Promise<AnnualReportView> {
  const response = await client.get(`/api/v1/supervision/annual-reports/${province}/${year}${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<AnnualReportView>();
}

const count = (value: unknown) => Number(value ?? 0);

/** The figures of a province's year, straight from the tables. */
export async function figuresFromTables(db: Db, prefix: string, year: number, asOf: string) {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const like = `${prefix}%`;
  const inspections = (
    await sql<Record<string, string>>`
      SELECT count(*) FILTER (WHERE i.planned_on BETWEEN ${from} AND ${to}) AS planned,
             count(*) FILTER (WHERE i.visited_on BETWEEN ${from} AND ${to}) AS visited,
             count(*) FILTER (WHERE i.planned_on BETWEEN ${from} AND ${to} AND i.visited_on IS NULL) AS pending,
             count(*) FILTER (WHERE i.visited_on BETWEEN ${from} AND ${to} AND i.outcome = 'no_violation') AS no_violation,
             count(*) FILTER (WHERE i.visited_on BETWEEN ${from} AND ${to} AND i.outcome = 'violation_found') AS violation_found,
             count(*) FILTER (WHERE i.visited_on BETWEEN ${from} AND ${to} AND i.outcome = 'obstructed') AS obstructed,
             count(*) FILTER (WHERE i.planned_on BETWEEN ${from} AND ${to} OR i.visited_on BETWEEN ${from} AND ${to}) AS items
      FROM inspection i JOIN enterprise e ON e.id = i.enterprise_id WHERE e.domicile_code LIKE ${like}`.execute(db)
  ).rows[0]!;
  const violations = (
    await sql<{ type: string; count: string }>`
      SELECT v.type, count(*) AS count FROM violation v JOIN enterprise e ON e.id = v.enterprise_id
      WHERE e.domicile_code LIKE ${like} AND v.found_on BETWEEN ${from} AND ${to} GROUP BY v.type`.execute(db)
  ).rows;
  const decisions = (
    await sql<Record<string, string>>`
      SELECT d.kind, count(*) AS count,
             count(*) FILTER (WHERE d.status = 'open') AS open,
             count(*) FILTER (WHERE d.status = 'complied') AS complied,
             count(*) FILTER (WHERE d.status = 'closed') AS closed,
             count(*) FILTER (WHERE d.kind = 'correction_order' AND d.status = 'open' AND d.correction_due_on < ${asOf}) AS overdue,
             count(*) FILTER (WHERE d.revoked_on IS NOT NULL) AS revoked,
             count(*) FILTER (WHERE d.revoked_on IS NULL) AS standing,
             coalesce(sum(d.fine_yuan) FILTER (WHERE d.revoked_on IS NULL), 0)::text AS fine_yuan,
             count(*) FILTER (WHERE d.final) AS final
      FROM decision d JOIN enterprise e ON e.id = d.enterprise_id
      WHERE e.domicile_code LIKE ${like} AND d.decided_on BETWEEN ${from} AND ${to} GROUP BY d.kind`.execute(db)
  ).rows;
  const enterprises = (
    await sql<{ id: string }>`
      SELECT e.id FROM enterprise e WHERE e.domicile_code LIKE ${like} AND EXISTS (
        SELECT 1 FROM designation d WHERE d.enterprise_id = e.id AND d.effective_on <= ${to}
          AND (d.revoked_on IS NULL OR d.revoked_on > ${from}))`.execute(db)
  ).rows.map((row) => row.id);
  return {
    inspections: {
      planned: count(inspections.planned),
      visited: count(inspections.visited),
      pending: count(inspections.pending),
      outcomes: {
        no_violation: count(inspections.no_violation),
        violation_found: count(inspections.violation_found),
        obstructed: count(inspections.obstructed),
      },
      items: count(inspections.items),
    },
    violations: Object.fromEntries(violations.map((row) => [row.type, count(row.count)])),
    decisions: Object.fromEntries(
      decisions.map((row) => [
        row.kind!,
        {
          count: count(row.count),
          open: count(row.open),
          complied: count(row.complied),
          closed: count(row.closed),
          overdue: count(row.overdue),
          revoked: count(row.revoked),
          fine_yuan: count(row.fine_yuan),
          final: count(row.final),
        },
      ]),
    ),
    /** Fines not set aside. */
    standingFines: count(decisions.find((row) => row.kind === 'fine')?.standing),
    enterprises: enterprises.sort(),
  };
}

/**
 * An enterprise's quota of a year per category from the ledger entries: what was issued or adjusted to its
 * account (credits less debits), what Art. 14 reduced, and what production consumed net of reversals.
 */
export async function ledgerFromTables(db: Db, enterpriseId: string, year: number) {
  const rows = (
    await sql<{ category: string; allocated: string; reduced: string; consumed: string }>`
      SELECT a.category,
        coalesce(sum(CASE WHEN e.kind IN ('issue', 'adjust', 'approve')
          THEN CASE WHEN e.credit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END END), 0)::text AS allocated,
        coalesce(sum(CASE WHEN e.kind = 'reduce'
          THEN CASE WHEN e.debit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END END), 0)::text AS reduced,
        coalesce(sum(CASE WHEN e.kind IN ('consume', 'reverse')
          THEN CASE WHEN e.debit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END END), 0)::text AS consumed
      FROM ledger_account a JOIN ledger_entry e ON e.debit_account_id = a.id OR e.credit_account_id = a.id
      WHERE a.kind = 'enterprise' AND a.enterprise_id = ${enterpriseId} AND a.year = ${year}
      GROUP BY a.category`.execute(db)
  ).rows;
  return new Map(
    rows.map((row) => [
      row.category,
      {
        allocated: Math.max(0, count(row.allocated) - count(row.reduced)),
        consumed: count(row.consumed),
      },
    ]),
  );
}

/**
 * An enterprise's output of a year from the flow records: mineral products it mined (imported ore is not mined),
 * and separated products out of transforms that took mineral products in; superseded events left out.
 */
export async function outputFromTables(db: Db, enterpriseId: string, year: number): Promise<number> {
  const from = `${year}-01-01`;
  const to = `${year}-12-01`;
  const row = (
    await sql<{ mined: string; separated: string }>`
      WITH live AS (
        SELECT l.*, p.category AS product_category, p.ore_type FROM flow_line l JOIN product p ON p.code = l.product_code
        WHERE l.enterprise_id = ${enterpriseId} AND l.period BETWEEN ${from} AND ${to}
          AND NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id))
      SELECT
        (SELECT coalesce(sum(reo_kg), 0) FROM live WHERE kind = 'produce' AND product_category = 'mineral'
           AND ore_type IS DISTINCT FROM 'imported')::text AS mined,
        (SELECT coalesce(sum(o.reo_kg), 0) FROM live o WHERE o.kind = 'transform' AND o.direction = 1
           AND o.product_category = 'separated' AND EXISTS (SELECT 1 FROM live i WHERE i.event_id = o.event_id
             AND i.direction = -1 AND i.product_category = 'mineral'))::text AS separated`.execute(db)
  ).rows[0]!;
  return count(row.mined) + count(row.separated);
}

/** The report's content with the moment it was generated left out (what two readings at once must share). */
export const figuresOf = (content: AnnualReportContent) => {
  const { generated_at: _generated, as_of: _asOf, ...figures } = content;
  return figures;
};
