import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import { openDatabase, type DatabaseHandle } from './database.ts';
import type { Executor } from './executor.ts';
import { describeDatabaseUrl, lagOf, type ReplicaState } from './replicas.rules.ts';

/**
 * How far a replica is behind, in milliseconds. When it has replayed all it received (receive = replay), and its
 * WAL receiver runs, it is as current as the primary: 0, however long the primary has been idle (an idle primary
 * commits nothing, so the time since the last replayed commit says nothing). Otherwise the age of the last replayed
 * commit: while replay is behind or paused, or when the replica is cut off from the primary (no WAL receiver), which
 * on an idle primary errs towards "behind".
 */
const replicaLagQuery = sql<{ in_recovery: boolean; lag_ms: number | string | null }>`
  SELECT pg_is_in_recovery() AS in_recovery,
    CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
      THEN 0
      ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000
    END AS lag_ms`;

export interface ReplicaLog {
  info(message: string): void;
  warn(message: string): void;
}

/** The read replicas of a server process, and their lag as last sampled. */
export interface ReplicaSet {
  readonly count: number;
  /** Each replica's state, by index (0 for the first URL of DATABASE_READ_URL). */
  states(): readonly ReplicaState[];
  db(index: number): Executor;
  /** Samples every replica's lag now (a replica that does not answer becomes unusable). */
  sample(): Promise<void>;
  /** A first sample, then one every interval, until closed. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  readonly statementTimeoutMs: number;
  readonly sampleMs: number;
  readonly registry: Registry;
  readonly log: ReplicaLog;
}

/** Opens a pool per replica URL (no connection is made until the first sample). */
export async function openReplicas(urls: readonly string[], options: ReplicaOptions): Promise<ReplicaSet> {
  const handles: DatabaseHandle[] = [];
  for (const url of urls) {
    // A replica that does not answer must not hold a request or a sample for long.
    const timeout = Math.min(options.statementTimeoutMs, 5000);
    handles.push(
      await openDatabase({ url, statementTimeoutMs: options.statementTimeoutMs, connectionTimeoutMs: timeout }),
    );
  }
  const states: ReplicaState[] = urls.map(() => ({ lagMs: null }));
  // What the log last said of each replica (nothing yet): it speaks when that changes, not at every sample.
  const told: (boolean | undefined)[] = urls.map(() => undefined);
  const lagGauge = new Gauge({
    name: 'monazite_replica_lag_seconds',
    help: 'How far each read replica is behind the primary, as last sampled (NaN: unreachable or not a replica)',
    labelNames: ['replica'] as const,
    registers: [options.registry],
  });
  urls.forEach((_url, index) => lagGauge.set({ replica: String(index) }, Number.NaN));

  const sampleOne = async (index: number, handle: DatabaseHandle) => {
    let lagMs: number | null = null;
    let failure = '';
    try {
      const row = (await replicaLagQuery.execute(handle.db)).rows[0];
      lagMs = row
        ? lagOf({ inRecovery: row.in_recovery, lagMs: row.lag_ms === null ? null : Number(row.lag_ms) })
        : null;
      if (lagMs === null) failure = 'it is not replaying from a primary';
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const name = `read replica ${index} (${describeDatabaseUrl(urls[index] ?? '')})`;
    if (told[index] !== false && lagMs === null) options.log.warn(`${name} cannot be read from: ${failure}`);
    if (told[index] !== true && lagMs !== null) options.log.info(`${name} answers, ${lagMs} ms behind`);
    told[index] = lagMs !== null;
    states[index] = { lagMs };
    lagGauge.set({ replica: String(index) }, lagMs === null ? Number.NaN : lagMs / 1000);
  };

  let running: Promise<void> | null = null;
  const sample = () => {
    // One sample at a time: a slow replica does not pile samples up.
    running ??= Promise.all(handles.map((handle, index) => sampleOne(index, handle))).then(() => {
      running = null;
    });
    return running;
  };
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  return {
    count: handles.length,
    states: () => states,
    db: (index) => {
      const handle = handles[index];
      if (!handle) throw new Error(`no read replica ${index}`);
      return handle.db;
    },
    sample,
    async start() {
      await sample();
      if (closed) return;
      timer = setInterval(() => void sample(), options.sampleMs);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await running;
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}
