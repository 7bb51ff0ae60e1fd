import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryCodes } from '../../src/contracts/indicators.ts';
import type { TotalLine } from '../../src/contracts/reporting.ts';
import {
  addMonths,
  beyondTolerance,
  deadlineOf,
  figureProblems,
  monthsToDate,
  parsePeriod,
  reportLine,
  standing,
  sumLines,
} from '../../src/server/modules/reporting/reporting.rules.ts';

const beijing = (instant: Date) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(instant);

describe('report periods and deadlines (Asia/Shanghai)', () => {
  it('parses months and years, and ends them at Beijing midnight', () => {
    const month = parsePeriod('2026-12');
    expect(month).toMatchObject({ kind: 'month', first: '2026-12-01', lastMonth: '2026-12-01', year: 2026 });
    expect(month.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    const year = parsePeriod('2026');
    expect(year).toMatchObject({ kind: 'year', first: '2026-01-01', lastMonth: '2026-12-01' });
    expect(monthsToDate(parsePeriod('2026-03'))).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(addMonths('2026-11-01', 3)).toBe('2027-02-01');
  });

  it('gives the default calendar: the 10th, 15th, 20th and 25th of the next month, and 31 January', () => {
    const october = parsePeriod('2026-10');
    const rule = (day: number) => ({
      level: 'county' as const,
      period_kind: 'month' as const,
      month_offset: 1,
      day,
      unit: 'calendar_day' as const,
    });
    expect(beijing(deadlineOf(rule(10), october))).toBe('2026-11-10 23:59:59');
    expect(beijing(deadlineOf(rule(25), october))).toBe('2026-11-25 23:59:59');
    const annual = {
      level: 'enterprise' as const,
      period_kind: 'year' as const,
      month_offset: 1,
      day: 31,
      unit: 'calendar_day' as const,
    };
    expect(beijing(deadlineOf(annual, parsePeriod('2026')))).toBe('2027-01-31 23:59:59');
  });

  it('clamps a day past the end of a short month', () => {
    const rule = {
      level: 'province' as const,
      period_kind: 'month' as const,
      month_offset: 1,
      day: 31,
      unit: 'calendar_day' as const,
    };
    expect(beijing(deadlineOf(rule, parsePeriod('2027-01')))).toBe('2027-02-28 23:59:59');
  });

  it('counts working days on the official calendar (National Day holiday, adjusted Saturday)', () => {
    // September 2026's reports: the 5th working day of October. 1–7 October are holidays; Saturday 10 October
    // is an adjusted workday. Working days: 8, 9, 10, 12, 13 October.
    const rule = {
      level: 'enterprise' as const,
      period_kind: 'month' as const,
      month_offset: 1,
      day: 5,
      unit: 'working_day' as const,
    };
    expect(beijing(deadlineOf(rule, parsePeriod('2026-09')))).toBe('2026-10-13 23:59:59');
  });
});

describe('report figures', () => {
  const facts = {
    category: 'mining_rock' as const,
    flowReoKg: 1_000,
    flowCumulativeReoKg: 5_000,
    flowYearReoKg: 5_000,
    earlierReoKg: 3_900,
    allocatedReoKg: 10_000,
    ledgerConsumedReoKg: 5_000,
  };

  it('pre-fills from the flows and derives cumulative, remaining and utilisation', () => {
    expect(reportLine(facts, undefined, 'month')).toMatchObject({
      production_reo_kg: 1_000,
      cumulative_reo_kg: 4_900,
      remaining_reo_kg: 5_100,
      utilisation_ppm: 490_000,
      explanation: null,
    });
    expect(reportLine({ ...facts, allocatedReoKg: 0 }, undefined, 'month').utilisation_ppm).toBeNull();
    expect(reportLine(facts, undefined, 'year').cumulative_reo_kg).toBe(1_000);
  });

  it('asks for an explanation where a figure departs from the flows, naming the field', () => {
    const departed = reportLine(facts, { production_reo_kg: 900 }, 'month');
    const problems = figureProblems([departed], [{ category: 'mining_rock', production_reo_kg: 900 }]);
    expect(problems.map((problem) => problem.field)).toEqual(['figures.0.explanation']);
    expect(problems[0]?.message).toContain('1000 kg REO your flow records give');
    const explained = reportLine(facts, { production_reo_kg: 900, explanation: '月末在途' }, 'month');
    expect(
      figureProblems([explained], [{ category: 'mining_rock', production_reo_kg: 900, explanation: '月末在途' }]),
    ).toEqual([]);
    expect(
      figureProblems([explained], [{ category: 'separation', production_reo_kg: 1 }]).map((problem) => problem.field),
    ).toEqual(['figures.0.category']);
  });
});

describe('where a report stands', () => {
  const october = parsePeriod('2026-10');
  const deadline = new Date('2026-11-10T23:59:59.999+08:00');
  const none = { latest: null, compiled: false, forwarded: false };
  it('is not due before the month ends, due until the deadline, late after', () => {
    expect(standing(none, october, deadline, new Date('2026-10-31T23:00:00+08:00')).status).toBe('not_due');
    expect(standing(none, october, deadline, new Date('2026-11-10T23:59:59+08:00')).status).toBe('due');
    expect(standing(none, october, deadline, new Date('2026-11-11T00:00:00+08:00'))).toEqual({
      status: 'late',
      late: true,
    });
  });
  it('moves through submitted, compiled, forwarded, or returned; late by its first version', () => {
    const latest = {
      at: new Date('2026-11-12T00:00:00+08:00'),
      firstAt: new Date('2026-11-09T00:00:00+08:00'),
      returned: false,
    };
    const now = new Date('2026-11-20T00:00:00+08:00');
    expect(standing({ latest, compiled: false, forwarded: false }, october, deadline, now)).toEqual({
      status: 'submitted',
      late: false,
    });
    expect(standing({ latest, compiled: true, forwarded: false }, october, deadline, now).status).toBe('compiled');
    expect(standing({ latest, compiled: true, forwarded: true }, october, deadline, now).status).toBe('forwarded');
    expect(
      standing({ latest: { ...latest, returned: true }, compiled: false, forwarded: false }, october, deadline, now)
        .status,
    ).toBe('returned');
    const lateFirst = { ...latest, firstAt: new Date('2026-11-11T08:00:00+08:00') };
    expect(standing({ latest: lateFirst, compiled: false, forwarded: false }, october, deadline, now).late).toBe(true);
  });
});

describe('compilation totals', () => {
  const line = fc
    .record({
      category: fc.constantFrom(...categoryCodes),
      production_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
      cumulative_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
      allocated_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
      flow_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
      flow_cumulative_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
      ledger_consumed_reo_kg: fc.integer({ min: 0, max: 10 ** 12 }),
    })
    .map((item): TotalLine => ({
      ...item,
      remaining_reo_kg: item.allocated_reo_kg - item.cumulative_reo_kg,
      utilisation_ppm: null,
    }));
  const child = fc.uniqueArray(line, { selector: (item) => item.category, maxLength: categoryCodes.length });

  it('are the exact sums of the children, whatever the grouping (a level above gives the same totals)', () => {
    fc.assert(
      fc.property(fc.array(child, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), (children, groups) => {
        const direct = sumLines(children);
        // Compile in groups first (counties), then the groups' totals (the level above).
        const grouped = Array.from({ length: groups }, (_, index) =>
          children.filter((_, position) => position % groups === index),
        );
        const twoLevels = sumLines(grouped.map((members) => sumLines(members)));
        expect(twoLevels).toEqual(direct);
        for (const total of direct) {
          const members = children.flat().filter((item) => item.category === total.category);
          expect(total.production_reo_kg).toBe(members.reduce((sum, item) => sum + item.production_reo_kg, 0));
          expect(total.remaining_reo_kg).toBe(total.allocated_reo_kg - total.cumulative_reo_kg);
        }
      }),
    );
  });
});

describe('tolerance', () => {
  it('tolerates 0.1% of the larger figure and at least 1 kg', () => {
    expect(beyondTolerance(1_000_000, 1_001_000, 1_000, 1)).toBe(false);
    expect(beyondTolerance(1_000_000, 1_001_002, 1_000, 1)).toBe(true);
    expect(beyondTolerance(10, 11, 1_000, 1)).toBe(false);
    expect(beyondTolerance(10, 12, 1_000, 1)).toBe(true);
  });
});
