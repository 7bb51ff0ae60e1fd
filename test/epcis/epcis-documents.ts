import { readFileSync } from 'node:fs';
import { demoEnterprises } from '../../src/server/demo/demo-data.ts';

/** Builders of EPCIS documents for the tests: Monazite's convention (docs/epcis.md) and the standard's examples. */

export const STANDARD_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
export const MONAZITE_CONTEXT = [STANDARD_CONTEXT, { monazite: 'https://monazite.invalid/epcis/' }];

export function creditCodeOf(key: string): string {
  const found = demoEnterprises.find((enterprise) => enterprise.key === key);
  if (!found) throw new Error(`no demo enterprise ${key}`);
  return found.credit_code;
}

export const party = (key: string) => `urn:monazite:party:${creditCodeOf(key)}`;

/** An example document of the standard, as published (test/fixtures/epcis/). */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/epcis/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

export const fixtureNames = [
  'Example_9.6.1-ObjectEvent.jsonld',
  'Example_9.6.2-ObjectEvent.jsonld',
  'Example_9.6.3-AggregationEvent.jsonld',
  'Example_9.6.4-TransformationEvent.jsonld',
  'Example-TransactionEvents-2020_07_03y.jsonld',
] as const;

/** The events of a fixture document. */
export function fixtureEvents(name: string): Record<string, unknown>[] {
  const body = fixture(name).epcisBody as { eventList: Record<string, unknown>[] };
  return body.eventList;
}

export function epcisDocument(events: readonly object[], context: unknown = MONAZITE_CONTEXT) {
  return {
    '@context': context,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-04-01T00:00:00Z',
    epcisBody: { eventList: events },
  };
}

/** A time in March 2026, UTC, shown in Beijing time by the offset. */
export const marchUtc = (day: number, hour = 1) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

export const kgOf = (epcClass: string, quantity: number, uom = 'KGM') => ({ epcClass, quantity, uom });
export const monaziteClass = (product: string, lot: string, maker?: string) =>
  `urn:monazite:class:${product}:${lot}${maker ? `:${maker}` : ''}`;

/** The mine produces a lot of bastnaesite concentrate: ObjectEvent ADD commissioning. */
export function produceEvent(eventId: string, lot: string, massKg: number, extra: object = {}) {
  return {
    type: 'ObjectEvent',
    eventID: eventId,
    eventTime: marchUtc(2),
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    quantityList: [kgOf(monaziteClass('BASTNAESITE_CONC', lot), massKg)],
    'monazite:gradePpm': 500_000,
    ...extra,
  };
}

/** The mine ships a lot to another enterprise: ObjectEvent OBSERVE shipping, destination owning party. */
export function shipEvent(eventId: string, lot: string, massKg: number, to: string, extra: object = {}) {
  return {
    type: 'ObjectEvent',
    eventID: eventId,
    eventTime: marchUtc(5),
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
    disposition: 'in_transit',
    quantityList: [kgOf(monaziteClass('BASTNAESITE_CONC', lot), massKg)],
    destinationList: [{ type: 'owning_party', destination: party(to) }],
    bizTransactionList: [
      { type: 'inv', bizTransaction: 'urn:monazite:doc:INV-001' },
      { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:6901234000001:WB-001' },
    ],
    'monazite:gradePpm': 500_000,
    ...extra,
  };
}
