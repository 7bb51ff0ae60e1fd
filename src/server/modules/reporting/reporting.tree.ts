import { NATION_CODE, type DeadlineRule, type ReportLevel } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { forbidden, notFound } from '../../shared/errors.ts';
import { isWithinDivision, type Actor } from '../auth/index.ts';
import { designatedEnterprises } from '../flows/index.ts';
import { divisionsWithAncestors } from '../registry/index.ts';
import * as repo from './reporting.repository.ts';
import { deadlineOf, type Period } from './reporting.rules.ts';

/**
 * The reporting tree of a period (Art. 9): every designated enterprise reports to the division of its domicile;
 * each division reports to its parent (a county of a municipality, or one directly under a province, to the
 * province); provinces report to the nation (the ministries).
 */

export interface TreeEnterprise {
  readonly id: string;
  readonly name: string;
  readonly domicile_code: string;
}

export interface TreeDivision {
  readonly code: string;
  readonly name: string;
  readonly level: Exclude<ReportLevel, 'enterprise'>;
  readonly parent: string | null;
  readonly enterprises: TreeEnterprise[];
  readonly divisions: string[];
}

export interface ReportingTree {
  readonly divisions: Map<string, TreeDivision>;
  readonly enterprises: Map<string, TreeEnterprise>;
}

export async function reportingTree(db: Executor, period: Period): Promise<ReportingTree> {
  const lastDay = new Date(period.end.getTime() - 1).toISOString().slice(0, 10);
  const enterprises = await designatedEnterprises(db, null, lastDay);
  const rows = await divisionsWithAncestors(db, [
    ...new Set(enterprises.map((enterprise) => enterprise.domicile_code)),
  ]);
  const divisions = new Map<string, TreeDivision>();
  divisions.set(NATION_CODE, {
    code: NATION_CODE,
    name: '全国',
    level: 'nation',
    parent: null,
    enterprises: [],
    divisions: [],
  });
  for (const row of rows)
    divisions.set(row.code, {
      code: row.code,
      name: row.name,
      level: row.level,
      parent: row.parent_code ?? NATION_CODE,
      enterprises: [],
      divisions: [],
    });
  const attach = (code: string) => {
    const node = divisions.get(code);
    if (!node?.parent) return;
    const parent = divisions.get(node.parent);
    if (parent && !parent.divisions.includes(code)) {
      parent.divisions.push(code);
      attach(parent.code);
    }
  };
  for (const enterprise of enterprises) {
    const home =
      divisions.get(enterprise.domicile_code) ?? divisions.get(`${enterprise.domicile_code.slice(0, 2)}0000`);
    if (!home) continue;
    home.enterprises.push(enterprise);
    attach(home.code);
  }
  for (const node of divisions.values()) node.divisions.sort();
  return { divisions, enterprises: new Map(enterprises.map((enterprise) => [enterprise.id, enterprise])) };
}

/** The divisions from the nation down to `code`. */
export function pathTo(tree: ReportingTree, code: string): TreeDivision[] {
  const path: TreeDivision[] = [];
  for (let node = tree.divisions.get(code); node; node = node.parent ? tree.divisions.get(node.parent) : undefined)
    path.unshift(node);
  return path;
}

/** Every enterprise under a division (itself included). */
export function enterprisesUnder(tree: ReportingTree, code: string): TreeEnterprise[] {
  const node = tree.divisions.get(code);
  if (!node) return [];
  return [...node.enterprises, ...node.divisions.flatMap((child) => enterprisesUnder(tree, child))];
}

/**
 * The division an official's reads reach from (the nation for ministries and oversight); the compilations, the
 * status board and the risk-ranked list are for officials only.
 */
export function rootOf(actor: Actor): string {
  if (actor.role === 'ministry_official' || actor.role === 'oversight') return NATION_CODE;
  if (actor.role === 'department_official' && actor.divisionCode) return actor.divisionCode;
  throw forbidden('This is for officials: the ministries, the local departments and oversight.');
}

/** Is division `code` at or under `root`? */
export function isUnder(tree: ReportingTree, code: string, root: string): boolean {
  return pathTo(tree, code).some((node) => node.code === root);
}

/** A division of the tree the actor may read, or 404 (as if it did not exist) / 403. */
export function visibleDivision(tree: ReportingTree, actor: Actor, code: string): TreeDivision {
  const root = rootOf(actor);
  // Jurisdiction first, by the code alone: a refusal must not tell whether the division has enterprises.
  if (root !== NATION_CODE && (code === NATION_CODE || !isWithinDivision(root, code)))
    throw forbidden(`Division ${code} is outside your jurisdiction.`);
  const node = tree.divisions.get(code);
  if (!node || !isUnder(tree, code, root))
    throw notFound(`Division ${code} in this period's reporting tree (no designated enterprise under it)`);
  return node;
}

/**
 * Who compiles division `code`: an official of its own department of industry & IT or natural resources (the two
 * departments Art. 4 names locally); for the nation, MIIT or MNR.
 */
export function assertCompiler(actor: Actor, code: string): void {
  const department = actor.department === 'industry_it' || actor.department === 'natural_resources';
  if (code === NATION_CODE && actor.role === 'ministry_official' && department) return;
  if (actor.role === 'department_official' && actor.divisionCode === code && department) return;
  throw forbidden(
    code === NATION_CODE
      ? 'The national compilation is made by MIIT or MNR.'
      : `Only the industry & IT or natural resources department of division ${code} compiles its reports.`,
  );
}

export type Deadlines = (level: Exclude<ReportLevel, 'nation'>, period: Period) => Date;

/** The deadline calendar in force: the newest rule per level and period kind. */
export async function deadlines(db: Executor): Promise<Deadlines> {
  const rules = await repo.deadlineRules(db);
  return (level, period) => {
    const rule = rules.find((candidate) => candidate.level === level && candidate.period_kind === period.kind);
    const fallback: DeadlineRule = { level, period_kind: period.kind, month_offset: 1, day: 25, unit: 'calendar_day' };
    return deadlineOf(rule ?? fallback, period);
  };
}

/** The nation has no deadline of its own here: it is taken as the end of the month after the provinces'. */
export function deadlineOfDivision(deadlinesOf: Deadlines, level: TreeDivision['level'], period: Period): Date {
  if (level !== 'nation') return deadlinesOf(level, period);
  const province = deadlinesOf('province', period);
  return new Date(province.getTime() + 5 * 86_400_000);
}
