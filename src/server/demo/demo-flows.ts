import type { DatabaseHandle } from '../db/database.ts';
import { canonicalJson, sm3Hex } from '../shared/canonical-json.ts';
import { SYSTEM_ACTOR } from '../modules/audit/index.ts';
import type { Actor } from '../modules/auth/index.ts';
import { runChecks } from '../modules/checks/checks.service.ts';
import { sealMonth } from '../modules/flows/declarations.service.ts';
import { ingestFlows } from '../modules/flows/index.ts';
import { accounts, transfer } from '../modules/ledger/ledger.service.ts';
import { demoEnterprises } from './demo-data.ts';

/**
 * Demo flow records for July–October 2026: three supply chains (Baotou bastnaesite → two separation plants;
 * Ganzhou ion-adsorption carbonate → a plant; Liangshan → Dechang), exports, losses, month-end stock counts,
 * sealed declarations, and a few deliberate faults for the checks to find in October: a shipment never
 * received, a receipt that differs from its shipment, an undesignated mine's sale, a declaration filed late
 * and one never filed, and a mine over its quota. Quota is posted as adjustments standing in for an issued
 * allocation (the demo has no indicator plan).
 */

type Key = (typeof demoEnterprises)[number]['key'];
const MONTHS = ['2026-07', '2026-08', '2026-09', '2026-10'];
const t = 1000;

interface Chain {
  mine: Key;
  product: 'BASTNAESITE_CONC' | 'ION_CARBONATE';
  gradePpm: number;
  plants: Key[];
  outputs: { product: string; weight: number; exportShare: number }[];
}

const chains: Chain[] = [
  {
    mine: 'bayan',
    product: 'BASTNAESITE_CONC',
    gradePpm: 550_000,
    plants: ['kundulun', 'kundulun', 'jiuyuan'],
    outputs: [
      { product: 'PRND_OXIDE', weight: 20, exportShare: 0 },
      { product: 'LA2O3', weight: 27, exportShare: 50 },
      { product: 'CEO2', weight: 48, exportShare: 60 },
    ],
  },
  {
    mine: 'longnan',
    product: 'ION_CARBONATE',
    gradePpm: 460_000,
    plants: ['dingnan', 'dingnan'],
    outputs: [
      { product: 'Y2O3', weight: 60, exportShare: 40 },
      { product: 'DY2O3', weight: 8, exportShare: 0 },
      { product: 'TB4O7', weight: 2, exportShare: 0 },
      { product: 'ND2O3', weight: 25, exportShare: 30 },
    ],
  },
  {
    mine: 'mianning',
    product: 'BASTNAESITE_CONC',
    gradePpm: 520_000,
    plants: ['dechang', 'dechang'],
    outputs: [
      { product: 'PRND_OXIDE', weight: 22, exportShare: 0 },
      { product: 'CEO2', weight: 50, exportShare: 50 },
      { product: 'LA2O3', weight: 25, exportShare: 50 },
    ],
  },
];

const quota: [Key, string, number][] = [
  ['bayan', 'mining_rock', 1_500 * t],
  ['mianning', 'mining_rock', 800 * t],
  ['longnan', 'mining_ion_adsorption', 150 * t],
  ['kundulun', 'separation', 700 * t],
  ['jiuyuan', 'separation', 400 * t],
  ['dingnan', 'separation', 500 * t],
  ['dechang', 'separation', 600 * t],
];

type Event = Record<string, unknown>;

