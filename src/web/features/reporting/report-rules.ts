/**
 * The client's side of the report rules: periods, the figures a submission carries, and the check that
 * mirrors the server's (a figure that departs from the flow records needs an explanation of at least 4
 * characters). The server has the last word; this only saves a round trip.
 */
import type { PeriodKind, ReportFigure, ReportLine } from './reporting-types.ts';

/** The minimum and maximum length of an explanation (reportFigure in the contracts). */
export const EXPLANATION_MIN = 4;
export const EXPLANATION_MAX = 2000;
/** The minimum length of a reason for returning (returnBody) and for a missing child (compileBody). */
export const RETURN_REASON_MIN = 4;
export const ABSENT_REASON_MIN = 2;

export function periodKindOf(label: string): PeriodKind {
  return label.length === 4 ? 'year' : 'month';
}

export function isPeriod(label: string): boolean {
  return /^(20[0-9]{2})(-(0[1-9]|1[0-2]))?$/.test(label);
}

/** The first instant after the period, in Beijing (when it can be reported). */
export function periodEnd(label: string): Date {
  const year = Number(label.slice(0, 4));
  if (periodKindOf(label) === 'year') return new Date(`${year + 1}-01-01T00:00:00+08:00`);
  const month = Number(label.slice(5, 7));
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return new Date(`${next}-01T00:00:00+08:00`);
}

export function periodEnded(label: string, now = Date.now()): boolean {
  return now >= periodEnd(label).getTime();
}

/** A year's label, or a month of it: switching the picker between month and year keeps the year. */
export function switchKind(label: string, kind: PeriodKind, lastMonth: string): string {
  const year = label.slice(0, 4);
  if (kind === 'year') return year;
  return lastMonth.startsWith(year) ? lastMonth : `${year}-12`;
}

export type FigureProblem = 'explanationRequired' | 'explanationShort' | 'explanationLong' | null;

/** What is wrong with one category's reported figure and explanation, if anything. */
export function figureProblem(
  flowReoKg: number,
  productionReoKg: number,
  explanation: string | undefined,
): FigureProblem {
  const text = (explanation ?? '').trim();
  if (text.length > EXPLANATION_MAX) return 'explanationLong';
  if (productionReoKg === flowReoKg) return null;
  if (text.length === 0) return 'explanationRequired';
  return text.length < EXPLANATION_MIN ? 'explanationShort' : null;
}

export interface FigureInput {
  readonly production_reo_kg: number | null | undefined;
  readonly explanation?: string | null | undefined;
}

/**
 * The figures a submission sends: only those that depart from the flows (each with its explanation); every
 * other category is taken as the flows give it. `figureIndex` maps a figure back to its line, so the server's
 * `figures.N.explanation` errors land beside the right field.
 */
export function figuresOf(
  lines: readonly ReportLine[],
  inputs: readonly (FigureInput | undefined)[],
): { figures: ReportFigure[]; lineOfFigure: number[] } {
  const figures: ReportFigure[] = [];
  const lineOfFigure: number[] = [];
  lines.forEach((line, index) => {
    const production = inputs[index]?.production_reo_kg ?? line.flow_reo_kg;
    if (production === line.flow_reo_kg) return;
    const explanation = (inputs[index]?.explanation ?? '').trim();
    figures.push({
      category: line.category,
      production_reo_kg: production,
      ...(explanation ? { explanation } : {}),
    });
    lineOfFigure.push(index);
  });
  return { figures, lineOfFigure };
}

/** The derived figures of a line once its production changes (as the server derives them). */
export function derivedLine(line: ReportLine, production: number, kind: PeriodKind) {
  const earlier = line.cumulative_reo_kg - line.production_reo_kg;
  const cumulative = kind === 'year' ? production : earlier + production;
  const remaining = line.allocated_reo_kg - cumulative;
  const utilisationPpm =
    line.allocated_reo_kg > 0 ? Math.round((cumulative * 1_000_000) / line.allocated_reo_kg) : null;
  return { cumulative, remaining, utilisationPpm };
}

/**
 * A client-made idempotency key for one submission attempt: the same attempt sent again (after a network
 * failure) carries the same key, so it is stored once. getRandomValues works outside secure contexts too.
 */
export function newIdempotencyKey(prefix: string): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  const random = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${prefix}-${random}`;
}

/** 1299060 ppm → 129.9 (percent, one decimal; display only). */
export function ppmPercent(ppm: number | null): number {
  return ppm === null ? 0 : Math.round(ppm / 1_000) / 10;
}

/** The compiler of a division: its own industry & IT or natural resources department; MIIT or MNR for the nation. */
export function isCompilerOf(
  user: { role: string; department: string | null; division_code: string | null },
  code: string,
  nation: string,
): boolean {
  const department = user.department === 'industry_it' || user.department === 'natural_resources';
  if (!department) return false;
  if (code === nation) return user.role === 'ministry_official';
  return user.role === 'department_official' && user.division_code === code;
}
