import type { DeadlineRule, ReportLine, ReportStatus, TotalLine } from '../../../contracts/reporting.ts';
import { categoryCodes } from '../../../contracts/indicators.ts';
import { addWorkingDays } from '../../shared/workdays.ts';
import { ledgerCategory } from '../flows/index.ts';
import type { QuotaLine } from '../ledger/ledger.rules.ts';

/**
 * The pure rules of Art. 9 reporting: periods, deadlines in Beijing time, the figures of a report and the
 * sums of a compilation, and where a report stands.
 */

export type PeriodKind = 'month' | 'year';

export interface Period {
  readonly kind: PeriodKind;
  /** `YYYY-MM` or `YYYY`, as the API spells it. */
  readonly label: string;
  /** The first day: `YYYY-MM-01`, or `YYYY-01-01` for a year. */
  readonly first: string;
  readonly year: number;
  /** The first day of the last month in the period (the month itself, or December). */
  readonly lastMonth: string;
  /** The first instant after the period, in Beijing. */
  readonly end: Date;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The first day of the month `offset` months after `YYYY-MM-01`. */
export function addMonths(first: string, offset: number): string {
  const index = Number(first.slice(0, 4)) * 12 + Number(first.slice(5, 7)) - 1 + offset;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`;
}

export function parsePeriod(label: string): Period {
  const year = Number(label.slice(0, 4));
  if (label.length === 4) {
    const first = `${year}-01-01`;
    return { kind: 'year', label, first, year, lastMonth: `${year}-12-01`, end: beijingMidnight(`${year + 1}-01-01`) };
  }
  const first = `${label}-01`;
  return { kind: 'month', label, first, year, lastMonth: first, end: beijingMidnight(addMonths(first, 1)) };
}

export function periodLabel(kind: PeriodKind, first: string): string {
  return kind === 'year' ? first.slice(0, 4) : first.slice(0, 7);
}

function beijingMidnight(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

/** The months `YYYY-MM-01` from January of the period's year to its last month. */
export function monthsToDate(period: Period): string[] {
  const months: string[] = [];
  for (let month = `${period.year}-01-01`; month <= period.lastMonth; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** The last instant a report is on time: 23:59:59.999 Beijing of the rule's day. */
export function deadlineOf(rule: DeadlineRule, period: Period): Date {
  const month = addMonths(period.lastMonth, rule.month_offset);
  let date: string;
  if (rule.unit === 'working_day') {
    date = addWorkingDays(dayBefore(month), rule.day);
  } else {
    const lastDay = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
    date = `${month.slice(0, 8)}${pad(Math.min(rule.day, lastDay))}`;
  }
  return new Date(new Date(`${date}T23:59:59.999+08:00`).getTime());
}

function dayBefore(date: string): string {
  const instant = new Date(`${date}T00:00:00Z`);
  return new Date(instant.getTime() - 86_400_000).toISOString().slice(0, 10);
}

export const ratioPpm = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part * 1_000_000) / whole) : null;

export interface LineFacts {
  readonly category: ReportLine['category'];
  readonly flowReoKg: number;
  readonly flowCumulativeReoKg: number;
  /** What the flows give for the whole year so far (every month recorded), to set against the ledger. */
  readonly flowYearReoKg: number;
  /** Reported production of the year's earlier months (their figure where reported, else the flows'). */
  readonly earlierReoKg: number;
  readonly allocatedReoKg: number;
  readonly ledgerConsumedReoKg: number;
}

const isCategory = (value: string): value is ReportLine['category'] =>
  (categoryCodes as readonly string[]).includes(value);

/**
 * One enterprise's line facts for a period, one per category it holds an account in or produced in: from its
 * production of the year (flow records, ledger categories), its quota lines, and its reports of the year's
 * earlier months (every version, oldest first; the latest of a month counts).
 */
export function lineFacts(
  period: Period,
  production: readonly { period: string; category: string; reo_kg: number }[],
  quota: readonly QuotaLine[],
  earlierReports: readonly { period: string; lines: readonly { category: string; production_reo_kg: number }[] }[],
): LineFacts[] {
  const held = new Set(quota.map((line) => line.category));
  const byMonth = new Map<string, number>(); // `${month}|${category}` → kg
  for (const row of production) {
    const key = `${row.period}|${ledgerCategory(row.category, held)}`;
    byMonth.set(key, (byMonth.get(key) ?? 0) + row.reo_kg);
  }
  const categories = new Set<string>([...held, ...[...byMonth.keys()].map((key) => key.split('|')[1]!)]);
  const months = monthsToDate(period);
  const periodMonths = period.kind === 'year' ? months : [period.first];
  const latestOf = (month: string) => earlierReports.filter((report) => report.period === month).at(-1);
  return [...categories]
    .filter(isCategory)
    .sort()
    .map((category) => {
      const flowOf = (month: string) => byMonth.get(`${month}|${category}`) ?? 0;
      const sumOf = (list: readonly string[], pick: (month: string) => number) =>
        list.reduce((sum, month) => sum + pick(month), 0);
      // A month's cumulative starts from the earlier months as reported (their latest version), else as the flows give them.
      const earlier =
        period.kind === 'year'
          ? 0
          : sumOf(
              months.filter((month) => month < period.first),
              (month) => {
                const latest = latestOf(month);
                if (!latest) return flowOf(month);
                return latest.lines.find((line) => line.category === category)?.production_reo_kg ?? 0;
              },
            );
      const ledger = quota.find((line) => line.category === category);
      return {
        category,
        flowReoKg: sumOf(periodMonths, flowOf),
        flowCumulativeReoKg: sumOf(months, flowOf),
        flowYearReoKg: [...byMonth].reduce((sum, [key, kg]) => (key.endsWith(`|${category}`) ? sum + kg : sum), 0),
        earlierReoKg: earlier,
        allocatedReoKg: Math.max(0, (ledger?.allocated_reo_kg ?? 0) - (ledger?.reduced_reo_kg ?? 0)),
        ledgerConsumedReoKg: ledger?.consumed_reo_kg ?? 0,
      };
    });
}

/** A report line from the facts and what the enterprise reports (the flows' figure when it reports nothing). */
export function reportLine(
  facts: LineFacts,
  reported: { production_reo_kg: number; explanation?: string | undefined } | undefined,
  kind: PeriodKind,
): ReportLine {
  const production = reported?.production_reo_kg ?? facts.flowReoKg;
  // A year's report covers the whole year: its cumulative is its production.
  const cumulative = kind === 'year' ? production : facts.earlierReoKg + production;
  return {
    category: facts.category,
    production_reo_kg: production,
    cumulative_reo_kg: cumulative,
    allocated_reo_kg: facts.allocatedReoKg,
    remaining_reo_kg: facts.allocatedReoKg - cumulative,
    utilisation_ppm: ratioPpm(cumulative, facts.allocatedReoKg),
    flow_reo_kg: facts.flowReoKg,
    flow_cumulative_reo_kg: facts.flowCumulativeReoKg,
    ledger_consumed_reo_kg: facts.ledgerConsumedReoKg,
    explanation: reported?.explanation ?? null,
  };
}

/** The problems of reported figures: an unknown category, a category twice, a departure without a reason. */
export function figureProblems(
  lines: readonly ReportLine[],
  figures: readonly { category: string; production_reo_kg: number; explanation?: string | undefined }[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const known = new Set(lines.map((line) => line.category));
  const seen = new Set<string>();
  figures.forEach((figure, index) => {
    if (!known.has(figure.category as ReportLine['category']))
      problems.push({
        field: `figures.${index}.category`,
        message: `${figure.category} is not a category you hold an indicator in or produced in this period (${[...known].join(', ') || 'none'})`,
      });
    else if (seen.has(figure.category))
      problems.push({ field: `figures.${index}.category`, message: `${figure.category} is reported twice` });
    seen.add(figure.category);
  });
  for (const line of lines)
    if (line.production_reo_kg !== line.flow_reo_kg && !line.explanation) {
      const index = figures.findIndex((figure) => figure.category === line.category);
      problems.push({
        field: `figures.${index}.explanation`,
        message: `${line.production_reo_kg} kg REO departs from the ${line.flow_reo_kg} kg REO your flow records give for ${line.category}: explain why`,
      });
    }
  return problems;
}

/** Sums children's lines per category: totals are never typed, only added up. */
export function sumLines(children: readonly (readonly TotalLine[])[]): TotalLine[] {
  const byCategory = new Map<TotalLine['category'], TotalLine>();
  for (const lines of children)
    for (const line of lines) {
      const total = byCategory.get(line.category);
      byCategory.set(line.category, {
        category: line.category,
        production_reo_kg: (total?.production_reo_kg ?? 0) + line.production_reo_kg,
        cumulative_reo_kg: (total?.cumulative_reo_kg ?? 0) + line.cumulative_reo_kg,
        allocated_reo_kg: (total?.allocated_reo_kg ?? 0) + line.allocated_reo_kg,
        remaining_reo_kg: (total?.remaining_reo_kg ?? 0) + line.remaining_reo_kg,
        utilisation_ppm: null,
        flow_reo_kg: (total?.flow_reo_kg ?? 0) + line.flow_reo_kg,
        flow_cumulative_reo_kg: (total?.flow_cumulative_reo_kg ?? 0) + line.flow_cumulative_reo_kg,
        ledger_consumed_reo_kg: (total?.ledger_consumed_reo_kg ?? 0) + line.ledger_consumed_reo_kg,
      });
    }
  return [...byCategory.values()]
    .sort((a, b) => a.category.localeCompare(b.category))
    .map((line) => ({ ...line, utilisation_ppm: ratioPpm(line.cumulative_reo_kg, line.allocated_reo_kg) }));
}

/** A report line as a compilation carries it (the explanation stays in the report). */
export function totalOf(line: ReportLine): TotalLine {
  const { explanation: _explanation, ...total } = line;
  return total;
}

export interface Standing {
  /** The latest version submitted (report) or compiled (compilation), if any. */
  readonly latest: { readonly at: Date; readonly returned: boolean; readonly firstAt: Date } | null;
  /** A compilation: forwarded upward. A report: the county's latest compilation includes it… */
  readonly compiled: boolean;
  /** …and that compilation went upward. */
  readonly forwarded: boolean;
}

/** Where a report or compilation stands for the board, and whether it was (or is) late. */
export function standing(
  state: Standing,
  period: Period,
  deadline: Date,
  now: Date,
): { status: ReportStatus; late: boolean } {
  if (!state.latest) {
    if (now.getTime() < period.end.getTime()) return { status: 'not_due', late: false };
    return now.getTime() <= deadline.getTime() ? { status: 'due', late: false } : { status: 'late', late: true };
  }
  const late = state.latest.firstAt.getTime() > deadline.getTime();
  if (state.latest.returned) return { status: 'returned', late };
  if (state.forwarded) return { status: 'forwarded', late };
  if (state.compiled) return { status: 'compiled', late };
  return { status: 'submitted', late };
}

/** The relative difference beyond which reported and flow figures disagree: ppm of the larger, at least min kg. */
export function beyondTolerance(a: number, b: number, tolerancePpm: number, minKg: number): boolean {
  const difference = Math.abs(a - b);
  return difference > Math.max(minKg, Math.floor((Math.max(Math.abs(a), Math.abs(b)) * tolerancePpm) / 1_000_000));
}
