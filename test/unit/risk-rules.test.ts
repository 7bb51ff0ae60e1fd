import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riskAnomalyRules, type RiskWeights } from '../../src/contracts/supervision-risk.ts';
import {
  defaultRiskWeights,
  divisionChain,
  filingCounts,
  filingWindow,
  MAX_WEIGHT,
  pointsBeyondThreshold,
  rankByScore,
  scoreEnterprise,
  weightProblems,
  weightsInForce,
  type RiskFacts,
} from '../../src/server/modules/supervision/risk.rules.ts';

/** The risk-ranked list's scoring (Art. 12): exact integer points, monotone in every factor, explained. */

const count = fc.integer({ min: 0, max: 50 });
const ppm = fc.integer({ min: 0, max: 2_000_000 });

const weightsArb: fc.Arbitrary<RiskWeights> = fc.record({
  anomaly: fc.record({
    mass_balance: fc.integer({ min: 0, max: MAX_WEIGHT }),
    unmatched_shipment: fc.integer({ min: 0, max: MAX_WEIGHT }),
    quantity_mismatch: fc.integer({ min: 0, max: MAX_WEIGHT }),
    non_designated_party: fc.integer({ min: 0, max: MAX_WEIGHT }),
    quota_exceeded: fc.integer({ min: 0, max: MAX_WEIGHT }),
    yield_out_of_bounds: fc.integer({ min: 0, max: MAX_WEIGHT }),
  }),
  late_filing: fc.integer({ min: 0, max: MAX_WEIGHT }),
  missing_filing: fc.integer({ min: 0, max: MAX_WEIGHT }),
  utilisation_point: fc.integer({ min: 0, max: MAX_WEIGHT }),
  utilisation_threshold_points: fc.integer({ min: 0, max: 100 }),
  report_vs_flows: fc.integer({ min: 0, max: MAX_WEIGHT }),
  past_violation: fc.integer({ min: 0, max: MAX_WEIGHT }),
  final_penalty: fc.integer({ min: 0, max: MAX_WEIGHT }),
  lookback_years: fc.integer({ min: 0, max: 10 }),
  filing_months: fc.integer({ min: 1, max: 12 }),
});

const factsArb: fc.Arbitrary<RiskFacts> = fc.record({
  enterprise_id: fc.uuid(),
  enterprise_name: fc.string({ maxLength: 8 }),
  open_anomalies: fc.record({
    mass_balance: count,
    unmatched_shipment: count,
    quantity_mismatch: count,
    non_designated_party: count,
    quota_exceeded: count,
    yield_out_of_bounds: count,
  }),
  late_filings: fc.record({ declarations: count, reports: count }),
  missing_filings: fc.record({ declarations: count, reports: count }),
  utilisation: fc.array(
    fc.record({ category: fc.constantFrom('mining_rock', 'separation'), utilisation_ppm: fc.option(ppm) }),
    { maxLength: 2 },
  ),
  elapsed_ppm: fc.integer({ min: 0, max: 1_000_000 }),
  differences: fc.record({ report_vs_flows: count, ledger_vs_flows: count }),
  past_violations: count,
  final_penalties: count,
  since_year: fc.constant(2023),
});

/** One factor of the facts made larger (the others as they were). */
const grown: fc.Arbitrary<[RiskFacts, RiskFacts]> = fc
  .tuple(factsArb, fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 20 }))
  .map(([facts, which, more]): [RiskFacts, RiskFacts] => {
    const rule = riskAnomalyRules[which % riskAnomalyRules.length]!;
    const bigger: RiskFacts = (() => {
      switch (which) {
        case 6:
          return { ...facts, late_filings: { ...facts.late_filings, reports: facts.late_filings.reports + more } };
        case 7:
          return {
            ...facts,
            missing_filings: { ...facts.missing_filings, declarations: facts.missing_filings.declarations + more },
          };
        case 8:
          return {
            ...facts,
            utilisation: facts.utilisation.map((line) => ({
              ...line,
              utilisation_ppm: line.utilisation_ppm === null ? null : line.utilisation_ppm + more * 10_000,
            })),
          };
        case 9:
          return {
            ...facts,
            differences: { ...facts.differences, ledger_vs_flows: facts.differences.ledger_vs_flows + more },
          };
        case 10:
          return { ...facts, past_violations: facts.past_violations + more };
        case 11:
          return { ...facts, final_penalties: facts.final_penalties + more };
        default:
          return {
            ...facts,
            open_anomalies: { ...facts.open_anomalies, [rule]: (facts.open_anomalies[rule] ?? 0) + more },
          };
      }
    })();
    return [facts, bigger];
  });

