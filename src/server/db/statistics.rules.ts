/**
 * When the system analyses a flow table itself (ADR 0009). Pure: the keeper (statistics.ts) counts the rows
 * each committed submission wrote per table and asks this rule what to do.
 *
 * The threshold is relative to the table's size as the planner knows it (pg_class.reltuples; -1 when never
 * analysed), with an absolute floor:
 * - the fraction (2 %) is a fifth of autovacuum's default 10 %, because a month's filing on a large table is
 *   below 10 % for the whole month, which is when officials read the most;
 * - the floor (5,000 rows) keeps small submissions from analysing at all: a table that small is planned well
 *   by its physical size, and ANALYZE reads a sample of at most 30,000 rows (300 × the statistics target)
 *   whatever the table's size, so one run costs about the same on a large table as on a mid-sized one;
 * - a table is analysed at most once per interval (60 s) so a burst of submissions costs one run per table.
 */

export interface StatisticsPolicy {
  /** Rows that must have changed, at least. */
  readonly floorRows: number;
  /** Share of the table's estimated rows that must have changed (0–1). */
  readonly fraction: number;
  /** At most one ANALYZE of a table per this many milliseconds. */
  readonly intervalMs: number;
}

export const DEFAULT_STATISTICS_POLICY: StatisticsPolicy = { floorRows: 5_000, fraction: 0.02, intervalMs: 60_000 };

export interface TableStatisticsState {
  /** Rows written (inserted, updated or deleted) since the table was last analysed by the keeper. */
  readonly changedRows: number;
  /** pg_class.reltuples: the planner's row count; negative when the table was never analysed. */
  readonly estimatedRows: number;
  /** When the keeper last analysed the table (ms since the epoch), if ever. */
  readonly lastAnalysedMs: number | undefined;
  readonly nowMs: number;
}

export type StatisticsDecision =
  | { readonly kind: 'skip' }
  | { readonly kind: 'analyse' }
  /** Enough has changed, but the table was analysed less than an interval ago: ask again after `ms`. */
  | { readonly kind: 'wait'; readonly ms: number };

/** The rows that must change before the table is analysed again. */
export function changeThreshold(estimatedRows: number, policy: StatisticsPolicy = DEFAULT_STATISTICS_POLICY): number {
  const known = Number.isFinite(estimatedRows) && estimatedRows > 0 ? estimatedRows : 0;
  return Math.max(policy.floorRows, Math.ceil(policy.fraction * known));
}

export function statisticsDecision(
  state: TableStatisticsState,
  policy: StatisticsPolicy = DEFAULT_STATISTICS_POLICY,
): StatisticsDecision {
  if (!(state.changedRows >= changeThreshold(state.estimatedRows, policy))) return { kind: 'skip' };
  if (state.lastAnalysedMs === undefined) return { kind: 'analyse' };
  const since = state.nowMs - state.lastAnalysedMs;
  // A clock that went backwards counts as "just now": wait a whole interval rather than analyse in a loop.
  if (since >= policy.intervalMs) return { kind: 'analyse' };
  return { kind: 'wait', ms: since < 0 ? policy.intervalMs : policy.intervalMs - since };
}
