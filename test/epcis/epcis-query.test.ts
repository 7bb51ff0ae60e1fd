import { describe, expect, it } from 'vitest';
import { contextList, flowProblem, prepareEvents, triage } from '../../src/server/modules/epcis/epcis-capture.rules.ts';
import {
  columnsOf,
  encodePageToken,
  epcPatternRegex,
  MAX_PER_PAGE,
  parseEventQuery,
  queryDocument,
  type EventQuery,
} from '../../src/server/modules/epcis/epcis-query.rules.ts';
import { schemaErrors } from '../../src/server/modules/epcis/epcis.schema.ts';
import {
  epcisDocument,
  fixture,
  fixtureEvents,
  fixtureNames,
  kgOf,
  monaziteClass,
  produceEvent,
  shipEvent,
} from './epcis-documents.ts';

function parsed(query: Record<string, unknown>): EventQuery {
  const result = parseEventQuery(query);
  if ('status' in result) throw new Error(result.detail);
  return result;
}

describe('the EPCIS JSON schema', () => {
  it('accepts the standard’s examples and refuses a broken document with where and why', () => {
    for (const name of [...fixtureNames, 'EPCISQueryDocument.jsonld']) expect(schemaErrors(fixture(name))).toEqual([]);
    const broken = epcisDocument([{ ...produceEvent('urn:uuid:1', 'L1', 1), gradePpm: 1, action: 'MAKE' }]);
    const errors = schemaErrors(broken);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((error) => error.pointer.startsWith('/epcisBody/eventList/0'))).toBe(true);
  });
});

describe('query columns', () => {
  it('keeps EPCs, parents, inputs, outputs and classes apart for MATCH_epc / MATCH_anyEPC and the class filters', () => {
    const [aggregation] = fixtureEvents('Example_9.6.3-AggregationEvent.jsonld');
    expect(columnsOf(aggregation!)).toEqual({
      eventType: 'AggregationEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      epcs: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018'],
      otherEpcs: ['urn:epc:id:sscc:0614141.1234567890'],
      epcClasses: ['urn:epc:idpat:sgtin:4012345.098765.*', 'urn:epc:class:lgtin:4012345.012345.998877'],
      otherEpcClasses: [],
    });
    const [transformation] = fixtureEvents('Example_9.6.4-TransformationEvent.jsonld');
    const columns = columnsOf(transformation!);
    expect(columns.epcs).toEqual([]);
    expect(columns.otherEpcs).toHaveLength(6);
    expect(columns.otherEpcClasses).toContain('urn:epc:class:lgtin:0614141.077777.987');
  });
});

describe('query parameters', () => {
  it('reads pipe-delimited lists and normalises CBV values', () => {
    const query = parsed({
      eventType: 'ObjectEvent|TransformationEvent',
      EQ_bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping|receiving',
      GE_eventTime: '2026-03-01T00:00:00 08:00',
      MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2017|urn:epc:idpat:sgtin:0614141.*.*',
    });
    expect(query.filters).toEqual({
      eventTypes: ['ObjectEvent', 'TransformationEvent'],
      bizSteps: ['shipping', 'receiving'],
      geEventTime: '2026-03-01T00:00:00+08:00',
      matchEpc: {
        exact: ['urn:epc:id:sgtin:0614141.107346.2017'],
        patterns: ['^urn:epc:id:sgtin:0614141\\.[^.]+\\.[^.]+$'],
      },
    });
    expect(query.perPage).toBe(30);
  });

  it('caps perPage and refuses bad values, unknown names and unsupported standard parameters', () => {
    expect(parsed({ perPage: '5000' }).perPage).toBe(MAX_PER_PAGE);
    expect(parseEventQuery({ perPage: '0' })).toMatchObject({
      status: 400,
      type: 'epcisException:QueryParameterException',
    });
    expect(parseEventQuery({ GE_eventTime: 'yesterday' })).toMatchObject({ status: 400 });
    expect(parseEventQuery({ EQ_action: 'MAKE' })).toMatchObject({ status: 400 });
    expect(parseEventQuery({ colour: 'red' })).toMatchObject({ status: 400 });
    expect(parseEventQuery({ EQ_readPoint: 'urn:epc:id:sgln:1.2.3' })).toMatchObject({
      status: 501,
      type: 'epcisException:ImplementationException',
    });
  });

  it('takes back only the page tokens it gave for the same filters', () => {
    const first = parsed({ eventType: 'ObjectEvent' });
    const token = encodePageToken('41', first.fingerprint);
    expect(parsed({ eventType: 'ObjectEvent', nextPageToken: token }).after).toBe('41');
    expect(parseEventQuery({ eventType: 'AggregationEvent', nextPageToken: token })).toMatchObject({ status: 400 });
    expect(parseEventQuery({ nextPageToken: 'not-a-token' })).toMatchObject({ status: 400 });
  });

  it('turns EPC patterns into anchored expressions', () => {
    const regex = new RegExp(epcPatternRegex('urn:epc:idpat:sgtin:0614141.107346.*')!);
    expect(regex.test('urn:epc:id:sgtin:0614141.107346.2017')).toBe(true);
    expect(regex.test('urn:epc:id:sgtin:0614141.107347.2017')).toBe(false);
    expect(epcPatternRegex('urn:epc:idpat:')).toBeNull();
  });
});

