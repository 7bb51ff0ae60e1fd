import { apportion } from '../../shared/quantity.ts';
/**
 * The Art. 6 allocation engine: pure, exact, explained.
 *
 * Each eligible holder gets a basis: its capacity (the cap) times a quality multiplier made of the plan's
 * weights (capacity, technical level, environment, safety; scores 0–100). The category total is split in
 * proportion to the bases, never above a holder's cap (what a capped holder cannot take goes to the others
 * in proportion), in whole kilograms by the largest-remainder method, ties broken by holder id.
 *
 * Art. 14: a holder with a final administrative penalty in the prior year has its basis reduced by the
 * plan's rate, and is capped at what it would have got without penalties, so a penalty can only lower what
 * a penalised holder gets (whatever the rounding); what it loses goes to the others in proportion.
 * All arithmetic is BigInt: exact.
 */

export type Category = 'mining_rock' | 'mining_ion_adsorption' | 'separation';

export interface EligibilityFacts {
  /** Designated (Art. 7) for this kind of production and not revoked. */
  readonly designated: boolean;
  readonly mining_licence_valid: boolean;
  readonly safety_licence_valid: boolean;
  readonly discharge_permit_ok: boolean;
  readonly idle: boolean;
}

export interface Holder {
  readonly id: string;
  /** Capacity for this category, kg REO a year: the most the holder may be given. */
  readonly cap_reo_kg: number;
  readonly technical_score: number;
  readonly environment_score: number;
  readonly safety_score: number;
  readonly facts: EligibilityFacts;
  /** Final administrative penalties of the prior year (Art. 14). */
  readonly prior_year_penalties: number;
}

export interface Weights {
  readonly capacity: number;
  readonly technical: number;
  readonly environment: number;
  readonly safety: number;
}

export interface AllocationInput {
  readonly category: Category;
  readonly total_reo_kg: number;
  readonly weights: Weights;
  /** Basis reduction for a holder with prior-year final penalties, parts per million (100,000 = 10 %). */
  readonly penalty_reduction_ppm: number;
  readonly holders: readonly Holder[];
}

export type IneligibleReason =
  | 'not_designated'
  | 'no_valid_mining_licence'
  | 'no_valid_safety_licence'
  | 'discharge_permit_failed'
  | 'idle'
  | 'separation_capacity_below_minimum';

export interface FactorContribution {
  readonly factor: keyof Weights;
  /** This factor's part of the holder's basis, in parts per million of the basis. */
  readonly basis_share_ppm: number;
  /** The kilograms that part accounts for (they sum to the holder's allocation). */
  readonly reo_kg: number;
}

export interface HolderResult {
  readonly id: string;
  readonly reo_kg: number;
  readonly eligible: boolean;
  readonly reasons: readonly IneligibleReason[];
  readonly cap_reo_kg: number;
  readonly capped: boolean;
  readonly contributions: readonly FactorContribution[];
  /** What the holder would have been given without its penalties, and the difference (0 when none). */
  readonly unpenalised_reo_kg: number;
  readonly penalty_reduction_reo_kg: number;
}

export interface AllocationResult {
  readonly category: Category;
  readonly total_reo_kg: number;
  readonly holders: readonly HolderResult[];
}

/** 2,000 t REO a year: below it a separation enterprise gets no indicator. */
export const MIN_SEPARATION_CAPACITY_REO_KG = 2_000_000;
const PPM = 1_000_000n;

export class AllocationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AllocationError';
  }
}

export function ineligibleReasons(category: Category, holder: Holder): IneligibleReason[] {
  const reasons: IneligibleReason[] = [];
  const { facts } = holder;
  if (!facts.designated) reasons.push('not_designated');
  if (category !== 'separation' && !facts.mining_licence_valid) reasons.push('no_valid_mining_licence');
  if (!facts.safety_licence_valid) reasons.push('no_valid_safety_licence');
  if (!facts.discharge_permit_ok) reasons.push('discharge_permit_failed');
  if (facts.idle) reasons.push('idle');
  if (category === 'separation' && holder.cap_reo_kg < MIN_SEPARATION_CAPACITY_REO_KG) {
    reasons.push('separation_capacity_below_minimum');
  }
  return reasons;
}

