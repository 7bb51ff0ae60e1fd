import type { DeadlineRule } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import * as repo from './reporting.repository.ts';

/** The deadline calendar of Art. 9 reports, per level and period kind: the newest rule applies from now on. */

export async function listDeadlineRules(db: Executor) {
  const rows = await repo.deadlineRules(db);
  return rows.map((row) => ({
    level: row.level,
    period_kind: row.period_kind,
    month_offset: row.month_offset,
    day: row.day,
    unit: row.unit,
    set_by: row.set_by,
    set_at: row.set_at.toISOString(),
  }));
}

export async function setDeadlineRule(db: Executor, actor: Actor, audit: AuditContext, rule: DeadlineRule) {
  return db.transaction().execute(async (tx) => {
    const before = (await repo.deadlineRules(tx)).find(
      (row) => row.level === rule.level && row.period_kind === rule.period_kind,
    );
    const row = await repo.insertDeadlineRule(tx, { ...rule, set_by: actor.login });
    await recordAudit(tx, audit, {
      action: 'reporting.deadline.set',
      objectType: 'report_deadline_rule',
      objectId: `${rule.level}:${rule.period_kind}`,
      before: before ? { month_offset: before.month_offset, day: before.day, unit: before.unit } : null,
      after: rule,
    });
    return { ...rule, set_by: row.set_by, set_at: row.set_at.toISOString() };
  });
}
