import type { FlowEventInput } from '../contracts/flows.ts';
import { apportion } from '../server/shared/quantity.ts';
import {
  beijing,
  DAY_MS,
  EventLog,
  factorOf,
  HOUR_MS,
  lineOf,
  monthStartMs,
  reoOf,
  Rng,
  YEAR,
  type BenchRegister,
  type BenchShape,
  type Lot,
} from './bench-flows.data.ts';

/**
 * A year of the national supply chain, simulated a month at a time: mines produce concentrate and ship it;
 * separation plants receive it, merge 3–20 lots (rock-type ore through mixed chloride first) into 2–6 oxide
 * lots with explicit REO edges, and ship or export them; metal makers merge 2–10 oxide lots into metal; traders
 * export. Each enterprise counts every lot it holds at month end, so every month's mass balance closes.
 * Submissions come out in dependency order (a stage only names batches earlier stages made), each an
 * enterprise's own events, ready to be recorded as that enterprise.
 */

export type StageName = 'mines' | 'plants' | 'makers' | 'traders';

/** One enterprise's events of one stage of a month, in the order to record them. */
export interface Submission {
  readonly stage: StageName;
  readonly month: number;
  /** The recording enterprise (register index). */
  readonly enterprise: number;
  readonly events: FlowEventInput[];
}

export interface SimulationTally {
  events: number;
  lines: number;
  batches: number;
  edges: number;
  readonly byKind: Record<string, number>;
  /** Quota the production consumes, kg REO, by `index:category`. */
  readonly consumed: Map<string, number>;
}

interface Shipment {
  readonly from: number;
  readonly to: number;
  readonly lot: Lot;
  readonly waybill: string;
}

interface Holder {
  eventSeq: number;
  batchSeq: number;
  /** Lots held as input (concentrate at a plant, oxide at a maker, anything at a trader). */
  stock: Lot[];
  /** Lots made (or, at a mine, produced) and not yet shipped. */
  outgoing: Lot[];
}

/** Oxide → the metal made of it. Other oxides are sold as they are. */
const METAL_OF: ReadonlyMap<string, string> = new Map([
  ['PRND_OXIDE', 'PRND_METAL'],
  ['ND2O3', 'ND_METAL'],
  ['DY2O3', 'DY_METAL'],
  ['TB4O7', 'TB_METAL'],
]);
type Mix = readonly (readonly [string, number])[];
const ROCK_OXIDES: Mix = [
  ['CEO2', 45],
  ['LA2O3', 25],
  ['PRND_OXIDE', 20],
  ['ND2O3', 5],
  ['SM2O3', 3],
  ['GD2O3', 2],
];
const ION_OXIDES: Mix = [
  ['Y2O3', 30],
  ['PRND_OXIDE', 25],
  ['DY2O3', 10],
  ['GD2O3', 10],
  ['LA2O3', 10],
  ['ND2O3', 10],
  ['TB4O7', 5],
];
const BUYERS: readonly (readonly [string, string])[] = [
  ['Hitachi Metals Trading', 'JP'],
  ['Shin-Etsu Trading', 'JP'],
  ['Korea Magnet Materials', 'KR'],
  ['Vacuumschmelze Handel', 'DE'],
  ['Neo Materials Europe', 'NL'],
  ['Advanced Magnet Supply', 'US'],
  ['Hanoi Rare Metals', 'VN'],
];
/** Work happens in the first 28 days; later lots wait for next month (and are counted at month end). */
const LAST_SHIP_DAY = 26 * DAY_MS;
const LAST_TRANSFORM_DAY = 27 * DAY_MS;

export class FlowSimulation {
  readonly tally: SimulationTally = { events: 0, lines: 0, batches: 0, edges: 0, byKind: {}, consumed: new Map() };
  private readonly rng: Rng;
  private readonly holders: Holder[];
  private month = 0;
  private start = 0;

  constructor(
    readonly register: BenchRegister,
    shape: BenchShape,
  ) {
    this.rng = new Rng(shape.seed);
    this.holders = register.enterprises.map(() => ({ eventSeq: 0, batchSeq: 0, stock: [], outgoing: [] }));
  }