/** Checks the input; throws AllocationError naming the first bad field. */
export function validateInput(input: AllocationInput): void {
  const isKg = (value: number) => Number.isSafeInteger(value) && value >= 0;
  if (!isKg(input.total_reo_kg))
    throw new AllocationError('total_reo_kg', 'must be a whole, non-negative number of kg');
  for (const [name, weight] of Object.entries(input.weights)) {
    if (!Number.isSafeInteger(weight) || weight < 0 || weight > 1_000_000) {
      throw new AllocationError(`weights.${name}`, 'must be a whole number from 0 to 1,000,000');
    }
  }
  if (
    !Number.isSafeInteger(input.penalty_reduction_ppm) ||
    input.penalty_reduction_ppm < 0 ||
    input.penalty_reduction_ppm > 1_000_000
  ) {
    throw new AllocationError('penalty_reduction_ppm', 'must be a whole number from 0 to 1,000,000');
  }
  const seen = new Set<string>();
  input.holders.forEach((holder, index) => {
    const at = `holders.${index}`;
    if (seen.has(holder.id)) throw new AllocationError(`${at}.id`, `holder ${holder.id} is listed twice`);
    seen.add(holder.id);
    if (!isKg(holder.cap_reo_kg))
      throw new AllocationError(`${at}.cap_reo_kg`, 'must be a whole, non-negative number of kg');
    for (const score of ['technical_score', 'environment_score', 'safety_score'] as const) {
      const value = holder[score];
      if (!Number.isInteger(value) || value < 0 || value > 100)
        throw new AllocationError(`${at}.${score}`, 'must be a whole number from 0 to 100');
    }
    if (!Number.isSafeInteger(holder.prior_year_penalties) || holder.prior_year_penalties < 0) {
      throw new AllocationError(`${at}.prior_year_penalties`, 'must be a whole, non-negative number');
    }
  });
}

/** The parts of a holder's basis, factor by factor, before the penalty. */
function basisParts(holder: Holder, weights: Weights): Record<keyof Weights, bigint> {
  const cap = BigInt(holder.cap_reo_kg);
  return {
    capacity: cap * BigInt(weights.capacity) * 100n,
    technical: cap * BigInt(weights.technical) * BigInt(holder.technical_score),
    environment: cap * BigInt(weights.environment) * BigInt(holder.environment_score),
    safety: cap * BigInt(weights.safety) * BigInt(holder.safety_score),
  };
}

interface Claimant {
  readonly id: string;
  readonly basis: bigint;
  readonly cap: bigint;
}

/**
 * Splits `total` over claimants in proportion to basis, within caps, in whole units. Exact: quotas are
 * compared as fractions with a common denominator, never as floats.
 */
export function splitWithCaps(total: bigint, claimants: readonly Claimant[]): Map<string, bigint> {
  const shares = new Map<string, bigint>();
  let open = claimants.filter((claimant) => claimant.basis > 0n);
  let remaining = total;
  for (;;) {
    const basisSum = open.reduce((sum, claimant) => sum + claimant.basis, 0n);
    if (basisSum === 0n) break;
    const over = open.filter((claimant) => remaining * claimant.basis > claimant.cap * basisSum);
    if (over.length === 0) {
      largestRemainder(remaining, basisSum, open, shares);
      remaining = 0n;
      break;
    }
    for (const claimant of over) {
      shares.set(claimant.id, claimant.cap);
      remaining -= claimant.cap;
    }
    const capped = new Set(over.map((claimant) => claimant.id));
    open = open.filter((claimant) => !capped.has(claimant.id));
  }
  if (remaining !== 0n) throw new AllocationError('total_reo_kg', 'exceeds what the eligible holders can take');
  return shares;
}

function largestRemainder(
  total: bigint,
  basisSum: bigint,
  open: readonly Claimant[],
  shares: Map<string, bigint>,
): void {
  let given = 0n;
  const remainders: { id: string; remainder: bigint }[] = [];
  for (const claimant of open) {
    const product = total * claimant.basis;
    const floor = product / basisSum;
    shares.set(claimant.id, floor);
    given += floor;
    remainders.push({ id: claimant.id, remainder: product % basisSum });
  }
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.remainder > b.remainder ? -1 : 1,
  );
  for (let index = 0; given < total; index += 1) {
    const next = remainders[index];
    if (!next) throw new Error('largestRemainder: ran out of claimants');
    shares.set(next.id, (shares.get(next.id) ?? 0n) + 1n);
    given += 1n;
  }
}

const FACTORS: readonly (keyof Weights)[] = ['capacity', 'technical', 'environment', 'safety'];

