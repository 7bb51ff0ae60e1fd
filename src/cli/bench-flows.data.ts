import type { FlowEventInput } from '../contracts/flows.ts';
import { makeCreditCode } from '../contracts/credit-code.rules.ts';
import { demoProducts } from '../server/demo/demo-data.ts';
import { ppmOf } from '../server/modules/flows/flows.rules.ts';
import { random } from './bench.ts';

/**
 * The synthetic national register of the flow benchmark, and the helpers its month-by-month simulation
 * (bench-flows.sim.ts) shares. Pure and seeded: the same shape and seed always give the same data.
 */

export type Role = 'rock_mine' | 'ion_mine' | 'rock_plant' | 'ion_plant' | 'metal_maker' | 'trader';
export const ROLES: readonly Role[] = ['rock_mine', 'ion_mine', 'rock_plant', 'ion_plant', 'metal_maker', 'trader'];

/** How much data: about `events` flow events over the first `months` months of 2025. */
export interface BenchShape {
  readonly events: number;
  readonly months: number;
  readonly seed: number;
}

export interface BenchEnterprise {
  readonly index: number;
  /** Short, unique: the prefix of its event ids and batch codes. */
  readonly key: string;
  readonly role: Role;
  readonly kind: 'mining' | 'separation';
  readonly creditCode: string;
  readonly name: string;
  readonly domicile: string;
  /** Relative size: a mine's share of output, a buyer's chance of being chosen. */
  readonly weight: number;
  /** What a mine produces. */
  readonly product: string | null;
  /** Enterprises it ships to (indexes), by role. */
  readonly customers: readonly number[];
  readonly traders: readonly number[];
}

export interface BenchRegister {
  readonly enterprises: readonly BenchEnterprise[];
  readonly byRole: Readonly<Record<Role, readonly number[]>>;
  /** Concentrate batches the mines produce in a month, all together. */
  readonly concentratePerMonth: number;
  /** Target REO of one concentrate batch, kg. */
  readonly batchReoKg: number;
}

/**
 * Flow events one concentrate batch gives rise to down the chain (produce, ship, receive, its share of the
 * transforms, oxide and metal shipments, exports, stock counts), measured on the generator: sizes the run.
 * A single month has fewer (its chain starts empty: nothing carried in).
 */
export function eventsPerConcentrate(months: number): number {
  return months === 1 ? 3.8 : 4.6;
}
/** National mining output a year (kg REO), spread over the batches so totals stay realistic at any size. */
const NATIONAL_REO_KG_PER_YEAR = 270_000_000;

export const YEAR = 2025;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A seeded source of numbers with the helpers the simulation needs. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = random(seed);
  }
  float(): number {
    return this.next();
  }
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Rng.pick: no items');
    return item;
  }
  /** An item chosen with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T {
    const total = items.reduce((sum, item) => sum + weightOf(item), 0);
    let left = this.next() * total;
    for (const item of items) {
      left -= weightOf(item);
      if (left < 0) return item;
    }
    return this.pick(items);
  }
  /** `count` distinct items (all of them when there are fewer). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0)
      chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return chosen;
  }
}

/** Product facts the generator needs: the REO factor of factor-converted products (oxides, metals). */
export const FACTOR_PPM: ReadonlyMap<string, number> = new Map(
  demoProducts.flatMap((product) =>
    product.conversion === 'factor' && product.reo_factor_ppm ? [[product.code, product.reo_factor_ppm] as const] : [],
  ),
);

export function factorOf(product: string): number {
  const factor = FACTOR_PPM.get(product);
  if (factor === undefined) throw new Error(`${product} has no REO factor`);
  return factor;
}

/** Which provinces each role's enterprises sit in (GB/T 2260 prefixes), with weights: the real rare earth regions. */
const REGIONS: Record<Role, readonly (readonly [string, number])[]> = {
  rock_mine: [
    ['15', 6],
    ['51', 3],
    ['37', 1],
  ],
  ion_mine: [
    ['36', 8],
    ['44', 4],
    ['35', 3],
    ['45', 3],
    ['43', 1],
    ['53', 1],
  ],
  rock_plant: [
    ['15', 5],
    ['51', 2],
    ['37', 1],
    ['32', 2],
  ],
  ion_plant: [
    ['36', 5],
    ['44', 2],
    ['35', 2],
    ['45', 2],
    ['32', 1],
  ],
  metal_maker: [
    ['15', 3],
    ['36', 3],
    ['33', 3],
    ['32', 2],
    ['37', 1],
    ['44', 1],
  ],
  trader: [
    ['31', 3],
    ['33', 2],
    ['32', 2],
    ['44', 2],
    ['36', 1],
    ['15', 1],
  ],
};

const NAME_STEM: Record<Role, string> = {
  rock_mine: '稀土矿业',
  ion_mine: '离子型稀土矿业',
  rock_plant: '稀土冶炼分离',
  ion_plant: '稀土分离',
  metal_maker: '稀土金属材料',
  trader: '稀土贸易',
};
const KEY_PREFIX: Record<Role, string> = {
  rock_mine: 'RM',
  ion_mine: 'IM',
  rock_plant: 'RP',
  ion_plant: 'IP',
  metal_maker: 'MM',
  trader: 'TR',
};

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** How many enterprises of each role a run of this shape has: the national register, smaller for tiny runs. */
export function registerSizes(concentratePerMonth: number): Record<Role, number> {
  const mines = clamp(Math.round(concentratePerMonth / 6), 6, 300);
  const plants = clamp(Math.round(mines / 5), 3, 60);
  const downstream = clamp(Math.round((mines * 2) / 3), 4, 200);
  const rockMines = Math.round((mines * 2) / 3);
  const rockPlants = Math.max(2, Math.round((plants * 2) / 3));
  const makers = Math.max(2, Math.round(downstream * 0.6));
  return {
    rock_mine: rockMines,
    ion_mine: mines - rockMines,
    rock_plant: rockPlants,
    ion_plant: Math.max(1, plants - rockPlants),
    metal_maker: makers,
    trader: Math.max(2, downstream - makers),
  };
}

