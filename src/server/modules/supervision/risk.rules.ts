import {
  riskAnomalyRules,
  riskFactors,
  type RiskAnomalyRule,
  type RiskFactor,
  type RiskReason,
  type RiskWeights,
} from '../../../contracts/supervision-risk.ts';
import type { FieldError } from '../../shared/errors.ts';

/**
 * The pure rules of the risk-ranked inspection list (Art. 12): what each enterprise's facts score under a set of
 * weights, with the reasons the score is made of; the ranking; the weights' ranges; and which division's weights
 * apply. Every figure and weight is a whole number and every reason's points are figure × weight, so the points
 * sum to the score exactly.
 */

export const NATION_CODE = '000000';
export const MAX_WEIGHT = 1_000;
export const MAX_THRESHOLD_POINTS = 100;
export const MAX_LOOKBACK_YEARS = 10;
export const MAX_FILING_MONTHS = 12;
/** A reason names at most this many anomalies. */
export const MAX_REASON_ANOMALIES = 50;

export const defaultRiskWeights: RiskWeights = {
  anomaly: {
    mass_balance: 10,
    unmatched_shipment: 8,
    quantity_mismatch: 6,
    non_designated_party: 30,
    quota_exceeded: 25,
    yield_out_of_bounds: 6,
  },
  late_filing: 4,
  missing_filing: 12,
  utilisation_point: 2,
  utilisation_threshold_points: 20,
  report_vs_flows: 10,
  past_violation: 15,
  final_penalty: 25,
  lookback_years: 3,
  filing_months: 3,
};

/** What is known of one enterprise for a year, as whole numbers. */
export interface RiskFacts {
  readonly enterprise_id: string;
  readonly enterprise_name: string;
  /** Open (or confirmed, not closed) anomalies of the year, by rule. */
  readonly open_anomalies: Partial<Record<RiskAnomalyRule, number>>;
  /** The ids of those anomalies and of the differences, by rule (some or all of them). */
  readonly anomaly_ids?: Readonly<Record<string, readonly string[]>>;
  /** Filings of the year's months past their deadline: flow declarations (Art. 10), monthly reports (Art. 9). */
  readonly late_filings: { readonly declarations: number; readonly reports: number };
  readonly missing_filings: { readonly declarations: number; readonly reports: number };
  /** Utilisation of each indicator category held (ppm of what was allocated; null when nothing was). */
  readonly utilisation: readonly { readonly category: string; readonly utilisation_ppm: number | null }[];
  /** How much of the year has passed, ppm. */
  readonly elapsed_ppm: number;
  /** Open report-vs-flows and ledger-vs-flows differences of the year. */
  readonly differences: { readonly report_vs_flows: number; readonly ledger_vs_flows: number };
  /** Violations found, and final penalties decided, from 1 January of `since_year` on. */
  readonly past_violations: number;
  readonly final_penalties: number;
  readonly since_year: number;
}

export interface RiskScore {
  readonly score: number;
  readonly reasons: RiskReason[];
}

const anomalyNames: Record<RiskAnomalyRule, { zh: string; en: string }> = {
  mass_balance: { zh: '物料不平衡', en: 'mass balance' },
  unmatched_shipment: { zh: '发货与收货不匹配', en: 'unmatched shipment' },
  quantity_mismatch: { zh: '发收数量不符', en: 'quantity mismatch' },
  non_designated_party: { zh: '与非确定企业往来', en: 'non-designated party' },
  quota_exceeded: { zh: '超指标生产', en: 'quota exceeded' },
  yield_out_of_bounds: { zh: '收率越界', en: 'yield out of bounds' },
};

const percent = (ppm: number): string => (ppm / 10_000).toFixed(1);
const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** Whole percentage points a utilisation runs ahead of the elapsed year beyond the threshold (never negative). */
export function pointsBeyondThreshold(utilisationPpm: number, elapsedPpm: number, thresholdPoints: number): number {
  const ahead = Math.floor((utilisationPpm - elapsedPpm) / 10_000);
  return Math.max(0, ahead - thresholdPoints);
}