const zeroWeights: RiskWeights = {
  anomaly: Object.fromEntries(riskAnomalyRules.map((rule) => [rule, 0])) as RiskWeights['anomaly'],
  late_filing: 0,
  missing_filing: 0,
  utilisation_point: 0,
  utilisation_threshold_points: 0,
  report_vs_flows: 0,
  past_violation: 0,
  final_penalty: 0,
  lookback_years: 0,
  filing_months: 1,
};

describe('risk score', () => {
  it('is the exact sum of its reasons, each figure × weight, all whole numbers', () => {
    fc.assert(
      fc.property(factsArb, weightsArb, (facts, weights) => {
        const { score, reasons } = scoreEnterprise(facts, weights);
        expect(Number.isSafeInteger(score)).toBe(true);
        expect(reasons.reduce((total, reason) => total + reason.points, 0)).toBe(score);
        for (const reason of reasons) {
          expect(reason.points).toBe(reason.figure * reason.weight);
          expect(reason.figure).toBeGreaterThan(0);
          expect(reason.text.zh.length).toBeGreaterThan(0);
          expect(reason.text.en.length).toBeGreaterThan(0);
        }
        for (let index = 1; index < reasons.length; index += 1)
          expect(reasons[index - 1]!.points).toBeGreaterThanOrEqual(reasons[index]!.points);
      }),
    );
  });

  it('never falls when any one factor grows (non-negative weights)', () => {
    fc.assert(
      fc.property(grown, weightsArb, ([facts, bigger], weights) => {
        expect(scoreEnterprise(bigger, weights).score).toBeGreaterThanOrEqual(scoreEnterprise(facts, weights).score);
      }),
    );
  });

  it('never falls when any weight grows', () => {
    fc.assert(
      fc.property(factsArb, weightsArb, fc.integer({ min: 1, max: 100 }), (facts, weights, more) => {
        const heavier = {
          ...weights,
          missing_filing: weights.missing_filing + more,
          final_penalty: weights.final_penalty + more,
        };
        expect(scoreEnterprise(facts, heavier).score).toBeGreaterThanOrEqual(scoreEnterprise(facts, weights).score);
      }),
    );
  });

  it('is zero under zero weights, the reasons still shown with their figures', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const { score, reasons } = scoreEnterprise(facts, zeroWeights);
        expect(score).toBe(0);
        for (const reason of reasons) expect(reason.points).toBe(0);
      }),
    );
  });

  it('is zero, with no reasons, for an enterprise with nothing against it', () => {
    const clean: RiskFacts = {
      enterprise_id: 'x',
      enterprise_name: 'x',
      open_anomalies: {},
      late_filings: { declarations: 0, reports: 0 },
      missing_filings: { declarations: 0, reports: 0 },
      utilisation: [{ category: 'mining_rock', utilisation_ppm: 400_000 }],
      elapsed_ppm: 500_000,
      differences: { report_vs_flows: 0, ledger_vs_flows: 0 },
      past_violations: 0,
      final_penalties: 0,
      since_year: 2023,
    };
    expect(scoreEnterprise(clean, defaultRiskWeights)).toEqual({ score: 0, reasons: [] });
  });

  it('counts utilisation by whole percentage points beyond the threshold', () => {
    expect(pointsBeyondThreshold(900_000, 550_000, 20)).toBe(15);
    expect(pointsBeyondThreshold(750_000, 550_000, 20)).toBe(0);
    expect(pointsBeyondThreshold(100_000, 550_000, 0)).toBe(0);
    expect(pointsBeyondThreshold(759_999, 550_000, 20)).toBe(0);
    expect(pointsBeyondThreshold(760_000, 550_000, 20)).toBe(1);
  });
});

