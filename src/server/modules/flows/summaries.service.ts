import type { DatabaseHandle } from '../../db/database.ts';
import { noteWrites } from '../../db/statistics.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import * as repo from './summaries.repository.ts';

/**
 * `monazite summaries rebuild`: recomputes the flow summaries (ADR 0010) of a month, or of every month, from the
 * lines; reports where the stored ones differed (so it also verifies the invariant "never behind its lines") and
 * records what it did in the audit chain, in the same transaction.
 */

export interface RebuildResult {
  /** `YYYY-MM`, or null for every month. */
  readonly period: string | null;
  /** Summary rows written. */
  readonly rows: number;
  /** Every row that differed before the rebuild (all of them; the caller decides how many to show). */
  readonly differences: repo.SummaryDifference[];
}

export async function rebuildSummaries(
  database: DatabaseHandle,
  context: AuditContext,
  period: string | null,
): Promise<RebuildResult> {
  const day = period === null ? null : `${period}-01`;
  const result = await database.db.transaction().execute(async (tx) => {
    // Ingest waits while the month is recomputed, so no submission's increment is lost or counted twice.
    await repo.lockSummaries(tx);
    const differences = await repo.summaryDifferences(tx, day);
    const rows = await repo.rewriteSummaries(tx, day);
    await recordAudit(tx, context, {
      action: 'flow.summaries_rebuild',
      objectType: 'flow_summary',
      objectId: period ?? 'all',
      after: { period, rows, differences: differences.length },
    });
    return { period, rows, differences };
  });
  noteWrites(database, { flow_summary: result.rows });
  return result;
}
