import { sql } from 'kysely';
import type { Executor } from '../../src/server/db/executor.ts';

/** Shared helpers for the flow tests: demo credit codes and a small valid supply chain. */

export async function creditCodes(db: Executor): Promise<Record<string, string>> {
  const rows = await sql<{
    name: string;
    credit_code: string;
    id: string;
  }>`SELECT name, credit_code, id FROM enterprise`.execute(db);
  const byName = (fragment: string) => {
    const row = rows.rows.find((item) => item.name.includes(fragment));
    if (!row) throw new Error(`no demo enterprise named like ${fragment}`);
    return row.credit_code;
  };
  return {
    bayan: byName('巴彦'),
    kundulun: byName('昆都仑'),
    longnan: byName('龙南'),
    dingnan: byName('定南'),
    jiuyuan: byName('九原'),
  };
}

export async function enterpriseIds(db: Executor): Promise<Record<string, string>> {
  const rows = await sql<{ name: string; id: string }>`SELECT name, id FROM enterprise`.execute(db);
  const byName = (fragment: string) => rows.rows.find((item) => item.name.includes(fragment))!.id;
  return {
    bayan: byName('巴彦'),
    kundulun: byName('昆都仑'),
    longnan: byName('龙南'),
    dingnan: byName('定南'),
    jiuyuan: byName('九原'),
  };
}

/** A time in March 2026, Beijing. */
export const march = (day: number, hour = 9) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;

/** The mine's side of a small chain: two concentrate batches produced, both shipped to kundulun, a month-end count. */
export function mineEvents(codes: Record<string, string>) {
  return [
    {
      event_id: 'BY-P-1',
      kind: 'produce',
      event_time: march(2),
      batch: 'BY-2603-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 20_000,
      grade_ppm: 500_000,
    },
    {
      event_id: 'BY-P-2',
      kind: 'produce',
      event_time: march(3),
      batch: 'BY-2603-02',
      product: 'BASTNAESITE_CONC',
      mass_kg: 10_000,
      grade_ppm: 480_000,
    },
    {
      event_id: 'BY-S-1',
      kind: 'ship',
      event_time: march(5),
      batch: 'BY-2603-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 20_000,
      grade_ppm: 500_000,
      counterparty: codes.kundulun,
      documents: { waybill_no: 'WB-001', invoice_no: 'INV-001' },
    },
    {
      event_id: 'BY-S-2',
      kind: 'ship',
      event_time: march(6),
      batch: 'BY-2603-02',
      product: 'BASTNAESITE_CONC',
      mass_kg: 10_000,
      grade_ppm: 480_000,
      counterparty: codes.kundulun,
      documents: { waybill_no: 'WB-002' },
    },
  ];
}

/** The plant's side: both received, merged and separated into PrNd oxide and La oxide, one shipped on. */
export function plantEvents(codes: Record<string, string>) {
  return [
    {
      event_id: 'KD-R-1',
      kind: 'receive',
      event_time: march(6),
      batch: 'BY-2603-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 20_000,
      grade_ppm: 500_000,
      counterparty: codes.bayan,
      documents: { waybill_no: 'WB-001' },
    },
    {
      event_id: 'KD-R-2',
      kind: 'receive',
      event_time: march(7),
      batch: 'BY-2603-02',
      product: 'BASTNAESITE_CONC',
      mass_kg: 10_000,
      grade_ppm: 480_000,
      counterparty: codes.bayan,
      documents: { waybill_no: 'WB-002' },
    },
    {
      event_id: 'KD-T-1',
      kind: 'transform',
      event_time: march(12),
      inputs: [
        { batch: 'BY-2603-01', product: 'BASTNAESITE_CONC', mass_kg: 20_000, grade_ppm: 500_000 },
        { batch: 'BY-2603-02', product: 'BASTNAESITE_CONC', mass_kg: 10_000, grade_ppm: 480_000 },
      ],
      outputs: [
        { batch: 'KD-PRND-01', product: 'PRND_OXIDE', mass_kg: 3_000 },
        { batch: 'KD-LA-01', product: 'LA2O3', mass_kg: 11_000 },
      ],
      edges: [
        { from_batch: 'BY-2603-01', to_batch: 'KD-PRND-01', reo_kg: 2_000 },
        { from_batch: 'BY-2603-02', to_batch: 'KD-PRND-01', reo_kg: 1_000 },
        { from_batch: 'BY-2603-01', to_batch: 'KD-LA-01', reo_kg: 7_500 },
        { from_batch: 'BY-2603-02', to_batch: 'KD-LA-01', reo_kg: 3_500 },
      ],
    },
    {
      event_id: 'KD-X-1',
      kind: 'export',
      event_time: march(20),
      batch: 'KD-LA-01',
      product: 'LA2O3',
      mass_kg: 5_000,
      counterparty_name: 'Example Magnetics GmbH',
      country: 'DE',
      documents: { customs_declaration_no: '020120260000123456' },
    },
  ];
}
