/**
 * Quantities are integers: kg of REO or of mass, grades in ppm. The database holds them as bigint, which
 * arrives as a string; the API carries them as JSON numbers, exact up to 2^53 − 1 kg.
 */
export function toKg(value: string | number | bigint): number {
  const kg = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(kg)) throw new Error(`quantity ${String(value)} is not an exact integer number of kg`);
  return kg;
}
