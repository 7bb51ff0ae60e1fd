import type { z } from 'zod';
import { NATION_CODE, type compileBody, type CompilationView } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { conflict, invalid, invalidField, notFound } from '../../shared/errors.ts';
import type { Sealer } from '../../shared/signing.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { compilationViews, gather } from './compilations.gather.ts';
import { recordReturn } from './documents.service.ts';
import * as repo from './reporting.repository.ts';
import { parsePeriod, periodLabel, sumLines } from './reporting.rules.ts';
import { assertCompiler, deadlineOfDivision, deadlines, reportingTree, visibleDivision } from './reporting.tree.ts';
import { signContent } from './signing.service.ts';

/**
 * Compilation level by level (Art. 9): a division's officials compile their children's reports — enterprises
 * domiciled there, and the compilations the divisions below forwarded — into totals that are only ever sums,
 * with the missing and late children and why; then forward it upward. The level above may return it.
 */

type CompileBody = z.infer<typeof compileBody>;

export async function compilationDraft(db: Executor, actor: Actor, code: string, label: string) {
  const period = parsePeriod(label);
  const tree = await reportingTree(db, period);
  const node = visibleDivision(tree, actor, code);
  const gathered = await gather(db, tree, node, period);
  const versions = await repo.compilationsOf(db, [code], period.kind, period.first);
  const latest = versions.at(-1);
  return {
    division_code: code,
    division_name: node.name,
    level: node.level,
    period: period.label,
    deadline: deadlineOfDivision(await deadlines(db), node.level, period).toISOString(),
    totals: sumLines(gathered.children.map((child) => child.lines)),
    children: gathered.children,
    absent: gathered.absent,
    returned: gathered.returned,
    latest: latest ? ((await compilationViews(db, [latest], tree))[0] ?? null) : null,
  };
}

/** Compiles (signs and freezes) a division's reports for a period, as a new version. */
export async function compile(
  db: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  body: CompileBody,
  now = new Date(),
): Promise<{ compilation: CompilationView; replayed: boolean }> {
  const period = parsePeriod(body.period);
  const tree = await reportingTree(db, period);
  const node = visibleDivision(tree, actor, body.division_code);
  assertCompiler(actor, body.division_code);
  const result = await idempotentWrite(
    db,
    { scope: 'compilation.compile', owner: body.division_code, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const replay = await repo.compilationByKey(tx, body.division_code, body.idempotency_key);
        if (!replay) return undefined;
        refuseChangedReplay(
          { period: periodLabel(replay.period_kind, replay.period), replaces: replay.replaces_id },
          { period: period.label, replaces: body.replaces },
        );
        return (await compilationViews(tx, [replay], tree))[0]!;
      },
      write: (tx) => storeCompilation(tx, sealer, actor, audit, { node, tree, period }, body, now),
    },
  );
  return { compilation: result.value, replayed: result.replayed };
}

/** Signs and stores the next version of a division's compilation for an ended period, under the period's lock. */
async function storeCompilation(
  tx: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  target: {
    node: ReturnType<typeof visibleDivision>;
    tree: Awaited<ReturnType<typeof reportingTree>>;
    period: ReturnType<typeof parsePeriod>;
  },
  body: CompileBody,
  now: Date,
): Promise<CompilationView> {
  const { node, tree, period } = target;
  if (now.getTime() < period.end.getTime())
    throw invalidField('period', `${period.label} has not ended yet (Beijing time): nothing can be compiled for it`);
  await repo.lockSubject(tx, `compilation:${node.code}:${period.kind}:${period.first}`);
  const gathered = await gather(tx, tree, node, period);
  if (gathered.returned.length > 0)
    throw conflict(
      `${gathered.returned.length} report(s) returned for correction are not back yet: compile when they are.`,
      gathered.returned.map((child) => ({
        field: `children.${child.code}`,
        message: `${child.name}: returned (${child.reason})`,
      })),
    );
  const unexplained = gathered.absent.filter((child) => !body.reasons[child.code]);
  if (unexplained.length > 0)
    throw invalid(
      'Say why each missing or late child is missing or late.',
      unexplained.map((child) => ({
        field: `reasons.${child.code}`,
        message: `${child.name} is ${child.status}: give the reason`,
      })),
    );
  const versions = await repo.compilationsOf(tx, [node.code], period.kind, period.first);
  const latest = versions.at(-1);
  if (latest && body.replaces !== latest.id)
    throw conflict(`Version ${latest.version} is compiled already: a new version names it in "replaces".`, [
      { field: 'replaces', message: `must be ${latest.id}, the latest version` },
    ]);
  if (!latest && body.replaces) throw invalidField('replaces', 'there is no compilation to replace yet');
  const absent = gathered.absent.map((child) => ({ ...child, reason: body.reasons[child.code]! }));
  const totals = sumLines(gathered.children.map((child) => child.lines));
  const content = {
    division_code: node.code,
    period: period.label,
    version: (latest?.version ?? 0) + 1,
    replaces: latest?.id ?? null,
    totals,
    children: gathered.children,
    absent,
    compiled_by: actor.login,
    compiled_at: now.toISOString(),
  };
  const signed = await signContent(tx, sealer, `division:${node.code}`, content);
  const row = await repo.insertCompilation(tx, {
    division_code: node.code,
    level: node.level,
    period_kind: period.kind,
    period: period.first,
    version: content.version,
    replaces_id: content.replaces,
    idempotency_key: body.idempotency_key,
    totals: JSON.stringify(totals),
    children: JSON.stringify(gathered.children),
    absent: JSON.stringify(absent),
    ...signed,
    compiled_by: actor.login,
    compiled_at: now,
  });
  await recordAudit(tx, audit, {
    action: 'compilation.compile',
    objectType: 'compilation',
    objectId: row.id,
    after: {
      division_code: node.code,
      period: period.label,
      version: row.version,
      content_sm3: signed.content_sm3,
      totals,
    },
  });
  return (await compilationViews(tx, [row], tree))[0]!;
}

