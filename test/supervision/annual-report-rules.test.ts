import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionKind, DecisionStatus } from '../../src/server/db/schema-supervision.ts';
import {
  annualDeadline,
  annualStatus,
  assembleDecisions,
  assembleIndicators,
  assembleInspections,
  assembleViolations,
  submissionOpens,
  type AnnualRecords,
  type DecisionRecord,
} from '../../src/server/modules/supervision/annual-report.rules.ts';
import { violationTypes } from '../../src/server/modules/supervision/supervision.rules.ts';

/** The pure rules of the annual supervision report: when it is due, and that every figure is a count or a sum. */

const at = (text: string) => new Date(`${text}+08:00`);

describe('when the report is due (Beijing time)', () => {
  it('is not due before 1 December, due through 31 December, late after; submitted is late by the first version', () => {
    expect(annualDeadline(2026).toISOString()).toBe('2026-12-31T15:59:59.999Z');
    expect(submissionOpens(2026).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(annualStatus(2026, null, at('2026-11-30T23:59:59'))).toEqual({ status: 'not_due', late: false });
    expect(annualStatus(2026, null, at('2026-12-01T00:00:00'))).toEqual({ status: 'due', late: false });
    expect(annualStatus(2026, null, at('2026-12-31T23:59:59'))).toEqual({ status: 'due', late: false });
    expect(annualStatus(2026, null, at('2027-01-01T00:00:00'))).toEqual({ status: 'late', late: true });
    expect(annualStatus(2026, at('2026-12-31T23:59:59'), at('2027-03-01T00:00:00'))).toEqual({
      status: 'submitted',
      late: false,
    });
    expect(annualStatus(2026, at('2027-01-01T00:00:00'), at('2027-01-01T00:00:00'))).toEqual({
      status: 'submitted',
      late: true,
    });
  });
});

const kinds: readonly DecisionKind[] = ['correction_order', 'fine', 'suspension', 'referral'];
const statuses: readonly DecisionStatus[] = ['open', 'complied', 'closed'];
const day = fc.integer({ min: 1, max: 365 }).map((n) => new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10));

const decision = fc
  .record({
    kind: fc.constantFrom(...kinds),
    status: fc.constantFrom(...statuses),
    decided_on: day,
    due: day,
    fine: fc.integer({ min: 1, max: 10_000_000 }),
    final: fc.boolean(),
    revoked: fc.boolean(),
    id: fc.uuid(),
  })
  .map(({ kind, status, decided_on, due, fine, final, revoked, id }): DecisionRecord => {
    const penalty = kind === 'fine' || kind === 'suspension';
    // As the database has it: a revoked decision is closed and never final.
    const isRevoked = revoked && !(penalty && final);
    return {
      id,
      enterprise_id: 'e',
      enterprise_name: '企业',
      kind,
      status: isRevoked ? 'closed' : status,
      document_no: id,
      decided_on,
      correction_due_on: kind === 'correction_order' ? due : null,
      fine_yuan: kind === 'fine' ? fine : null,
      final: penalty && final,
      revoked_on: isRevoked ? decided_on : null,
    };
  });

