import type { HolderMovement } from './ledger.repository.ts';

export interface QuotaLine {
  readonly category: string;
  /** Issued and adjusted to the holder, net. */
  readonly allocated_reo_kg: number;
  /** Art. 14 reductions taken off during the year. */
  readonly reduced_reo_kg: number;
  /** Production posted against the quota, net of reversals. */
  readonly consumed_reo_kg: number;
  readonly remaining_reo_kg: number;
  /** consumed / (allocated − reduced), in parts per million (null when nothing is allocated). */
  readonly utilisation_ppm: number | null;
  readonly over_balance: boolean;
}

const signed = (movement: HolderMovement) => (movement.direction === 'in' ? movement.reo_kg : -movement.reo_kg);

/**
 * Folds a holder's movements into quota lines. Only consumption is ever reversed (a corrected flow
 * record); allocations are corrected by signed adjustments.
 */
export function quotaLines(movements: readonly HolderMovement[]): QuotaLine[] {
  const byCategory = new Map<string, HolderMovement[]>();
  for (const movement of movements)
    byCategory.set(movement.category, [...(byCategory.get(movement.category) ?? []), movement]);
  return [...byCategory.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => {
      const sum = (kinds: readonly string[]) =>
        list.filter((item) => kinds.includes(item.kind)).reduce((total, item) => total + signed(item), 0);
      const allocated = sum(['issue', 'adjust', 'approve']);
      const reduced = 0 - sum(['reduce']); // 0 - x, not -x: no negative zero in the API
      const consumed = 0 - sum(['consume', 'reverse']);
      const remaining = allocated - reduced - consumed;
      const base = allocated - reduced;
      return {
        category,
        allocated_reo_kg: allocated,
        reduced_reo_kg: reduced,
        consumed_reo_kg: consumed,
        remaining_reo_kg: remaining,
        utilisation_ppm: base > 0 ? Math.round((consumed * 1_000_000) / base) : null,
        over_balance: remaining < 0 || list.some((item) => item.over_balance),
      };
    });
}

/** How much of the calendar year has passed on a date (Asia/Shanghai dates), in ppm. */
export function elapsedShareOfYearPpm(year: number, today: string): number {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const [y, m, d] = today.split('-').map(Number);
  const now = Date.UTC(y ?? year, (m ?? 1) - 1, d ?? 1) + 86_400_000; // the whole of today counts as passed
  if (now <= start) return 0;
  if (now >= end) return 1_000_000;
  return Math.round(((now - start) * 1_000_000) / (end - start));
}
