import fc from 'fast-check';

/**
 * Valid supply-chain histories for property tests: a mine produces concentrate batches and ships them to a
 * separation plant, which receives them, separates them into oxides (exact edges), exports part, loses a
 * little, and both count their stock at month end. Every figure agrees with every other by construction.
 */

export interface ChainShape {
  batches: { massKg: number; gradePpm: number; shipShare: number }[];
  outputs: { product: 'PRND_OXIDE' | 'LA2O3' | 'CEO2'; weight: number }[];
  yieldPpm: number;
  exportShare: number;
  lossKg: number;
}

export const chainShape: fc.Arbitrary<ChainShape> = fc.record({
  batches: fc.array(
    fc.record({
      massKg: fc.integer({ min: 1_000, max: 50_000 }),
      gradePpm: fc.integer({ min: 300_000, max: 700_000 }),
      shipShare: fc.integer({ min: 1, max: 4 }), // quarters shipped
    }),
    { minLength: 1, maxLength: 4 },
  ),
  outputs: fc.array(
    fc.record({ product: fc.constantFrom('PRND_OXIDE', 'LA2O3', 'CEO2'), weight: fc.integer({ min: 1, max: 10 }) }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  yieldPpm: fc.integer({ min: 900_000, max: 1_000_000 }),
  exportShare: fc.integer({ min: 0, max: 4 }),
  lossKg: fc.integer({ min: 0, max: 5 }),
});

export interface Chain {
  mine: Record<string, unknown>[];
  plant: Record<string, unknown>[];
}

const reoOf = (mass: number, ppm: number) => Number((BigInt(mass) * BigInt(ppm) + 500_000n) / 1_000_000n);

/** Splits total over weights (largest remainder), exactly. */
function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const floors = weights.map((weight) => Math.floor((total * weight) / sum));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = weights
    .map((weight, index) => ({ index, rest: (total * weight) % sum }))
    .sort((a, b) => b.rest - a.rest || a.index - b.index);
  for (const { index } of order) {
    if (left === 0) break;
    floors[index]! += 1;
    left -= 1;
  }
  return floors;
}

/** The events of one month (`YYYY-MM`), ids prefixed by `tag` so runs never collide. */
export function buildChain(
  shape: ChainShape,
  month: string,
  tag: string,
  codes: { mine: string; plant: string },
): Chain {
  const at = (day: number) => `${month}-${String(day).padStart(2, '0')}T10:00:00+08:00`;
  const mine: Record<string, unknown>[] = [];
  const plant: Record<string, unknown>[] = [];
  const inputs: { batch: string; product: string; mass_kg: number; grade_ppm: number; reo: number }[] = [];
  const mineStock: { batch: string; mass: number; grade: number }[] = [];
  shape.batches.forEach((batch, index) => {
    const code = `${tag}-C${index}`;
    mine.push({
      event_id: `${tag}-P${index}`,
      kind: 'produce',
      event_time: at(2),
      batch: code,
      product: 'BASTNAESITE_CONC',
      mass_kg: batch.massKg,
      grade_ppm: batch.gradePpm,
    });
    const shipped = Math.floor((batch.massKg * batch.shipShare) / 4);
    const line = { batch: code, product: 'BASTNAESITE_CONC', mass_kg: shipped, grade_ppm: batch.gradePpm };
    mine.push({
      event_id: `${tag}-S${index}`,
      kind: 'ship',
      event_time: at(4),
      ...line,
      counterparty: codes.plant,
      documents: { waybill_no: `${tag}-W${index}` },
    });
    plant.push({
      event_id: `${tag}-R${index}`,
      kind: 'receive',
      event_time: at(5),
      ...line,
      counterparty: codes.mine,
      documents: { waybill_no: `${tag}-W${index}` },
    });
    inputs.push({ ...line, reo: reoOf(shipped, batch.gradePpm) });
    if (batch.massKg > shipped) mineStock.push({ batch: code, mass: batch.massKg - shipped, grade: batch.gradePpm });
  });
  mineStock.forEach((stock, index) =>
    mine.push({
      event_id: `${tag}-K${index}`,
      kind: 'stock_count',
      event_time: at(28),
      batch: stock.batch,
      product: 'BASTNAESITE_CONC',
      mass_kg: stock.mass,
      grade_ppm: stock.grade,
    }),
  );
  const totalIn = inputs.reduce((sum, input) => sum + input.reo, 0);
  const totalOut = Math.max(1, Math.floor((totalIn * shape.yieldPpm) / 1_000_000));
  const merged = new Map<string, number>();
  shape.outputs.forEach((output) => merged.set(output.product, (merged.get(output.product) ?? 0) + output.weight));
  const products = [...merged.keys()];
  const outReo = split(totalOut, [...merged.values()]);
  const outputs = products
    .map((product, index) => ({ batch: `${tag}-O${index}`, product, mass_kg: outReo[index]! }))
    .filter((output) => output.mass_kg > 0);
  // Edges: each output draws from each input in proportion to the input's REO.
  const edges = outputs
    .flatMap((output) =>
      split(
        output.mass_kg,
        inputs.map((input) => input.reo),
      ).map((reo, index) => ({ from_batch: inputs[index]!.batch, to_batch: output.batch, reo_kg: reo })),
    )
    .filter((edge) => edge.reo_kg > 0);
  plant.push({
    event_id: `${tag}-T`,
    kind: 'transform',
    event_time: at(12),
    inputs: inputs.map(({ reo: _reo, ...input }) => input),
    outputs,
    edges,
  });
  const first = outputs[0]!;
  const exported = Math.floor((first.mass_kg * shape.exportShare) / 4);
  if (exported > 0)
    plant.push({
      event_id: `${tag}-X`,
      kind: 'export',
      event_time: at(20),
      batch: first.batch,
      product: first.product,
      mass_kg: exported,
      counterparty_name: 'Buyer GmbH',
      country: 'DE',
      documents: { customs_declaration_no: `${tag}-CD` },
    });
  const lost = Math.min(shape.lossKg, first.mass_kg - exported);
  if (lost > 0)
    plant.push({
      event_id: `${tag}-L`,
      kind: 'loss',
      event_time: at(21),
      batch: first.batch,
      product: first.product,
      mass_kg: lost,
      reason: '包装破损',
    });
  outputs.forEach((output, index) => {
    const left = output.mass_kg - (index === 0 ? exported + lost : 0);
    if (left > 0)
      plant.push({
        event_id: `${tag}-KO${index}`,
        kind: 'stock_count',
        event_time: at(28),
        batch: output.batch,
        product: output.product,
        mass_kg: left,
      });
  });
  return { mine, plant };
}

/** Every quantity field of a chain, as [side, index, path] — for altering one of them. */
export function quantityFields(chain: Chain): { side: 'mine' | 'plant'; index: number; path: (string | number)[] }[] {
  const fields: { side: 'mine' | 'plant'; index: number; path: (string | number)[] }[] = [];
  for (const side of ['mine', 'plant'] as const)
    chain[side].forEach((event, index) => {
      for (const key of ['mass_kg', 'grade_ppm', 'reo_kg'])
        if (typeof event[key] === 'number') fields.push({ side, index, path: [key] });
      for (const list of ['inputs', 'outputs', 'edges'])
        ((event[list] as Record<string, unknown>[] | undefined) ?? []).forEach((item, position) => {
          for (const key of ['mass_kg', 'grade_ppm', 'reo_kg'])
            if (typeof item[key] === 'number') fields.push({ side, index, path: [list, position, key] });
        });
    });
  return fields;
}

/** A deep copy of the chain with one quantity changed by `delta` (kept ≥ 1 where the field must be positive). */
export function alter(
  chain: Chain,
  field: { side: 'mine' | 'plant'; index: number; path: (string | number)[] },
  delta: number,
): Chain {
  const copy = structuredClone(chain);
  let target = copy[field.side][field.index] as Record<string | number, unknown>;
  for (const step of field.path.slice(0, -1)) target = target[step] as Record<string | number, unknown>;
  const last = field.path.at(-1)!;
  const value = target[last] as number;
  // A grade moves by 5 percentage points, so the REO it gives moves by more than the per-line rounding the
  // REO balance allows (half a kg per line) on the smallest line generated (250 kg).
  const step = last === 'grade_ppm' ? Math.sign(delta) * 50_000 : delta;
  const ceiling = last === 'grade_ppm' ? 1_000_000 : Number.MAX_SAFE_INTEGER;
  let next = value + step;
  if (next < 1 || next > ceiling) next = value - step;
  if (next < 1 || next > ceiling) next = value + (value > 1 ? -1 : 1);
  target[last] = next;
  return copy;
}
