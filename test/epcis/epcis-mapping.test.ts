import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flowEventInput } from '../../src/contracts/flows.ts';
import {
  documentNumber,
  eventTimeWithOffset,
  monaziteExtensions,
  normaliseCbv,
  parseMonaziteClass,
  type EpcisEvent,
} from '../../src/server/modules/epcis/epcis-vocabulary.rules.ts';
import { mapToFlow, type FlowMapping } from '../../src/server/modules/epcis/epcis.rules.ts';
import { schemaErrors } from '../../src/server/modules/epcis/epcis.schema.ts';
import {
  creditCodeOf,
  fixtureEvents,
  fixtureNames,
  kgOf,
  marchUtc,
  MONAZITE_CONTEXT,
  monaziteClass,
  party,
  produceEvent,
  shipEvent,
} from './epcis-documents.ts';

const extensions = monaziteExtensions(MONAZITE_CONTEXT);
const map = (event: object, reader = extensions): FlowMapping => mapToFlow(event as EpcisEvent, reader);

/** The flow event of a mapping, checked against the one flow validation's shape. */
function flowOf(event: object, reader = extensions): Record<string, unknown> {
  const mapping = map(event, reader);
  if (mapping.kind !== 'flow') throw new Error(`not a flow: ${JSON.stringify(mapping)}`);
  const parsed = flowEventInput.safeParse(mapping.event);
  expect(parsed.error?.issues ?? []).toEqual([]);
  return mapping.event;
}

function findingsOf(event: object): { field: string; message: string }[] {
  const mapping = map(event);
  if (mapping.kind !== 'invalid') throw new Error(`not refused: ${JSON.stringify(mapping)}`);
  return mapping.findings;
}

describe('EPCIS vocabulary', () => {
  it('normalises CBV values written bare, as CBV 2.0 URIs, CURIEs and CBV 1.x URNs', () => {
    for (const spelling of [
      'shipping',
      'https://ref.gs1.org/cbv/BizStep-shipping',
      'cbv:BizStep-shipping',
      'urn:epcglobal:cbv:bizstep:shipping',
    ])
      expect(normaliseCbv(spelling, 'BizStep')).toBe('shipping');
    expect(normaliseCbv('https://ref.gs1.org/cbv/Disp-in_transit', 'Disp')).toBe('in_transit');
    expect(normaliseCbv('http://epcis.example.org/hc/bizstep/summarising_discharge', 'BizStep')).toBe(
      'http://epcis.example.org/hc/bizstep/summarising_discharge',
    );
  });

  it('gives the event time in the event’s own zone', () => {
    expect(eventTimeWithOffset('2013-06-08T14:58:56.591Z', '+02:00')).toBe('2013-06-08T16:58:56.591+02:00');
    expect(eventTimeWithOffset('2026-03-02T01:00:00.000Z', '+08:00')).toBe('2026-03-02T09:00:00+08:00');
    expect(eventTimeWithOffset('2005-04-03T20:33:31.116000-06:00', '-06:00')).toBe('2005-04-03T20:33:31.116-06:00');
    expect(eventTimeWithOffset('2026-03-01T23:30:00+08:00', '+00:00')).toBe('2026-03-01T15:30:00+00:00');
  });

  it('reads product, lot and maker from a Monazite class, and refuses a malformed one', () => {
    expect(parseMonaziteClass('urn:monazite:class:ND2O3:B-2026/001')).toEqual({
      product: 'ND2O3',
      batch: 'B-2026/001',
      maker: undefined,
    });
    expect(parseMonaziteClass(monaziteClass('ND2O3', 'L1', creditCodeOf('bayan')))).toMatchObject({
      maker: creditCodeOf('bayan'),
    });
    expect(parseMonaziteClass('urn:epc:class:lgtin:4012345.012345.998877')).toBeNull();
    expect(parseMonaziteClass('urn:monazite:class:ND2O3')).toMatchObject({ field: 'epcClass' });
    expect(parseMonaziteClass('urn:monazite:class:ND2O3:L1:X:Y')).toMatchObject({ field: 'epcClass' });
  });

  it('takes a document number from the last segment of a business transaction URI', () => {
    expect(documentNumber('urn:epcglobal:cbv:bt:0614141073467:1152')).toBe('1152');
    expect(documentNumber('http://transaction.acme.com/po/12345678')).toBe('12345678');
    expect(documentNumber('urn:monazite:doc:INV%2F7')).toBe('INV/7');
  });

  it('reads extension fields under the prefix the document binds to the Monazite namespace', () => {
    const event = { 'm:gradePpm': 1, 'monazite:gradePpm': 2, ilmd: { 'm:reoKg': 3 } };
    const bound = monaziteExtensions([{ m: 'https://monazite.invalid/epcis/', monazite: 'https://other.example/' }]);
    expect(bound.get(event, 'gradePpm')).toBe(1);
    expect(bound.get(event, 'reoKg')).toBe(3);
    expect(monaziteExtensions([]).get(event, 'gradePpm')).toBe(2);
    expect(monaziteExtensions([{ monazite: 'https://other.example/' }]).get(event, 'gradePpm')).toBeUndefined();
  });
});

