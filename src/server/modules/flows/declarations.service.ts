import type { DeclarationView } from '../../../contracts/flows.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { conflict, forbidden, invalidField } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { getEnterprise } from '../registry/index.ts';
import * as repo from './declarations.repository.ts';
import { deadlineOf, declarationStatus, monthStart, monthsOfYearUntil, nextPeriod } from './declarations.rules.ts';

/** Monthly declarations (Art. 10): sealing a month, and where every enterprise-month stands. */

function views(
  enterprises: readonly { id: string; name: string }[],
  periods: readonly string[],
  seals: readonly repo.SealRow[],
  counts: readonly { enterprise_id: string; period: string; events: number }[],
  now: Date,
): DeclarationView[] {
  const sealMap = new Map<string, repo.SealRow[]>();
  for (const seal of seals) {
    const key = `${seal.enterprise_id}|${seal.period}`;
    sealMap.set(key, [...(sealMap.get(key) ?? []), seal]);
  }
  const countMap = new Map(counts.map((row) => [`${row.enterprise_id}|${row.period}`, row.events]));
  const result: DeclarationView[] = [];
  for (const enterprise of enterprises)
    for (const period of periods) {
      const key = `${enterprise.id}|${period}`;
      const list = sealMap.get(key) ?? [];
      const events = countMap.get(key) ?? 0;
      const last = list.at(-1);
      result.push({
        enterprise_id: enterprise.id,
        enterprise_name: enterprise.name,
        period: period.slice(0, 7),
        status: declarationStatus(period, list[0]?.sealed_at ?? null, now),
        deadline: deadlineOf(period).toISOString(),
        event_count: events,
        amendments_since_seal: last ? Math.max(0, events - last.event_count) : 0,
        seals: list.map((seal) => ({
          version: seal.version,
          events_sm3: seal.events_sm3,
          event_count: seal.event_count,
          sealed_at: seal.sealed_at.toISOString(),
          sealed_by: seal.sealed_by,
          late: seal.late,
        })),
      });
    }
  return result;
}

/** One enterprise's months of a year, up to the current one. */
export async function enterpriseDeclarations(
  db: Executor,
  actor: Actor,
  enterpriseId: string,
  year: number,
  now = new Date(),
) {
  const enterprise = await getEnterprise(db, actor, enterpriseId);
  const periods = monthsOfYearUntil(year, now);
  const [seals, counts] = await Promise.all([
    repo.sealsOf(db, [enterpriseId], periods),
    repo.monthCounts(db, [enterpriseId], periods),
  ]);
  return views([enterprise], periods, seals, counts, now);
}

/** Every designated enterprise in the caller's jurisdiction, for one month. */
export async function declarationBoard(db: Executor, actor: Actor, period: string, now = new Date()) {
  const scope = scopeOf(actor);
  if (scope.kind === 'none' || scope.kind === 'enterprise') throw forbidden('The board is for officials.');
  const monthFirst = `${period}-01`;
  const enterprises = await repo.designatedEnterprises(db, scope.kind === 'division' ? scope.prefix : null, monthFirst);
  const ids = enterprises.map((enterprise) => enterprise.id);
  const [seals, counts] = await Promise.all([
    repo.sealsOf(db, ids, [monthFirst]),
    repo.monthCounts(db, ids, [monthFirst]),
  ]);
  return views(enterprises, [monthFirst], seals, counts, now);
}

/**
 * Seals an ended month: the SM3 of its canonical events, as a new version. Sealing again is allowed only when
 * amendments changed the month since the last seal.
 */
export async function sealMonth(db: Executor, actor: Actor, audit: AuditContext, period: string, now = new Date()) {
  if (!actor.enterpriseId) throw forbidden('Only an enterprise declares its flows.');
  const enterpriseId = actor.enterpriseId;
  const monthFirst = `${period}-01`;
  if (now.getTime() < monthStart(nextPeriod(monthFirst)).getTime())
    throw invalidField(
      'period',
      `${period} has not ended yet (Beijing time): it can be sealed from ${dateInShanghai(monthStart(nextPeriod(monthFirst)))}`,
    );
  return db.transaction().execute(async (tx) => {
    await repo.lockEnterpriseMonth(tx, enterpriseId, monthFirst);
    const previous = await repo.sealsOf(tx, [enterpriseId], [monthFirst]);
    const digest = await repo.monthDigest(tx, enterpriseId, monthFirst);
    const last = previous.at(-1);
    if (last && last.events_sm3 === digest.sm3)
      throw conflict(`${period} is sealed already (version ${last.version}) and nothing has changed since.`, [
        { field: 'period', message: 'is sealed already' },
      ]);
    const seal = await repo.insertSeal(tx, {
      enterprise_id: enterpriseId,
      period: monthFirst,
      version: (last?.version ?? 0) + 1,
      events_sm3: digest.sm3,
      event_count: digest.count,
      late: now.getTime() > deadlineOf(monthFirst).getTime(),
      sealed_by: actor.login,
      sealed_at: now,
    });
    await recordAudit(tx, audit, {
      action: 'declaration.seal',
      objectType: 'declaration',
      objectId: `${enterpriseId}:${period}:v${seal.version}`,
      after: { ...seal, sealed_at: seal.sealed_at.toISOString() },
    });
    return seal;
  });
}
