import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, transfer } from '../../src/server/modules/ledger/ledger.service.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { pdfBytes } from '../supervision/supervision-world.ts';
import { demoEnterpriseIds, type Db, type DemoEnterpriseRow } from './api-helpers.ts';

/**
 * Concurrent duplicates answer like a replay (docs/api.md, "Idempotency under concurrency"): N identical requests
 * sent at once with one idempotency key give one 201 and N − 1 × 200, every body the same as the first and as a
 * sequential replay's, and exactly one record and one audit entry. The routes are enumerated from the OpenAPI
 * document — every request body with an `idempotency_key` property, or a property described as an idempotency key —
 * so a new keyed route without a case here fails the first test.
 */

const CONCURRENT = 30;
let serial = 0;
const freshKey = (tag: string) => `concurrent-${tag}-${process.pid}-${++serial}`;

interface Fixtures {
  context: TestContext;
  enterprises: Record<string, DemoEnterpriseRow>;
  clients: Record<string, Client>;
}

interface Prepared {
  readonly client: Client;
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** How many records the key (or the content) stands for now. */
  readonly records: (db: Db) => Promise<number>;
  /** The audit action the write records. */
  readonly action: string;
}

interface KeyedCase {
  readonly name: string;
  prepare(fx: Fixtures): Promise<Prepared>;
  /** The same key with one parameter changed, and the field the refusal must name. */
  readonly changed?: { readonly field: string; readonly value: unknown };
}

