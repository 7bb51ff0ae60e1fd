import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineOf, declarationStatus, monthsOfYearUntil } from '../../src/server/modules/flows/declarations.rules.ts';
import {
  inheritOrigins,
  lineReo,
  offsetOf,
  periodOf,
  transformEdges,
  type ProductFacts,
} from '../../src/server/modules/flows/flows.rules.ts';
import { pathsFrom, shareOfPpm } from '../../src/server/modules/trace/trace.rules.ts';
import { balanceGap, beyond, matchFinding } from '../../src/server/modules/checks/checks.rules.ts';

const assay: ProductFacts = {
  code: 'BASTNAESITE_CONC',
  category: 'mineral',
  ore_type: 'rock',
  conversion: 'assay',
  reo_factor_ppm: null,
  active: true,
};
const metal: ProductFacts = {
  code: 'ND_METAL',
  category: 'separated',
  ore_type: null,
  conversion: 'factor',
  reo_factor_ppm: 1_166_377,
  active: true,
};

describe('REO of a line', () => {
  it('is computed from the grade or the factor, rounded half up, and checked when given', () => {
    expect(lineReo({ batch: 'B', product: 'X', mass_kg: 1001, grade_ppm: 500_000 }, assay, '')).toEqual({ reoKg: 501 });
    expect(lineReo({ batch: 'B', product: 'X', mass_kg: 1000 }, metal, '')).toEqual({ reoKg: 1166 });
    expect(lineReo({ batch: 'B', product: 'X', mass_kg: 1000, reo_kg: 1167 }, metal, '')).toEqual({ reoKg: 1167 });
    expect(lineReo({ batch: 'B', product: 'X', mass_kg: 1000, reo_kg: 1200 }, metal, 'inputs.0.')).toMatchObject({
      field: 'inputs.0.reo_kg',
    });
    expect(lineReo({ batch: 'B', product: 'X', mass_kg: 1000 }, assay, '')).toMatchObject({ field: 'grade_ppm' });
  });
});

describe('times', () => {
  it('put an event in the Beijing month and keep the offset it was written with', () => {
    expect(periodOf(new Date('2026-03-31T16:30:00Z'))).toBe('2026-04-01');
    expect(periodOf(new Date('2026-03-31T15:59:59Z'))).toBe('2026-03-01');
    expect(offsetOf('2026-03-05T08:30:00+08:00')).toBe('+08:00');
    expect(offsetOf('2026-03-05T08:30:00Z')).toBe('+00:00');
    expect(offsetOf('2026-03-05T08:30:00-0500')).toBe('-05:00');
  });
});

describe('declarations', () => {
  it('are due by the 10th of the next month, 23:59:59 Beijing time', () => {
    expect(deadlineOf('2026-03-01').toISOString()).toBe('2026-04-10T15:59:59.999Z');
    expect(deadlineOf('2026-12-01').toISOString()).toBe('2027-01-10T15:59:59.999Z');
  });
  it('move from open to due to missing, and are sealed or late by when they were first sealed', () => {
    const period = '2026-03-01';
    expect(declarationStatus(period, null, new Date('2026-03-31T15:00:00Z'))).toBe('open');
    expect(declarationStatus(period, null, new Date('2026-03-31T16:00:00Z'))).toBe('due');
    expect(declarationStatus(period, null, new Date('2026-04-10T15:59:59Z'))).toBe('due');
    expect(declarationStatus(period, null, new Date('2026-04-10T16:00:00Z'))).toBe('missing');
    expect(declarationStatus(period, new Date('2026-04-10T15:59:59Z'), new Date('2026-06-01'))).toBe('sealed');
    expect(declarationStatus(period, new Date('2026-04-10T16:00:01Z'), new Date('2026-06-01'))).toBe('late');
    expect(monthsOfYearUntil(2026, new Date('2026-03-31T16:00:00Z'))).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
    ]);
  });
});