describe('EPCIS events as flows', () => {
  it('leaves every event of the standard’s examples as an EPCIS event only', () => {
    for (const name of fixtureNames)
      for (const event of fixtureEvents(name)) expect(map(event)).toEqual({ kind: 'none' });
  });

  it('maps a commissioning to a produce, grade from the extension field', () => {
    expect(flowOf(produceEvent('urn:uuid:p1', 'BY-01', 20_000, { 'monazite:reoKg': 10_000 }))).toEqual({
      kind: 'produce',
      event_id: 'urn:uuid:p1',
      event_time: '2026-03-02T09:00:00+08:00',
      batch: 'BY-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 20_000,
      grade_ppm: 500_000,
      reo_kg: 10_000,
    });
  });

  it('maps a shipping to a ship: counterparty from the destination owning party, invoice and waybill', () => {
    const event = shipEvent('urn:uuid:s1', 'BY-01', 20_000, 'kundulun', {
      quantityList: [kgOf(monaziteClass('BASTNAESITE_CONC', 'BY-01', creditCodeOf('bayan')), 20_000)],
    });
    expect(flowOf(event)).toMatchObject({
      kind: 'ship',
      counterparty: creditCodeOf('kundulun'),
      batch_maker: creditCodeOf('bayan'),
      documents: { invoice_no: 'INV-001', waybill_no: 'WB-001' },
    });
  });

  it('maps a receiving to a receive from the source owning party (TransactionEvent too)', () => {
    const event = {
      ...shipEvent('urn:uuid:r1', 'BY-01', 20_000, 'kundulun'),
      type: 'TransactionEvent',
      action: 'ADD',
      bizStep: 'receiving',
      destinationList: undefined,
      sourceList: [
        { type: 'possessing_party', source: 'urn:epc:id:sgln:4012345.00001.0' },
        { type: 'https://ref.gs1.org/cbv/SDT-owning_party', source: party('bayan') },
      ],
    };
    expect(flowOf(JSON.parse(JSON.stringify(event)) as object)).toMatchObject({
      kind: 'receive',
      counterparty: creditCodeOf('bayan'),
    });
  });

  it('maps shipping and receiving with a foreign country to export and import, with the customs declaration', () => {
    const foreign = {
      'monazite:country': 'JP',
      'monazite:counterpartyName': 'Example Magnetics K.K.',
      bizTransactionList: [{ type: 'monazite:customsDeclaration', bizTransaction: 'urn:monazite:doc:220120260001' }],
    };
    const exported = flowOf({
      ...shipEvent('urn:uuid:x1', 'BY-01', 1_000, 'kundulun', foreign),
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:4512345.00000' }],
    });
    expect(exported).toMatchObject({
      kind: 'export',
      country: 'JP',
      counterparty_name: 'Example Magnetics K.K.',
      documents: { customs_declaration_no: '220120260001' },
    });
    expect(exported).not.toHaveProperty('counterparty');
    expect(
      flowOf({ ...shipEvent('urn:uuid:i1', 'IM-01', 1_000, 'kundulun', foreign), bizStep: 'receiving' }),
    ).toMatchObject({ kind: 'import', country: 'JP' });
  });

  it('maps cycle counting to a stock count and destroying (with a reason) to a loss', () => {
    const base = produceEvent('urn:uuid:c1', 'BY-01', 19_950);
    expect(flowOf({ ...base, action: 'OBSERVE', bizStep: 'cycle_counting' })).toMatchObject({ kind: 'stock_count' });
    expect(flowOf({ ...base, action: 'OBSERVE', bizStep: 'stock_taking' })).toMatchObject({ kind: 'stock_count' });
    expect(
      flowOf({ ...base, action: 'DELETE', bizStep: 'destroying', 'monazite:reason': 'spilled in transit' }),
    ).toMatchObject({ kind: 'loss', reason: 'spilled in transit' });
  });

  it('maps a TransformationEvent to a transform: per-class grades, REO and edges, other classes ignored', () => {
    const ore = monaziteClass('BASTNAESITE_CONC', 'BY-01', creditCodeOf('bayan'));
    const oxide = monaziteClass('PRND_OXIDE', 'KD-PRND-01');
    const lanthanum = monaziteClass('LA2O3', 'KD-LA-01');
    const event = {
      type: 'TransformationEvent',
      eventID: 'urn:uuid:t1',
      eventTime: marchUtc(12),
      eventTimeZoneOffset: '+08:00',
      bizStep: 'commissioning',
      inputQuantityList: [kgOf(ore, 20_000), kgOf('urn:epc:class:lgtin:4012345.011111.4444', 500)],
      outputQuantityList: [kgOf(oxide, 3_000), kgOf(lanthanum, 6_000)],
      'monazite:gradePpm': { [ore]: 500_000 },
      'monazite:edges': [
        { from_batch: 'BY-01', to_batch: 'KD-PRND-01', reo_kg: 3_000 },
        { from_batch: 'BY-01', to_batch: 'KD-LA-01', reo_kg: 6_000 },
      ],
    };
    expect(flowOf(event)).toEqual({
      kind: 'transform',
      event_id: 'urn:uuid:t1',
      event_time: '2026-03-12T09:00:00+08:00',
      inputs: [
        {
          batch: 'BY-01',
          batch_maker: creditCodeOf('bayan'),
          product: 'BASTNAESITE_CONC',
          mass_kg: 20_000,
          grade_ppm: 500_000,
        },
      ],
      outputs: [
        { batch: 'KD-PRND-01', product: 'PRND_OXIDE', mass_kg: 3_000 },
        { batch: 'KD-LA-01', product: 'LA2O3', mass_kg: 6_000 },
      ],
      edges: event['monazite:edges'],
    });
  });

  it('names the EPCIS field a flow field came from', () => {
    const mapping = map(shipEvent('urn:uuid:s2', 'BY-01', 20_000, 'kundulun'));
    expect(mapping.kind === 'flow' && mapping.labels).toMatchObject({
      mass_kg: 'quantityList[0].quantity',
      batch: 'quantityList[0].epcClass',
      counterparty: 'destinationList (owning_party)',
      grade_ppm: 'monazite:gradePpm',
      event_time: 'eventTime',
    });
  });
});

