import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { auditCount, expectProblem, worldDigest } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the report export routes: each export is visible exactly as its JSON view is — an
 * enterprise its own reports, officials what is within their division, ministries and oversight everything; the
 * operator has no report.read. test/reporting/exports.db.test.ts runs these cases with `runExportCase`, since an
 * export (a GET) writes an audit entry where the shared runner expects reads to write none.
 */

export const reportingExportCallers = [
  'miit',
  'mnr',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'ent.longnan',
  'oversight',
  'operator',
  'anonymous',
] as const;
export type ExportCaller = (typeof reportingExportCallers)[number];

export interface ReportingExportFixtures extends MatrixFixtures<ExportCaller> {
  /** A report of the Longnan mine (domiciled in 360783, under Ganzhou 360700, Jiangxi). */
  reportId: string;
  /** The compilation of county 360783 (Longnan). */
  compilationId: string;
  period: string;
}
export type ReportingExportCase = MatrixCase<ReportingExportFixtures, ExportCaller>;

const OK = 200;
const ALL_SEEING = { miit: OK, mnr: OK, oversight: OK, operator: 403, anonymous: 401 } as const;

const contentTypes = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

/** A downloadable file of this format with an RFC 5987 file name in Chinese. */
export function expectExportFile(response: LightMyRequestResponse, format: keyof typeof contentTypes): void {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  expect(response.headers['content-type']).toBe(contentTypes[format]);
  const disposition = String(response.headers['content-disposition']);
  expect(disposition).toMatch(new RegExp(`^attachment; filename="[\\x20-\\x7e]+\\.${format}"; filename\\*=UTF-8''`));
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1]!;
  expect(encoded).toMatch(/^[A-Za-z0-9%!#$&+\-.^_`|~]+$/);
  expect(decodeURIComponent(encoded)).toMatch(new RegExp(`[\\u4e00-\\u9fff].*\\.${format}$`));
  const head = response.rawPayload.subarray(0, 4);
  if (format === 'xlsx') expect(head.subarray(0, 2).toString()).toBe('PK');
  if (format === 'pdf') expect(head.toString()).toBe('%PDF');
  if (format === 'csv') expect([...head.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
}

export function reportingExportsMatrix(): ReportingExportCase[] {
  return [
    {
      route: 'GET /api/v1/reports/{id}/export',
      name: "the Longnan mine's report as XLSX",
      expect: {
        ...ALL_SEEING,
        'nmg.iit': 404,
        'baotou.iit': 404,
        'ganzhou.nr': OK,
        'longnan.iit': OK,
        'ent.bayan': 404,
        'ent.dingnan': 404,
        'ent.longnan': OK,
      },
      url: (fx) => `/api/v1/reports/${fx.reportId}/export?format=xlsx`,
      verify: (_fx, _caller, response) => expectExportFile(response, 'xlsx'),
    },
    {
      route: 'GET /api/v1/compilations/{id}/export',
      name: "Longnan county's compilation as PDF",
      expect: {
        ...ALL_SEEING,
        'nmg.iit': 404,
        'baotou.iit': 404,
        'ganzhou.nr': OK,
        'longnan.iit': OK,
        'ent.bayan': 404,
        'ent.dingnan': 404,
        'ent.longnan': 404,
      },
      url: (fx) => `/api/v1/compilations/${fx.compilationId}/export?format=pdf`,
      verify: (_fx, _caller, response) => expectExportFile(response, 'pdf'),
    },
    {
      route: 'GET /api/v1/reporting/board/export',
      name: "Ganzhou's status board as CSV",
      expect: {
        ...ALL_SEEING,
        'nmg.iit': 403,
        'baotou.iit': 403,
        'ganzhou.nr': OK,
        'longnan.iit': 403,
        'ent.bayan': 403,
        'ent.dingnan': 403,
        'ent.longnan': 403,
      },
      url: (fx) => `/api/v1/reporting/board/export?period=${fx.period}&division_code=360700&format=csv`,
      verify: (_fx, _caller, response) => expectExportFile(response, 'csv'),
    },
  ];
}

const refusalCodes: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };

async function lastAudit(fx: ReportingExportFixtures) {
  const result = await sql<{ action: string; actor_login: string; object_type: string; after: unknown }>`
    SELECT action, actor_login, object_type, after FROM audit_entry ORDER BY seq DESC LIMIT 1`.execute(
    fx.context.database.db,
  );
  return result.rows[0];
}

/**
 * Calls an export as each caller: a refusal is a problem answer that writes nothing; a success is the file, with
 * exactly one `report.export` audit entry by the caller (format and row count). HEAD answers the same status
 * and, sending no file, audits nothing. Returns the mismatched statuses, one line per caller.
 */
export async function runExportCase(
  fx: ReportingExportFixtures,
  item: ReportingExportCase,
  callers: readonly ExportCaller[],
): Promise<string[]> {
  const db = fx.context.database.db;
  const mismatches: string[] = [];
  for (const caller of callers) {
    const expected = item.expect[caller];
    const client = fx.clients[caller];
    const url = item.url(fx, caller);
    const before = await worldDigest(db);
    const audits = await auditCount(db);
    const response = await client.get(url);
    if (response.statusCode !== expected) {
      mismatches.push(`${caller}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 200)}`);
      continue;
    }
    if (expected >= 400) {
      expect(expectProblem(response, expected).code).toBe(refusalCodes[expected]);
      expect(await worldDigest(db), `${caller}: a refused ${item.route} wrote something`).toBe(before);
    } else {
      expect(await auditCount(db), `${caller}: an export must leave one audit entry`).toBe(audits + 1);
      const entry = await lastAudit(fx);
      expect(entry).toMatchObject({ action: 'report.export', actor_login: caller });
      expect(entry?.after).toMatchObject({ format: /format=(\w+)/.exec(url)![1], rows: expect.any(Number) as unknown });
      await item.verify?.(fx, caller, response, {});
    }
    const afterGet = await auditCount(db);
    const head = await client.request('HEAD' as 'GET', url);
    if (head.statusCode !== expected) mismatches.push(`${caller}: HEAD expected ${expected}, got ${head.statusCode}`);
    expect(await auditCount(db), `${caller}: HEAD exported nothing and must audit nothing`).toBe(afterGet);
  }
  return mismatches;
}