async function visibleCompilation(db: Executor, actor: Actor, id: string) {
  const row = await repo.compilationById(db, id);
  if (!row) throw notFound(`Compilation ${id}`);
  const period = parsePeriod(periodLabel(row.period_kind, row.period));
  const tree = await reportingTree(db, period);
  try {
    visibleDivision(tree, actor, row.division_code);
  } catch {
    // Outside the caller's branch, a compilation does not exist for them.
    throw notFound(`Compilation ${id}`);
  }
  return { row, tree, period };
}

export async function getCompilation(db: Executor, actor: Actor, id: string) {
  const { row, tree } = await visibleCompilation(db, actor, id);
  return (await compilationViews(db, [row], tree))[0]!;
}

export async function listCompilations(db: Executor, actor: Actor, code: string, label: string) {
  const period = parsePeriod(label);
  const tree = await reportingTree(db, period);
  visibleDivision(tree, actor, code);
  return compilationViews(db, await repo.compilationsOf(db, [code], period.kind, period.first), tree);
}

/** Forwards the latest compilation upward, if every child it compiled is still current. */
export async function forwardCompilation(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  now = new Date(),
) {
  const { row, tree, period } = await visibleCompilation(db, actor, id);
  assertCompiler(actor, row.division_code);
  if (row.division_code === NATION_CODE)
    throw conflict('The national compilation is the last level: there is nothing above it to forward to.');
  return db.transaction().execute(async (tx) => {
    await repo.lockSubject(tx, `compilation:${row.division_code}:${row.period_kind}:${row.period}`);
    const versions = await repo.compilationsOf(tx, [row.division_code], row.period_kind, row.period);
    if (versions.at(-1)?.id !== row.id) throw conflict(`Version ${row.version} has been replaced: forward the latest.`);
    const current = await gather(tx, tree, tree.divisions.get(row.division_code)!, period);
    const currentIds = new Set(current.children.map((child) => child.id));
    const stale = row.children.filter((child) => !currentIds.has(child.id));
    const arrived = current.children.filter((child) => !row.children.some((compiled) => compiled.id === child.id));
    if (stale.length > 0 || arrived.length > 0)
      throw conflict('Reports changed since this was compiled: compile again, then forward.', [
        ...stale.map((child) => ({
          field: `children.${child.code}`,
          message: `${child.name}: version ${child.version} is no longer current`,
        })),
        ...arrived.map((child) => ({
          field: `children.${child.code}`,
          message: `${child.name}: version ${child.version} came in since`,
        })),
      ]);
    const deadline = deadlineOfDivision(await deadlines(tx), row.level, period);
    const forwarded = await repo.insertForward(tx, {
      compilation_id: row.id,
      late: now.getTime() > deadline.getTime(),
      forwarded_by: actor.login,
      forwarded_at: now,
    });
    if (!forwarded) throw conflict(`Version ${row.version} has been forwarded already.`);
    await recordAudit(tx, audit, {
      action: 'compilation.forward',
      objectType: 'compilation',
      objectId: row.id,
      after: { late: forwarded.late },
    });
    return (await compilationViews(tx, [row], tree))[0]!;
  });
}

/** The level above returns a forwarded compilation for correction, with a reason. */
export async function returnCompilation(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  reason: string,
  now = new Date(),
) {
  const { row, tree } = await visibleCompilation(db, actor, id);
  const parent = tree.divisions.get(row.division_code)?.parent;
  if (!parent) throw conflict('The national compilation has no level above it to return it.');
  assertCompiler(actor, parent);
  return db.transaction().execute(async (tx) => {
    await repo.lockSubject(tx, `compilation:${row.division_code}:${row.period_kind}:${row.period}`);
    const forwards = await repo.forwardsOf(tx, [row.id]);
    if (!forwards.has(row.id)) throw conflict(`Version ${row.version} has not been forwarded to you.`);
    const versions = await repo.compilationsOf(tx, [row.division_code], row.period_kind, row.period);
    if (versions.at(-1)?.id !== row.id) throw conflict(`Version ${row.version} has been replaced already.`);
    await recordReturn(tx, audit, actor, { type: 'compilation', id: row.id, version: row.version }, reason, now);
    return (await compilationViews(tx, [row], tree))[0]!;
  });
}
