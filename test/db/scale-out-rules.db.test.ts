import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The rules that keep a move to Citus possible (docs/adr/0014-scale-out-citus.md): the flow tables are keyed by their
 * enterprise first, and no SQL joins two enterprises' flow rows except the cross-enterprise checks and traces named
 * here, each with the reason. A new flow table, or a new join across enterprises, fails this test until it is
 * classified.
 */

/** The flow tables, each with its enterprise column: the distribution column in the ADR. */
const FLOW_TABLES: Readonly<Record<string, string | null>> = {
  flow_submission: 'enterprise_id',
  flow_line: 'enterprise_id',
  flow_superseded: 'enterprise_id',
  flow_summary: 'enterprise_id',
  declaration: 'enterprise_id',
  epcis_event: 'enterprise_id',
  epcis_capture: 'enterprise_id',
  // A batch belongs to the enterprise that made it.
  flow_batch: 'maker_id',
  batch_holding: 'enterprise_id',
  batch_edge: null,
  batch_origin: null,
};

/** Flow tables that do not meet the key rule today: the schema is not changed here; the ADR says what it would take. */
const KEY_EXCEPTIONS: Readonly<Record<string, string>> = {
  epcis_capture:
    'keyed by its capture id, with a global `seq` unique for the capture list; needs (enterprise_id, id) as its key ' +
    'and a per-enterprise sequence before it can be distributed',
  batch_holding:
    'keyed (batch_id, enterprise_id) because a trace asks who holds a batch; distributed by enterprise_id it needs ' +
    '(enterprise_id, batch_id) as its key, with a batch_id index for the trace',
  batch_edge:
    'the transform graph has no enterprise column: an edge joins a batch made by one enterprise to a parent made by ' +
    'another; it becomes a reference table (replicated edge table, ADR 0014), or carries the child maker',
  batch_origin:
    'carried origin shares of a batch, keyed by batch id; needs the batch maker (maker_id) first to be co-located ' +
    'with flow_batch',
};

/** Tables whose names look like flow tables but hold something else. */
const NOT_FLOW_TABLES: Readonly<Record<string, string>> = {
  batch_category_total: 'a total of an indicator batch (allocation), not a product batch',
  batch_cosign: 'a co-signature of an indicator batch (allocation), not a product batch',
};

/**
 * SQL that joins flow rows of different enterprises (by batch, by counterparty), by file, the function it is in
 * and the table joined: the cross-enterprise checks and the traces, which ADR 0014 says how to run distributed.
 */
const CROSS_ENTERPRISE_JOINS: Readonly<Record<string, string>> = {
  'checks/checks.repository.ts shipmentMatches flow_line':
    "shipment ↔ receipt: a shipper's lines matched with the receiver's lines of the same batch and waybill",
  'checks/checks.repository.ts shipmentMatches flow_batch':
    'the matched batch, made by the shipper or further up, for its product',
  'flows/flows.reads.ts flowLines flow_batch': "a line's batch, which another enterprise may have made (a receipt)",
  'flows/flows.reads.ts batchLineCount flow_batch': 'as flowLines: the batch a line names, by its id',
  'trace/trace.repository.ts mayTrace batch_holding':
    "a division official may trace a batch held in the division: the batch's holders, any enterprise",
  'trace/trace.repository.ts walk batch_edge': 'the trace: the edge walk crosses enterprises at every transfer',
  'trace/trace.repository.ts nodesOf flow_batch': "the trace: the lineage's batches, made by many enterprises",
  'trace/trace.repository.ts lineageUp batch_origin': 'the trace: origin shares of the traced batch, by its id',
  'trace/trace.repository.ts lineageDown flow_line': "the forward trace: every holder's movements of the lineage",
};

const modules = fileURLToPath(new URL('../../src/server/modules/', import.meta.url));

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The name of the top-level function (or constant) the text at `index` is in: the closest one declared before it. */
function enclosingName(text: string, index: number): string {
  const declared = [
    ...text.slice(0, index).matchAll(/^(?:export\s+)?(?:async\s+)?(?:function\s+(\w+)|const\s+(\w+)\s*=)/gm),
  ].at(-1);
  return declared?.[1] ?? declared?.[2] ?? '(top)';
}

/** A condition that keeps the join within one enterprise: an enterprise column equal to another, or to one value. */
const sameEnterprise =
  /\b(?:\w+\.)?(?:enterprise_id|maker_id)\s*=\s*(?:\$\{[^}]+\}|(?:\w+\.)?(?:enterprise_id|maker_id)\b)/;

interface FoundJoin {
  readonly key: string;
  readonly condition: string;
}

/**
 * Joins onto a flow table in a module's SQL: `JOIN t x ON …`, and correlated subqueries (`EXISTS`, `LATERAL`,
 * `IN (SELECT … FROM t x … WHERE …)`), whose WHERE is the join's condition. A heuristic over the text, written for
 * the way this code base writes SQL (template strings, one statement per tag); Kysely joins are matched too.
 */
