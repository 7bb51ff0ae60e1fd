import type { CompilationView } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import type { CompiledChildRecord } from '../../db/schema-reporting.ts';
import { documentFacts, returnView } from './documents.service.ts';
import * as repo from './reporting.repository.ts';
import { parsePeriod, periodLabel, totalOf, type Period } from './reporting.rules.ts';
import { deadlineOfDivision, deadlines, type ReportingTree, type TreeDivision } from './reporting.tree.ts';
import { signatureView } from './signing.service.ts';

/** What a division has in from its children (the compilation's inputs), and how compilations are shown. */

export interface Gathered {
  children: CompiledChildRecord[];
  absent: { kind: 'enterprise' | 'division'; code: string; name: string; status: 'missing' | 'late' }[];
  returned: { code: string; name: string; reason: string }[];
}

/** What a division has in from its children for a period, as of now. */
export async function gather(db: Executor, tree: ReportingTree, node: TreeDivision, period: Period): Promise<Gathered> {
  const result: Gathered = { children: [], absent: [], returned: [] };
  const reports = await repo.reportsOf(
    db,
    node.enterprises.map((enterprise) => enterprise.id),
    period.kind,
    period.first,
  );
  const reportReturns = await repo.returnsOf(
    db,
    'report',
    reports.map((row) => row.id),
  );
  for (const enterprise of node.enterprises) {
    const latest = reports.filter((row) => row.enterprise_id === enterprise.id).at(-1);
    const returned = latest ? reportReturns.get(latest.id) : undefined;
    if (!latest)
      result.absent.push({ kind: 'enterprise', code: enterprise.id, name: enterprise.name, status: 'missing' });
    else if (returned) result.returned.push({ code: enterprise.id, name: enterprise.name, reason: returned.reason });
    else {
      result.children.push({
        kind: 'report',
        id: latest.id,
        version: latest.version,
        code: enterprise.id,
        name: enterprise.name,
        late: latest.late,
        lines: latest.lines.map(totalOf),
      });
      if (latest.late)
        result.absent.push({ kind: 'enterprise', code: enterprise.id, name: enterprise.name, status: 'late' });
    }
  }
  const compilations = await repo.compilationsOf(db, node.divisions, period.kind, period.first);
  const forwards = await repo.forwardsOf(
    db,
    compilations.map((row) => row.id),
  );
  const returns = await repo.returnsOf(
    db,
    'compilation',
    compilations.map((row) => row.id),
  );
  for (const code of node.divisions) {
    const child = tree.divisions.get(code)!;
    // Only the child's latest version counts, once forwarded: a newer version being made replaces what was sent.
    const latest = compilations.filter((row) => row.division_code === code).at(-1);
    const forwarded = latest && forwards.has(latest.id) ? latest : undefined;
    const returned = latest ? returns.get(latest.id) : undefined;
    if (returned) result.returned.push({ code, name: child.name, reason: returned.reason });
    else if (!forwarded) result.absent.push({ kind: 'division', code, name: child.name, status: 'missing' });
    else {
      const late = forwards.get(forwarded.id)!.late;
      result.children.push({
        kind: 'compilation',
        id: forwarded.id,
        version: forwarded.version,
        code,
        name: child.name,
        late,
        lines: forwarded.totals,
      });
      if (late) result.absent.push({ kind: 'division', code, name: child.name, status: 'late' });
    }
  }
  return result;
}

export async function compilationViews(db: Executor, rows: readonly repo.CompilationRow[], tree: ReportingTree | null) {
  const deadlineOf = await deadlines(db);
  const forwards = await repo.forwardsOf(
    db,
    rows.map((row) => row.id),
  );
  const { returns, keys, successors } = await documentFacts(db, 'compilation', rows);
  return rows.map((row): CompilationView => {
    const period = parsePeriod(periodLabel(row.period_kind, row.period));
    const forward = forwards.get(row.id);
    const returned = returns.get(row.id);
    return {
      id: row.id,
      division_code: row.division_code,
      division_name: tree?.divisions.get(row.division_code)?.name ?? row.division_code,
      level: row.level,
      period: period.label,
      period_kind: row.period_kind,
      version: row.version,
      replaces: row.replaces_id,
      totals: row.totals,
      children: row.children,
      absent: row.absent,
      compiled_by: row.compiled_by,
      compiled_at: row.compiled_at.toISOString(),
      deadline: deadlineOfDivision(deadlineOf, row.level, period).toISOString(),
      signature: signatureView(row, keys.get(row.signer)),
      forwarded_at: forward?.forwarded_at.toISOString() ?? null,
      forwarded_late: forward?.late ?? null,
      returned: returnView(returned),
      superseded_by: successors.get(row.id) ?? null,
    };
  });
}