/** A small deterministic generator, so the demo is the same on every machine. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const reoOf = (mass: number, ppm: number) => Math.round((mass * ppm) / 1_000_000);

function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((weight) => Math.floor((total * weight) / sum));
  parts[0]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

interface Plan {
  events: Map<Key, Event[]>;
}

/** One month of one chain: the mine's production and shipments, each plant's receipts, separation, sales, count. */
function chainMonth(
  chain: Chain,
  month: string,
  next: () => number,
  held: Map<string, { product: string; mass: number }>,
  plan: Plan,
  codes: Map<Key, string>,
) {
  const at = (day: number, hour = 10) =>
    `${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  const add = (key: Key, event: Event) => plan.events.set(key, [...(plan.events.get(key) ?? []), event]);
  const tag = month.replace('-', '');
  const received = new Map<Key, { batch: string; mass: number; gradePpm: number; reo: number }[]>();
  chain.plants.forEach((plant, index) => {
    const batch = `${chain.mine.toUpperCase()}-${tag}-${index + 1}`;
    const mass = Math.round((40 + next() * 20) * t);
    const gradePpm = chain.gradePpm + Math.round(next() * 40_000);
    const line = { batch, product: chain.product, mass_kg: mass, grade_ppm: gradePpm };
    add(chain.mine, { event_id: `${batch}-P`, kind: 'produce', event_time: at(3 + index * 7), ...line });
    const waybill = `WB${tag}${chain.mine.slice(0, 2).toUpperCase()}${index + 1}`;
    add(chain.mine, {
      event_id: `${batch}-S`,
      kind: 'ship',
      event_time: at(4 + index * 7),
      ...line,
      counterparty: codes.get(plant),
      documents: { waybill_no: waybill, invoice_no: `INV-${waybill}` },
    });
    // October's faults: kundulun never records one receipt; dingnan weighs 1% less than was shipped.
    if (month === '2026-10' && chain.mine === 'bayan' && index === 1) return;
    const receivedMass = month === '2026-10' && plant === 'dingnan' && index === 0 ? Math.round(mass * 0.99) : mass;
    add(plant, {
      event_id: `${batch}-R`,
      kind: 'receive',
      event_time: at(5 + index * 7),
      ...line,
      mass_kg: receivedMass,
      counterparty: codes.get(chain.mine),
      documents: { waybill_no: waybill },
    });
    received.set(plant, [
      ...(received.get(plant) ?? []),
      { batch, mass: receivedMass, gradePpm, reo: reoOf(receivedMass, gradePpm) },
    ]);
  });
  for (const [plant, inputs] of received) {
    const totalIn = inputs.reduce((sum, input) => sum + input.reo, 0);
    const outReo = split(
      Math.floor(totalIn * 0.95),
      chain.outputs.map((output) => output.weight),
    );
    const outputs = chain.outputs.map((output, index) => ({
      batch: `${plant.toUpperCase()}-${tag}-${output.product}`,
      product: output.product,
      mass_kg: outReo[index]!,
    }));
    const edges = outputs
      .flatMap((output) =>
        split(
          output.mass_kg,
          inputs.map((input) => input.reo),
        ).map((reo, index) => ({ from_batch: inputs[index]!.batch, to_batch: output.batch, reo_kg: reo })),
      )
      .filter((edge) => edge.reo_kg > 0);
    add(plant, {
      event_id: `${plant.toUpperCase()}-${tag}-T`,
      kind: 'transform',
      event_time: at(26),
      inputs: inputs.map((input) => ({
        batch: input.batch,
        product: chain.product,
        mass_kg: input.mass,
        grade_ppm: input.gradePpm,
      })),
      outputs,
      edges,
    });
    chain.outputs.forEach((output, index) => {
      const made = outputs[index]!;
      const exported = Math.floor((made.mass_kg * output.exportShare) / 100);
      if (exported > 0)
        add(plant, {
          event_id: `${made.batch}-X`,
          kind: 'export',
          event_time: at(27, 9),
          batch: made.batch,
          product: made.product,
          mass_kg: exported,
          counterparty_name: index % 2 ? 'Nordic Magnet AB' : 'Pacific Materials Inc.',
          country: index % 2 ? 'SE' : 'US',
          documents: { customs_declaration_no: `0201${tag}${String(index).padStart(8, '0')}` },
        });
      held.set(`${plant}|${made.batch}`, { product: made.product, mass: made.mass_kg - exported });
    });
    const first = outputs[0]!;
    add(plant, {
      event_id: `${first.batch}-L`,
      kind: 'loss',
      event_time: at(27, 15),
      batch: first.batch,
      product: first.product,
      mass_kg: 12,
      reason: '包装破损，计量后报损',
    });
    held.get(`${plant}|${first.batch}`)!.mass -= 12;
    for (const [key, stock] of held) {
      const [holder, batch] = key.split('|') as [Key, string];
      if (holder === plant && stock.mass > 0)
        add(plant, {
          event_id: `${batch}-K${tag}`,
          kind: 'stock_count',
          event_time: at(30, 18),
          batch,
          product: stock.product,
          mass_kg: stock.mass,
        });
    }
  }
}

/** An undesignated mine in Lincang sells carbonate to the Fusui plant in October (Art. 7). */
function undesignatedSale(plan: Plan, codes: Map<Key, string>) {
  const line = { batch: 'LC-202610-1', product: 'ION_CARBONATE', mass_kg: 8_000, grade_ppm: 450_000 };
  plan.events.set('lincang', [
    { event_id: 'LC-202610-1-P', kind: 'produce', event_time: '2026-10-08T10:00:00+08:00', ...line },
    {
      event_id: 'LC-202610-1-S',
      kind: 'ship',
      event_time: '2026-10-09T10:00:00+08:00',
      ...line,
      counterparty: codes.get('fusui'),
      documents: { waybill_no: 'WB202610LC1' },
    },
  ]);
  plan.events.set('fusui', [
    {
      event_id: 'LC-202610-1-R',
      kind: 'receive',
      event_time: '2026-10-10T10:00:00+08:00',
      ...line,
      counterparty: codes.get('lincang'),
      documents: { waybill_no: 'WB202610LC1' },
    },
    { event_id: 'FS-202610-K1', kind: 'stock_count', event_time: '2026-10-31T18:00:00+08:00', ...line },
  ]);
}

/** When each enterprise sealed each month: on the 6th, except kundulun's October (late) and dingnan's (never). */
function sealedAt(key: Key, month: string): Date | null {
  if (month === '2026-10' && key === 'dingnan') return null;
  const [year, monthIndex] = month.split('-').map(Number) as [number, number];
  const next = monthIndex === 12 ? `${year + 1}-01` : `${year}-${String(monthIndex + 1).padStart(2, '0')}`;
  return new Date(`${next}-${month === '2026-10' && key === 'kundulun' ? '12' : '06'}T16:30:00+08:00`);
}

export async function loadDemoFlows(database: DatabaseHandle): Promise<{ events: number; anomalies: number }> {
  const db = database.db;
  const ids = new Map<Key, string>();
  for (const row of await db.selectFrom('enterprise').select(['id', 'credit_code']).execute()) {
    const found = demoEnterprises.find((enterprise) => enterprise.credit_code === row.credit_code);
    if (found) ids.set(found.key, row.id);
  }
  const codes = new Map(demoEnterprises.map((enterprise) => [enterprise.key, enterprise.credit_code] as const));
  await db.transaction().execute(async (tx) => {
    for (const [key, category, reoKg] of quota)
      await transfer(tx, {
        kind: 'adjust',
        year: 2026,
        category,
        from: accounts.approved(2026, category),
        to: accounts.enterprise(ids.get(key)!, 2026, category),
        reoKg,
        key: `demo-quota:${key}:${category}:2026`,
        reference: 'demo: stands in for the 2026 allocation',
        createdBy: 'demo',
        enterpriseId: ids.get(key)!,
      });
  });
  const next = random(20260701);
  const held = new Map<string, { product: string; mass: number }>();
  let events = 0;
  let anomalies = 0;
  for (const month of MONTHS) {
    const plan: Plan = { events: new Map() };
    for (const chain of chains) chainMonth(chain, month, next, held, plan, codes);
    if (month === '2026-10') undesignatedSale(plan, codes);
    // Mines first, then the plants that receive from them.
    const order = [...plan.events.keys()].sort((a, b) => rank(a) - rank(b));
    for (const key of order) {
      const list = plan.events.get(key)!;
      await ingestFlows(
        database,
        { source: 'api', enterpriseId: ids.get(key)!, createdBy: 'demo', contentSm3: sm3Hex(canonicalJson(list)) },
        list.map((event, index) => ({ row: index + 1, event })),
      );
      events += list.length;
    }
    // Every designated enterprise declares every month, with or without flows (a nil declaration).
    for (const { key } of demoEnterprises.filter((enterprise) => Object.keys(enterprise.designation).length > 0)) {
      const when = sealedAt(key, month);
      if (when)
        await sealMonth(
          db,
          enterpriseActor(key, ids.get(key)!),
          { actor: SYSTEM_ACTOR, requestId: 'demo' },
          month,
          when,
        );
    }
    anomalies += (await runChecks(db, month)).anomalies_found;
  }
  return { events, anomalies };
}

const rank = (key: Key) => (['bayan', 'longnan', 'mianning', 'lincang'].includes(key) ? 0 : 1);

function enterpriseActor(key: Key, enterpriseId: string): Actor {
  return {
    userId: '00000000-0000-0000-0000-000000000000',
    login: `demo.${key}`,
    displayName: key,
    role: 'enterprise_user',
    authorityId: null,
    department: null,
    divisionCode: null,
    enterpriseId,
    via: 'session',
  };
}
