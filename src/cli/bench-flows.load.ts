import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { FlowEventInput } from '../contracts/flows.ts';
import { openDatabase, type DatabaseHandle } from '../server/db/database.ts';
import type { Executor } from '../server/db/executor.ts';
import { migrate } from '../server/db/migrate.ts';
import { demoProducts } from '../server/demo/demo-data.ts';
import { ingestFlows, monthDigest } from '../server/modules/flows/index.ts';
import { accounts, transfer } from '../server/modules/ledger/ledger.service.ts';
import { SYSTEM_ACTOR } from '../server/modules/audit/index.ts';
import { ensureReferenceData } from '../server/modules/registry/reference.service.ts';
import { canonicalJson, sm3Hex } from '../server/shared/canonical-json.ts';
import { DomainError } from '../server/shared/errors.ts';
import { Rng, YEAR, type BenchRegister } from './bench-flows.data.ts';
import type { FlowSimulation, Submission } from './bench-flows.sim.ts';

/**
 * The flow benchmark's database: a throwaway one (a new database on the PostgreSQL server, or an embedded
 * PGlite in a temporary folder), migrated, with the synthetic register; and the month-by-month load through
 * the one validated ingest every way in uses.
 */

export interface BenchDatabase {
  readonly handle: DatabaseHandle;
  /** Where it is, for the report: the database name or the folder. */
  readonly where: string;
  /** Closes the handle and keeps the database, e.g. for a server to open it (once; dispose still drops it). */
  close(): Promise<void>;
  /** Closes it and, unless kept, drops it. */
  dispose(keep: boolean): Promise<void>;
}

