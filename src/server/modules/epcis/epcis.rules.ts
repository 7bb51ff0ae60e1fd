/**
 * How an EPCIS event that carries a Monazite class becomes a flow event (the shape `flowEventInput` checks):
 * the bizStep table, the lines, parties and documents. Pure; the convention is in docs/epcis.md.
 */
import {
  documentNumber,
  eventTimeWithOffset,
  isMonaziteClass,
  MONAZITE_NAMESPACE,
  normaliseCbv,
  parseMonaziteClass,
  PARTY_PREFIX,
  quantities,
  text,
  type EpcisEvent,
  type EventFinding,
  type Extensions,
  type MonaziteClass,
  type QuantityElement,
} from './epcis-vocabulary.rules.ts';

/** What becomes of one event: stored only, a flow event for `ingestFlows`, or a flow claim that cannot map. */
export type FlowMapping =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'flow';
      readonly event: Record<string, unknown>;
      /** Flow field (`mass_kg`, `inputs.0.batch`) → the EPCIS field it came from, for error messages. */
      readonly labels: Record<string, string>;
    }
  | { readonly kind: 'invalid'; readonly findings: EventFinding[] };

type SingleKind = 'produce' | 'ship' | 'receive' | 'stock_count' | 'loss';
/** bizStep (bare CBV word) → flow kind, and the actions that may carry it. */
export const bizStepKinds: Readonly<Record<string, { kind: SingleKind; actions: readonly string[] }>> = {
  commissioning: { kind: 'produce', actions: ['ADD'] },
  shipping: { kind: 'ship', actions: ['OBSERVE', 'ADD'] },
  receiving: { kind: 'receive', actions: ['OBSERVE', 'ADD'] },
  cycle_counting: { kind: 'stock_count', actions: ['OBSERVE'] },
  stock_taking: { kind: 'stock_count', actions: ['OBSERVE'] },
  destroying: { kind: 'loss', actions: ['DELETE', 'OBSERVE'] },
};

interface MonaziteLine {
  readonly path: string;
  readonly element: QuantityElement;
  readonly parsed: MonaziteClass;
}

/** The Monazite lines of a quantity list; other classes are not rare earth products and are left alone. */
function monaziteLines(event: EpcisEvent, list: string, findings: EventFinding[]): MonaziteLine[] {
  const lines: MonaziteLine[] = [];
  quantities(event[list]).forEach((element, index) => {
    const path = `${list}[${index}]`;
    const parsed = parseMonaziteClass(element.epcClass);
    if (parsed === null) return;
    if ('field' in parsed) return void findings.push({ field: `${path}.epcClass`, message: parsed.message });
    if (element.uom !== 'KGM')
      findings.push({ field: `${path}.uom`, message: 'must be KGM: Monazite records rare earth products in kg' });
    if (element.quantity === undefined)
      findings.push({ field: `${path}.quantity`, message: 'is required for a Monazite class (kg)' });
    lines.push({ path, element, parsed });
  });
  return lines;
}

/** True when any quantity list names a Monazite class: the event claims to record a flow. */
export function claimsFlow(event: EpcisEvent): boolean {
  return ['quantityList', 'inputQuantityList', 'outputQuantityList'].some((list) =>
    quantities(event[list]).some((element) => isMonaziteClass(element.epcClass)),
  );
}

export function mapToFlow(event: EpcisEvent, extensions: Extensions): FlowMapping {
  const type = event.type;
  if (type !== 'ObjectEvent' && type !== 'TransactionEvent' && type !== 'TransformationEvent') return { kind: 'none' };
  if (!claimsFlow(event)) return { kind: 'none' };
  const findings: EventFinding[] = [];
  const labels: Record<string, string> = {};
  const mapped =
    type === 'TransformationEvent'
      ? transformFields(event, extensions, findings, labels)
      : singleFields(event, extensions, findings, labels);
  const common = commonFields(event, extensions, findings, labels);
  if (findings.length > 0) return { kind: 'invalid', findings };
  return { kind: 'flow', event: { ...common, ...mapped }, labels };
}

