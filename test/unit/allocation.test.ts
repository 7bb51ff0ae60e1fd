import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  AllocationError,
  checkManual,
  differencesFromEngine,
  ineligibleReasons,
  MIN_SEPARATION_CAPACITY_REO_KG,
  reasonFor,
  type AllocationInput,
  type Category,
  type Holder,
} from '../../src/server/modules/allocation/allocation.rules.ts';

const eligibleFacts = {
  designated: true,
  mining_licence_valid: true,
  safety_licence_valid: true,
  discharge_permit_ok: true,
  idle: false,
};

const holderArb = (id: string): fc.Arbitrary<Holder> =>
  fc.record({
    id: fc.constant(id),
    cap_reo_kg: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1_000_000, max: 80_000_000 })),
    technical_score: fc.integer({ min: 0, max: 100 }),
    environment_score: fc.integer({ min: 0, max: 100 }),
    safety_score: fc.integer({ min: 0, max: 100 }),
    facts: fc.record({
      designated: fc.constantFrom(true, true, true, true, false),
      mining_licence_valid: fc.constantFrom(true, true, true, false),
      safety_licence_valid: fc.constantFrom(true, true, true, false),
      discharge_permit_ok: fc.constantFrom(true, true, true, false),
      idle: fc.constantFrom(false, false, false, true),
    }),
    prior_year_penalties: fc.constantFrom(0, 0, 0, 1, 2),
  });

const holdersArb = fc
  .integer({ min: 1, max: 25 })
  .chain((count) =>
    fc.tuple(...Array.from({ length: count }, (_, index) => holderArb(`h${String(index).padStart(3, '0')}`))),
  );

const weightsArb = fc.record({
  capacity: fc.integer({ min: 1, max: 100 }),
  technical: fc.integer({ min: 0, max: 100 }),
  environment: fc.integer({ min: 0, max: 100 }),
  safety: fc.integer({ min: 0, max: 100 }),
});

const categoryArb = fc.constantFrom<Category>('mining_rock', 'mining_ion_adsorption', 'separation');

/** A valid input: the total is a fraction of what the eligible holders can take. */
const inputArb: fc.Arbitrary<AllocationInput> = fc
  .record({
    category: categoryArb,
    holders: holdersArb,
    weights: weightsArb,
    penalty_reduction_ppm: fc.integer({ min: 0, max: 500_000 }),
    fraction: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ category, holders, weights, penalty_reduction_ppm, fraction }) => {
    const capacity = holders
      .filter((holder) => ineligibleReasons(category, holder).length === 0)
      .reduce((sum, holder) => sum + holder.cap_reo_kg, 0);
    return {
      category,
      holders,
      weights,
      penalty_reduction_ppm,
      total_reo_kg: Math.floor((capacity * fraction) / 1000),
    };
  });

const byId = (result: ReturnType<typeof allocate>) => new Map(result.holders.map((holder) => [holder.id, holder]));
const run = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };

