import type { BoardNode, BoardView } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { forbidden } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import * as repo from './reporting.repository.ts';
import { parsePeriod, periodLabel, standing, type Period } from './reporting.rules.ts';
import {
  deadlineOfDivision,
  deadlines,
  enterprisesUnder,
  pathTo,
  reportingTree,
  rootOf,
  visibleDivision,
  type ReportingTree,
  type TreeDivision,
  type TreeEnterprise,
} from './reporting.tree.ts';

/**
 * The status board (Art. 9): for a month or a year, where every report stands across the tree — not due, due,
 * late, submitted, returned, compiled, forwarded — from the nation down to one enterprise; and reminders.
 */

interface Facts {
  tree: ReportingTree;
  period: Period;
  now: Date;
  deadlineOf: Awaited<ReturnType<typeof deadlines>>;
  reports: Map<string, repo.ReportRow[]>;
  compilations: Map<string, repo.CompilationRow[]>;
  forwards: Awaited<ReturnType<typeof repo.forwardsOf>>;
  reportReturns: Map<string, repo.ReturnRow>;
  compilationReturns: Map<string, repo.ReturnRow>;
}

async function loadFacts(db: Executor, label: string, now: Date): Promise<Facts> {
  const period = parsePeriod(label);
  const tree = await reportingTree(db, period);
  const reportRows = await repo.reportsOf(db, [...tree.enterprises.keys()], period.kind, period.first);
  const compilationRows = await repo.compilationsOf(db, [...tree.divisions.keys()], period.kind, period.first);
  const group = <T, K>(rows: readonly T[], key: (row: T) => K) => {
    const map = new Map<K, T[]>();
    for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
    return map;
  };
  return {
    tree,
    period,
    now,
    deadlineOf: await deadlines(db),
    reports: group(reportRows, (row) => row.enterprise_id),
    compilations: group(compilationRows, (row) => row.division_code),
    forwards: await repo.forwardsOf(
      db,
      compilationRows.map((row) => row.id),
    ),
    reportReturns: await repo.returnsOf(
      db,
      'report',
      reportRows.map((row) => row.id),
    ),
    compilationReturns: await repo.returnsOf(
      db,
      'compilation',
      compilationRows.map((row) => row.id),
    ),
  };
}

function enterpriseNode(facts: Facts, enterprise: TreeEnterprise): BoardNode {
  const versions = facts.reports.get(enterprise.id) ?? [];
  const latest = versions.at(-1);
  const home = facts.tree.divisions.get(enterprise.domicile_code) ?? null;
  const county = home ? facts.compilations.get(home.code)?.at(-1) : undefined;
  const compiled = !!latest && !!county && county.children.some((child) => child.id === latest.id);
  const deadline = facts.deadlineOf('enterprise', facts.period);
  const state = standing(
    {
      latest: latest
        ? { at: latest.submitted_at, firstAt: versions[0]!.submitted_at, returned: facts.reportReturns.has(latest.id) }
        : null,
      compiled,
      forwarded: compiled && facts.forwards.has(county.id),
    },
    facts.period,
    deadline,
    facts.now,
  );
  return {
    kind: 'enterprise',
    code: enterprise.domicile_code,
    id: enterprise.id,
    name: enterprise.name,
    level: 'enterprise',
    ...state,
    deadline: deadline.toISOString(),
    submitted_at: latest?.submitted_at.toISOString() ?? null,
    version: latest?.version ?? null,
    document_id: latest?.id ?? null,
    enterprises: { [state.status]: 1 },
    has_children: false,
  };
}

function divisionNode(facts: Facts, node: TreeDivision): BoardNode {
  const versions = facts.compilations.get(node.code) ?? [];
  const latest = versions.at(-1);
  const deadline = deadlineOfDivision(facts.deadlineOf, node.level, facts.period);
  const forwarded = !!latest && facts.forwards.has(latest.id);
  const state = standing(
    {
      latest: latest
        ? {
            at: latest.compiled_at,
            firstAt: versions[0]!.compiled_at,
            returned: facts.compilationReturns.has(latest.id),
          }
        : null,
      compiled: !!latest,
      forwarded,
    },
    facts.period,
    deadline,
    facts.now,
  );
  // A division is late by when it forwarded, not when it first compiled.
  const late = latest ? (forwarded ? facts.forwards.get(latest.id)!.late : state.late) : state.late;
  const enterprises: Record<string, number> = {};
  for (const enterprise of enterprisesUnder(facts.tree, node.code)) {
    const status = enterpriseNode(facts, enterprise).status;
    enterprises[status] = (enterprises[status] ?? 0) + 1;
  }
  return {
    kind: 'division',
    code: node.code,
    id: null,
    name: node.name,
    level: node.level,
    status: state.status,
    late,
    deadline: deadline.toISOString(),
    submitted_at: latest?.compiled_at.toISOString() ?? null,
    version: latest?.version ?? null,
    document_id: latest?.id ?? null,
    enterprises,
    has_children: node.enterprises.length + node.divisions.length > 0,
  };
}