describe('the query answer', () => {
  it('is a valid EPCISQueryDocument: events as captured, recordTime added, contexts merged or kept apart', () => {
    const events = [
      ...fixtureEvents('Example_9.6.1-ObjectEvent.jsonld'),
      ...fixtureEvents('Example-TransactionEvents-2020_07_03y.jsonld'),
    ];
    const contexts = [
      contextList(fixture('Example_9.6.1-ObjectEvent.jsonld')),
      contextList(fixture('Example_9.6.1-ObjectEvent.jsonld')),
      contextList(fixture('Example-TransactionEvents-2020_07_03y.jsonld')),
      contextList(fixture('Example-TransactionEvents-2020_07_03y.jsonld')),
      [{ example: 'https://another.example/' }],
    ];
    const stored = [...events, events[0]!].map((document, index) => ({
      eventId: typeof document.eventID === 'string' ? document.eventID : `urn:test:generated-${index}`,
      document,
      context: contexts[index]!,
      recordTime: new Date('2026-04-01T00:00:00Z'),
    }));
    const answer = queryDocument(stored, new Date('2026-04-02T00:00:00Z'));
    expect(schemaErrors(answer)).toEqual([]);
    const list = answer.epcisBody.queryResults.resultsBody.eventList;
    expect(list[0]).toEqual({ ...events[0], recordTime: '2026-04-01T00:00:00.000Z' });
    expect(list[2]).toMatchObject({ eventID: 'urn:test:generated-2' });
    expect(answer['@context']).toEqual([
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      expect.objectContaining({ example: 'http://ns.example.com/epcis/', rail: 'urn:gs1:epcisapp:rail:' }),
    ]);
    expect(list[4]).toMatchObject({ '@context': [{ example: 'https://another.example/' }] });
  });
});

describe('capture triage', () => {
  it('stores new events, skips the unchanged, refuses an eventID reused with other content', () => {
    const events = prepareEvents(
      [
        produceEvent('urn:uuid:a', 'L1', 10),
        produceEvent('urn:uuid:b', 'L2', 10),
        produceEvent('urn:uuid:c', 'L3', 10),
        produceEvent('urn:uuid:c', 'L3', 10),
        { ...produceEvent('urn:uuid:c', 'L3', 11), recordTime: '2026-01-01T00:00:00Z' },
      ],
      [],
    );
    const stored = new Map([
      ['urn:uuid:a', events[0]!.contentSm3],
      ['urn:uuid:b', 'other content'],
    ]);
    const sorted = triage(events, stored);
    expect(sorted.fresh.map((event) => event.index)).toEqual([2]);
    expect(sorted.unchanged.map((event) => event.index)).toEqual([0, 3]);
    expect(sorted.problems.map((problem) => [problem.eventIndex, problem.type, problem.field])).toEqual([
      [1, 'epcisException:ResourceAlreadyExistsException', 'eventID'],
      [4, 'epcisException:ResourceAlreadyExistsException', 'eventID'],
    ]);
  });

  it('names an event without an eventID by the hash of its content, and ignores a recordTime sent in', () => {
    const [event] = fixtureEvents('Example-TransactionEvents-2020_07_03y.jsonld');
    const [first] = prepareEvents([event], []);
    const [again] = prepareEvents([{ ...event, recordTime: '2020-01-01T00:00:00Z' }], []);
    expect(first!.eventId).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=monazite$/);
    expect(again!.eventId).toBe(first!.eventId);
    expect(again!.document).not.toHaveProperty('recordTime');
  });

  it('names a flow validation error by the event and the EPCIS field it came from', () => {
    const transform = {
      type: 'TransformationEvent',
      eventID: 'urn:uuid:t',
      eventTime: '2026-03-12T01:00:00Z',
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [kgOf('urn:epc:class:lgtin:1.2.3', 1), kgOf(monaziteClass('ND2O3', 'L1'), 10)],
      outputQuantityList: [kgOf(monaziteClass('ND_METAL', 'M1'), 8)],
    };
    const events = prepareEvents([shipEvent('urn:uuid:s', 'L0', 5, 'kundulun'), transform], []);
    const problem = (row: number, field: string) => flowProblem({ row, field, message: 'is wrong' }, events);
    expect(problem(2, 'inputs.0.mass_kg')).toMatchObject({
      eventIndex: 1,
      eventID: 'urn:uuid:t',
      field: 'inputQuantityList[1].quantity',
      detail: 'eventList[1] inputQuantityList[1].quantity: is wrong',
    });
    expect(problem(2, 'edges.0.reo_kg').field).toBe('monazite:edges.0.reo_kg');
    expect(problem(1, 'documents.waybill_no').field).toBe('bizTransactionList (desadv, bol)');
    expect(problem(1, 'quantityList[0].epcClass').field).toBe('quantityList[0].epcClass');
    expect(problem(9, 'event_id')).not.toHaveProperty('eventIndex');
  });
});