describe('allocation engine (Art. 6)', () => {
  it('assigns exactly the total, none negative, none above its cap, ineligible get zero with reasons', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = allocate(input);
        expect(result.holders.reduce((sum, holder) => sum + holder.reo_kg, 0)).toBe(input.total_reo_kg);
        for (const holder of result.holders) {
          expect(Number.isSafeInteger(holder.reo_kg)).toBe(true);
          expect(holder.reo_kg).toBeGreaterThanOrEqual(0);
          expect(holder.reo_kg).toBeLessThanOrEqual(holder.cap_reo_kg);
          if (!holder.eligible) {
            expect(holder.reo_kg).toBe(0);
            expect(holder.reasons.length).toBeGreaterThan(0);
          }
          expect(holder.contributions.reduce((sum, part) => sum + part.reo_kg, 0)).toBe(holder.reo_kg);
        }
      }),
      run,
    );
  });

  it('is deterministic and does not depend on the order holders are listed in', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = [...input.holders].sort(
          (a, b) => ((a.id.charCodeAt(3) * 31 + seed) % 17) - ((b.id.charCodeAt(3) * 31 + seed) % 17),
        );
        const first = byId(allocate(input));
        const second = byId(allocate({ ...input, holders: shuffled }));
        const again = byId(allocate(input));
        for (const [id, holder] of first) {
          expect(second.get(id)?.reo_kg).toBe(holder.reo_kg);
          expect(again.get(id)).toEqual(holder);
        }
      }),
      run,
    );
  });

  it('gives equal holders equal shares (within one kg of rounding)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const twin = { ...input.holders[0]!, id: 'twin' };
        const result = byId(allocate({ ...input, holders: [...input.holders, twin] }));
        expect(
          Math.abs((result.get('twin')?.reo_kg ?? 0) - (result.get(input.holders[0]!.id)?.reo_kg ?? 0)),
        ).toBeLessThanOrEqual(1);
      }),
      run,
    );
  });

  it('never gives less for more capacity or a better score', () => {
    const improvement = fc.record({
      field: fc.constantFrom('cap_reo_kg', 'technical_score', 'environment_score', 'safety_score'),
      amount: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(inputArb, fc.nat(), improvement, (input, pick, { field, amount }) => {
        const index = pick % input.holders.length;
        const holder = input.holders[index]!;
        const better: Holder =
          field === 'cap_reo_kg'
            ? { ...holder, cap_reo_kg: holder.cap_reo_kg + amount }
            : { ...holder, [field]: Math.min(100, holder[field as 'technical_score'] + 1 + (amount % 20)) };
        const holders = input.holders.map((item, position) => (position === index ? better : item));
        const before = byId(allocate(input)).get(holder.id)!.reo_kg;
        const after = byId(allocate({ ...input, holders })).get(holder.id)!.reo_kg;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      run,
    );
  });

  it('never gives a penalised holder more than it would get unpenalised, and says by how much it was reduced', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const penalised = allocate(input);
        const clean = byId(
          allocate({ ...input, holders: input.holders.map((holder) => ({ ...holder, prior_year_penalties: 0 })) }),
        );
        for (const holder of penalised.holders) {
          if (input.holders.find((item) => item.id === holder.id)!.prior_year_penalties === 0) continue;
          const unpenalised = clean.get(holder.id)!.reo_kg;
          expect(holder.reo_kg).toBeLessThanOrEqual(unpenalised);
          expect(holder.unpenalised_reo_kg).toBe(unpenalised);
          expect(holder.penalty_reduction_reo_kg).toBe(unpenalised - holder.reo_kg);
        }
      }),
      run,
    );
  });

  it('redistributes what capped holders cannot take', () => {
    const holder = (id: string, cap: number, technical: number): Holder => ({
      id,
      cap_reo_kg: cap,
      technical_score: technical,
      environment_score: 0,
      safety_score: 0,
      facts: eligibleFacts,
      prior_year_penalties: 0,
    });
    // small's basis 100 × (100 + 100 × 100) outweighs big's 10,000 × 100: its quota (478 kg) is above its cap.
    const weights = { capacity: 1, technical: 100, environment: 0, safety: 0 };
    const result = byId(
      allocate({
        category: 'mining_rock',
        total_reo_kg: 1000,
        weights,
        penalty_reduction_ppm: 0,
        holders: [holder('small', 100, 100), holder('big', 10_000, 0), holder('mid', 1000, 0)],
      }),
    );
    expect(result.get('small')).toMatchObject({ reo_kg: 100, capped: true });
    expect((result.get('big')?.reo_kg ?? 0) + (result.get('mid')?.reo_kg ?? 0)).toBe(900);
    expect(result.get('big')?.reo_kg).toBe(818); // 900 × 10000/11000 = 818.18…
  });

  it('explains ineligibility: separation below 2,000 t, licences, designation, idle', () => {
    const base: Holder = {
      id: 'x',
      cap_reo_kg: MIN_SEPARATION_CAPACITY_REO_KG - 1,
      technical_score: 50,
      environment_score: 50,
      safety_score: 50,
      facts: { ...eligibleFacts, designated: false, safety_licence_valid: false, idle: true },
      prior_year_penalties: 0,
    };
    expect(ineligibleReasons('separation', base)).toEqual([
      'not_designated',
      'no_valid_safety_licence',
      'idle',
      'separation_capacity_below_minimum',
    ]);
    expect(
      ineligibleReasons('mining_rock', {
        ...base,
        facts: { ...eligibleFacts, mining_licence_valid: false, discharge_permit_ok: false },
      }),
    ).toEqual(['no_valid_mining_licence', 'discharge_permit_failed']);
  });

  it('refuses a total the eligible holders cannot take, and bad numbers, naming the field', () => {
    const holder: Holder = {
      id: 'a',
      cap_reo_kg: 10,
      technical_score: 50,
      environment_score: 50,
      safety_score: 50,
      facts: eligibleFacts,
      prior_year_penalties: 0,
    };
    const input: AllocationInput = {
      category: 'mining_rock',
      total_reo_kg: 11,
      weights: { capacity: 1, technical: 1, environment: 1, safety: 1 },
      penalty_reduction_ppm: 0,
      holders: [holder],
    };
    expect(() => allocate(input)).toThrow(AllocationError);
    expect(() => allocate(input)).toThrow(/exceeds/);
    expect(() => allocate({ ...input, total_reo_kg: 1.5 })).toThrow(
      expect.objectContaining({ field: 'total_reo_kg' }) as Error,
    );
    expect(() => allocate({ ...input, total_reo_kg: 5, holders: [holder, holder] })).toThrow(
      expect.objectContaining({ field: 'holders.1.id' }) as Error,
    );
    expect(() => allocate({ ...input, total_reo_kg: 5, holders: [{ ...holder, cap_reo_kg: -1 }] })).toThrow(
      expect.objectContaining({ field: 'holders.0.cap_reo_kg' }) as Error,
    );
  });
});