function flowJoins(file: string, text: string): FoundJoin[] {
  const found: FoundJoin[] = [];
  const add = (table: string | undefined, condition: string, index: number) => {
    if (!table || !(table in FLOW_TABLES)) return;
    found.push({ key: `${file} ${enclosingName(text, index)} ${table}`, condition: condition.replace(/\s+/g, ' ') });
  };
  const joinOn =
    /\bJOIN\s+(\w+)(?:\s+(?:AS\s+)?\w+)?\s+ON\s+([\s\S]+?)(?=\bJOIN\b|\bWHERE\b|\bGROUP\s+BY\b|\bORDER\s+BY\b|\bLIMIT\b|\)|`|$)/gi;
  for (const match of text.matchAll(joinOn)) add(match[1], match[2] ?? '', match.index);
  const subquery =
    /\b(?:EXISTS|LATERAL|IN)\s*\(\s*SELECT\b[^()]*?\bFROM\s+(\w+)\b[^()]*?(?:\([^()]*\)[^()]*?)*\bWHERE\s+([\s\S]+?)(?=\bOFFSET\b|\bORDER\s+BY\b|\bLIMIT\b|\bGROUP\b|\)\s*(?:\w|$|,|\)|`))/gi;
  for (const match of text.matchAll(subquery)) add(match[1], match[2] ?? '', match.index);
  const kysely = /\.(?:inner|left|right|full)Join\(\s*'(\w+)(?:\s+as\s+\w+)?'\s*,\s*'([\w.]+)'\s*,\s*'([\w.]+)'/g;
  for (const match of text.matchAll(kysely)) add(match[1], `${match[2]} = ${match[3]}`, match.index);
  return found;
}

describe('scale-out rules (ADR 0014)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.close());

  /** Each table's primary key and unique constraints, their columns in key order. */
  async function keysOf(table: string): Promise<{ name: string; primary: boolean; columns: string[] }[]> {
    const rows = await sql<{ name: string; primary: boolean; columns: string[] }>`
      SELECT c.relname AS name, i.indisprimary AS primary,
             array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = ${table}::regclass AND i.indisunique ORDER BY c.relname`.execute(database.db);
    return rows.rows;
  }

  it('knows every table that looks like a flow table', async () => {
    const rows = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND (table_name ~ '^(flow_|batch_|epcis_)' OR table_name = 'declaration')
      ORDER BY table_name`.execute(database.db);
    const unclassified = rows.rows
      .map((row) => row.table_name)
      .filter((table) => !(table in FLOW_TABLES) && !(table in NOT_FLOW_TABLES));
    expect(unclassified, 'classify these in FLOW_TABLES or NOT_FLOW_TABLES').toEqual([]);
    for (const table of [...Object.keys(FLOW_TABLES), ...Object.keys(NOT_FLOW_TABLES)])
      expect(
        rows.rows.map((row) => row.table_name),
        table,
      ).toContain(table);
  });

  it('keys every flow table by its enterprise first, but the named exceptions', async () => {
    const meeting: string[] = [];
    for (const [table, column] of Object.entries(FLOW_TABLES)) {
      const keys = await keysOf(table);
      expect(keys.length, `${table} has a primary key`).toBeGreaterThan(0);
      if (column !== null) {
        const columns = await sql<{ column_name: string }>`
          SELECT column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = ${table} AND column_name = ${column}`.execute(database.db);
        expect(columns.rows, `${table}.${column}`).toHaveLength(1);
      }
      if (column !== null && keys.some((key) => key.columns[0] === column)) meeting.push(table);
    }
    const failing = Object.keys(FLOW_TABLES).filter((table) => !meeting.includes(table));
    // Both ways: a table that comes to meet the rule leaves the exceptions.
    expect(failing.sort()).toEqual(Object.keys(KEY_EXCEPTIONS).sort());
  });

  it('joins two enterprises’ flow rows only in the named cross-enterprise checks and traces', async () => {
    const crossing = new Map<string, string[]>();
    let scanned = 0;
    for (const path of await sourceFiles(modules)) {
      const file = relative(modules, path).split('\\').join('/');
      for (const join of flowJoins(file, await readFile(path, 'utf8'))) {
        scanned += 1;
        if (sameEnterprise.test(join.condition)) continue;
        crossing.set(join.key, [...(crossing.get(join.key) ?? []), join.condition]);
      }
    }
    // The scan sees the joins it must see: the supersession look-ups, which stay within an enterprise.
    expect(scanned).toBeGreaterThan(Object.keys(CROSS_ENTERPRISE_JOINS).length + 5);
    const unexpected = [...crossing].filter(([key]) => !(key in CROSS_ENTERPRISE_JOINS));
    expect(unexpected, 'a join across enterprises: keep it within one, or name it (and the ADR says how)').toEqual([]);
    // And an allowance nothing uses any more is taken out.
    expect([...crossing.keys()].sort()).toEqual(Object.keys(CROSS_ENTERPRISE_JOINS).sort());
  });

  it('tells a join within an enterprise from one across enterprises', () => {
    const joins = flowJoins(
      'x.ts',
      [
        'function within() { return sql`SELECT 1 FROM flow_line l',
        '  JOIN flow_superseded s ON s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id`; }',
        'function across() { return sql`SELECT 1 FROM flow_line l',
        "  WHERE EXISTS (SELECT 1 FROM flow_line r WHERE r.batch_id = l.batch_id AND r.kind = 'receive')`; }",
      ].join('\n'),
    );
    expect(joins.map((join) => [join.key, sameEnterprise.test(join.condition)])).toEqual([
      ['x.ts within flow_superseded', true],
      ['x.ts across flow_line', false],
    ]);
  });
});