describe('assembly: every figure is a count or a sum of the records', () => {
  it('decisions: the kinds add up to the total, the states to each kind, fines not set aside to their sum (property)', () => {
    fc.assert(
      fc.property(fc.array(decision, { maxLength: 60 }), day, (records, asOf) => {
        const result = assembleDecisions(records, asOf);
        expect(result.by_kind.map((row) => row.kind)).toEqual(kinds);
        expect(result.by_kind.reduce((sum, row) => sum + row.count, 0)).toBe(records.length);
        for (const row of result.by_kind) expect(row.open + row.complied + row.closed).toBe(row.count);
        const fines = records.filter((row) => row.kind === 'fine' && row.revoked_on === null);
        expect(result.fines).toEqual({
          count: fines.length,
          total_yuan: fines.reduce((sum, row) => sum + row.fine_yuan!, 0),
        });
        expect(result.by_kind.find((row) => row.kind === 'fine')!.fine_yuan).toBe(result.fines.total_yuan);
        const overdue = records.filter(
          (row) => row.kind === 'correction_order' && row.status === 'open' && row.correction_due_on! < asOf,
        ).length;
        expect(result.by_kind.find((row) => row.kind === 'correction_order')!.overdue).toBe(overdue);
        expect(result.by_kind.filter((row) => row.kind !== 'correction_order').every((row) => row.overdue === 0)).toBe(
          true,
        );
        expect(result.final_penalties).toHaveLength(records.filter((row) => row.final).length);
        expect(result.by_kind.reduce((sum, row) => sum + row.revoked, 0)).toBe(
          records.filter((row) => row.revoked_on !== null).length,
        );
      }),
    );
  });

  it('violations: every known type listed (zero included), unknown types after them, counts adding up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Object.keys(violationTypes), 'legacy_type'), { maxLength: 50 }),
        (types) => {
          const result = assembleViolations(types);
          expect(result.total).toBe(types.length);
          expect(result.by_type.reduce((sum, row) => sum + row.count, 0)).toBe(types.length);
          expect(result.by_type.slice(0, 6).map((row) => row.type)).toEqual(Object.keys(violationTypes));
          expect(result.by_type.every((row) => row.type === 'legacy_type' || row.legal_basis.length > 0)).toBe(true);
        },
      ),
    );
  });

  const records = (partial: Partial<AnnualRecords>): AnnualRecords => ({
    province: { code: '150000', name: '内蒙古自治区' },
    year: 2026,
    now: at('2026-12-10T10:00:00'),
    asOf: '2026-12-10',
    inspections: [],
    violationTypes: [],
    decisions: [],
    enterprises: [],
    production: [],
    quota: new Map(),
    ...partial,
  });

  it('inspections: planned by planned date, visited by visit date, within the year', () => {
    const base = {
      enterprise_id: 'e',
      enterprise_name: '企业',
      credit_code: 'c',
      division_code: '150200',
      department: 'industry_it' as const,
    };
    const result = assembleInspections(
      records({
        inspections: [
          { ...base, id: '1', planned_on: '2025-12-20', visited_on: '2026-01-05', outcome: 'no_violation' },
          { ...base, id: '2', planned_on: '2026-03-10', visited_on: '2026-03-12', outcome: 'obstructed' },
          { ...base, id: '3', planned_on: '2026-12-08', visited_on: null, outcome: null },
          { ...base, id: '4', planned_on: '2026-12-30', visited_on: '2027-01-03', outcome: 'violation_found' },
        ],
      }),
    );
    expect([result.planned, result.visited, result.pending]).toEqual([3, 2, 1]);
    expect(result.outcomes).toEqual({ no_violation: 1, violation_found: 0, obstructed: 1 });
    expect(result.items.map((item) => item.inspection_id)).toEqual(['1', '2', '3', '4']);
  });

  it('indicators: allocated less reductions, output from the flows, totals the sums, and an enterprise without quota kept', () => {
    const quotaLine = {
      category: 'mining_rock',
      allocated_reo_kg: 1_000,
      reduced_reo_kg: 100,
      consumed_reo_kg: 300,
      remaining_reo_kg: 600,
      utilisation_ppm: 333_333,
      over_balance: false,
    };
    const result = assembleIndicators(
      records({
        enterprises: [
          { id: 'a', name: '甲', credit_code: 'A', domicile_code: '150206' },
          { id: 'b', name: '乙', credit_code: 'B', domicile_code: '150203' },
          { id: 'c', name: '丙', credit_code: 'C', domicile_code: '150207' },
        ],
        production: [
          { enterprise_id: 'a', period: '2026-07-01', category: 'mining_rock', reo_kg: 200 },
          { enterprise_id: 'a', period: '2026-08-01', category: 'mining_rock', reo_kg: 250 },
          { enterprise_id: 'b', period: '2026-08-01', category: 'mining_rock', reo_kg: 50 },
        ],
        quota: new Map([
          ['a', [quotaLine]],
          ['b', [{ ...quotaLine, reduced_reo_kg: 0 }]],
        ]),
      }),
    );
    expect(result.enterprises.map((row) => row.lines)).toEqual([
      [
        {
          category: 'mining_rock',
          allocated_reo_kg: 900,
          produced_reo_kg: 450,
          consumed_reo_kg: 300,
          remaining_reo_kg: 450,
          utilisation_ppm: 500_000,
        },
      ],
      [
        {
          category: 'mining_rock',
          allocated_reo_kg: 1_000,
          produced_reo_kg: 50,
          consumed_reo_kg: 300,
          remaining_reo_kg: 950,
          utilisation_ppm: 50_000,
        },
      ],
      [],
    ]);
    expect(result.totals).toEqual([
      {
        category: 'mining_rock',
        allocated_reo_kg: 1_900,
        produced_reo_kg: 500,
        consumed_reo_kg: 600,
        remaining_reo_kg: 1_400,
        utilisation_ppm: 263_158,
      },
    ]);
  });
});