/**
 * The register: mines, separation plants, metal makers and traders in the real regions, with valid credit
 * codes, and who supplies whom. `countiesOf(province)` lists real county codes of a province (from the
 * division table), so every domicile exists.
 */
export function benchRegister(shape: BenchShape, countiesOf: (province: string) => readonly string[]): BenchRegister {
  const rng = new Rng(shape.seed * 7919 + 1);
  const concentratePerMonth = Math.max(
    30,
    Math.round(shape.events / shape.months / eventsPerConcentrate(shape.months)),
  );
  const sizes = registerSizes(concentratePerMonth);
  const byRole = Object.fromEntries(ROLES.map((role) => [role, [] as number[]])) as Record<Role, number[]>;
  const drafts: Omit<BenchEnterprise, 'customers' | 'traders'>[] = [];
  for (const role of ROLES) {
    for (let n = 1; n <= sizes[role]; n += 1) {
      const index = drafts.length;
      const province = rng.weighted(REGIONS[role], ([, weight]) => weight)[0];
      const counties = countiesOf(province);
      const domicile = rng.pick(counties.length > 0 ? counties : countiesOf('15'));
      const body = `BN${String(index).padStart(6, '0')}`;
      drafts.push({
        index,
        key: `${KEY_PREFIX[role]}${String(n).padStart(3, '0')}`,
        role,
        kind: role === 'rock_mine' || role === 'ion_mine' ? 'mining' : 'separation',
        creditCode: makeCreditCode('91', domicile, body),
        name: `基准${NAME_STEM[role]}${String(n).padStart(3, '0')}有限公司`,
        domicile,
        weight: 0.25 + rng.float() ** 2 * 3,
        product:
          role === 'ion_mine'
            ? 'ION_CARBONATE'
            : role === 'rock_mine'
              ? rng.chance(0.7)
                ? 'BASTNAESITE_CONC'
                : 'MIXED_CONC'
              : null,
      });
      byRole[role].push(index);
    }
  }
  const customersOf = (role: Role): { customers: number[]; traders: number[] } => {
    const pick = (pool: readonly number[], min: number, max: number) => rng.sample(pool, rng.int(min, max));
    switch (role) {
      case 'rock_mine':
        return { customers: pick(byRole.rock_plant, 1, 3), traders: [] };
      case 'ion_mine':
        return { customers: pick(byRole.ion_plant, 1, 3), traders: [] };
      case 'rock_plant':
      case 'ion_plant':
        return { customers: pick(byRole.metal_maker, 2, 5), traders: pick(byRole.trader, 1, 3) };
      case 'metal_maker':
        return { customers: [], traders: pick(byRole.trader, 1, 3) };
      case 'trader':
        return { customers: [], traders: [] };
    }
  };
  const enterprises = drafts.map((draft) => ({ ...draft, ...customersOf(draft.role) }));
  const batchReoKg = clamp(Math.round(NATIONAL_REO_KG_PER_YEAR / (concentratePerMonth * 12)), 1_500, 30_000);
  return { enterprises, byRole, concentratePerMonth, batchReoKg };
}

/** A lot as the simulation tracks it: a batch (or the part of one) an enterprise holds. */
export interface Lot {
  readonly code: string;
  /** Index of the enterprise that made the batch. */
  readonly maker: number;
  readonly product: string;
  mass: number;
  /** Assay-converted products carry their grade; factor-converted ones (oxides, metals) do not. */
  readonly grade: number | null;
  reo: number;
  /** When it became available to its holder (made or received), ms since the epoch. */
  at: number;
}

/** REO of a mass of a product: by its grade, or its factor. */
export function reoOf(product: string, mass: number, grade: number | null): number {
  return ppmOf(mass, grade ?? factorOf(product));
}

/** A batch line naming a lot as `self` records it (batch_maker when someone else made it). */
export function lineOf(register: BenchRegister, self: number, lot: Lot, mass = lot.mass, reo = lot.reo) {
  return {
    batch: lot.code,
    ...(lot.maker === self ? {} : { batch_maker: register.enterprises[lot.maker]!.creditCode }),
    product: lot.product,
    mass_kg: mass,
    ...(lot.grade === null ? {} : { grade_ppm: lot.grade }),
    reo_kg: reo,
  };
}

/** 2025-03-05T08:30:00+08:00 for an instant (Beijing time, as enterprises write it). */
export function beijing(ms: number): string {
  return `${new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 19)}+08:00`;
}

/** Midnight (Beijing) starting month `month` (1-based) of the benchmark year, ms since the epoch. */
export function monthStartMs(month: number): number {
  return Date.UTC(YEAR, month - 1, 1) - 8 * HOUR_MS;
}

/** One enterprise's events of one stage, kept in time order (ties in the order recorded). */
export class EventLog {
  private readonly entries: { at: number; seq: number; event: FlowEventInput }[] = [];
  add(at: number, event: FlowEventInput): void {
    this.entries.push({ at, seq: this.entries.length, event });
  }
  get size(): number {
    return this.entries.length;
  }
  events(): FlowEventInput[] {
    return this.entries.sort((a, b) => a.at - b.at || a.seq - b.seq).map((entry) => entry.event);
  }
}