describe('transform edges', () => {
  const inputs = [
    { batch: 'A', reoKg: 600 },
    { batch: 'B', reoKg: 400 },
  ];
  it('are implied for one output in proportion to the inputs, and must be given for several of each', () => {
    expect(transformEdges(inputs, [{ batch: 'O', reoKg: 901 }], undefined)).toEqual({
      edges: [
        { fromBatch: 'A', toBatch: 'O', reoKg: 541 },
        { fromBatch: 'B', toBatch: 'O', reoKg: 360 },
      ],
    });
    expect(
      transformEdges(
        inputs,
        [
          { batch: 'O', reoKg: 500 },
          { batch: 'P', reoKg: 400 },
        ],
        undefined,
      ),
    ).toMatchObject({ findings: [{ field: 'edges' }] });
  });
  it('refuse outputs above the inputs, an input giving more than it had, and an output its edges do not fill', () => {
    expect(transformEdges(inputs, [{ batch: 'O', reoKg: 1001 }], undefined)).toMatchObject({
      findings: [{ field: 'outputs' }],
    });
    const given = [
      { from_batch: 'A', to_batch: 'O', reo_kg: 700 },
      { from_batch: 'B', to_batch: 'O', reo_kg: 100 },
    ];
    expect(transformEdges(inputs, [{ batch: 'O', reoKg: 900 }], given)).toMatchObject({
      findings: [{ field: 'inputs.0.reo_kg' }, { field: 'outputs.0.reo_kg' }],
    });
    expect(
      transformEdges(inputs, [{ batch: 'O', reoKg: 800 }], [{ from_batch: 'Z', to_batch: 'O', reo_kg: 800 }]),
    ).toMatchObject({
      findings: [{ field: 'edges.0.from_batch' }],
    });
  });
});

describe('origin shares (DESIGN §3: a batch’s origin shares sum to exactly its REO)', () => {
  it('carried through any merge and split, stay whole kg and sum exactly', () => {
    const origins = fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(origins, fc.integer({ min: 0, max: 10_000_000 })), { minLength: 1, maxLength: 6 }),
        (parents) => {
          const edges = parents.map(([shares, edge], parent) => ({
            reoKg: edge,
            parentOrigins: new Map(shares.map((kg, index) => [parent * 100 + index, kg])),
          }));
          // A parent with no REO cannot give any: such an edge carries 0.
          const usable = edges.map((edge) => ({
            ...edge,
            reoKg: [...edge.parentOrigins.values()].some((kg) => kg > 0) ? edge.reoKg : 0,
          }));
          const result = inheritOrigins(usable);
          const total = [...result.values()].reduce((sum, kg) => sum + kg, 0);
          expect(total).toBe(usable.reduce((sum, edge) => sum + edge.reoKg, 0));
          for (const kg of result.values()) expect(Number.isInteger(kg) && kg > 0).toBe(true);
        },
      ),
    );
  });
});

describe('trace paths and shares', () => {
  it('follow the heaviest edge, breadth first', () => {
    const paths = pathsFrom(1, [
      { from: 1, to: 2, reoKg: 10 },
      { from: 1, to: 3, reoKg: 90 },
      { from: 2, to: 4, reoKg: 10 },
      { from: 3, to: 4, reoKg: 90 },
    ]);
    expect(paths.get(4)).toEqual([1, 3, 4]);
    expect(shareOfPpm(1, 3)).toBe(333_333);
    expect(shareOfPpm(2, 3)).toBe(666_667);
  });
});

describe('check tolerances', () => {
  it('compare exactly in ppm, allow REO rounding of half a kg per line, and flag a missing side', () => {
    expect(beyond(1, 1000, 1000)).toBe(false);
    expect(beyond(2, 1000, 1000)).toBe(true);
    const row = {
      opening_mass: 0,
      opening_reo: 0,
      in_mass: 1000,
      in_reo: 500,
      out_mass: 1000,
      out_reo: 501,
      closing_mass: 0,
      closing_reo: 0,
      lines: 2,
    };
    expect(balanceGap(row, 0)).toBeNull();
    expect(balanceGap({ ...row, out_reo: 503 }, 0)).toEqual({ mass_kg: 0, reo_kg: -3 });
    expect(balanceGap({ ...row, out_mass: 999 }, 0)).toEqual({ mass_kg: 1, reo_kg: -1 });
    expect(matchFinding(100, 0, 0)).toBe('unmatched_shipment');
    expect(matchFinding(100, 99, 0)).toBe('quantity_mismatch');
    expect(matchFinding(1000, 999, 1000)).toBeNull();
  });
});
