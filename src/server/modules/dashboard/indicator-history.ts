import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { IndicatorHistory, IndicatorHistoryYear } from '../../../contracts/dashboard.ts';

/**
 * The published national indicators of past years (tonnes of REO, as the notices give them), from the data
 * file beside this module. Its `#` lines say where the figures come from; an empty cell was not published.
 */

const HISTORY_FILE = new URL('./indicator-history.csv', import.meta.url);
const numberColumns = ['mining_total_t', 'separation_total_t', 'mining_rock_t', 'mining_ion_t'] as const;

let loaded: IndicatorHistory | undefined;

export function indicatorHistory(): IndicatorHistory {
  loaded ??= parseIndicatorHistory(readFileSync(HISTORY_FILE, 'utf8'));
  return loaded;
}

/** A whole number of tonnes, or null for an empty cell; anything else is a broken data file (a bug). */
function tonnes(value: string | undefined, where: string): number | null {
  const text = (value ?? '').trim();
  if (text === '') return null;
  if (!/^\d+$/.test(text)) throw new Error(`indicator-history.csv: ${where} is "${text}", not whole tonnes`);
  return Number(text);
}

export function parseIndicatorHistory(text: string): IndicatorHistory {
  const source = text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('#'))
    .map((line) => line.replace(/^#\s*/, ''));
  const records = parse<Record<string, string>>(text, {
    columns: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    trim: true,
  });
  const years = records.map((record): IndicatorHistoryYear => {
    const year = tonnes(record.year, 'a year');
    if (year === null) throw new Error('indicator-history.csv: a row without a year');
    const figures = Object.fromEntries(
      numberColumns.map((column) => [column, tonnes(record[column], `${column} of ${year}`)]),
    ) as Record<(typeof numberColumns)[number], number | null>;
    const note = (record.note ?? '').trim();
    return { year, ...figures, note: note === '' ? null : note };
  });
  return { unit: 't REO', source, years: years.sort((a, b) => a.year - b.year) };
}