type Draft = Omit<RiskReason, 'weight' | 'points'>;

const idsOf = (facts: RiskFacts, rules: readonly string[]): string[] =>
  rules.flatMap((rule) => facts.anomaly_ids?.[rule] ?? []).slice(0, MAX_REASON_ANOMALIES);

function anomalyReasons(facts: RiskFacts): { draft: Draft; weightOf: (w: RiskWeights) => number }[] {
  return riskAnomalyRules.flatMap((rule) => {
    const count = facts.open_anomalies[rule] ?? 0;
    if (count <= 0) return [];
    const name = anomalyNames[rule];
    return [
      {
        weightOf: (weights: RiskWeights) => weights.anomaly[rule],
        draft: {
          factor: 'open_anomalies' as const,
          detail: rule,
          figure: count,
          anomaly_ids: idsOf(facts, [rule]),
          params: { rule, count },
          text: {
            zh: `未处理的“${name.zh}”异常 ${count} 项`,
            en: `${plural(count, `open ${name.en} anomaly`, `open ${name.en} anomalies`)}`,
          },
        },
      },
    ];
  });
}

function filingReason(kind: 'late' | 'missing', counts: RiskFacts['late_filings']): Draft | null {
  const count = counts.declarations + counts.reports;
  if (count <= 0) return null;
  const words = kind === 'late' ? { zh: '逾期报送', en: 'late' } : { zh: '未按期报送', en: 'missing' };
  return {
    factor: kind === 'late' ? 'late_filings' : 'missing_filings',
    detail: null,
    figure: count,
    anomaly_ids: [],
    params: { declarations: counts.declarations, reports: counts.reports },
    text: {
      zh: `${words.zh} ${count} 次（流向信息申报 ${counts.declarations} 次，执行情况月报 ${counts.reports} 次）`,
      en: `${plural(count, `${words.en} filing`, `${words.en} filings`)} (${counts.declarations} flow declarations, ${counts.reports} monthly implementation reports)`,
    },
  };
}

function utilisationReasons(facts: RiskFacts, threshold: number): Draft[] {
  return facts.utilisation.flatMap((line): Draft[] => {
    if (line.utilisation_ppm === null) return [];
    const beyond = pointsBeyondThreshold(line.utilisation_ppm, facts.elapsed_ppm, threshold);
    if (beyond <= 0) return [];
    const used = percent(line.utilisation_ppm);
    const elapsed = percent(facts.elapsed_ppm);
    return [
      {
        factor: 'utilisation_ahead',
        detail: line.category,
        figure: beyond,
        anomaly_ids: [],
        params: {
          category: line.category,
          utilisation_ppm: line.utilisation_ppm,
          elapsed_ppm: facts.elapsed_ppm,
          threshold_points: threshold,
        },
        text: {
          zh: `${line.category} 指标已使用 ${used}%，本年度已过 ${elapsed}%：超出容许的 ${threshold} 个百分点之外 ${beyond} 个百分点`,
          en: `${line.category}: ${used}% of the indicator used with ${elapsed}% of the year gone — ${beyond} points beyond the ${threshold}-point allowance`,
        },
      },
    ];
  });
}