/** A handle's close that runs once however often it is called. */
function closeOnce(handle: DatabaseHandle): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= handle.close());
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh database of its own: never the user's data. */
export async function openBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (!databaseUrl) {
    const folder = await mkdtemp(join(tmpdir(), 'monazite-bench-'));
    const handle = await openDatabase({ pgliteDataDir: folder });
    const close = closeOnce(handle);
    return {
      handle,
      where: folder,
      close,
      dispose: async (keep) => {
        await close();
        if (!keep) await rm(folder, { recursive: true, force: true });
      },
    };
  }
  // Named by the process and a random tag, so it can never be someone else's database.
  const name = `monazite_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  // The server's default pool and an hour's statement timeout: a month of checks at scale takes a while.
  const handle = await openDatabase({ url: withDatabaseName(databaseUrl, name), statementTimeoutMs: 3_600_000 });
  const close = closeOnce(handle);
  return {
    handle,
    where: name,
    close,
    dispose: async (keep) => {
      await close();
      if (keep) return;
      const dropper = new pg.Client({ connectionString: databaseUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Real county codes by province (2-digit prefix), from the division table the migrations' reference data fills. */
export async function countiesByProvince(db: Executor): Promise<Map<string, string[]>> {
  const rows = await sql<{ code: string }>`SELECT code FROM division WHERE level = 'county' ORDER BY code`.execute(db);
  const byProvince = new Map<string, string[]>();
  for (const { code } of rows.rows) {
    const list = byProvince.get(code.slice(0, 2)) ?? [];
    list.push(code);
    byProvince.set(code.slice(0, 2), list);
  }
  return byProvince;
}

/** Migrations, reference data and the product catalogue (the demo's). */
export async function prepareSchema(db: Executor): Promise<void> {
  await migrate(db);
  await ensureReferenceData(db, { actor: SYSTEM_ACTOR, requestId: 'bench' });
  await db
    .insertInto('product')
    .values(
      demoProducts.map((product) => ({
        ...product,
        ore_type: product.ore_type ?? null,
        reo_factor_ppm: product.reo_factor_ppm ?? null,
      })),
    )
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

/** The register written with SQL: enterprises designated from 2020 for their kind. Returns ids by register index. */
export async function insertRegister(db: Executor, register: BenchRegister): Promise<string[]> {
  const rows = await db
    .insertInto('enterprise')
    .values(
      register.enterprises.map((enterprise) => ({
        credit_code: enterprise.creditCode,
        name: enterprise.name,
        kind: enterprise.kind,
        domicile_code: enterprise.domicile,
        group_id: null,
        mining_capacity_reo_kg_per_year: enterprise.kind === 'mining' ? Math.round(enterprise.weight * 1_000_000) : 0,
        separation_capacity_reo_kg_per_year:
          enterprise.kind === 'separation' ? Math.round(enterprise.weight * 5_000_000) : 0,
        technical_score: 70,
        environment_score: 75,
        safety_score: 80,
        licences: '[]',
        security_profile: JSON.stringify({
          responsible_person: '基准',
          protection_level: 3,
          last_assessment_on: '2024-06-30',
        }),
      })),
    )
    .returning(['id', 'credit_code'])
    .execute();
  const idByCode = new Map(rows.map((row) => [row.credit_code, row.id]));
  const ids = register.enterprises.map((enterprise) => idByCode.get(enterprise.creditCode)!);
  await db
    .insertInto('designation')
    .values(
      register.enterprises.map((enterprise, index) => ({
        enterprise_id: ids[index]!,
        scope: enterprise.kind,
        document_no: `工信部原函〔2020〕${100 + index}号`,
        effective_on: '2020-01-01',
      })),
    )
    .execute();
  return ids;
}

/** Submissions at most this large; an enterprise-month beyond it goes in several. */
export const SUBMISSION_EVENTS = 50_000;

export interface LoadTally {
  submissions: number;
  events: number;
  /** Time inside the validated ingest, including each submission's content hash (as the API computes it). */
  ingestMs: number;
  generateMs: number;
  sealMs: number;
}

/**
 * Records one enterprise's events of a stage as that enterprise, through `ingestFlows`, in submissions of at
 * most SUBMISSION_EVENTS. Any refused event is a bug of the generator (or the ingest): it stops the run with
 * the first errors.
 */
export async function ingestSubmission(
  handle: DatabaseHandle,
  ids: readonly string[],
  submission: Submission,
  tally: LoadTally,
): Promise<void> {
  const { stage, month, events } = submission;
  for (let start = 0; start < events.length; start += SUBMISSION_EVENTS) {
    const part: FlowEventInput[] = events.slice(start, start + SUBMISSION_EVENTS);
    const began = performance.now();
    try {
      const result = await ingestFlows(
        handle,
        {
          source: 'cli',
          enterpriseId: ids[submission.enterprise]!,
          createdBy: 'cli:bench',
          contentSm3: sm3Hex(canonicalJson(part)),
        },
        part.map((event, position) => ({ row: position + 1, event })),
      );
      if (result.accepted !== part.length)
        throw new Error(`${stage} of month ${month}: accepted ${result.accepted} of ${part.length}`);
    } catch (error) {
      if (error instanceof DomainError)
        throw new Error(
          `${stage} of month ${month} refused: ${error.message}\n${JSON.stringify(error.errors.slice(0, 5), null, 1)}`,
          { cause: error },
        );
      throw error;
    }
    tally.ingestMs += performance.now() - began;
    tally.submissions += 1;
    tally.events += part.length;
  }
}

/** Loads `months` months, an enterprise's stage at a time, each generated just before it is recorded (flat memory). */
export async function loadMonths(
  handle: DatabaseHandle,
  ids: readonly string[],
  simulation: FlowSimulation,
  months: number,
  seed: number,
  progress: (line: string) => void,
): Promise<LoadTally> {
  const tally: LoadTally = { submissions: 0, events: 0, ingestMs: 0, generateMs: 0, sealMs: 0 };
  for (let month = 1; month <= months; month += 1) {
    const submissions = simulation.submissions(month);
    const before = { events: tally.events, ms: tally.ingestMs };
    for (;;) {
      const began = performance.now();
      const next = submissions.next();
      tally.generateMs += performance.now() - began;
      if (next.done) break;
      await ingestSubmission(handle, ids, next.value, tally);
    }
    const sealing = performance.now();
    await sealMonth(handle.db, ids, month, seed);
    tally.sealMs += performance.now() - sealing;
    const events = tally.events - before.events;
    const rate = Math.round((events / (tally.ingestMs - before.ms)) * 1000);
    progress(
      `  ${period(month)}  ${events.toLocaleString('en-US')} events recorded, ${rate.toLocaleString('en-US')} events/s`,
    );
  }
  return tally;
}

export const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;

/**
 * Every enterprise declares its month (Art. 10) with the real digest of its events: most before the 10th,
 * a few late, a few not at all, so the declaration checks have something to find.
 */
export async function sealMonth(db: Executor, ids: readonly string[], month: number, seed: number): Promise<void> {
  const rng = new Rng(seed * 31 + month);
  const first = `${period(month)}-01`;
  const next = month === 12 ? `${YEAR + 1}-01` : period(month + 1);
  const rows = [];
  for (const id of ids) {
    const roll = rng.float();
    if (roll < 0.01) continue;
    const late = roll < 0.03;
    const day = late ? rng.int(11, 20) : rng.int(2, 9);
    const digest = await monthDigest(db, id, first);
    rows.push({
      enterprise_id: id,
      period: first,
      version: 1,
      events_sm3: digest.sm3,
      event_count: digest.count,
      late,
      sealed_by: 'bench',
      sealed_at: `${next}-${String(day).padStart(2, '0')}T10:00:00+08:00`,
    });
  }
  for (let start = 0; start < rows.length; start += 500)
    await db
      .insertInto('declaration')
      .values(rows.slice(start, start + 500))
      .execute();
}

/**
 * Quotas (Art. 6) for what the year's production consumed: most enterprises were allocated 5–40 % more than
 * they made, a few less, so the quota check finds a few overdrawn accounts.
 */
export async function issueQuotas(
  db: Executor,
  ids: readonly string[],
  consumed: ReadonlyMap<string, number>,
  seed: number,
): Promise<void> {
  const rng = new Rng(seed * 17 + 5);
  const issues = [...consumed].map(([key, reo]) => {
    const [index, category] = key.split(':') as [string, string];
    const factor = rng.chance(0.03) ? rng.between(0.85, 0.97) : rng.between(1.05, 1.4);
    return { enterpriseId: ids[Number(index)]!, category, reoKg: Math.max(1, Math.round(reo * factor)) };
  });
  const totals = new Map<string, number>();
  for (const issue of issues) totals.set(issue.category, (totals.get(issue.category) ?? 0) + issue.reoKg);
  await db.transaction().execute(async (tx) => {
    const common = { year: YEAR, createdBy: 'bench', reference: 'bench' };
    for (const [category, reoKg] of totals)
      await transfer(tx, {
        ...common,
        kind: 'approve',
        category,
        reoKg,
        key: `bench:approve:${category}`,
        from: accounts.approved(YEAR, category),
        to: accounts.pool(YEAR, category),
      });
    for (const issue of issues)
      await transfer(tx, {
        ...common,
        kind: 'issue',
        category: issue.category,
        reoKg: issue.reoKg,
        key: `bench:issue:${issue.enterpriseId}:${issue.category}`,
        from: accounts.pool(YEAR, issue.category),
        to: accounts.enterprise(issue.enterpriseId, YEAR, issue.category),
        enterpriseId: issue.enterpriseId,
      });
  });
}

/** PGlite has no autovacuum: without fresh statistics the planner guesses, and traces go to full scans. */
export async function analyze(db: Executor): Promise<void> {
  await sql`ANALYZE`.execute(db);
}