describe('ranking', () => {
  const item = fc.record({
    score: fc.integer({ min: 0, max: 100 }),
    enterprise_name: fc.string({ maxLength: 3 }),
    enterprise_id: fc.uuid(),
  });

  it('orders by score, then name, then id, whatever the input order; equal scores share a rank', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), (items) => {
        const ranked = rankByScore(items);
        expect(rankByScore([...items].reverse()).map((entry) => entry.item)).toEqual(ranked.map((entry) => entry.item));
        ranked.forEach((entry, index) => {
          const higher = items.filter((other) => other.score > entry.item.score).length;
          expect(entry.rank).toBe(higher + 1);
          if (index > 0) {
            const previous = ranked[index - 1]!.item;
            expect(previous.score).toBeGreaterThanOrEqual(entry.item.score);
            if (previous.score === entry.item.score)
              expect(previous.enterprise_name <= entry.item.enterprise_name).toBe(true);
          }
        });
      }),
    );
  });
});

describe('weights', () => {
  it('accepts the defaults and names every field out of range', () => {
    expect(weightProblems(defaultRiskWeights)).toEqual([]);
    const bad = {
      ...defaultRiskWeights,
      anomaly: { ...defaultRiskWeights.anomaly, quota_exceeded: -1 },
      late_filing: MAX_WEIGHT + 1,
      utilisation_threshold_points: 101,
      lookback_years: 11,
      filing_months: 0,
    };
    expect(weightProblems(bad).map((problem) => problem.field)).toEqual([
      'weights.anomaly.quota_exceeded',
      'weights.late_filing',
      'weights.utilisation_threshold_points',
      'weights.lookback_years',
      'weights.filing_months',
    ]);
    expect(weightProblems({ ...defaultRiskWeights, filing_months: 13 }).map((problem) => problem.field)).toEqual([
      'weights.filing_months',
    ]);
  });

  it('inherit from the nearest division above that has any, newest version first', () => {
    expect(divisionChain('150204')).toEqual(['150204', '150200', '150000', '000000']);
    expect(divisionChain('150000')).toEqual(['150000', '000000']);
    expect(divisionChain('000000')).toEqual(['000000']);
    const stored = [
      { division_code: '000000', version: 1, weights: defaultRiskWeights },
      { division_code: '150000', version: 1, weights: zeroWeights },
      { division_code: '150000', version: 2, weights: defaultRiskWeights },
      { division_code: '360700', version: 1, weights: zeroWeights },
    ];
    expect(weightsInForce('150204', stored)).toMatchObject({ division_code: '150000', version: 2 });
    expect(weightsInForce('360728', stored)).toMatchObject({ division_code: '360700' });
    expect(weightsInForce('440000', stored)).toMatchObject({ division_code: '000000' });
    expect(weightsInForce('440000', [])).toBeNull();
  });
});

describe('filings', () => {
  const month = (period: string, owed = true) => ({
    period,
    declarationDeadline: new Date(`${period.slice(0, 8)}10T23:59:59.999+08:00`),
    reportDeadline: new Date(`${period.slice(0, 8)}12T23:59:59.999+08:00`),
    owed,
  });

  it('counts a first version marked late as late, none past the deadline as missing, and nothing not owed', () => {
    const months = [month('2026-05-01'), month('2026-06-01'), month('2026-04-01', false), month('2026-07-01')];
    const declarations = new Map([['2026-05-01', { late: true }]]);
    const reports = new Map([
      ['2026-05-01', { late: false }],
      ['2026-06-01', { late: true }],
    ]);
    const now = new Date('2026-06-11T12:00:00+08:00');
    expect(filingCounts(months, declarations, reports, now, 12)).toEqual({
      late: { declarations: 1, reports: 1 },
      // June's declaration deadline (the 10th, as built here) has passed; July's has not; April was not owed.
      missing: { declarations: 1, reports: 0 },
    });
  });

  it('counts only the latest months whose filings fell due, however many lapsed before', () => {
    const months = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01'].map((period) =>
      month(period),
    );
    // As built here, a month's declaration falls due on its own 10th and its report on the 12th.
    const now = new Date('2026-05-11T12:00:00+08:00');
    const none = new Map<string, { late: boolean }>();
    expect(filingCounts(months, none, none, now, 2)).toEqual({
      late: { declarations: 0, reports: 0 },
      missing: { declarations: 2, reports: 1 }, // April and May; May's report is not due yet
    });
    expect(filingCounts(months, none, none, now, 12).missing).toEqual({ declarations: 5, reports: 4 });
    expect(filingWindow(months, now, 2).map((item) => item.period)).toEqual(['2026-04-01', '2026-05-01']);
  });
});