function claimantsOf(input: AllocationInput, holders: readonly Holder[] = input.holders): Claimant[] {
  return holders
    .filter((holder) => ineligibleReasons(input.category, holder).length === 0)
    .map((holder) => {
      const parts = basisParts(holder, input.weights);
      return {
        id: holder.id,
        basis: FACTORS.reduce((sum, factor) => sum + parts[factor], 0n),
        cap: BigInt(holder.cap_reo_kg),
      };
    });
}

/** The Art. 14 run: penalised bases reduced by the rate, and capped at their unpenalised shares. */
function penalisedClaimants(
  input: AllocationInput,
  claimants: readonly Claimant[],
  unpenalised: Map<string, bigint>,
): Claimant[] {
  const keep = PPM - BigInt(input.penalty_reduction_ppm);
  const penalised = new Set(
    input.holders.filter((holder) => holder.prior_year_penalties > 0).map((holder) => holder.id),
  );
  return claimants.map((claimant) => {
    if (!penalised.has(claimant.id)) return { ...claimant, basis: claimant.basis * PPM };
    const ceiling = unpenalised.get(claimant.id) ?? 0n;
    return { id: claimant.id, basis: claimant.basis * keep, cap: ceiling < claimant.cap ? ceiling : claimant.cap };
  });
}

/** Runs the engine. Throws AllocationError when the input is invalid or the total cannot be placed. */
export function allocate(input: AllocationInput): AllocationResult {
  validateInput(input);
  const total = BigInt(input.total_reo_kg);
  const claimants = claimantsOf(input);
  if (total > 0n && claimants.every((claimant) => claimant.basis === 0n)) {
    throw new AllocationError('holders', 'no eligible holder has a positive basis to allocate to');
  }
  const capacity = claimants
    .filter((claimant) => claimant.basis > 0n)
    .reduce((sum, claimant) => sum + claimant.cap, 0n);
  if (total > capacity) {
    throw new AllocationError(
      'total_reo_kg',
      `${input.total_reo_kg} kg exceeds the ${capacity} kg the eligible holders can take`,
    );
  }
  const unpenalised = splitWithCaps(total, claimants);
  const penalties = input.penalty_reduction_ppm > 0 && input.holders.some((holder) => holder.prior_year_penalties > 0);
  const shares = penalties ? splitWithCaps(total, penalisedClaimants(input, claimants, unpenalised)) : unpenalised;
  const holders = input.holders.map((holder) =>
    explain(input, holder, shares.get(holder.id) ?? 0n, unpenalised.get(holder.id) ?? 0n),
  );
  return { category: input.category, total_reo_kg: input.total_reo_kg, holders };
}

function explain(input: AllocationInput, holder: Holder, share: bigint, unpenalisedShare: bigint): HolderResult {
  const reasons = ineligibleReasons(input.category, holder);
  const parts = basisParts(holder, input.weights);
  const partList = FACTORS.map((factor) => parts[factor]);
  const basis = partList.reduce((sum, part) => sum + part, 0n);
  const kgByFactor = apportion(share, partList);
  const ppmByFactor = apportion(basis === 0n ? 0n : PPM, partList);
  const reo = Number(share);
  const unpenalised = Number(unpenalisedShare);
  return {
    id: holder.id,
    reo_kg: reo,
    eligible: reasons.length === 0,
    reasons,
    cap_reo_kg: holder.cap_reo_kg,
    capped: reasons.length === 0 && share === BigInt(holder.cap_reo_kg) && share > 0n,
    contributions: FACTORS.map((factor, index) => ({
      factor,
      basis_share_ppm: Number(ppmByFactor[index] ?? 0n),
      reo_kg: Number(kgByFactor[index] ?? 0n),
    })),
    unpenalised_reo_kg: holder.prior_year_penalties > 0 ? unpenalised : reo,
    penalty_reduction_reo_kg: holder.prior_year_penalties > 0 ? unpenalised - reo : 0,
  };
}

/** A plain proportional split by capacity (the benchmark's baseline). */
export function proportionalSplit(total: number, capacities: readonly number[]): number[] {
  return apportion(
    BigInt(total),
    capacities.map((capacity) => BigInt(capacity)),
  ).map(Number);
}

export interface ManualShare {
  readonly holder_id: string;
  readonly reo_kg: number;
}

/**
 * Checks fixed amounts the way the engine's own results are held: every holder known and listed once, whole
 * non-negative kg, none above its cap, none to an ineligible holder, and exactly the total in all.
 */
