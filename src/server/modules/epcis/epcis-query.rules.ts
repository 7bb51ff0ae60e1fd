/**
 * The query side of the EPCIS repository, pure: the columns kept beside each event, the query parameters this
 * repository answers (and the refusal of the others), keyset page tokens, and the EPCISQueryDocument answer.
 */
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import type { EpcisQueryDocument } from './epcis.schema.ts';
import { normaliseCbv, quantities, text, type EpcisEvent } from './epcis-vocabulary.rules.ts';

export const STANDARD_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Other addresses of the same standard context, seen in documents: not repeated in answers. */
const standardContexts = new Set([
  STANDARD_CONTEXT,
  'https://gs1.github.io/EPCIS/epcis-context.jsonld',
  'https://ref.gs1.org/standards/epcis/epcis-context.jsonld',
]);

export const DEFAULT_PER_PAGE = 30;
/** The most events one page holds; a larger perPage is served as this (the binding lets a server cap it). */
export const MAX_PER_PAGE = 1000;
/** The most values one pipe-delimited query parameter may list. */
export const MAX_PARAMETER_VALUES = 100;

// ------------------------------------------------------------------------------------------ query columns

/** What the repository keeps beside the event for the query parameters. */
export interface EventColumns {
  readonly eventType: string;
  readonly action: string | null;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  /** epcList, childEPCs (MATCH_epc). */
  readonly epcs: string[];
  /** parentID, inputEPCList, outputEPCList (with epcs: MATCH_anyEPC). */
  readonly otherEpcs: string[];
  /** quantityList, childQuantityList classes (MATCH_epcClass). */
  readonly epcClasses: string[];
  /** inputQuantityList, outputQuantityList classes (with epcClasses: MATCH_anyEPCClass). */
  readonly otherEpcClasses: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const classesOf = (value: unknown): string[] => quantities(value).map((element) => element.epcClass);
const unique = (values: string[]): string[] => [...new Set(values)];

export function columnsOf(event: EpcisEvent): EventColumns {
  const bizStep = text(event.bizStep);
  const disposition = text(event.disposition);
  const parentId = text(event.parentID);
  return {
    eventType: text(event.type) ?? '',
    action: text(event.action),
    bizStep: bizStep === null ? null : normaliseCbv(bizStep, 'BizStep'),
    disposition: disposition === null ? null : normaliseCbv(disposition, 'Disp'),
    epcs: unique([...strings(event.epcList), ...strings(event.childEPCs)]),
    otherEpcs: unique([
      ...(parentId === null ? [] : [parentId]),
      ...strings(event.inputEPCList),
      ...strings(event.outputEPCList),
    ]),
    epcClasses: unique([...classesOf(event.quantityList), ...classesOf(event.childQuantityList)]),
    otherEpcClasses: unique([...classesOf(event.inputQuantityList), ...classesOf(event.outputQuantityList)]),
  };
}

// --------------------------------------------------------------------------------------- query parameters

/** EPCs to match: exact URIs, and EPC patterns (`urn:epc:idpat:…`) as anchored regular expressions. */
export interface EpcMatch {
  readonly exact: string[];
  readonly patterns: string[];
}

export interface EventFilters {
  eventTypes?: string[];
  geEventTime?: string;
  ltEventTime?: string;
  geRecordTime?: string;
  ltRecordTime?: string;
  actions?: string[];
  bizSteps?: string[];
  dispositions?: string[];
  eventIds?: string[];
  matchEpc?: EpcMatch;
  matchAnyEpc?: EpcMatch;
  matchEpcClass?: string[];
  matchAnyEpcClass?: string[];
}

export interface EventQuery {
  readonly filters: EventFilters;
  readonly perPage: number;
  /** The id of the last event of the previous page. */
  readonly after: string | null;
  /** Names the filters, so a page token is not used with other filters. */
  readonly fingerprint: string;
}

export interface QueryProblem {
  readonly status: 400 | 501;
  readonly type: 'epcisException:QueryParameterException' | 'epcisException:ImplementationException';
  readonly detail: string;
}

const listParameters = {
  eventType: 'eventTypes',
  EQ_action: 'actions',
  EQ_bizStep: 'bizSteps',
  EQ_disposition: 'dispositions',
  EQ_eventID: 'eventIds',
  MATCH_epcClass: 'matchEpcClass',
  MATCH_anyEPCClass: 'matchAnyEpcClass',
} as const;
const timeParameters = {
  GE_eventTime: 'geEventTime',
  LT_eventTime: 'ltEventTime',
  GE_recordTime: 'geRecordTime',
  LT_recordTime: 'ltRecordTime',
} as const;
const epcParameters = { MATCH_epc: 'matchEpc', MATCH_anyEPC: 'matchAnyEpc' } as const;
export const supportedParameters = [
  ...Object.keys(listParameters),
  ...Object.keys(timeParameters),
  ...Object.keys(epcParameters),
  'perPage',
  'nextPageToken',
];
/** Names the standard's query language defines: those not above are refused as not implemented (501). */
const standardParameter =
  /^(orderBy|orderDirection|eventCountLimit|maxEventCount)$|^(EQ|NE|GT|GE|LT|LE|EXISTS|HASATTR|EQATTR|MATCH|WD|EQ_INNER|GT_INNER|GE_INNER|LT_INNER|LE_INNER|EXISTS_INNER)_/;
/** An ISO 8601 time with a zone; a `+` a client left unencoded arrives as a space. */
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const problem = (detail: string): QueryProblem => ({
  status: 400,
  type: 'epcisException:QueryParameterException',
  detail,
});

/** The query string of GET /events as filters, page size and position; or why it cannot be answered. */
export function parseEventQuery(query: Readonly<Record<string, unknown>>): EventQuery | QueryProblem {
  const filters: EventFilters = {};
  for (const [name, raw] of Object.entries(query)) {
    if (name === 'perPage' || name === 'nextPageToken') continue;
    if (!supportedParameters.includes(name))
      return standardParameter.test(name)
        ? { status: 501, type: 'epcisException:ImplementationException', detail: `${name} is not supported here` }
        : problem(`${name} is not a query parameter (supported: ${supportedParameters.join(', ')})`);
    const values = valuesOf(raw);
    if (values.length === 0) return problem(`${name} needs a value`);
    if (values.length > MAX_PARAMETER_VALUES) return problem(`${name} lists more than ${MAX_PARAMETER_VALUES} values`);
    const found = applyParameter(filters, name, values);
    if (found) return found;
  }
  const perPage = perPageOf(query.perPage);
  if (typeof perPage !== 'number') return perPage;
  const fingerprint = sm3Hex(canonicalJson(filters)).slice(0, 16);
  const token = query.nextPageToken;
  if (token === undefined) return { filters, perPage, after: null, fingerprint };
  const after = typeof token === 'string' ? decodePageToken(token, fingerprint) : null;
  if (after === null)
    return problem('nextPageToken is not one this query gave: follow the Link header of the last page');
  return { filters, perPage, after, fingerprint };
}

/** Pipe-delimited values (`ObjectEvent|TransformationEvent`); a parameter given twice lists both. */
function valuesOf(raw: unknown): string[] {
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((item) => String(item).split('|'));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function applyParameter(filters: EventFilters, name: string, values: string[]): QueryProblem | null {
  if (name in timeParameters) {
    const time = (values[0] ?? '').replace(' ', '+');
    if (values.length > 1 || !isoTime.test(time) || Number.isNaN(Date.parse(time)))
      return problem(`${name} must be one ISO 8601 time with a zone, e.g. 2026-03-05T08:30:00+08:00`);
    filters[timeParameters[name as keyof typeof timeParameters]] = time;
    return null;
  }
  if (name in epcParameters) {
    const patterns = values.filter((value) => value.startsWith('urn:epc:idpat:'));
    const regexes = patterns.map(epcPatternRegex);
    if (regexes.includes(null)) return problem(`${name}: an EPC pattern must be urn:epc:idpat:<scheme>:<fields>`);
    filters[epcParameters[name as keyof typeof epcParameters]] = {
      exact: values.filter((value) => !value.startsWith('urn:epc:idpat:')),
      patterns: regexes.filter((regex): regex is string => regex !== null),
    };
    return null;
  }
  const key = listParameters[name as keyof typeof listParameters];
  if (key === 'actions' && values.some((value) => !['ADD', 'OBSERVE', 'DELETE'].includes(value)))
    return problem('EQ_action values must be ADD, OBSERVE or DELETE');
  filters[key] =
    key === 'bizSteps'
      ? values.map((value) => normaliseCbv(value, 'BizStep'))
      : key === 'dispositions'
        ? values.map((value) => normaliseCbv(value, 'Disp'))
        : values;
  return null;
}

function perPageOf(raw: unknown): number | QueryProblem {
  if (raw === undefined) return DEFAULT_PER_PAGE;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 1) return problem('perPage must be a whole number of at least 1');
  return Math.min(value, MAX_PER_PAGE);
}

/**
 * `urn:epc:idpat:sgtin:0614141.107346.*` → a regular expression over `urn:epc:id:sgtin:0614141.107346.<any>`.
 * A field of `*` matches any one field; the others match themselves.
 */
export function epcPatternRegex(pattern: string): string | null {
  const match = /^urn:epc:idpat:([A-Za-z0-9-]+):(.+)$/.exec(pattern);
  if (!match?.[1] || !match[2]) return null;
  const fields = match[2]
    .split('.')
    .map((field) => (field === '*' ? '[^.]+' : field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return `^urn:epc:id:${match[1]}:${fields.join('\\.')}$`;
}

// -------------------------------------------------------------------------------------------- page tokens

/** Opaque to clients: the last id served and the filters' fingerprint, base64url. */
export function encodePageToken(after: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ a: after, f: fingerprint })).toString('base64url');
}