function commonFields(
  event: EpcisEvent,
  extensions: Extensions,
  findings: EventFinding[],
  labels: Record<string, string>,
): Record<string, unknown> {
  const eventId = text(event.eventID);
  if (eventId === null) findings.push({ field: 'eventID', message: 'is required for an event that records a flow' });
  const fields: Record<string, unknown> = {
    event_id: eventId,
    event_time: eventTimeWithOffset(String(event.eventTime), String(event.eventTimeZoneOffset)),
  };
  Object.assign(labels, { event_id: 'eventID', event_time: 'eventTime' });
  const documents = documentsOf(event, findings);
  if (documents !== undefined) fields.documents = documents;
  for (const [field, name] of [
    ['amends', 'amends'],
    ['reason', 'reason'],
  ] as const) {
    const value = extensions.get(event, name);
    labels[field] = `monazite:${name}`;
    if (value !== undefined) fields[field] = value;
  }
  Object.assign(labels, {
    documents: 'bizTransactionList',
    'documents.invoice_no': 'bizTransactionList (inv)',
    'documents.waybill_no': 'bizTransactionList (desadv, bol)',
    'documents.customs_declaration_no': 'bizTransactionList (monazite:customsDeclaration)',
  });
  return fields;
}

const documentTypes: Readonly<Record<string, 'invoice_no' | 'waybill_no' | 'customs_declaration_no'>> = {
  inv: 'invoice_no',
  desadv: 'waybill_no',
  bol: 'waybill_no',
  'monazite:customsDeclaration': 'customs_declaration_no',
  [`${MONAZITE_NAMESPACE}customsDeclaration`]: 'customs_declaration_no',
};

/** Invoice, waybill and customs declaration numbers from bizTransactionList; other types are not flow documents. */
function documentsOf(event: EpcisEvent, findings: EventFinding[]): Record<string, string> | undefined {
  const documents: Record<string, string> = {};
  const list = Array.isArray(event.bizTransactionList) ? (event.bizTransactionList as unknown[]) : [];
  list.forEach((entry, index) => {
    const { type, bizTransaction } = entry as { type?: unknown; bizTransaction?: unknown };
    const target = typeof type === 'string' ? documentTypes[normaliseCbv(type, 'BTT')] : undefined;
    if (target === undefined || typeof bizTransaction !== 'string') return;
    const number = documentNumber(bizTransaction);
    if (documents[target] !== undefined && documents[target] !== number)
      findings.push({
        field: `bizTransactionList[${index}]`,
        message: `gives a second ${String(type)} number; give one`,
      });
    documents[target] = number;
  });
  return Object.keys(documents).length > 0 ? documents : undefined;
}

function singleFields(
  event: EpcisEvent,
  extensions: Extensions,
  findings: EventFinding[],
  labels: Record<string, string>,
): Record<string, unknown> {
  const lines = monaziteLines(event, 'quantityList', findings);
  const bizStep = text(event.bizStep);
  const step = bizStep === null ? undefined : bizStepKinds[normaliseCbv(bizStep, 'BizStep')];
  if (step === undefined) {
    findings.push({
      field: 'bizStep',
      message:
        `${bizStep ?? '(none)'} does not record a flow: use commissioning, shipping, receiving, cycle_counting, ` +
        'stock_taking or destroying (or a TransformationEvent)',
    });
    return {};
  }
  if (!step.actions.includes(String(event.action)))
    findings.push({ field: 'action', message: `must be ${step.actions.join(' or ')} with bizStep ${bizStep}` });
  const [line, second] = lines;
  if (second !== undefined)
    findings.push({
      field: second.path,
      message: 'an event records one Monazite batch: send one event per batch (or a TransformationEvent)',
    });
  if (line === undefined) return {};
  const fields: Record<string, unknown> = { ...lineFields(line, event, extensions, true, '', labels) };
  const foreign = extensions.get(event, 'country') !== undefined;
  const kind = step.kind === 'ship' && foreign ? 'export' : step.kind === 'receive' && foreign ? 'import' : step.kind;
  fields.kind = kind;
  if (kind === 'ship') fields.counterparty = ownParty(event, 'destination', findings, labels);
  if (kind === 'receive') fields.counterparty = ownParty(event, 'source', findings, labels);
  if (kind === 'import' || kind === 'export') {
    fields.country = extensions.get(event, 'country');
    fields.counterparty_name = extensions.get(event, 'counterpartyName');
    Object.assign(labels, { country: 'monazite:country', counterparty_name: 'monazite:counterpartyName' });
  }
  return fields;
}

