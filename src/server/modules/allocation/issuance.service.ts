import type { Executor } from '../../db/executor.ts';
import { todayInShanghai } from '../../shared/clock.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import { addWorkingDays } from '../../shared/workdays.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { batchContext, markBatch } from '../indicators/indicators.service.ts';
import { accounts, transfer } from '../ledger/ledger.service.ts';
import { enterpriseFacts } from '../registry/index.ts';
import * as repo from './allocation.repository.ts';

const holderAccount = (holderId: string, year: number, category: string) => {
  const [kind, id] = holderId.split(':') as ['group' | 'enterprise', string];
  return kind === 'group' ? accounts.group(id, year, category) : accounts.enterprise(id, year, category);
};

/**
 * Issues an approved run (Art. 6 ¶2): every share moves from the national pool (or the group's account)
 * to its holder in the ledger, the notices go out to the enterprises and to the provincial departments of
 * their domiciles, and a national run's groups get their sub-allocation deadline. One transaction: all of
 * it or none.
 */
export async function issueRun(db: Executor, context: AuditContext, actor: Actor, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const run = await repo.lockRun(tx, id);
    if (!run) throw notFound(`Allocation run ${id}`);
    if (run.status !== 'approved')
      throw new DomainError(409, 'wrong_state', `The run is ${run.status}; only an approved run can be issued.`);
    const { year, plan, batch } = await batchContext(tx, run.batch_id);
    const shares = (await repo.sharesOf(tx, [id])).filter((share) => toKg(share.reo_kg) > 0);
    const source =
      run.level === 'national' ? accounts.pool(year, run.category) : accounts.group(run.group_id!, year, run.category);
    for (const share of shares) {
      await transfer(tx, {
        kind: 'issue',
        year,
        category: run.category,
        from: source,
        to: holderAccount(share.holder_id, year, run.category),
        reoKg: toKg(share.reo_kg),
        key: `issue:${id}:${share.holder_id}`,
        reference: `run:${id}`,
        memo: batch.approval_document_no ?? '',
        createdBy: actor.userId,
        enterpriseId: share.holder_kind === 'enterprise' ? share.holder_id.slice('enterprise:'.length) : null,
      });
    }
    const today = todayInShanghai();
    const hasGroups = shares.some((share) => share.holder_kind === 'group');
    const dueOn =
      run.level === 'national' && hasGroups ? addWorkingDays(today, plan.sub_allocation_working_days) : null;
    await repo.updateRun(tx, id, { status: 'issued', issued_at: new Date(), due_on: dueOn });
    await sendNotices(tx, { id, year, category: run.category, batchName: batch.name }, shares);
    await markBatch(tx, run.batch_id, 'issued');
    await recordAudit(tx, context, {
      action: 'allocation.run.issue',
      objectType: 'allocation_run',
      objectId: id,
      before: { status: 'approved' },
      after: { status: 'issued', due_on: dueOn, shares: shares.length },
    });
  });
}

interface IssuedShare {
  readonly holder_kind: 'group' | 'enterprise';
  readonly holder_id: string;
  readonly reo_kg: string;
}

/** A notice to each enterprise given a share, and one to each provincial industry & IT department listing its enterprises. */
async function sendNotices(
  tx: Executor,
  run: { id: string; year: number; category: string; batchName: string },
  shares: readonly IssuedShare[],
): Promise<void> {
  const facts = new Map((await enterpriseFacts(tx, todayInShanghai())).map((item) => [item.id, item]));
  const title = `${run.year}年度稀土总量控制指标（${run.batchName}）下达通知`;
  const byProvince = new Map<string, { enterprise_id: string; name: string; reo_kg: number }[]>();
  const notices = [];
  for (const share of shares) {
    if (share.holder_kind !== 'enterprise') continue;
    const enterpriseId = share.holder_id.slice('enterprise:'.length);
    const enterprise = facts.get(enterpriseId);
    if (!enterprise) continue;
    const line = { enterprise_id: enterpriseId, name: enterprise.name, reo_kg: toKg(share.reo_kg) };
    notices.push({
      run_id: run.id,
      recipient_kind: 'enterprise' as const,
      recipient_id: enterpriseId,
      forwarded_from: null,
      title,
      body: JSON.stringify({ year: run.year, category: run.category, batch: run.batchName, shares: [line] }),
    });
    const province = `${enterprise.domicile_code.slice(0, 2)}0000-industry_it`;
    byProvince.set(province, [
      ...(byProvince.get(province) ?? []),
      { ...line, domicile_code: enterprise.domicile_code } as typeof line,
    ]);
  }
  for (const [authorityId, lines] of byProvince) {
    notices.push({
      run_id: run.id,
      recipient_kind: 'authority' as const,
      recipient_id: authorityId,
      forwarded_from: null,
      title,
      body: JSON.stringify({ year: run.year, category: run.category, batch: run.batchName, shares: lines }),
    });
  }
  await repo.insertNotices(tx, notices);
}