function decodePageToken(token: string, fingerprint: string): string | null {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; f?: unknown };
    return typeof value.a === 'string' && /^\d{1,19}$/.test(value.a) && value.f === fingerprint ? value.a : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------- the answer

export interface StoredEvent {
  readonly eventId: string;
  readonly document: Record<string, unknown>;
  readonly context: unknown[];
  readonly recordTime: Date;
}

/**
 * An EPCISQueryDocument of stored events, each as captured plus its recordTime (and its eventID when it came
 * without one). Their documents' @context entries are merged into the answer's; an event whose prefixes
 * clash with another's keeps its own @context.
 */
export function queryDocument(events: readonly StoredEvent[], creationDate: Date): EpcisQueryDocument {
  const urls: string[] = [];
  const terms: Record<string, unknown> = {};
  const eventList = events.map((event) => {
    const own = mergeContext(event.context, urls, terms);
    return {
      ...(own ? { '@context': event.context } : {}),
      ...event.document,
      ...(event.document.eventID === undefined ? { eventID: event.eventId } : {}),
      recordTime: event.recordTime.toISOString(),
    };
  });
  return {
    '@context': [STANDARD_CONTEXT, ...urls, ...(Object.keys(terms).length > 0 ? [terms] : [])],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: creationDate.toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList } } },
  };
}

/** Adds an event's context to the answer's; true when it clashes and the event must carry its own. */
function mergeContext(context: unknown[], urls: string[], terms: Record<string, unknown>): boolean {
  const objects = context.filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
  const clash = objects.some((entry) =>
    Object.entries(entry).some(([key, value]) => key in terms && canonicalJson(terms[key]) !== canonicalJson(value)),
  );
  if (clash) return true;
  for (const entry of context)
    if (typeof entry === 'string' && !standardContexts.has(entry) && !urls.includes(entry)) urls.push(entry);
  for (const entry of objects) Object.assign(terms, entry);
  return false;
}