  /**
   * Month `month` (1-based) of the year, stage by stage and enterprise by enterprise: each enterprise's events
   * are made when asked for, so only one enterprise's events and the shipments in transit are held at a time.
   */
  *submissions(month: number): Generator<Submission> {
    this.month = month;
    this.start = monthStartMs(month);
    // Shipments on their way to a later stage's enterprises (a plant ships to makers and to traders).
    const byReceiver = new Map<number, Shipment[]>();
    for (const stage of ['mines', 'plants', 'makers', 'traders'] as const) {
      const shipments: Shipment[] = [];
      for (const index of this.membersOf(stage)) {
        const log = new EventLog();
        this.step(stage, index, log, byReceiver.get(index) ?? [], shipments);
        byReceiver.delete(index);
        this.countStock(log, index);
        if (log.size > 0) yield { stage, month, enterprise: index, events: log.events() };
      }
      for (const shipment of shipments) {
        const list = byReceiver.get(shipment.to);
        if (list) list.push(shipment);
        else byReceiver.set(shipment.to, [shipment]);
      }
    }
  }

  private membersOf(name: StageName): readonly number[] {
    const { byRole } = this.register;
    if (name === 'mines') return [...byRole.rock_mine, ...byRole.ion_mine];
    if (name === 'plants') return [...byRole.rock_plant, ...byRole.ion_plant];
    return name === 'makers' ? byRole.metal_maker : byRole.trader;
  }

  private step(name: StageName, index: number, log: EventLog, incoming: readonly Shipment[], out: Shipment[]): void {
    for (const shipment of incoming) this.receive(log, index, shipment);
    if (name === 'mines') this.mine(log, index);
    if (name === 'plants') this.separate(log, index);
    if (name === 'makers') this.makeMetal(log, index);
    this.dispatch(log, index, name, out);
  }

  // ——— the enterprises' work ———

  private mine(log: EventLog, index: number): void {
    const self = this.register.enterprises[index]!;
    const holder = this.holders[index]!;
    const mines = [...this.register.byRole.rock_mine, ...this.register.byRole.ion_mine];
    const totalWeight = mines.reduce((sum, mine) => sum + this.register.enterprises[mine]!.weight, 0);
    const expected = ((this.register.concentratePerMonth * self.weight) / totalWeight) * this.rng.between(0.85, 1.15);
    const count = Math.floor(expected) + (this.rng.chance(expected % 1) ? 1 : 0);
    const product = self.product!;
    const category = self.role === 'ion_mine' ? 'mining_ion_adsorption' : 'mining_rock';
    for (let n = 0; n < count; n += 1) {
      const at = this.start + this.rng.between(0, 27 * DAY_MS);
      const grade =
        product === 'ION_CARBONATE'
          ? this.rng.int(880_000, 940_000)
          : product === 'BASTNAESITE_CONC'
            ? this.rng.int(500_000, 650_000)
            : this.rng.int(480_000, 600_000);
      const mass = Math.round((this.register.batchReoKg * this.rng.between(0.6, 1.4) * 1_000_000) / grade);
      const lot: Lot = {
        code: this.batchCode(index),
        maker: index,
        product,
        mass,
        grade,
        reo: reoOf(product, mass, grade),
        at,
      };
      this.record(log, index, at, { kind: 'produce', ...this.common(index, at), ...lineOf(this.register, index, lot) });
      this.made(1);
      this.consume(index, category, lot.reo);
      if (this.rng.chance(0.02))
        this.loss(log, index, lot, at + 2 * HOUR_MS, this.rng.between(0.001, 0.005), 'handling loss at the mine');
      lot.at = at + this.rng.between(DAY_MS, 2 * DAY_MS);
      holder.outgoing.push(lot);
    }
  }

  /** Plants: concentrate lots in arrival order, merged 3–20 at a time. */
  private separate(log: EventLog, index: number): void {
    const self = this.register.enterprises[index]!;
    const holder = this.holders[index]!;
    const stock = holder.stock.sort((a, b) => a.at - b.at);
    let used = 0;
    while (stock.length - used >= 3) {
      const group = stock.slice(used, used + Math.min(this.rng.int(3, 20), stock.length - used));
      const at = this.workTime(group);
      if (at > this.start + LAST_TRANSFORM_DAY) break;
      used += group.length;
      if (self.role === 'rock_plant') {
        const chloride = this.chloride(log, index, group, at);
        holder.outgoing.push(...this.transform(log, index, [chloride], at + 4 * HOUR_MS, ROCK_OXIDES, [0.93, 0.99]));
      } else {
        const oxides = this.transform(log, index, group, at, ION_OXIDES, [0.9, 0.98]);
        this.consume(
          index,
          'separation',
          oxides.reduce((sum, lot) => sum + lot.reo, 0),
        );
        holder.outgoing.push(...oxides);
      }
    }
    holder.stock = stock.slice(used);
  }

