/**
 * The pure rules of the checks: when a figure is off by more than the tolerance, and what the finding says.
 * Tolerances are parts per million of the quantity moved; 0 demands exact agreement.
 */

export interface CheckTolerances {
  /** Mass balance: |opening + in − out − closing| may be this share of the throughput. */
  readonly balancePpm: number;
  /** Shipment vs receipt: the two sides' mass may differ by this share of the shipment. */
  readonly matchPpm: number;
  /** A transform's REO yield below this (ppm of its inputs) is out of bounds. */
  readonly minYieldPpm: number;
}

export const defaultTolerances: CheckTolerances = { balancePpm: 2_000, matchPpm: 5_000, minYieldPpm: 800_000 };

/** Whether |difference| exceeds ppm of base (exact integer comparison). */
export function beyond(difference: number, base: number, ppm: number): boolean {
  return BigInt(Math.abs(difference)) * 1_000_000n > BigInt(Math.abs(base)) * BigInt(ppm);
}

export interface BalanceFigures {
  readonly opening_mass: number;
  readonly opening_reo: number;
  readonly in_mass: number;
  readonly in_reo: number;
  readonly out_mass: number;
  readonly out_reo: number;
  readonly closing_mass: number;
  readonly closing_reo: number;
  readonly lines: number;
}

/**
 * opening + in − out − closing, for mass and REO; null when both are within tolerance. Mass is exact; each
 * line's REO was rounded to a whole kg, so REO may also be off by half a kilogram per line summed.
 */
export function balanceGap(row: BalanceFigures, ppm: number): { mass_kg: number; reo_kg: number } | null {
  const mass = row.opening_mass + row.in_mass - row.out_mass - row.closing_mass;
  const reo = row.opening_reo + row.in_reo - row.out_reo - row.closing_reo;
  const throughputMass = row.opening_mass + row.in_mass + row.out_mass;
  const throughputReo = row.opening_reo + row.in_reo + row.out_reo;
  const rounding = Math.ceil(row.lines / 2);
  const reoBeyond = Math.abs(reo) > rounding && beyond(Math.abs(reo) - rounding, throughputReo, ppm);
  if (!beyond(mass, throughputMass, ppm) && !reoBeyond) return null;
  return { mass_kg: mass, reo_kg: reo };
}

export type MatchFinding = 'unmatched_shipment' | 'quantity_mismatch' | null;

export function matchFinding(shippedMass: number, receivedMass: number, ppm: number): MatchFinding {
  if (shippedMass === 0 || receivedMass === 0) return 'unmatched_shipment';
  return beyond(shippedMass - receivedMass, shippedMass, ppm) ? 'quantity_mismatch' : null;
}

export function yieldOutOfBounds(inReo: number, outReo: number, minYieldPpm: number): boolean {
  if (inReo === 0) return false;
  return BigInt(outReo) * 1_000_000n < BigInt(inReo) * BigInt(minYieldPpm);
}

/** The previous month of `YYYY-MM-01`. */
export function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return month === 1 ? `${year - 1}-12-01` : `${year}-${String(month - 1).padStart(2, '0')}-01`;
}

export function formatKg(kg: number): string {
  return kg.toLocaleString('en-US');
}