function otherReasons(facts: RiskFacts): Draft[] {
  const drafts: Draft[] = [];
  const differences = facts.differences.report_vs_flows + facts.differences.ledger_vs_flows;
  if (differences > 0)
    drafts.push({
      factor: 'report_vs_flows',
      detail: null,
      figure: differences,
      anomaly_ids: idsOf(facts, ['report_vs_flows', 'ledger_vs_flows']),
      params: { ...facts.differences },
      text: {
        zh: `报告或台账与流向记录不符 ${differences} 项（执行情况报告 ${facts.differences.report_vs_flows} 项，指标台账 ${facts.differences.ledger_vs_flows} 项）`,
        en: `${plural(differences, 'open difference', 'open differences')} from the flow records (${facts.differences.report_vs_flows} in reports, ${facts.differences.ledger_vs_flows} in the quota ledger)`,
      },
    });
  if (facts.past_violations > 0)
    drafts.push({
      factor: 'past_violations',
      detail: null,
      figure: facts.past_violations,
      anomaly_ids: [],
      params: { count: facts.past_violations, since_year: facts.since_year },
      text: {
        zh: `${facts.since_year} 年以来查处违法行为 ${facts.past_violations} 项`,
        en: `${plural(facts.past_violations, 'violation', 'violations')} found since ${facts.since_year}`,
      },
    });
  if (facts.final_penalties > 0)
    drafts.push({
      factor: 'final_penalties',
      detail: null,
      figure: facts.final_penalties,
      anomaly_ids: [],
      params: { count: facts.final_penalties, since_year: facts.since_year },
      text: {
        zh: `${facts.since_year} 年以来已生效的行政处罚 ${facts.final_penalties} 项`,
        en: `${plural(facts.final_penalties, 'final administrative penalty', 'final administrative penalties')} since ${facts.since_year}`,
      },
    });
  return drafts;
}

const factorWeight: Record<Exclude<RiskFactor, 'open_anomalies'>, (weights: RiskWeights) => number> = {
  late_filings: (weights) => weights.late_filing,
  missing_filings: (weights) => weights.missing_filing,
  utilisation_ahead: (weights) => weights.utilisation_point,
  report_vs_flows: (weights) => weights.report_vs_flows,
  past_violations: (weights) => weights.past_violation,
  final_penalties: (weights) => weights.final_penalty,
};

/**
 * An enterprise's score and its reasons: one reason per factor (per rule, per category) with a figure above
 * zero, each worth figure × weight points. Reasons come most points first, then in the order of the factors.
 */
export function scoreEnterprise(facts: RiskFacts, weights: RiskWeights): RiskScore {
  const weighed = (draft: Draft, weight: number): RiskReason => ({ ...draft, weight, points: draft.figure * weight });
  const reasons: RiskReason[] = [
    ...anomalyReasons(facts).map(({ draft, weightOf }) => weighed(draft, weightOf(weights))),
    ...[
      filingReason('late', facts.late_filings),
      filingReason('missing', facts.missing_filings),
      ...utilisationReasons(facts, weights.utilisation_threshold_points),
      ...otherReasons(facts),
    ].flatMap((draft) =>
      draft ? [weighed(draft, factorWeight[draft.factor as Exclude<RiskFactor, 'open_anomalies'>](weights))] : [],
    ),
  ];
  const order = (reason: RiskReason) => riskFactors.indexOf(reason.factor);
  reasons.sort((a, b) => b.points - a.points || order(a) - order(b) || (a.detail ?? '').localeCompare(b.detail ?? ''));
  return { score: reasons.reduce((total, reason) => total + reason.points, 0), reasons };
}

export interface Ranked<T> {
  readonly rank: number;
  readonly item: T;
}

/**
 * Highest score first; equal scores by enterprise name, then id (a stable order). Equal scores share a rank:
 * 1 + how many scored higher.
 */
export function rankByScore<T extends { score: number; enterprise_name: string; enterprise_id: string }>(
  items: readonly T[],
): Ranked<T>[] {
  const sorted = [...items].sort(
    (a, b) =>
      b.score - a.score ||
      (a.enterprise_name < b.enterprise_name ? -1 : a.enterprise_name > b.enterprise_name ? 1 : 0) ||
      (a.enterprise_id < b.enterprise_id ? -1 : a.enterprise_id > b.enterprise_id ? 1 : 0),
  );
  let rank = 0;
  return sorted.map((item, index) => {
    if (index === 0 || sorted[index - 1]!.score !== item.score) rank = index + 1;
    return { rank, item };
  });
}