const countWhere = async (db: Db, table: string, column: string, value: string): Promise<number> => {
  const result = await sql<{ count: string | number }>`
    SELECT count(*) AS count FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
};
const auditOf = async (db: Db, action: string): Promise<number> => countWhere(db, 'audit_entry', 'action', action);

/** Bayan's 2026 quota of rock mining: one tonne, posted as the demo posts quota (from the approved total). */
async function quotaForBayan(fx: Fixtures): Promise<{ enterprise_id: string; category: string }> {
  const enterpriseId = fx.enterprises.bayan!.id;
  await fx.context.database.db.transaction().execute((tx) =>
    transfer(tx, {
      kind: 'adjust',
      year: 2026,
      category: 'mining_rock',
      from: accounts.approved(2026, 'mining_rock'),
      to: accounts.enterprise(enterpriseId, 2026, 'mining_rock'),
      reoKg: 1_000,
      key: freshKey('quota'),
      reference: 'test: quota to reduce',
      createdBy: 'test',
      enterpriseId,
    }),
  );
  return { enterprise_id: enterpriseId, category: 'mining_rock' };
}

async function created(response: LightMyRequestResponse): Promise<string> {
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function newViolation(fx: Fixtures): Promise<string> {
  return created(
    await fx.clients['baotou.iit']!.post('/api/v1/supervision/violations', {
      enterprise_id: fx.enterprises.bayan!.id,
      type: 'false_records',
      description: '并发测试',
      found_on: '2026-11-20',
      idempotency_key: freshKey('violation-setup'),
    }),
  );
}

async function newInspection(fx: Fixtures): Promise<string> {
  return created(
    await fx.clients['baotou.iit']!.post('/api/v1/supervision/inspections', {
      enterprise_id: fx.enterprises.bayan!.id,
      planned_on: '2026-11-25',
      purpose: '并发测试',
      reasons: ['并发'],
      inspectors: ['baotou.iit'],
      idempotency_key: freshKey('inspection-setup'),
    }),
  );
}

/** One case per keyed route, by its OpenAPI name. */
const keyedCases: Record<string, KeyedCase> = {
  'POST /api/v1/supervision/inspections': {
    name: 'an inspection plan',
    prepare: async (fx) => {
      const key = freshKey('plan');
      return {
        client: fx.clients['baotou.iit']!,
        url: '/api/v1/supervision/inspections',
        body: {
          enterprise_id: fx.enterprises.bayan!.id,
          planned_on: '2026-12-05',
          purpose: '并发计划',
          reasons: ['并发'],
          inspectors: ['baotou.iit'],
          idempotency_key: key,
        },
        records: (db) => countWhere(db, 'inspection', 'idempotency_key', key),
        action: 'inspection.plan',
      };
    },
    changed: { field: 'planned_on', value: '2026-12-06' },
  },
  'POST /api/v1/supervision/violations': {
    name: 'a violation',
    prepare: async (fx) => {
      const key = freshKey('violation');
      return {
        client: fx.clients['baotou.iit']!,
        url: '/api/v1/supervision/violations',
        body: {
          enterprise_id: fx.enterprises.bayan!.id,
          type: 'flow_records_missing',
          description: '并发违法',
          found_on: '2026-11-20',
          idempotency_key: key,
        },
        records: (db) => countWhere(db, 'violation', 'idempotency_key', key),
        action: 'violation.record',
      };
    },
    changed: { field: 'type', value: 'false_records' },
  },
  'POST /api/v1/supervision/violations/{id}/decisions': {
    name: 'a decision',
    prepare: async (fx) => {
      const violation = await newViolation(fx);
      const key = freshKey('decision');
      return {
        client: fx.clients['baotou.iit']!,
        url: `/api/v1/supervision/violations/${violation}/decisions`,
        body: {
          kind: 'fine',
          document_no: `并发罚〔2026〕${serial}号`,
          decided_on: '2026-11-21',
          final: false,
          fine_yuan: 20_000,
          idempotency_key: key,
        },
        records: (db) => countWhere(db, 'decision', 'idempotency_key', key),
        action: 'decision.decide',
      };
    },
    changed: { field: 'fine_yuan', value: 30_000 },
  },
  'POST /api/v1/supervision/annual-reports/{province}/{year}/submit': {
    name: "a province's annual supervision report",
    prepare: async (fx) => {
      const client = fx.clients['nmg.iit']!;
      const view = await client.get('/api/v1/supervision/annual-reports/150000/2026');
      expect(view.statusCode, view.body).toBe(200);
      const version = view.json<{ submission: { version: number } | null }>().submission?.version ?? 0;
      const key = freshKey('annual');
      return {
        client,
        url: '/api/v1/supervision/annual-reports/150000/2026/submit',
        body: { expected_version: version, comment: version === 0 ? '' : '并发更正', idempotency_key: key },
        records: (db) => countWhere(db, 'supervision_annual_report', 'idempotency_key', key),
        action: 'supervision.annual_report.submit',
      };
    },
    changed: { field: 'comment', value: '另一份说明' },
  },
  'POST /api/v1/reports': {
    name: "an enterprise's monthly report",
    prepare: async (fx) => {
      const client = fx.clients['ent.bayan']!;
      const draft = await client.get(`/api/v1/reports/draft?period=2026-11&enterprise_id=${fx.enterprises.bayan!.id}`);
      expect(draft.statusCode, draft.body).toBe(200);
      const latest = draft.json<{ latest: { id: string } | null }>().latest;
      const key = freshKey('report');
      return {
        client,
        url: '/api/v1/reports',
        body: { period: '2026-11', figures: [], ...(latest ? { replaces: latest.id } : {}), idempotency_key: key },
        records: (db) => countWhere(db, 'report', 'idempotency_key', key),
        action: 'report.submit',
      };
    },
    changed: { field: 'period', value: '2026-10' },
  },
  'POST /api/v1/compilations': {
    name: "a county's compilation",
    prepare: async (fx) => {
      const client = fx.clients['longnan.iit']!;
      const draft = await client.get('/api/v1/compilations/draft?division_code=360783&period=2026-11');
      expect(draft.statusCode, draft.body).toBe(200);
      const { absent, latest } = draft.json<{ absent: { code: string }[]; latest: { id: string } | null }>();
      const key = freshKey('compile');
      return {
        client,
        url: '/api/v1/compilations',
        body: {
          division_code: '360783',
          period: '2026-11',
          reasons: Object.fromEntries(absent.map((child) => [child.code, '并发测试：未报'])),
          ...(latest ? { replaces: latest.id } : {}),
          idempotency_key: key,
        },
        records: (db) => countWhere(db, 'compilation', 'idempotency_key', key),
        action: 'compilation.compile',
      };
    },
    changed: { field: 'period', value: '2026-10' },
  },
  'POST /api/v1/ledger/adjustments': {
    name: 'an Art. 14 reduction of a quota',
    prepare: async (fx) => {
      const key = freshKey('reduce');
      const account = await quotaForBayan(fx);
      return {
        client: fx.clients.miit!,
        url: '/api/v1/ledger/adjustments',
        body: {
          key,
          year: 2026,
          category: account.category,
          enterprise_id: account.enterprise_id,
          kind: 'reduce',
          reo_kg: 10,
          memo: '并发核减',
        },
        records: (db) => countWhere(db, 'ledger_entry', 'idempotency_key', `manual:${key}`),
        action: 'ledger.reduce',
      };
    },
    // The ledger names the key it refuses: its entries keep no request to compare field by field.
    changed: { field: 'reo_kg', value: 11 },
  },
};

/** Routes whose key is the content itself (the same bytes on the same inspection): not in the OpenAPI scan. */
const contentKeyedCases: Record<string, KeyedCase> = {
  'POST /api/v1/supervision/inspections/{id}/evidence': {
    name: 'the same evidence file on the same inspection',
    prepare: async (fx) => {
      const inspection = await newInspection(fx);
      return {
        client: fx.clients['baotou.iit']!,
        url: `/api/v1/supervision/inspections/${inspection}/evidence?name=concurrent.pdf`,
        body: pdfBytes(`concurrent-${inspection}`),
        headers: { 'content-type': 'application/pdf' },
        records: (db) => countWhere(db, 'evidence_file', 'inspection_id', inspection),
        action: 'inspection.evidence',
      };
    },
  },
};

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Schema {
  $ref?: string;
  description?: string;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}

/** Every operation whose JSON body has an idempotency key: `idempotency_key`, or a property described as one. */
function keyedOperations(document: OpenApi): string[] {
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    return resolve(document.components?.schemas?.[schema.$ref.split('/').at(-1)!]);
  };
  const keyed = (schema: Schema | undefined): boolean => {
    const resolved = resolve(schema);
    if (!resolved) return false;
    if (resolved.allOf?.some(keyed)) return true;
    return Object.entries(resolved.properties ?? {}).some(
      ([name, property]) => name === 'idempotency_key' || /idempotency key/i.test(resolve(property)?.description ?? ''),
    );
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => keyed(operation.requestBody?.content?.['application/json']?.schema))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
}

describe('concurrent duplicates answer like a replay', () => {
  const fx = {} as Fixtures;

  beforeAll(async () => {
    fx.context = await startTestApp({}, { clock: () => new Date('2026-12-01T10:00:00+08:00') });
    fx.enterprises = await demoEnterpriseIds(fx.context.database.db);
    fx.clients = {};
    for (const login of ['baotou.iit', 'nmg.iit', 'longnan.iit', 'ent.bayan', 'miit'])
      fx.clients[login] = await fx.context.as(login);
  }, 120_000);
  afterAll(async () => fx.context.close());

  it('has a case for every route whose body carries an idempotency key', async () => {
    const response = await fx.context.anonymous.get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const found = keyedOperations(response.json<OpenApi>());
    expect(found.length).toBeGreaterThanOrEqual(7);
    expect([...found].sort()).toEqual(Object.keys(keyedCases).sort());
  });

  const all = { ...keyedCases, ...contentKeyedCases };
  it.each(Object.entries(all).map(([route, item]) => [`${route} (${item.name})`, item] as const))(
    '%s: all at once, one record, one audit entry, every answer the first one',
    async (_title, item) => {
      const db = fx.context.database.db;
      const prepared = await item.prepare(fx);
      const send = () => prepared.client.request('POST', prepared.url, prepared.body, prepared.headers);
      const auditBefore = await auditOf(db, prepared.action);
      expect(await prepared.records(db)).toBe(0);

      const answers = await Promise.all(Array.from({ length: CONCURRENT }, send));

      const statuses = answers.map((answer) => answer.statusCode);
      const problems = answers.filter((answer) => answer.statusCode >= 300).map((answer) => answer.body);
      expect(problems, 'no duplicate is refused').toEqual([]);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(CONCURRENT - 1);
      const first = answers.find((answer) => answer.statusCode === 201)!.json<unknown>();
      for (const answer of answers) expect(answer.json<unknown>()).toEqual(first);

      const replay = await send();
      expect(replay.statusCode, replay.body).toBe(200);
      expect(replay.json<unknown>()).toEqual(first);

      expect(await prepared.records(db)).toBe(1);
      expect(await auditOf(db, prepared.action)).toBe(auditBefore + 1);
    },
    120_000,
  );

  it.each(Object.entries(keyedCases).map(([route, item]) => [`${route} (${item.name})`, item] as const))(
    '%s: the key again with another parameter is refused, naming it, and writes nothing',
    async (_title, item) => {
      const db = fx.context.database.db;
      const prepared = await item.prepare(fx);
      const first = await prepared.client.request('POST', prepared.url, prepared.body);
      expect(first.statusCode, first.body).toBe(201);
      const auditBefore = await auditOf(db, prepared.action);
      const { field, value } = item.changed!;
      const changed = { ...(prepared.body as Record<string, unknown>), [field]: value };
      const refused = await prepared.client.request('POST', prepared.url, changed);
      expect(refused.statusCode, refused.body).toBe(409);
      const problem = refused.json<{ code: string; errors?: { field: string }[] }>();
      expect(problem.code).toBe('conflict');
      const named = (problem.errors ?? []).map((error) => error.field);
      expect(named).toEqual([route(prepared) === 'ledger' ? 'key' : field]);
      expect(await prepared.records(db)).toBe(1);
      expect(await auditOf(db, prepared.action)).toBe(auditBefore);
      const replay = await prepared.client.request('POST', prepared.url, prepared.body);
      expect(replay.statusCode, replay.body).toBe(200);
      expect(replay.json<unknown>()).toEqual(first.json<unknown>());
    },
    120_000,
  );
});

const route = (prepared: Prepared) => (prepared.url.startsWith('/api/v1/ledger/') ? 'ledger' : 'other');