describe('EPCIS events that claim a flow but cannot be one', () => {
  it('refuses a Monazite class in another unit than KGM, or without a quantity', () => {
    const event = produceEvent('urn:uuid:p', 'L1', 1, {
      quantityList: [{ epcClass: monaziteClass('ND2O3', 'L1'), quantity: 1, uom: 'TNE' }],
    });
    expect(findingsOf(event)).toEqual([
      { field: 'quantityList[0].uom', message: expect.stringContaining('KGM') as unknown },
    ]);
    const missing = produceEvent('urn:uuid:p', 'L1', 1, { quantityList: [{ epcClass: monaziteClass('ND2O3', 'L1') }] });
    expect(findingsOf(missing).map((finding) => finding.field)).toEqual([
      'quantityList[0].uom',
      'quantityList[0].quantity',
    ]);
  });

  it('leaves other classes in other units alone', () => {
    expect(
      map({ ...produceEvent('urn:uuid:p', 'L1', 1), quantityList: [kgOf('urn:epc:class:lgtin:1.2.3', 5, 'TNE')] }),
    ).toEqual({
      kind: 'none',
    });
  });

  it('needs an eventID, a bizStep of the table and its action', () => {
    const { eventID: _dropped, ...anonymous } = produceEvent('x', 'L1', 1);
    expect(findingsOf(anonymous)).toEqual([{ field: 'eventID', message: expect.any(String) as unknown }]);
    expect(findingsOf({ ...produceEvent('urn:uuid:p', 'L1', 1), bizStep: 'inspecting' })[0]?.field).toBe('bizStep');
    expect(findingsOf({ ...produceEvent('urn:uuid:p', 'L1', 1), action: 'OBSERVE' })).toEqual([
      { field: 'action', message: 'must be ADD with bizStep commissioning' },
    ]);
  });

  it('refuses two Monazite lots in one ObjectEvent', () => {
    const event = produceEvent('urn:uuid:p', 'L1', 1, {
      quantityList: [kgOf(monaziteClass('ND2O3', 'L1'), 1), kgOf(monaziteClass('ND2O3', 'L2'), 1)],
    });
    expect(findingsOf(event).map((finding) => finding.field)).toEqual(['quantityList[1]']);
  });

  it('needs the counterparty as a Monazite party URI', () => {
    const sgln = shipEvent('urn:uuid:s', 'L1', 1, 'kundulun', {
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:sgln:0614141.00001.0' }],
    });
    expect(findingsOf(sgln)).toEqual([
      {
        field: 'destinationList',
        message: expect.stringContaining('urn:epc:id:sgln:0614141.00001.0 is not of that form') as unknown,
      },
    ]);
    const none = shipEvent('urn:uuid:s', 'L1', 1, 'kundulun', { destinationList: [] });
    expect(findingsOf(none)[0]?.field).toBe('destinationList');
  });

  it('refuses a transform with Monazite classes on one side only', () => {
    const event = {
      type: 'TransformationEvent',
      eventID: 'urn:uuid:t',
      eventTime: marchUtc(12),
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [kgOf(monaziteClass('ND2O3', 'L1'), 10)],
      outputQuantityList: [kgOf('urn:epc:class:lgtin:1.2.3', 10)],
    };
    expect(findingsOf(event)).toEqual([{ field: 'outputQuantityList', message: expect.any(String) as unknown }]);
  });

  it('leaves flow-field checks (a whole number of kg, a valid counterparty) to the flow validation', () => {
    const mapping = map(produceEvent('urn:uuid:p', 'L1', 200.5));
    expect(mapping.kind).toBe('flow');
    const parsed = flowEventInput.safeParse(mapping.kind === 'flow' ? mapping.event : null);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['mass_kg']);
  });
});

describe('the example of docs/epcis.md', () => {
  it('is a valid EPCIS document whose event is the ship the text says', () => {
    const markdown = readFileSync(new URL('../../docs/epcis.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(markdown)?.[1];
    const document = JSON.parse(block ?? 'null') as { '@context': unknown; epcisBody: { eventList: object[] } };
    expect(schemaErrors(document)).toEqual([]);
    const [event] = document.epcisBody.eventList;
    expect(flowOf(event!, monaziteExtensions(document['@context']))).toEqual({
      kind: 'ship',
      event_id: 'urn:uuid:0b6f2a4e-3c1d-4e8a-9f00-000000000001',
      event_time: '2026-03-05T08:30:00+08:00',
      batch: 'BY-2603-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 20_000,
      grade_ppm: 500_000,
      counterparty: creditCodeOf('kundulun'),
      documents: { invoice_no: 'INV-001', waybill_no: 'WB-001' },
    });
  });
});
