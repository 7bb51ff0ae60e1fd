import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkCreditCode } from '../../src/contracts/credit-code.rules.ts';
import { flowEventInput, type FlowEventInput, type FlowLine } from '../../src/contracts/flows.ts';
import { ppmOf } from '../../src/server/modules/flows/flows.rules.ts';
import { benchRegister, FACTOR_PPM, monthStartMs, type BenchShape } from '../../src/cli/bench-flows.data.ts';
import { FlowSimulation, type Submission } from '../../src/cli/bench-flows.sim.ts';

const counties = (province: string) => [`${province}0102`, `${province}0203`, `${province}0304`];
const shape: BenchShape = { events: 6_000, months: 3, seed: 11 };

function simulate(of: BenchShape): { submissions: Submission[]; simulation: FlowSimulation } {
  const register = benchRegister(of, counties);
  const simulation = new FlowSimulation(register, of);
  const submissions: Submission[] = [];
  for (let month = 1; month <= of.months; month += 1) submissions.push(...simulation.submissions(month));
  return { submissions, simulation };
}

function digest(submissions: readonly Submission[]): string {
  const hash = createHash('sha256');
  for (const submission of submissions) hash.update(JSON.stringify([submission.enterprise, submission.events]));
  return hash.digest('hex');
}

type Held = Map<string, { mass: number; reo: number; product: string }>;

/**
 * Replays the events as the ingest would: holdings per enterprise and batch (maker, code); no batch leaves in
 * larger amount than held; transforms never make REO; each line's REO is its mass × grade or factor.
 */
class Replay {
  readonly holdings = new Map<string, Held>();
  readonly problems: string[] = [];

  held(enterprise: string): Held {
    const map: Held =
      this.holdings.get(enterprise) ?? new Map<string, { mass: number; reo: number; product: string }>();
    this.holdings.set(enterprise, map);
    return map;
  }

  move(enterprise: string, maker: string, line: FlowLine, sign: 1 | -1, where: string): void {
    const key = `${maker}|${line.batch}`;
    const held = this.held(enterprise);
    const current = held.get(key) ?? { mass: 0, reo: 0, product: line.product };
    if (sign === -1 && current.mass < line.mass_kg)
      this.problems.push(`${where}: ${line.mass_kg} kg leave ${key}, only ${current.mass} held`);
    current.mass += sign * line.mass_kg;
    current.reo += sign * (line.reo_kg ?? 0);
    held.set(key, current);
  }

  lineReo(line: FlowLine, where: string): void {
    const factor = FACTOR_PPM.get(line.product);
    const expected = ppmOf(line.mass_kg, factor ?? line.grade_ppm ?? 0);
    if (Math.abs(expected - (line.reo_kg ?? -99)) > 1) this.problems.push(`${where}: REO ${line.reo_kg} ≠ ${expected}`);
  }

  apply(self: string, event: FlowEventInput): { counted?: [string, number] } {
    const where = event.event_id;
    if (event.kind === 'transform') {
      for (const line of [...event.inputs, ...event.outputs]) this.lineReo(line, where);
      for (const line of event.inputs) this.move(self, line.batch_maker ?? self, line, -1, where);
      for (const line of event.outputs) this.move(self, self, line, 1, where);
      const into = (batch: string) =>
        (event.edges ?? []).filter((edge) => edge.to_batch === batch).reduce((sum, edge) => sum + edge.reo_kg, 0);
      const from = (batch: string) =>
        (event.edges ?? []).filter((edge) => edge.from_batch === batch).reduce((sum, edge) => sum + edge.reo_kg, 0);
      for (const line of event.outputs)
        if (into(line.batch) !== line.reo_kg) this.problems.push(`${where}: edges into ${line.batch}`);
      for (const line of event.inputs)
        if (from(line.batch) > (line.reo_kg ?? 0)) this.problems.push(`${where}: edges from ${line.batch}`);
      return {};
    }
    this.lineReo(event, where);
    const maker = event.batch_maker ?? (event.kind === 'receive' ? event.counterparty : self);
    if (event.kind === 'produce' || event.kind === 'receive') this.move(self, maker, event, 1, where);
    if (event.kind === 'ship' || event.kind === 'export' || event.kind === 'loss')
      this.move(self, maker, event, -1, where);
    if (event.kind === 'stock_count') return { counted: [`${maker}|${event.batch}`, event.mass_kg] };
    return {};
  }
}

describe('the flow benchmark generator', () => {
  it('makes the same data from the same shape and seed, and other data from another seed', () => {
    expect(digest(simulate(shape).submissions)).toBe(digest(simulate(shape).submissions));
    expect(digest(simulate({ ...shape, seed: 12 }).submissions)).not.toBe(digest(simulate(shape).submissions));
  });

  it('has a register of valid credit codes and the chain of roles', () => {
    const register = benchRegister(shape, counties);
    expect(register.enterprises.every((enterprise) => checkCreditCode(enterprise.creditCode) === null)).toBe(true);
    expect(new Set(register.enterprises.map((enterprise) => enterprise.creditCode)).size).toBe(
      register.enterprises.length,
    );
    for (const role of ['rock_mine', 'ion_mine', 'rock_plant', 'ion_plant', 'metal_maker', 'trader'] as const)
      expect(register.byRole[role].length).toBeGreaterThan(0);
  });

  it('comes out near the size asked for, as valid events of the right months in time order', () => {
    const { submissions, simulation } = simulate(shape);
    expect(simulation.tally.events).toBeGreaterThan(shape.events * 0.8);
    expect(simulation.tally.events).toBeLessThan(shape.events * 1.2);
    const problems: string[] = [];
    for (const { month, events } of submissions) {
      let previous = '';
      for (const event of events) {
        const parsed = flowEventInput.safeParse(event);
        if (!parsed.success) problems.push(`${event.event_id}: ${parsed.error.message}`);
        const at = Date.parse(event.event_time);
        if (at < monthStartMs(month) || at >= monthStartMs(month + 1))
          problems.push(`${event.event_id}: not in month ${month}`);
        if (event.event_time < previous) problems.push(`${event.event_id}: out of time order`);
        previous = event.event_time;
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(simulation.tally.byKind).sort()).toEqual([
      'export',
      'loss',
      'produce',
      'receive',
      'ship',
      'stock_count',
      'transform',
    ]);
  });

  it('never ships more than is held, keeps REO exact, and closes every enterprise-month with its counts', () => {
    const { submissions, simulation } = simulate(shape);
    const codes = simulation.register.enterprises.map((enterprise) => enterprise.creditCode);
    const replay = new Replay();
    for (let month = 1; month <= shape.months; month += 1) {
      const counted = new Map<string, Map<string, number>>();
      for (const submission of submissions.filter((item) => item.month === month)) {
        const code = codes[submission.enterprise]!;
        for (const event of submission.events) {
          const result = replay.apply(code, event);
          if (result.counted) {
            const list = counted.get(code) ?? new Map<string, number>();
            list.set(...result.counted);
            counted.set(code, list);
          }
        }
      }
      // Opening + in − out = closing: what each enterprise holds at month end is exactly what it counted.
      for (const [enterprise, held] of replay.holdings) {
        const positive = [...held]
          .filter(([, value]) => value.mass > 0)
          .map(([key, value]) => [key, value.mass] as const);
        expect(new Map(positive), `${enterprise} in month ${month}`).toEqual(counted.get(enterprise) ?? new Map());
      }
    }
    expect(replay.problems).toEqual([]);
  });
});
