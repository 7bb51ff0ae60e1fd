import type { PenaltyDecision } from '../../../contracts/allocation.ts';
import type { Executor } from '../../db/executor.ts';
import * as repo from './decisions.repository.ts';

/**
 * Art. 14: the administrative penalties (fines and suspensions) that became final in `year` — final when decided,
 * or made final later when the time for appeal ran out — by enterprise id. The allocation of year + 1 reduces each of these enterprises' indicators and names the decisions.
 */
export async function finalPenaltiesByEnterprise(
  db: Executor,
  year: number,
): Promise<Map<string, readonly PenaltyDecision[]>> {
  const byEnterprise = new Map<string, PenaltyDecision[]>();
  for (const row of await repo.finalPenaltiesOfYear(db, year)) {
    const list = byEnterprise.get(row.enterprise_id) ?? [];
    list.push({ decision_id: row.id, document_no: row.document_no, kind: row.kind, decided_on: row.decided_on });
    byEnterprise.set(row.enterprise_id, list);
  }
  return byEnterprise;
}
