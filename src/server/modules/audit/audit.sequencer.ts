import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Executor } from '../../db/executor.ts';
import type { AuditEntryRow } from '../../db/schema.ts';
import { hasPending, lockChainTail, pendingEntries, pendingSummary, sealEntries } from './audit.repository.ts';
import { sealInOrder } from './audit.rules.ts';
import { pendingFields } from './audit.service.ts';

/**
 * The audit sequencer (ADR 0011). Business transactions record their entries pending, taking no lock; the
 * sequencer seals them into the chain after they commit: in a short transaction of its own it takes the chain's
 * lock, reads the tail, and gives the oldest pending entries (in record order) the next sequences, links and
 * hashes. Two sequencers (two server processes on one PostgreSQL) take turns on the lock; the second sees what the
 * first sealed (each statement of a READ COMMITTED transaction sees what committed before it began), so nothing is
 * sealed twice.
 */

/** Pending entries sealed per transaction: it holds the chain's lock for one batch only. */
export const SEAL_BATCH = 500;

/**
 * Seals every pending entry committed by now, batch by batch in record order; resolves to the entries sealed.
 * Never call it inside a transaction: it opens its own (on PGlite, with one connection, it would wait forever).
 */
export async function sealPendingAudit(
  db: Executor,
  options: { batchSize?: number; onSealed?: (rows: readonly AuditEntryRow[], sealedAt: Date) => void } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? SEAL_BATCH;
  let total = 0;
  // A cheap look first: an idle sweep costs one index probe, no transaction and no lock.
  if (!(await hasPending(db))) return 0;
  for (;;) {
    const rows = await db.transaction().execute(async (tx) => {
      const tail = await lockChainTail(tx);
      const batch = await pendingEntries(tx, batchSize);
      const seals = sealInOrder(tail, batch.map(pendingFields));
      const sealed = await sealEntries(
        tx,
        batch.map((row, index) => ({ id: row.id, ...seals[index]! })),
      );
      // Under the chain's lock nobody else seals: a difference means the database is not what this code expects.
      if (sealed !== batch.length) throw new Error(`sealed ${sealed} of ${batch.length} pending audit entries`);
      return batch;
    });
    if (rows.length > 0) options.onSealed?.(rows, new Date());
    total += rows.length;
    if (rows.length < batchSize) return total;
  }
}

export interface AuditSequencerOptions {
  readonly db: Executor;
  /** How often the sweep runs (AUDIT_SEAL_INTERVAL_MS). */
  readonly intervalMs: number;
  /** Where its metrics go (the app's /metrics registry); none: no metrics. */
  readonly registry?: Registry;
  readonly log: { error(object: object, message: string): void };
}

export interface AuditSequencer {
  /**
   * Seals what is pending: starts a run, or — when one is under way, which may have looked before the caller's
   * commit — the run after it. Resolves when that run ends; never rejects (a failure is logged and counted).
   */
  sealNow(): Promise<void>;
  /** `sealNow`, waiting at most `ms` for it (the run goes on; the sweep catches anything left). */
  settle(ms: number): Promise<void>;
  /** Sweeps now, then every interval (an unref'd timer: it never keeps the process alive). */
  start(): void;
  /** Stops the sweep and waits for a run under way. */
  stop(): Promise<void>;
}

const sequencers = new WeakMap<Executor, AuditSequencer>();

/** The sequencer an app runs on this database, if any (for the operator's tools and the tests). */
export function auditSequencerOf(db: Executor): AuditSequencer | undefined {
  return sequencers.get(db);
}

export function createAuditSequencer(options: AuditSequencerOptions): AuditSequencer {
  const sequencer = makeSequencer(options);
  sequencers.set(options.db, sequencer);
  return sequencer;
}

function makeSequencer(options: AuditSequencerOptions): AuditSequencer {
  const metrics = options.registry ? sequencerMetrics(options.db, options.registry) : undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = (): Promise<void> =>
    sealPendingAudit(options.db, {
      onSealed: (rows, sealedAt) => {
        metrics?.sealed.inc(rows.length);
        for (const row of rows) metrics?.delay.observe(Math.max(0, sealedAt.getTime() - row.at.getTime()) / 1000);
      },
    })
      .then(() => undefined)
      .catch((error: unknown) => {
        metrics?.failures.inc();
        options.log.error({ err: error }, 'audit sealing failed: the entries stay pending for the next sweep');
      })
      .finally(() => (running = undefined));

  const sealNow = (): Promise<void> => {
    if (!running) return (running = run());
    // One run waits behind the running one, shared by every caller meanwhile.
    next ??= running.then(() => {
      next = undefined;
      return sealNow();
    });
    return next;
  };

  return {
    sealNow,
    settle(ms) {
      if (ms <= 0) return Promise.resolve();
      let timeout: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timeout = setTimeout(resolve, ms)));
      return Promise.race([sealNow(), waited]).finally(() => clearTimeout(timeout));
    },
    start() {
      if (timer || stopped) return;
      void sealNow();
      timer = setInterval(() => void sealNow(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await next;
      await running;
    },
  };
}

/** Bounded delay, shown: what waits, for how long, and how long sealing took (docs/operations.md). */
function sequencerMetrics(db: Executor, registry: Registry) {
  // One query per scrape serves both gauges.
  let scrape: Promise<{ count: number; oldestAt: Date | null }> | undefined;
  const summary = () => (scrape ??= pendingSummary(db).finally(() => (scrape = undefined)));
  new Gauge({
    name: 'monazite_audit_pending_entries',
    help: 'Audit entries committed but not yet sealed into the chain',
    registers: [registry],
    async collect() {
      this.set((await summary()).count);
    },
  });
  new Gauge({
    name: 'monazite_audit_oldest_pending_seconds',
    help: 'Age of the oldest pending audit entry (since it was recorded); 0 when none waits',
    registers: [registry],
    async collect() {
      const { oldestAt } = await summary();
      this.set(oldestAt === null ? 0 : Math.max(0, Date.now() - oldestAt.getTime()) / 1000);
    },
  });
  return {
    delay: new Histogram({
      name: 'monazite_audit_seal_delay_seconds',
      help: 'From recording an audit entry (inside its transaction) to sealing it: an upper bound on commit to seal',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    sealed: new Counter({
      name: 'monazite_audit_sealed_total',
      help: 'Audit entries sealed into the chain by this process',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'monazite_audit_seal_failures_total',
      help: 'Sealing runs that failed (their entries stay pending for the next sweep)',
      registers: [registry],
    }),
  };
}