  /** Rock-type feed: the concentrate lots leached together into one lot of mixed chloride. */
  private chloride(log: EventLog, index: number, inputs: readonly Lot[], at: number): Lot {
    const inReo = inputs.reduce((sum, lot) => sum + lot.reo, 0);
    const grade = this.rng.int(440_000, 480_000);
    const mass = Math.round((Math.floor(inReo * this.rng.between(0.97, 0.99)) * 1_000_000) / grade);
    const output: Lot = {
      code: this.batchCode(index),
      maker: index,
      product: 'RE_CHLORIDE',
      mass,
      grade,
      reo: reoOf('RE_CHLORIDE', mass, grade),
      at,
    };
    if (output.reo > inReo) throw new Error('chloride: more REO out than in');
    this.made(1);
    this.recordTransform(log, index, at, inputs, [output]);
    this.consume(index, 'separation', output.reo);
    return output;
  }

  /** Inputs merged into 2–6 lots of products from the mix, at a yield in `yieldRange`. */
  private transform(
    log: EventLog,
    index: number,
    inputs: readonly Lot[],
    at: number,
    mix: Mix,
    yieldRange: readonly [number, number],
  ): Lot[] {
    const inReo = inputs.reduce((sum, lot) => sum + lot.reo, 0);
    const chosen = this.weightedSample(mix, this.rng.int(2, 6));
    const total = Math.floor(inReo * this.rng.between(yieldRange[0], yieldRange[1]));
    const shares = apportion(
      BigInt(total),
      chosen.map(([, weight]) => BigInt(Math.round(weight * this.rng.between(700, 1300)))),
    );
    const outputs = chosen.flatMap(([product], position) => this.lotOf(index, product, Number(shares[position]), at));
    this.recordTransform(log, index, at, inputs, outputs);
    return outputs;
  }

  /** Makers: oxide lots of one product merged 2–10 at a time into 1–3 metal lots. */
  private makeMetal(log: EventLog, index: number): void {
    const holder = this.holders[index]!;
    const kept: Lot[] = [];
    for (const [oxide, metal] of METAL_OF) {
      const lots = holder.stock.filter((lot) => lot.product === oxide).sort((a, b) => a.at - b.at);
      let used = 0;
      while (lots.length - used >= 2) {
        const group = lots.slice(used, used + Math.min(this.rng.int(2, 10), lots.length - used));
        const at = this.workTime(group);
        if (at > this.start + LAST_TRANSFORM_DAY) break;
        used += group.length;
        const inReo = group.reduce((sum, lot) => sum + lot.reo, 0);
        const total = Math.floor(inReo * this.rng.between(0.95, 0.99));
        const parts = apportion(
          BigInt(total),
          Array.from({ length: this.rng.int(1, 3) }, () => BigInt(this.rng.int(50, 150))),
        );
        const outputs = parts.flatMap((part) => this.lotOf(index, metal, Number(part), at));
        this.recordTransform(log, index, at, group, outputs);
        holder.outgoing.push(...outputs);
      }
      kept.push(...lots.slice(used));
    }
    holder.stock = [...kept, ...holder.stock.filter((lot) => !METAL_OF.has(lot.product))];
  }

  /** A new lot of a factor-converted product carrying at most `reoKg` (none when that is under a kg of metal). */
  private lotOf(index: number, product: string, reoKg: number, at: number): Lot[] {
    const mass = Math.floor((reoKg * 1_000_000) / factorOf(product));
    if (mass < 1) return [];
    this.made(1);
    return [
      { code: this.batchCode(index), maker: index, product, mass, grade: null, reo: reoOf(product, mass, null), at },
    ];
  }

  /** What leaves: lots made here (mines, plants, makers) and lots bought for export (traders). */
  private dispatch(log: EventLog, index: number, name: StageName, out: Shipment[]): void {
    const holder = this.holders[index]!;
    const leaving = name === 'traders' ? holder.stock : holder.outgoing;
    const waiting: Lot[] = [];
    for (const lot of leaving) {
      const carried = lot.at < this.start;
      const at = carried
        ? this.start + this.rng.between(2 * HOUR_MS, 2 * DAY_MS)
        : lot.at + this.rng.between(DAY_MS, 2 * DAY_MS);
      if (at > this.start + LAST_SHIP_DAY) waiting.push(lot);
      else this.route(log, index, name, lot, at, out);
    }
    if (name === 'traders') holder.stock = waiting;
    else holder.outgoing = waiting;
  }