/** The ranges of a set of weights, each problem naming its field (`weights.anomaly.mass_balance`). */
export function weightProblems(weights: RiskWeights): FieldError[] {
  const problems: FieldError[] = [];
  const check = (field: string, value: number, max: number, what: string) => {
    if (!Number.isSafeInteger(value) || value < 0 || value > max)
      problems.push({ field: `weights.${field}`, message: `must be a whole number from 0 to ${max} (${what})` });
  };
  for (const rule of riskAnomalyRules) check(`anomaly.${rule}`, weights.anomaly[rule], MAX_WEIGHT, 'points');
  for (const field of [
    'late_filing',
    'missing_filing',
    'utilisation_point',
    'report_vs_flows',
    'past_violation',
    'final_penalty',
  ] as const)
    check(field, weights[field], MAX_WEIGHT, 'points');
  check(
    'utilisation_threshold_points',
    weights.utilisation_threshold_points,
    MAX_THRESHOLD_POINTS,
    'percentage points',
  );
  check('lookback_years', weights.lookback_years, MAX_LOOKBACK_YEARS, 'years');
  if (weights.filing_months < 1) problems.push({ field: 'weights.filing_months', message: 'must be at least 1 month' });
  else check('filing_months', weights.filing_months, MAX_FILING_MONTHS, 'months');
  return problems;
}

/** A division and the divisions above it by the GB/T 2260 code, nearest first, ending with the nation. */
export function divisionChain(code: string): string[] {
  const chain = [code, `${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`, NATION_CODE];
  return chain.filter((item, index) => chain.indexOf(item) === index);
}

export interface StoredWeights {
  readonly division_code: string;
  readonly version: number;
  readonly weights: RiskWeights;
}

/** The weights in force at a division: its own newest, else the nearest ancestor's newest, else none. */
export function weightsInForce<T extends StoredWeights>(code: string, stored: readonly T[]): T | null {
  for (const division of divisionChain(code)) {
    const newest = stored
      .filter((row) => row.division_code === division)
      .reduce<T | null>((best, row) => (best && best.version >= row.version ? best : row), null);
    if (newest) return newest;
  }
  return null;
}

/**
 * The months whose filings count: the latest `count` months (in order) with a filing deadline passed by `now`.
 * Recent conduct is what the list ranks by; an older lapse that led anywhere is a violation, counted on its own.
 */
export function filingWindow<Month extends Omit<FilingMonth, 'owed'>>(
  months: readonly Month[],
  now: Date,
  count: number,
): Month[] {
  const due = months.filter(
    (month) => Math.min(month.declarationDeadline.getTime(), month.reportDeadline.getTime()) < now.getTime(),
  );
  return due.slice(Math.max(0, due.length - count));
}

export interface FilingMonth {
  /** `YYYY-MM-01`. */
  readonly period: string;
  readonly declarationDeadline: Date;
  readonly reportDeadline: Date;
  /** Was the enterprise designated at the end of the month (so it owed the month's filings)? */
  readonly owed: boolean;
}

/**
 * Late and missing filings of an enterprise: for every month it owed whose deadline has passed by `now`, the
 * first version of its flow declaration and of its monthly report — late if it says so, missing if none.
 */
export function filingCounts(
  months: readonly FilingMonth[],
  firstDeclaration: ReadonlyMap<string, { late: boolean }>,
  firstReport: ReadonlyMap<string, { late: boolean }>,
  now: Date,
  count: number,
): { late: RiskFacts['late_filings']; missing: RiskFacts['missing_filings'] } {
  const late = { declarations: 0, reports: 0 };
  const missing = { declarations: 0, reports: 0 };
  for (const month of filingWindow(months, now, count)) {
    if (!month.owed) continue;
    const kinds = [
      ['declarations', month.declarationDeadline, firstDeclaration.get(month.period)],
      ['reports', month.reportDeadline, firstReport.get(month.period)],
    ] as const;
    for (const [kind, deadline, first] of kinds) {
      if (first?.late) late[kind] += 1;
      else if (!first && now.getTime() > deadline.getTime()) missing[kind] += 1;
    }
  }
  return { late, missing };
}
