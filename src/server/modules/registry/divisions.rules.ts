import type { DivisionTable } from '../../db/schema.ts';

interface SourceEntry {
  readonly code: string;
  readonly name: string;
}

export interface DivisionSource {
  readonly province: readonly SourceEntry[];
  readonly city: readonly SourceEntry[];
  readonly area: readonly SourceEntry[];
}

/**
 * Turns the package's statistical division list into the GB/T 2260 tree:
 * - county codes ending 70–79 are statistics-only (development zones, new areas) and are dropped, as are
 *   the "市辖区" placeholders;
 * - counties of municipalities (no prefecture in between) hang directly under their province;
 * - "省直辖县级行政区划" groupings keep their GB/T 2260 code, with the province name removed from the label.
 */
export function buildDivisionTree(source: DivisionSource): DivisionTable[] {
  const rows: DivisionTable[] = source.province.map((entry) => ({
    code: entry.code,
    name: entry.name,
    level: 'province' as const,
    parent_code: null,
  }));
  const provinces = new Set(rows.map((row) => row.code));
  const prefectures = new Set<string>();
  for (const entry of source.city) {
    const parent = `${entry.code.slice(0, 2)}0000`;
    if (!provinces.has(parent)) continue;
    prefectures.add(entry.code);
    rows.push({
      code: entry.code,
      name: entry.name.replace(/^.+?-(?=.*直辖)/, ''),
      level: 'prefecture',
      parent_code: parent,
    });
  }
  for (const entry of source.area) {
    if (isStatisticsOnly(entry)) continue;
    const prefecture = `${entry.code.slice(0, 4)}00`;
    const province = `${entry.code.slice(0, 2)}0000`;
    const parent = prefectures.has(prefecture) ? prefecture : province;
    if (!provinces.has(parent) && !prefectures.has(parent)) continue;
    rows.push({ code: entry.code, name: entry.name, level: 'county', parent_code: parent });
  }
  return rows;
}

export function isStatisticsOnly(entry: SourceEntry): boolean {
  const tail = Number(entry.code.slice(4));
  return entry.name === '市辖区' || (tail >= 70 && tail <= 79);
}
