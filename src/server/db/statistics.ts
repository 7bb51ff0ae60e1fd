import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import { DEFAULT_STATISTICS_POLICY, statisticsDecision, type StatisticsPolicy } from './statistics.rules.ts';

/**
 * The system keeps the planner's statistics of the flow tables fresh itself (ADR 0009): a committed submission
 * reports how many rows it wrote per table; when enough has changed, the touched tables are analysed after the
 * commit, off the request path (nothing awaits it), one at a time, each at most once per interval. Errors are
 * logged, never thrown into a request. It does not depend on autovacuum: PGlite has none, and a server may run
 * with it off. On PGlite ANALYZE runs in-process and holds the event loop while it samples; only the touched
 * tables are analysed, which keeps that to a fraction of a second.
 */

/** The tables the ingest writes in bulk: the only ones the keeper analyses. */
export const KEPT_TABLES = [
  'flow_line',
  'flow_batch',
  'batch_edge',
  'batch_origin',
  'batch_holding',
  'flow_superseded',
  'flow_summary',
] as const;
export type KeptTable = (typeof KEPT_TABLES)[number];

export type TableChanges = Partial<Record<KeptTable, number>>;

export interface StatisticsKeeper {
  /** Counts committed writes; may start an ANALYZE in the background. Never throws, never waits. */
  note(changes: TableChanges): void;
  /** Resolves when no ANALYZE runs or is due now (rows below the threshold, or waiting for the interval, stay counted). */
  idle(): Promise<void>;
  /** Stops: no new runs, pending timers cleared; resolves when the running ANALYZE (if any) has finished. */
  stop(): Promise<void>;
  /** Tables analysed so far, in order (for the operator's log and the tests). */
  readonly analysed: readonly { table: KeptTable; at: Date; ms: number }[];
}

export interface KeeperOptions {
  readonly policy?: StatisticsPolicy;
  /** Where failures and runs are reported; defaults to a process warning for failures only. */
  readonly log?: {
    info(message: string): void;
    warn(message: string, error: unknown): void;
  };
  readonly now?: () => number;
}

const keepers = new WeakMap<DatabaseHandle, StatisticsKeeper>();

/** Starts keeping the statistics of this database's flow tables (the app does this when it is built). */
export function keepStatistics(handle: DatabaseHandle, options: KeeperOptions = {}): StatisticsKeeper {
  const existing = keepers.get(handle);
  if (existing) return existing;
  const keeper = createKeeper(handle, options);
  keepers.set(handle, keeper);
  return keeper;
}

/** The keeper of this database, if one was started. */
export function statisticsKeeperOf(handle: DatabaseHandle): StatisticsKeeper | undefined {
  return keepers.get(handle);
}

/** What the ingest calls after a commit: a no-op when nobody keeps this database's statistics. */
export function noteWrites(handle: DatabaseHandle, changes: TableChanges): void {
  keepers.get(handle)?.note(changes);
}

function createKeeper(handle: DatabaseHandle, options: KeeperOptions): StatisticsKeeper {
  const policy = options.policy ?? DEFAULT_STATISTICS_POLICY;
  const now = options.now ?? Date.now;
  const log = options.log ?? {
    info: () => undefined,
    warn: (message: string, error: unknown) => process.emitWarning(`${message}: ${String(error)}`),
  };
  const changed = new Map<KeptTable, number>();
  const lastAnalysed = new Map<KeptTable, number>();
  const analysed: { table: KeptTable; at: Date; ms: number }[] = [];
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const waiters: (() => void)[] = [];

  // A timer waiting for a table's interval does not count as busy: idle means no ANALYZE runs or is due now.
  const settle = () => {
    if (running) return;
    for (const resolve of waiters.splice(0)) resolve();
  };

  const estimates = async (tables: readonly KeptTable[]): Promise<Map<string, number>> => {
    const rows = await sql<{ relname: string; reltuples: number }>`
      SELECT c.relname, c.reltuples::float8 AS reltuples FROM pg_class c
      WHERE c.oid = ANY(ARRAY(SELECT to_regclass(t) FROM unnest(${[...tables]}::text[]) AS t))`.execute(handle.db);
    return new Map(rows.rows.map((row) => [row.relname, Number(row.reltuples)]));
  };

  const pass = async (): Promise<void> => {
    const touched = KEPT_TABLES.filter((table) => (changed.get(table) ?? 0) > 0);
    if (touched.length === 0) return;
    const estimated = await estimates(touched);
    let waitMs: number | undefined;
    for (const table of touched) {
      if (stopped) return;
      const decision = statisticsDecision(
        {
          changedRows: changed.get(table) ?? 0,
          estimatedRows: estimated.get(table) ?? -1,
          lastAnalysedMs: lastAnalysed.get(table),
          nowMs: now(),
        },
        policy,
      );
      if (decision.kind === 'wait') waitMs = Math.min(waitMs ?? decision.ms, decision.ms);
      if (decision.kind !== 'analyse') continue;
      const before = changed.get(table) ?? 0;
      const began = performance.now();
      // The name comes from KEPT_TABLES, never from input.
      await sql`ANALYZE ${sql.table(table)}`.execute(handle.db);
      const ms = Math.round(performance.now() - began);
      lastAnalysed.set(table, now());
      // Rows noted while ANALYZE ran may not be in its sample: they stay counted.
      changed.set(table, Math.max(0, (changed.get(table) ?? 0) - before));
      analysed.push({ table, at: new Date(), ms });
      log.info(`analysed ${table} after ${before} changed rows (${ms} ms)`);
    }
    if (waitMs !== undefined && !stopped && !timer) {
      timer = setTimeout(() => {
        timer = undefined;
        start();
      }, waitMs);
      timer.unref();
    }
  };

  const start = () => {
    if (stopped) return settle();
    if (running) {
      again = true;
      return;
    }
    // After the current request's work: setImmediate puts it behind the reply.
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        do {
          again = false;
          await pass();
        } while (again && !stopped);
      })
      .catch((error: unknown) => log.warn('keeping the flow tables statistics failed', error))
      .finally(() => {
        running = undefined;
        settle();
      });
  };

  return {
    analysed,
    note(changes) {
      if (stopped) return;
      let any = false;
      for (const table of KEPT_TABLES) {
        const rows = changes[table] ?? 0;
        if (!(rows > 0)) continue;
        changed.set(table, (changed.get(table) ?? 0) + rows);
        any = true;
      }
      if (any) start();
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      keepers.delete(handle);
      settle();
    },
  };
}