  private route(log: EventLog, index: number, name: StageName, lot: Lot, at: number, out: Shipment[]): void {
    const self = this.register.enterprises[index]!;
    const pick = (pool: readonly number[]) =>
      this.rng.weighted(pool, (member) => this.register.enterprises[member]!.weight);
    if (name === 'mines') return this.ship(log, index, pick(self.customers), lot, lot.mass, at, out);
    if (name === 'traders') return this.export(log, index, lot, at);
    if (name === 'makers')
      return this.rng.chance(0.3)
        ? this.export(log, index, lot, at)
        : this.ship(log, index, pick(self.traders), lot, lot.mass, at, out);
    if (!METAL_OF.has(lot.product))
      return this.rng.chance(0.35)
        ? this.export(log, index, lot, at)
        : this.ship(log, index, pick(self.traders), lot, lot.mass, at, out);
    if (self.customers.length >= 2 && lot.mass >= 2 && this.rng.chance(0.12)) {
      const [first, second] = this.rng.sample(self.customers, 2) as [number, number];
      const part = Math.round(lot.mass * this.rng.between(0.3, 0.7));
      const rest = lot.mass - part;
      this.ship(log, index, first, lot, part, at, out);
      return this.ship(log, index, second, lot, rest, at + HOUR_MS, out);
    }
    this.ship(log, index, pick(self.customers), lot, lot.mass, at, out);
  }

  // ——— events ———

  private ship(log: EventLog, index: number, to: number, lot: Lot, mass: number, at: number, out: Shipment[]): void {
    const reo = mass === lot.mass ? lot.reo : reoOf(lot.product, mass, lot.grade);
    const waybill = `WB-${this.register.enterprises[index]!.key}-${this.holders[index]!.eventSeq + 1}`;
    this.record(log, index, at, {
      kind: 'ship',
      ...this.common(index, at),
      ...lineOf(this.register, index, lot, mass, reo),
      counterparty: this.register.enterprises[to]!.creditCode,
      documents: { waybill_no: waybill, invoice_no: `INV-${waybill.slice(3)}` },
    });
    lot.mass -= mass;
    lot.reo -= reo;
    out.push({ from: index, to, lot: { ...lot, mass, reo, at }, waybill });
  }

  private receive(log: EventLog, index: number, shipment: Shipment): void {
    const at = shipment.lot.at + this.rng.between(6 * HOUR_MS, 30 * HOUR_MS);
    const lot: Lot = { ...shipment.lot, at };
    this.record(log, index, at, {
      kind: 'receive',
      ...this.common(index, at),
      ...lineOf(this.register, index, lot),
      counterparty: this.register.enterprises[shipment.from]!.creditCode,
      documents: { waybill_no: shipment.waybill },
    });
    if (lot.grade !== null && this.rng.chance(0.03)) {
      this.loss(log, index, lot, at + HOUR_MS, this.rng.between(0.002, 0.01), 'spillage in the feed store');
      lot.at = at + HOUR_MS;
    }
    this.holders[index]!.stock.push(lot);
  }

  private export(log: EventLog, index: number, lot: Lot, at: number): void {
    const [buyer, country] = this.rng.pick(BUYERS);
    const self = this.register.enterprises[index]!;
    const number = this.holders[index]!.eventSeq + 1;
    this.record(log, index, at, {
      kind: 'export',
      ...this.common(index, at),
      ...lineOf(this.register, index, lot),
      counterparty_name: buyer,
      country,
      documents: {
        customs_declaration_no: `CD${YEAR}${self.key}${String(number).padStart(8, '0')}`,
        invoice_no: `INV-${self.key}-X${number}`,
      },
    });
    lot.mass = 0;
    lot.reo = 0;
  }

  private loss(log: EventLog, index: number, lot: Lot, at: number, fraction: number, reason: string): void {
    const mass = Math.max(1, Math.round(lot.mass * fraction));
    const reo = reoOf(lot.product, mass, lot.grade);
    this.record(log, index, at, {
      kind: 'loss',
      ...this.common(index, at),
      ...lineOf(this.register, index, lot, mass, reo),
      reason,
    });
    lot.mass -= mass;
    lot.reo -= reo;
  }

  /** Month-end count of every lot the enterprise still holds, so opening + in − out = closing. */
  private countStock(log: EventLog, index: number): void {
    const holder = this.holders[index]!;
    const at = monthStartMs(this.month + 1) - HOUR_MS;
    for (const lot of [...holder.stock, ...holder.outgoing])
      if (lot.mass > 0)
        this.record(log, index, at, {
          kind: 'stock_count',
          ...this.common(index, at),
          ...lineOf(this.register, index, lot),
        });
  }

