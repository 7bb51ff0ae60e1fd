import { Gauge, type Registry } from 'prom-client';
import type { DatabaseHandle } from '../../db/database.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import type { Actor } from '../auth/index.ts';
import { latestEndedMonth } from '../dashboard/dashboard.rules.ts';
import { boardRows } from '../reporting/board.service.ts';

/** Read the state gauges from the database at most this often, however often /metrics is scraped. */
const STATE_TTL_MS = 30_000;

/** Oversight's national view, read-only: what the metrics count is the whole country's. */
const metricsReader: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  login: 'metrics',
  displayName: 'metrics',
  role: 'oversight',
  authorityId: null,
  department: null,
  divisionCode: null,
  enterpriseId: null,
  via: 'token',
};

/** The month whose reports are due now: the latest ended month, in Beijing time (December of last year in January). */
export function monthDue(now: Date): string {
  const today = dateInShanghai(now);
  const year = Number(today.slice(0, 4));
  return latestEndedMonth(year, today) ?? `${year - 1}-12`;
}

interface State {
  readonly anomalies: readonly { rule: string; count: number }[];
  readonly late: number;
  readonly period: string;
}

/**
 * The service's state in /metrics: the database pool (connections open, idle, requests waiting), the open anomalies
 * by rule, and the enterprises whose report for the month due is late (past its deadline, not in). Every process
 * reads the same database, so they all show the same state.
 */
export function installServiceGauges(registry: Registry, database: DatabaseHandle, clock: () => Date): void {
  new Gauge({
    name: 'monazite_db_pool_connections',
    help: 'Database pool of this process: connections open (total), idle, requests waiting for one, and max',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = database.poolState();
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, pool[state]);
    },
  });

  let cached: { at: number; state: Promise<State> } | undefined;
  const state = (): Promise<State> => {
    const now = clock();
    if (!cached || now.getTime() - cached.at > STATE_TTL_MS) {
      const read = readState(database, now);
      cached = { at: now.getTime(), state: read };
      // A failed read is not kept: the next scrape tries again.
      read.catch(() => (cached = undefined));
    }
    return cached.state;
  };

  new Gauge({
    name: 'monazite_anomalies_open',
    help: 'Anomalies found by the checks and still open, by rule',
    labelNames: ['rule'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { rule, count } of (await state()).anomalies) this.set({ rule }, count);
    },
  });
  new Gauge({
    name: 'monazite_reports_late',
    help: 'Enterprises whose monthly report for the month due is late: past the deadline and not in (Art. 9)',
    labelNames: ['period'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { period, late } = await state();
      this.set({ period }, late);
    },
  });
}

async function readState(database: DatabaseHandle, now: Date): Promise<State> {
  const period = monthDue(now);
  const [anomalies, board] = await Promise.all([
    database.db
      .selectFrom('anomaly')
      .select((eb) => ['rule', eb.fn.countAll<string>().as('count')])
      .where('status', '=', 'open')
      .groupBy('rule')
      .orderBy('rule')
      .execute(),
    boardRows(database.db, metricsReader, period, undefined, now),
  ]);
  return {
    anomalies: anomalies.map((row) => ({ rule: row.rule, count: Number(row.count) })),
    late: board.rows.filter((row) => row.kind === 'enterprise' && row.status === 'late').length,
    period,
  };
}