export function checkManual(input: AllocationInput, shares: readonly ManualShare[]): AllocationResult {
  validateInput(input);
  const holders = new Map(input.holders.map((holder) => [holder.id, holder]));
  const given = new Map<string, number>();
  shares.forEach((share, index) => {
    const at = `shares.${index}`;
    const holder = holders.get(share.holder_id);
    if (!holder) throw new AllocationError(`${at}.holder_id`, `${share.holder_id} is not a holder of this category`);
    if (given.has(share.holder_id)) throw new AllocationError(`${at}.holder_id`, `${share.holder_id} is listed twice`);
    if (!Number.isSafeInteger(share.reo_kg) || share.reo_kg < 0)
      throw new AllocationError(`${at}.reo_kg`, 'must be a whole, non-negative number of kg');
    if (share.reo_kg > holder.cap_reo_kg)
      throw new AllocationError(
        `${at}.reo_kg`,
        `${share.reo_kg} kg is above ${share.holder_id}'s cap of ${holder.cap_reo_kg} kg`,
      );
    const reasons = ineligibleReasons(input.category, holder);
    if (share.reo_kg > 0 && reasons.length > 0)
      throw new AllocationError(`${at}.reo_kg`, `${share.holder_id} is not eligible (${reasons.join(', ')})`);
    given.set(share.holder_id, share.reo_kg);
  });
  const sum = [...given.values()].reduce((total, value) => total + value, 0);
  if (sum !== input.total_reo_kg) {
    throw new AllocationError(
      'shares',
      `the shares add up to ${sum} kg, not the category total of ${input.total_reo_kg} kg (${sum > input.total_reo_kg ? 'over' : 'short'} by ${Math.abs(sum - input.total_reo_kg)} kg)`,
    );
  }
  return {
    category: input.category,
    total_reo_kg: input.total_reo_kg,
    holders: input.holders.map((holder) => {
      const reasons = ineligibleReasons(input.category, holder);
      const reo = given.get(holder.id) ?? 0;
      return {
        id: holder.id,
        reo_kg: reo,
        eligible: reasons.length === 0,
        reasons,
        cap_reo_kg: holder.cap_reo_kg,
        capped: reo > 0 && reo === holder.cap_reo_kg,
        contributions: [],
        unpenalised_reo_kg: reo,
        penalty_reduction_reo_kg: 0,
      };
    }),
  };
}

/** A holder whose figure in an allocation is not the engine's. */
export interface EngineDifference {
  readonly holder_id: string;
  readonly engine_reo_kg: number;
  readonly reo_kg: number;
}

/** The longest reason a departure from the engine may be given (characters, after trimming). */
export const REASON_MAX_LENGTH = 1000;

/**
 * The holders whose figure in `result` differs from the engine's `engine` on the same register and plan, in
 * holder id order; empty when the allocation is the engine's. A holder missing from one side counts as 0.
 */
export function differencesFromEngine(engine: AllocationResult, result: AllocationResult): EngineDifference[] {
  const expected = new Map(engine.holders.map((holder) => [holder.id, holder.reo_kg]));
  const actual = new Map(result.holders.map((holder) => [holder.id, holder.reo_kg]));
  return [...new Set([...expected.keys(), ...actual.keys()])]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((id) => ({ holder_id: id, engine_reo_kg: expected.get(id) ?? 0, reo_kg: actual.get(id) ?? 0 }))
    .filter((row) => row.engine_reo_kg !== row.reo_kg);
}

/**
 * The reason to store with an allocation: required (non-empty once trimmed) when it differs from the engine,
 * optional otherwise; at most REASON_MAX_LENGTH characters. An empty reason is no reason (null).
 */
export function reasonFor(differences: readonly EngineDifference[], reason: string | undefined): string | null {
  const text = reason?.trim() ?? '';
  if (text.length > REASON_MAX_LENGTH)
    throw new AllocationError('reason', `must be at most ${REASON_MAX_LENGTH} characters (it has ${text.length})`);
  if (text.length === 0 && differences.length > 0) {
    const [first] = differences;
    throw new AllocationError(
      'reason',
      `is required: the shares differ from the engine's result for ${differences.length} holder${differences.length === 1 ? '' : 's'} (${first!.holder_id}: ${first!.reo_kg} kg, the engine gives ${first!.engine_reo_kg} kg)`,
    );
  }
  return text.length === 0 ? null : text;
}
