import type { Executor } from '../../db/executor.ts';
import { todayInShanghai } from '../../shared/clock.ts';
import { DomainError, forbidden, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { isWithinDivision, scopeOf, type Actor } from '../auth/index.ts';
import { enterpriseFacts, listAuthorities } from '../registry/index.ts';
import * as repo from './allocation.repository.ts';

type NoticeRow = NonNullable<Awaited<ReturnType<typeof repo.getNotice>>>;
interface NoticeLine {
  enterprise_id: string;
  name: string;
  reo_kg: number;
  domicile_code?: string;
}
interface NoticeBody {
  year: number;
  category: string;
  batch: string;
  shares: NoticeLine[];
}

type Facts = Awaited<ReturnType<typeof enterpriseFacts>>;

async function recipientNames(db: Executor, known?: Facts): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const item of known ?? (await enterpriseFacts(db, todayInShanghai())))
    names.set(`enterprise:${item.id}`, item.name);
  return names;
}

function toNotice(row: NoticeRow, names: Map<string, string>) {
  return {
    id: row.id,
    run_id: row.run_id,
    recipient_kind: row.recipient_kind,
    recipient_id: row.recipient_id,
    recipient_name: names.get(`${row.recipient_kind}:${row.recipient_id}`) ?? row.recipient_id,
    forwarded_from: row.forwarded_from,
    title: row.title,
    body: row.body,
    sent_at: row.sent_at.toISOString(),
    read_at: row.read_at?.toISOString() ?? null,
  };
}

async function withAuthorityNames(
  db: Executor,
  names: Map<string, string>,
  rows: readonly NoticeRow[],
): Promise<Map<string, string>> {
  const divisions = new Set(
    rows.filter((row) => row.recipient_kind === 'authority').map((row) => row.recipient_id.slice(0, 6)),
  );
  for (const division of divisions)
    for (const authority of await listAuthorities(db, division)) names.set(`authority:${authority.id}`, authority.name);
  return names;
}

/** Whether a notice is addressed to this actor (their enterprise, or their department). */
function addressedTo(row: NoticeRow, actor: Actor): boolean {
  return row.recipient_kind === 'enterprise'
    ? row.recipient_id === actor.enterpriseId
    : row.recipient_id === actor.authorityId;
}

export async function myNotices(db: Executor, actor: Actor) {
  const recipients = [
    ...(actor.enterpriseId ? [{ kind: 'enterprise' as const, id: actor.enterpriseId }] : []),
    ...(actor.authorityId ? [{ kind: 'authority' as const, id: actor.authorityId }] : []),
  ];
  const rows = await repo.noticesFor(db, recipients);
  const names = await withAuthorityNames(db, await recipientNames(db), rows);
  return rows.map((row) => toNotice(row, names));
}

/** A read receipt: only the addressee can give it, once. */
export async function markRead(db: Executor, context: AuditContext, actor: Actor, id: string) {
  const row = await repo.getNotice(db, id);
  if (!row || !addressedTo(row, actor)) throw notFound(`Notice ${id}`);
  if (!row.read_at) {
    await db.transaction().execute(async (tx) => {
      await repo.markNoticeRead(tx, id, actor.userId);
      await recordAudit(tx, context, { action: 'notice.read', objectType: 'notice', objectId: id });
    });
  }
  const names = await withAuthorityNames(db, await recipientNames(db), [row]);
  return toNotice((await repo.getNotice(db, id))!, names);
}

/** Art. 6 ¶2: a provincial department passes the notice on to the county departments of its enterprises. */
export async function forward(db: Executor, context: AuditContext, actor: Actor, id: string) {
  const row = await repo.getNotice(db, id);
  if (!row || !addressedTo(row, actor)) throw notFound(`Notice ${id}`);
  if (row.recipient_kind !== 'authority' || !actor.divisionCode?.endsWith('0000'))
    throw forbidden('Only a provincial department forwards notices to the counties.');
  const body = row.body as NoticeBody;
  const byCounty = new Map<string, NoticeLine[]>();
  for (const line of body.shares) {
    if (!line.domicile_code) continue;
    byCounty.set(line.domicile_code, [...(byCounty.get(line.domicile_code) ?? []), line]);
  }
  if (byCounty.size === 0)
    throw new DomainError(409, 'nothing_to_forward', 'This notice names no enterprise to forward to a county.');
  await db.transaction().execute(async (tx) => {
    await repo.insertNotices(
      tx,
      [...byCounty.entries()].map(([county, lines]) => ({
        run_id: row.run_id,
        recipient_kind: 'authority' as const,
        recipient_id: `${county}-industry_it`,
        forwarded_from: row.id,
        title: row.title,
        body: JSON.stringify({ ...body, shares: lines }),
      })),
    );
    if (!row.read_at) await repo.markNoticeRead(tx, id, actor.userId);
    await recordAudit(tx, context, {
      action: 'notice.forward',
      objectType: 'notice',
      objectId: id,
      after: { counties: [...byCounty.keys()] },
    });
  });
  return myNotices(db, actor);
}

/** Who has and has not read a run's notices; `unreadAfterDays` keeps only those unread for that long. */
export async function receipts(db: Executor, actor: Actor, runId: string, unreadAfterDays: number) {
  const scope = scopeOf(actor);
  if (!(await repo.getRun(db, runId))) throw notFound(`Allocation run ${runId}`);
  const rows = await repo.noticesOfRun(db, runId);
  const allFacts = await enterpriseFacts(db, todayInShanghai());
  const facts = new Map(allFacts.map((item) => [item.id, item]));
  const division = (row: NoticeRow) =>
    row.recipient_kind === 'authority'
      ? row.recipient_id.slice(0, 6)
      : (facts.get(row.recipient_id)?.domicile_code ?? '');
  const visible = rows.filter((row) => {
    if (scope.kind === 'national') return true;
    if (scope.kind === 'division') return isWithinDivision(scope.divisionCode, division(row));
    if (scope.kind === 'enterprise')
      return row.recipient_kind === 'enterprise' && row.recipient_id === scope.enterpriseId;
    return false;
  });
  const cutoff = Date.now() - unreadAfterDays * 86_400_000;
  const names = await withAuthorityNames(db, await recipientNames(db, allFacts), visible);
  return visible
    .filter((row) => unreadAfterDays === 0 || (!row.read_at && row.sent_at.getTime() <= cutoff))
    .map((row) => toNotice(row, names));
}