function transformFields(
  event: EpcisEvent,
  extensions: Extensions,
  findings: EventFinding[],
  labels: Record<string, string>,
): Record<string, unknown> {
  const inputs = monaziteLines(event, 'inputQuantityList', findings);
  const outputs = monaziteLines(event, 'outputQuantityList', findings);
  if (inputs.length === 0 || outputs.length === 0)
    findings.push({
      field: inputs.length === 0 ? 'inputQuantityList' : 'outputQuantityList',
      message: 'a transform needs Monazite classes among both its inputs and its outputs',
    });
  const fields: Record<string, unknown> = {
    kind: 'transform',
    inputs: inputs.map((line, index) => lineFields(line, event, extensions, false, `inputs.${index}.`, labels)),
    outputs: outputs.map((line, index) => lineFields(line, event, extensions, false, `outputs.${index}.`, labels)),
  };
  const edges = extensions.get(event, 'edges');
  labels.edges = 'monazite:edges';
  if (edges !== undefined) fields.edges = edges;
  return fields;
}

/** One batch line: the class gives product, lot and maker; the quantity the mass; extensions grade and REO. */
function lineFields(
  line: MonaziteLine,
  event: EpcisEvent,
  extensions: Extensions,
  single: boolean,
  prefix: string,
  labels: Record<string, string>,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    batch: line.parsed.batch,
    product: line.parsed.product,
    mass_kg: line.element.quantity,
  };
  if (line.parsed.maker !== undefined) fields.batch_maker = line.parsed.maker;
  for (const field of ['batch', 'product', 'batch_maker']) labels[`${prefix}${field}`] = `${line.path}.epcClass`;
  labels[`${prefix}mass_kg`] = `${line.path}.quantity`;
  for (const [field, name] of [
    ['grade_ppm', 'gradePpm'],
    ['reo_kg', 'reoKg'],
  ] as const) {
    const value = perLine(extensions.get(event, name), line.element.epcClass, single);
    labels[`${prefix}${field}`] = single ? `monazite:${name}` : `monazite:${name}["${line.element.epcClass}"]`;
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

/**
 * An extension value for one line: an object keyed by epcClass gives each line its own; a bare value is the
 * event's only line's (with several lines it names none, and flow validation says the field is missing).
 */
function perLine(value: unknown, epcClass: string, single: boolean): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return (value as Record<string, unknown>)[epcClass];
  return single ? value : undefined;
}

/** The counterparty's credit code from an owning_party `urn:monazite:party:<CREDIT_CODE>`. */
function ownParty(
  event: EpcisEvent,
  side: 'source' | 'destination',
  findings: EventFinding[],
  labels: Record<string, string>,
): string | undefined {
  const list = `${side}List`;
  labels.counterparty = `${list} (owning_party)`;
  const owners = (Array.isArray(event[list]) ? (event[list] as Record<string, unknown>[]) : [])
    .filter((entry) => typeof entry.type === 'string' && normaliseCbv(entry.type, 'SDT') === 'owning_party')
    .map((entry) => String(entry[side]));
  const ours = [...new Set(owners.filter((owner) => owner.startsWith(PARTY_PREFIX)))];
  if (ours.length === 1) return ours[0]?.slice(PARTY_PREFIX.length);
  findings.push({
    field: list,
    message:
      ours.length > 1
        ? 'names more than one owning_party: give exactly one'
        : `needs an owning_party ${PARTY_PREFIX}<CREDIT_CODE> naming the ${side === 'source' ? 'shipping' : 'receiving'} enterprise` +
          (owners.length > 0 ? ` (${owners.join(', ')} is not of that form)` : ''),
  });
  return undefined;
}