  private recordTransform(
    log: EventLog,
    index: number,
    at: number,
    inputs: readonly Lot[],
    outputs: readonly Lot[],
  ): void {
    // Every lot here carries at least a kg of REO, so a transform always makes something.
    if (outputs.length === 0) throw new Error('transform: no output');
    const edges = transformEdges(inputs, outputs);
    this.tally.edges += edges.length;
    this.record(log, index, at, {
      kind: 'transform',
      ...this.common(index, at),
      inputs: inputs.map((lot) => lineOf(this.register, index, lot)),
      outputs: outputs.map((lot) => lineOf(this.register, index, lot)),
      edges,
    });
    this.tally.lines += inputs.length + outputs.length - 1;
    for (const lot of inputs) {
      lot.mass = 0;
      lot.reo = 0;
    }
  }

  private record(log: EventLog, _index: number, at: number, event: FlowEventInput): void {
    log.add(at, event);
    this.tally.events += 1;
    this.tally.lines += 1;
    this.tally.byKind[event.kind] = (this.tally.byKind[event.kind] ?? 0) + 1;
  }

  private common(index: number, at: number) {
    const holder = this.holders[index]!;
    holder.eventSeq += 1;
    return {
      event_id: `${this.register.enterprises[index]!.key}-${String(holder.eventSeq).padStart(7, '0')}`,
      event_time: beijing(at),
    };
  }

  private batchCode(index: number): string {
    const holder = this.holders[index]!;
    holder.batchSeq += 1;
    return `${this.register.enterprises[index]!.key}-${String(YEAR % 100)}${String(this.month).padStart(2, '0')}-${holder.batchSeq}`;
  }

  /** When work on lots can start: after the last arrives, and never before this month (the last one is sealed). */
  private workTime(lots: readonly Lot[]): number {
    return Math.max(this.start, ...lots.map((lot) => lot.at)) + this.rng.between(2 * HOUR_MS, 12 * HOUR_MS);
  }

  private made(count: number): void {
    this.tally.batches += count;
  }

  private consume(index: number, category: string, reoKg: number): void {
    const key = `${index}:${category}`;
    this.tally.consumed.set(key, (this.tally.consumed.get(key) ?? 0) + reoKg);
  }

  private weightedSample(mix: Mix, count: number): (readonly [string, number])[] {
    const pool = [...mix];
    const chosen: (readonly [string, number])[] = [];
    while (chosen.length < count && pool.length > 0) {
      const item = this.rng.weighted(pool, ([, weight]) => weight);
      chosen.push(item);
      pool.splice(pool.indexOf(item), 1);
    }
    return chosen;
  }
}

/**
 * A transform's edges: every input feeds every output in proportion to its REO (a separation mixes its feed),
 * each output's edges summing exactly to its REO. When rounding would take more from an input than it brought,
 * the edges are laid out greedily instead (north-west corner), which is exact on both sides.
 */
export function transformEdges(
  inputs: readonly Lot[],
  outputs: readonly Lot[],
): { from_batch: string; to_batch: string; reo_kg: number }[] {
  const weights = inputs.map((lot) => BigInt(lot.reo));
  const matrix = outputs.map((output) => apportion(BigInt(output.reo), weights).map(Number));
  const fits = inputs.every((lot, row) => matrix.reduce((sum, column) => sum + column[row]!, 0) <= lot.reo);
  if (fits)
    return outputs.flatMap((output, column) =>
      inputs.flatMap((input, row) => {
        const reo = matrix[column]![row]!;
        return reo > 0 ? [{ from_batch: input.code, to_batch: output.code, reo_kg: reo }] : [];
      }),
    );
  const edges: { from_batch: string; to_batch: string; reo_kg: number }[] = [];
  const left = inputs.map((lot) => lot.reo);
  let row = 0;
  for (const output of outputs) {
    let need = output.reo;
    while (need > 0) {
      const take = Math.min(need, left[row]!);
      if (take > 0) edges.push({ from_batch: inputs[row]!.code, to_batch: output.code, reo_kg: take });
      need -= take;
      left[row] = left[row]! - take;
      if (left[row] === 0) row += 1;
      if (row >= inputs.length && need > 0) throw new Error('transformEdges: outputs carry more REO than inputs');
    }
  }
  return edges;
}
