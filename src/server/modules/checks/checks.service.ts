import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { deadlineOf, declarationStatus, designatedEnterprises, sealsOf } from '../flows/index.ts';
import { overdrawnAccounts } from '../ledger/ledger.service.ts';
import * as repo from './checks.repository.ts';
import {
  balanceGap,
  defaultTolerances,
  formatKg,
  matchFinding,
  previousPeriod,
  yieldOutOfBounds,
  type CheckTolerances,
} from './checks.rules.ts';

/**
 * The month's checks (Art. 10): mass balance, shipment ↔ receipt matching, Art. 7 parties, quota, transform
 * yield, declarations. Findings become anomalies once (by key); running the checks again finds the same ones.
 */

export interface CheckRun {
  period: string;
  anomalies_found: number;
  anomalies_new: number;
  by_rule: Record<string, number>;
}

const MAX_EVIDENCE = 50;
const evidence = (enterpriseId: string, events: readonly string[]) =>
  events.slice(0, MAX_EVIDENCE).map((eventId) => ({ enterprise_id: enterpriseId, event_id: eventId }));

export async function runChecks(
  db: Executor,
  period: string,
  options: { now?: Date; tolerances?: CheckTolerances } = {},
): Promise<CheckRun> {
  const monthFirst = `${period}-01`;
  const now = options.now ?? new Date();
  const tolerances = options.tolerances ?? defaultTolerances;
  const found: repo.NewAnomaly[] = [
    ...(await balanceFindings(db, monthFirst, tolerances)),
    ...(await matchFindings(db, monthFirst, tolerances)),
    ...(await partyFindings(db, monthFirst)),
    ...(await yieldFindings(db, monthFirst, tolerances)),
    ...(await quotaFindings(db, monthFirst)),
    ...(await declarationFindings(db, monthFirst, now)),
  ];
  const fresh = await repo.insertAnomalies(db, found);
  const byRule: Record<string, number> = {};
  for (const item of found) byRule[item.rule] = (byRule[item.rule] ?? 0) + 1;
  return { period, anomalies_found: found.length, anomalies_new: fresh, by_rule: byRule };
}

async function balanceFindings(db: Executor, period: string, tolerances: CheckTolerances): Promise<repo.NewAnomaly[]> {
  const rows = await repo.balances(db, period, previousPeriod(period));
  const off = rows.flatMap((row) => {
    const gap = balanceGap(row, tolerances.balancePpm);
    return gap ? [{ row, gap }] : [];
  });
  const samples = await repo.sampleEvents(
    db,
    period,
    [...new Set(off.map((item) => item.row.enterprise_id))],
    ['stock_count'],
  );
  return off.map(({ row, gap }) => ({
    key: `mass_balance:${row.enterprise_id}:${period}:${row.product_code}`,
    rule: 'mass_balance',
    enterprise_id: row.enterprise_id,
    period,
    product_code: row.product_code,
    summary: `${row.product_code}: opening ${formatKg(row.opening_mass)} + in ${formatKg(row.in_mass)} − out ${formatKg(row.out_mass)} ≠ closing count ${formatKg(row.closing_mass)} kg (off by ${formatKg(gap.mass_kg)} kg, ${formatKg(gap.reo_kg)} kg REO)${row.counted ? '' : '; no stock count this month'}`,
    details: { ...row, gap_mass_kg: gap.mass_kg, gap_reo_kg: gap.reo_kg, tolerance_ppm: tolerances.balancePpm },
    evidence: samples.filter((sample) => sample.enterprise_id === row.enterprise_id),
  }));
}

async function matchFindings(db: Executor, period: string, tolerances: CheckTolerances): Promise<repo.NewAnomaly[]> {
  const rows = await repo.shipmentMatches(db, period);
  return rows.flatMap((row) => {
    const rule = matchFinding(row.shipped_mass, row.received_mass, tolerances.matchPpm);
    if (!rule) return [];
    // The finding belongs to the side whose record is missing or, for a difference, to the receiver.
    const owner = row.shipped_mass === 0 ? row.shipper_id : row.receiver_id;
    const what =
      row.shipped_mass === 0
        ? `receipt of ${row.batch_code} (${formatKg(row.received_mass)} kg) has no matching shipment`
        : row.received_mass === 0
          ? `shipment of ${row.batch_code} (${formatKg(row.shipped_mass)} kg) has no matching receipt`
          : `${row.batch_code}: shipped ${formatKg(row.shipped_mass)} kg, received ${formatKg(row.received_mass)} kg`;
    return [
      {
        key: `${rule}:${row.shipper_id}:${row.receiver_id}:${row.batch_id}:${row.waybill}`,
        rule,
        enterprise_id: owner,
        period,
        product_code: null,
        summary: `${what}${row.waybill ? ` (waybill ${row.waybill})` : ''}`,
        details: { ...row },
        evidence: [...evidence(row.shipper_id, row.ship_events), ...evidence(row.receiver_id, row.receive_events)],
      },
    ];
  });
}