export async function board(
  db: Executor,
  actor: Actor,
  label: string,
  code: string | undefined,
  now = new Date(),
): Promise<BoardView> {
  const scope = scopeOf(actor);
  if (scope.kind === 'enterprise' || scope.kind === 'none') throw forbidden('The status board is for officials.');
  const facts = await loadFacts(db, label, now);
  const node = visibleDivision(facts.tree, actor, code ?? rootOf(actor));
  const root = rootOf(actor);
  const path = pathTo(facts.tree, node.code);
  return {
    period: facts.period.label,
    node: divisionNode(facts, node),
    children: [
      ...node.divisions.map((child) => divisionNode(facts, facts.tree.divisions.get(child)!)),
      ...node.enterprises.map((enterprise) => enterpriseNode(facts, enterprise)),
    ],
    path: path
      .slice(path.findIndex((item) => item.code === root))
      .map((item) => ({ code: item.code, name: item.name })),
  };
}

/** Every node (divisions and enterprises) under and including a division, flat: for exports and reminders. */
export async function boardRows(db: Executor, actor: Actor, label: string, code: string | undefined, now = new Date()) {
  const scope = scopeOf(actor);
  if (scope.kind === 'enterprise' || scope.kind === 'none') throw forbidden('The status board is for officials.');
  const facts = await loadFacts(db, label, now);
  const top = visibleDivision(facts.tree, actor, code ?? rootOf(actor));
  const rows: (BoardNode & { depth: number })[] = [];
  const walk = (node: TreeDivision, depth: number) => {
    rows.push({ ...divisionNode(facts, node), depth });
    for (const child of node.divisions) walk(facts.tree.divisions.get(child)!, depth + 1);
    for (const enterprise of node.enterprises) rows.push({ ...enterpriseNode(facts, enterprise), depth: depth + 1 });
  };
  walk(top, 0);
  return { period: facts.period.label, rows };
}

/**
 * Reminds everyone overdue under the caller (past the deadline with nothing in): at most one reminder per
 * target, period and Beijing day.
 */
export async function sendReminders(db: Executor, actor: Actor, audit: AuditContext, label: string, now = new Date()) {
  const { rows } = await boardRows(db, actor, label, undefined, now);
  const overdue = rows.filter((row) => row.status === 'late' && row.depth > 0);
  const period = parsePeriod(label);
  return db.transaction().execute(async (tx) => {
    const sent = await repo.insertReminders(
      tx,
      overdue.map((row) => ({
        target_type: row.kind,
        target_code: row.kind === 'enterprise' ? row.id! : row.code,
        period_kind: period.kind,
        period: period.first,
        sent_on: dateInShanghai(now),
        message: `${row.name}: the ${period.label} implementation report was due by ${dateInShanghai(new Date(row.deadline))} and has not come in. Please submit it now.`,
        sent_by: actor.login,
        sent_at: now,
      })),
    );
    await recordAudit(tx, audit, {
      action: 'report.remind',
      objectType: 'reporting_period',
      objectId: period.label,
      after: { overdue: overdue.length, sent },
    });
    return { sent, already_sent_today: overdue.length - sent };
  });
}

/** Reminders addressed to the caller: its enterprise, or its division. */
export async function myReminders(db: Executor, actor: Actor) {
  const scope = scopeOf(actor);
  const targets =
    scope.kind === 'enterprise'
      ? [{ type: 'enterprise' as const, code: scope.enterpriseId }]
      : scope.kind === 'division'
        ? [{ type: 'division' as const, code: scope.divisionCode }]
        : [];
  const rows = await repo.remindersFor(db, targets);
  return rows.map((row) => ({
    id: row.id,
    target_type: row.target_type,
    target_code: row.target_code,
    period: periodLabel(row.period_kind, row.period),
    message: row.message,
    sent_by: row.sent_by,
    sent_at: row.sent_at.toISOString(),
  }));
}
