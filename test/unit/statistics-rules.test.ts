import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATISTICS_POLICY,
  changeThreshold,
  statisticsDecision,
  type StatisticsPolicy,
} from '../../src/server/db/statistics.rules.ts';

const policies = fc.record({
  floorRows: fc.integer({ min: 1, max: 1_000_000 }),
  fraction: fc.double({ min: 0.001, max: 1, noNaN: true }),
  intervalMs: fc.integer({ min: 1, max: 3_600_000 }),
}) satisfies fc.Arbitrary<StatisticsPolicy>;
// -1 is what pg_class.reltuples says for a table never analysed.
const estimates = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2_000_000_000 }));
const times = fc.integer({ min: 0, max: 4_000_000_000_000 });

describe('when the system analyses a flow table', () => {
  it('never below the floor, and never more than the floor plus the fraction of the table', () => {
    fc.assert(
      fc.property(policies, estimates, (policy, estimated) => {
        const threshold = changeThreshold(estimated, policy);
        expect(threshold).toBeGreaterThanOrEqual(policy.floorRows);
        expect(threshold).toBeLessThanOrEqual(policy.floorRows + Math.ceil(policy.fraction * Math.max(0, estimated)));
      }),
    );
  });

  it('asks more changed rows of a larger table (monotone in its size)', () => {
    fc.assert(
      fc.property(policies, estimates, estimates, (policy, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(changeThreshold(small, policy)).toBeLessThanOrEqual(changeThreshold(large, policy));
      }),
    );
  });

  it('skips while fewer rows than the threshold changed, whatever the time', () => {
    fc.assert(
      fc.property(policies, estimates, times, fc.option(times, { nil: undefined }), (policy, estimated, now, last) => {
        const threshold = changeThreshold(estimated, policy);
        const changedRows = threshold - 1;
        expect(
          statisticsDecision({ changedRows, estimatedRows: estimated, lastAnalysedMs: last, nowMs: now }, policy),
        ).toEqual({ kind: 'skip' });
      }),
    );
  });

  it('analyses once the threshold is reached and the table was not analysed within the interval', () => {
    fc.assert(
      fc.property(
        policies,
        estimates,
        fc.integer({ min: 0, max: 10_000_000 }),
        times,
        fc.option(fc.integer({ min: 0, max: 1_000_000_000 }), { nil: undefined }),
        (policy, estimated, extra, now, ago) => {
          const changedRows = changeThreshold(estimated, policy) + extra;
          const lastAnalysedMs = ago === undefined ? undefined : now - policy.intervalMs - ago;
          expect(
            statisticsDecision({ changedRows, estimatedRows: estimated, lastAnalysedMs, nowMs: now }, policy),
          ).toEqual({ kind: 'analyse' });
        },
      ),
    );
  });

  it('waits out the rest of the interval (never longer than one) when the table was analysed recently', () => {
    fc.assert(
      fc.property(
        policies,
        estimates,
        times,
        fc.integer({ min: -1_000_000, max: 3_600_000 }),
        (policy, estimated, now, since) => {
          fc.pre(since < policy.intervalMs);
          const decision = statisticsDecision(
            {
              changedRows: changeThreshold(estimated, policy),
              estimatedRows: estimated,
              lastAnalysedMs: now - since,
              nowMs: now,
            },
            policy,
          );
          expect(decision.kind).toBe('wait');
          if (decision.kind !== 'wait') return;
          expect(decision.ms).toBeGreaterThan(0);
          expect(decision.ms).toBeLessThanOrEqual(policy.intervalMs);
          if (since >= 0) expect(decision.ms).toBe(policy.intervalMs - since);
        },
      ),
    );
  });

  it('by default: a never-analysed table after 5,000 rows; a table of 10^7 rows after 200,000', () => {
    const at = (changedRows: number, estimatedRows: number) =>
      statisticsDecision({ changedRows, estimatedRows, lastAnalysedMs: undefined, nowMs: 0 }).kind;
    expect(DEFAULT_STATISTICS_POLICY.floorRows).toBe(5_000);
    expect(at(4_999, -1)).toBe('skip');
    expect(at(5_000, -1)).toBe('analyse');
    expect(at(199_999, 10_000_000)).toBe('skip');
    expect(at(200_000, 10_000_000)).toBe('analyse');
  });
});
