/**
 * Quantities are integers: kg of REO or of mass, grades in ppm. The database holds them as bigint, which
 * arrives as a string; the API carries them as JSON numbers, exact up to 2^53 − 1 kg.
 */
export function toKg(value: string | number | bigint): number {
  const kg = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(kg)) throw new Error(`quantity ${String(value)} is not an exact integer number of kg`);
  return kg;
}

/** Splits an integer over parts in proportion to weights, exactly (largest remainder, ties by order). */
export function apportion(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((acc, weight) => acc + weight, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  const floors = weights.map((weight) => (total * weight) / sum);
  let left = total - floors.reduce((acc, value) => acc + value, 0n);
  const order = weights
    .map((weight, index) => ({ index, remainder: (total * weight) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left === 0n) break;
    floors[index] = (floors[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return floors;
}
