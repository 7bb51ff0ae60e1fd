/**
 * The words the EPCIS mapping reads: CBV values in their several spellings, Monazite's class and party URIs,
 * its extension fields, event times. Pure; the convention is in docs/epcis.md.
 */

/** An EPCIS event as captured: schema-valid JSON, otherwise unknown. */
export type EpcisEvent = Readonly<Record<string, unknown>>;

/** The namespace of Monazite's extension fields; documents bind a prefix to it in @context. */
export const MONAZITE_NAMESPACE = 'https://monazite.invalid/epcis/';
const CLASS_PREFIX = 'urn:monazite:class:';
export const PARTY_PREFIX = 'urn:monazite:party:';

/** A field-level finding about one event, with the EPCIS path of the field. */
export interface EventFinding {
  readonly field: string;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------- CBV values

type CbvVocabulary = 'BizStep' | 'Disp' | 'BTT' | 'SDT';
const cbvUrn: Record<CbvVocabulary, string> = {
  BizStep: 'urn:epcglobal:cbv:bizstep:',
  Disp: 'urn:epcglobal:cbv:disp:',
  BTT: 'urn:epcglobal:cbv:btt:',
  SDT: 'urn:epcglobal:cbv:sdt:',
};

/** A CBV value as a bare word (`shipping`), whether written bare, as a CBV 2.0 URI, CURIE or CBV 1.x URN. */
export function normaliseCbv(value: string, vocabulary: CbvVocabulary): string {
  for (const prefix of [`https://ref.gs1.org/cbv/${vocabulary}-`, `cbv:${vocabulary}-`, cbvUrn[vocabulary]]) {
    if (value.startsWith(prefix) && value.length > prefix.length) return value.slice(prefix.length);
  }
  return value;
}

/**
 * The event's time as an ISO string in the event's own zone (eventTimeZoneOffset), as flow records keep it:
 * `2013-06-08T14:58:56.591Z` with `+02:00` → `2013-06-08T16:58:56.591+02:00`. Milliseconds are kept.
 */
export function eventTimeWithOffset(eventTime: string, offset: string): string {
  const instant = Date.parse(eventTime);
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (Number.isNaN(instant) || !match) return eventTime;
  const minutes = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  const local = new Date(instant + minutes * 60_000).toISOString().replace(/Z$/, '');
  return `${local.endsWith('.000') ? local.slice(0, -4) : local}${offset}`;
}

// ------------------------------------------------------------------------------ Monazite classes and parties

export interface MonaziteClass {
  readonly product: string;
  readonly batch: string;
  readonly maker: string | undefined;
}

/** `urn:monazite:class:<PRODUCT>:<LOT>[:<MAKER_CREDIT_CODE>]`; null when the class is not Monazite's. */
export function parseMonaziteClass(epcClass: string): MonaziteClass | EventFinding | null {
  if (!epcClass.startsWith(CLASS_PREFIX)) return null;
  const parts = epcClass.slice(CLASS_PREFIX.length).split(':');
  const [product, batch, maker] = parts;
  if (parts.length > 3 || !product || !batch || maker === '')
    return {
      field: 'epcClass',
      message: `${epcClass} must be urn:monazite:class:<PRODUCT_CODE>:<LOT>, optionally :<MAKER_CREDIT_CODE>`,
    };
  return { product, batch, maker };
}

export const isMonaziteClass = (epcClass: string): boolean => epcClass.startsWith(CLASS_PREFIX);

/** The last segment of a business transaction URI: `urn:epcglobal:cbv:bt:0614141073467:1152` → `1152`. */
export function documentNumber(uri: string): string {
  const segment = uri.split(/[:/]/).pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The extension-field reader: keys under the prefixes a document binds to Monazite's namespace, on the event
 * or, failing that, in its ilmd (lot master data, where EPCIS puts a lot's attributes at commissioning).
 */
export interface Extensions {
  get(event: EpcisEvent, name: string): unknown;
}

/**
 * Prefixes bound to MONAZITE_NAMESPACE in a document's @context. `monazite` counts unless the document binds
 * it to something else; the full IRI (`https://monazite.invalid/epcis/gradePpm`) always does.
 */
export function monaziteExtensions(context: unknown): Extensions {
  const entries = Array.isArray(context) ? context : [context];
  const prefixes = new Set<string>();
  let monaziteTaken = false;
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (value === MONAZITE_NAMESPACE) prefixes.add(key);
      else if (key === 'monazite') monaziteTaken = true;
    }
  }
  if (!monaziteTaken) prefixes.add('monazite');
  const keys = (name: string) => [
    `${MONAZITE_NAMESPACE}${name}`,
    ...[...prefixes].map((prefix) => `${prefix}:${name}`),
  ];
  return {
    get(event, name) {
      const ilmd = typeof event.ilmd === 'object' && event.ilmd !== null ? (event.ilmd as EpcisEvent) : {};
      for (const place of [event, ilmd]) for (const key of keys(name)) if (key in place) return place[key];
      return undefined;
    },
  };
}

export const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export interface QuantityElement {
  readonly epcClass: string;
  readonly quantity?: number;
  readonly uom?: string;
}
export function quantities(value: unknown): QuantityElement[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is QuantityElement =>
      typeof item === 'object' && item !== null && typeof (item as { epcClass?: unknown }).epcClass === 'string',
  );
}