async function partyFindings(db: Executor, period: string): Promise<repo.NewAnomaly[]> {
  const rows = await repo.undesignatedParties(db, period);
  return rows.map((row) => ({
    key: `non_designated_party:${row.enterprise_id}:${period}:${row.party_id}:${row.scope}`,
    rule: 'non_designated_party',
    enterprise_id: row.enterprise_id,
    period,
    product_code: null,
    summary:
      row.role === 'self'
        ? `${row.events.length} event(s) of ${row.scope} by an enterprise not designated for it on the day (Art. 7)`
        : `${row.events.length} flow(s) with a counterparty that was not a designated rare earth enterprise on the day (Art. 7)`,
    details: { party_id: row.party_id, role: row.role, scope: row.scope },
    evidence: evidence(row.enterprise_id, row.events),
  }));
}

async function yieldFindings(db: Executor, period: string, tolerances: CheckTolerances): Promise<repo.NewAnomaly[]> {
  const rows = await repo.transformYields(db, period);
  return rows
    .filter((row) => yieldOutOfBounds(row.in_reo, row.out_reo, tolerances.minYieldPpm))
    .map((row) => ({
      key: `yield_out_of_bounds:${row.enterprise_id}:${row.event_id}`,
      rule: 'yield_out_of_bounds',
      enterprise_id: row.enterprise_id,
      period,
      product_code: null,
      summary: `transform ${row.event_id} yields ${formatKg(row.out_reo)} of ${formatKg(row.in_reo)} kg REO, below ${tolerances.minYieldPpm / 10_000}%`,
      details: { ...row, min_yield_ppm: tolerances.minYieldPpm },
      evidence: evidence(row.enterprise_id, [row.event_id]),
    }));
}

async function quotaFindings(db: Executor, period: string): Promise<repo.NewAnomaly[]> {
  const year = Number(period.slice(0, 4));
  const rows = await overdrawnAccounts(db, year);
  const samples = await repo.sampleEvents(
    db,
    period,
    [...new Set(rows.map((row) => row.enterprise_id))],
    ['produce', 'transform'],
  );
  return rows.map((row) => ({
    key: `quota_exceeded:${row.enterprise_id}:${year}:${row.category}`,
    rule: 'quota_exceeded',
    enterprise_id: row.enterprise_id,
    period,
    product_code: null,
    summary: `${row.category} ${year}: output ${formatKg(row.consumed)} kg REO exceeds the ${formatKg(row.allocated)} kg allocated`,
    details: { ...row, year, over_kg: row.consumed - row.allocated },
    evidence: samples.filter((sample) => sample.enterprise_id === row.enterprise_id),
  }));
}

async function declarationFindings(db: Executor, period: string, now: Date): Promise<repo.NewAnomaly[]> {
  if (now.getTime() <= deadlineOf(period).getTime()) return [];
  const enterprises = await designatedEnterprises(db, null, period);
  const seals = await sealsOf(
    db,
    enterprises.map((enterprise) => enterprise.id),
    [period],
  );
  const first = new Map<string, Date>();
  for (const seal of seals) if (!first.has(seal.enterprise_id)) first.set(seal.enterprise_id, seal.sealed_at);
  return enterprises.flatMap((enterprise) => {
    const status = declarationStatus(period, first.get(enterprise.id) ?? null, now);
    if (status !== 'late' && status !== 'missing') return [];
    const rule = status === 'late' ? 'declaration_late' : 'declaration_missing';
    return [
      {
        key: `${rule}:${enterprise.id}:${period}`,
        rule,
        enterprise_id: enterprise.id,
        period,
        product_code: null,
        summary:
          status === 'late'
            ? `${period.slice(0, 7)} declared after the deadline (${dateInShanghai(deadlineOf(period))})`
            : `${period.slice(0, 7)} not declared by the deadline (${dateInShanghai(deadlineOf(period))})`,
        details: {
          deadline: deadlineOf(period).toISOString(),
          sealed_at: first.get(enterprise.id)?.toISOString() ?? null,
        },
        evidence: [],
      },
    ];
  });
}