describe('departures from the engine (oversight rule 2)', () => {
  it('finds no difference in the engine result given by hand, and names every holder moved', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const engine = allocate(input);
        const same = checkManual(
          input,
          engine.holders.map((holder) => ({ holder_id: holder.id, reo_kg: holder.reo_kg })),
        );
        expect(differencesFromEngine(engine, same)).toEqual([]);
        expect(reasonFor([], undefined)).toBeNull();
        const [from, to] = engine.holders.filter((holder) => holder.eligible && holder.reo_kg > 0 && !holder.capped);
        if (!from || !to) return;
        const moved = checkManual(
          input,
          engine.holders.map((holder) => ({
            holder_id: holder.id,
            reo_kg: holder.reo_kg + (holder.id === from.id ? -1 : holder.id === to.id ? 1 : 0),
          })),
        );
        expect(differencesFromEngine(engine, moved).map((row) => row.holder_id)).toEqual(
          [from.id, to.id].sort((a, b) => (a < b ? -1 : 1)),
        );
      }),
      run,
    );
  });

  it('requires a trimmed, non-empty reason of at most 1000 characters when the figures differ', () => {
    const differences = [{ holder_id: 'a', engine_reo_kg: 10, reo_kg: 9 }];
    for (const reason of [undefined, '', '  \n '])
      expect(() => reasonFor(differences, reason)).toThrow(expect.objectContaining({ field: 'reason' }) as Error);
    expect(() => reasonFor(differences, 'x'.repeat(1001))).toThrow(/at most 1000/);
    expect(reasonFor(differences, '  国务院批复另有安排 ')).toBe('国务院批复另有安排');
    expect(reasonFor([], '  ')).toBeNull();
    expect(reasonFor([], '说明')).toBe('说明');
  });
});
