import {
  flowEventInput,
  type FlowEventInput,
  type FlowKind,
  type FlowLine,
  type RowError,
} from '../../../contracts/flows.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import {
  directionOf,
  lineReo,
  makesBatch,
  offsetOf,
  periodOf,
  transformEdges,
  type Edge,
  type Finding,
  type ProductFacts,
} from './flows.rules.ts';

/**
 * The first, database-free half of the one validation every way in shares: shape (zod), the recording
 * enterprise, times, products and their REO, counterparties, a transform's edges.
 */

/** What a submission's validation knows before it reads any batch. */
export interface IngestContext {
  readonly enterpriseId: string;
  readonly creditCode: string;
  readonly products: ReadonlyMap<string, ProductFacts>;
  readonly enterpriseIds: ReadonlyMap<string, string>;
  readonly sealed: ReadonlySet<string>;
  readonly now: Date;
  /** YYYY-MM-01 when the submission is for one month. */
  readonly period: string | undefined;
}

export type LineRole = 'single' | 'input' | 'output';

export interface PreparedLine {
  readonly role: LineRole;
  readonly path: string;
  readonly batch: string;
  /** The batch's maker by credit code, when the line says (or, for a receive, the shipper by default). */
  readonly makerCode: string | undefined;
  readonly product: ProductFacts;
  readonly massKg: number;
  readonly gradePpm: number | null;
  readonly reoKg: number;
  readonly direction: -1 | 0 | 1;
  readonly makes: boolean;
}

export interface PreparedEvent {
  readonly row: number;
  readonly eventId: string;
  readonly kind: FlowKind;
  readonly input: FlowEventInput;
  readonly eventTime: Date;
  readonly offset: string;
  readonly period: string;
  readonly lines: readonly PreparedLine[];
  readonly edges: readonly Edge[];
  readonly counterpartyId: string | null;
  readonly contentSm3: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
}

/** Future times are refused beyond this clock skew. */
const CLOCK_SKEW_MS = 5 * 60_000;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');

export function rowError(
  row: number,
  eventId: string | undefined,
  finding: Finding,
  labels?: Readonly<Record<string, string>>,
): RowError {
  const exact = labels?.[finding.field];
  const label = labels?.[finding.field.split('.').pop() ?? ''];
  const field = exact ?? (label && !finding.field.includes('.') ? label : finding.field);
  return { row, ...(eventId === undefined ? {} : { event_id: eventId }), field, message: finding.message };
}

/** Parses and checks one raw event. Either the prepared event, or every finding about it. */
export function prepareEvent(
  context: IngestContext,
  row: number,
  raw: unknown,
  labels?: Readonly<Record<string, string>>,
  problems: readonly { field: string; message: string; row?: number }[] = [],
): PreparedEvent | RowError[] {
  const eventId =
    typeof (raw as { event_id?: unknown } | null)?.event_id === 'string'
      ? (raw as { event_id: string }).event_id
      : undefined;
  if (problems.length > 0)
    return problems.map((problem) => ({ ...rowError(row, eventId, problem, labels), row: problem.row ?? row }));
  const parsed = flowEventInput.safeParse(raw);
  if (!parsed.success)
    return parsed.error.issues.map((issue) =>
      rowError(row, eventId, { field: issue.path.join('.') || '(event)', message: issue.message }, labels),
    );
  const event = parsed.data;
  const findings: Finding[] = [];
  if (event.enterprise !== undefined && event.enterprise !== context.creditCode)
    findings.push({
      field: 'enterprise',
      message: `is not your enterprise (${context.creditCode}): record only your own flows`,
    });
  const eventTime = new Date(event.event_time);
  const period = periodOf(eventTime);
  checkTime(context, eventTime, period, event, findings);
  const counterpartyId = counterpartyOf(context, event, findings);
  const lines = linesOf(context, event, findings);
  let edges: Edge[] = [];
  if (event.kind === 'transform' && findings.length === 0) {
    const found = transformEdges(
      lines.filter((line) => line.role === 'input').map((line) => ({ batch: line.batch, reoKg: line.reoKg })),
      lines.filter((line) => line.role === 'output').map((line) => ({ batch: line.batch, reoKg: line.reoKg })),
      event.edges,
    );
    if ('findings' in found) findings.push(...found.findings);
    else edges = found.edges;
  }
  if (event.amends !== undefined && event.reason === undefined)
    findings.push({ field: 'reason', message: 'is required with amends: say why the events are corrected' });
  if (findings.length > 0) return findings.map((finding) => rowError(row, event.event_id, finding, labels));
  return {
    row,
    eventId: event.event_id,
    kind: event.kind,
    input: event,
    eventTime,
    offset: offsetOf(event.event_time),
    period,
    lines,
    edges,
    counterpartyId,
    contentSm3: sm3Hex(canonicalJson(event)),
    labels,
  };
}

function checkTime(
  context: IngestContext,
  eventTime: Date,
  period: string,
  event: FlowEventInput,
  findings: Finding[],
): void {
  if (eventTime.getTime() > context.now.getTime() + CLOCK_SKEW_MS)
    findings.push({ field: 'event_time', message: `${event.event_time} is in the future` });
  else if (eventTime.getTime() < EARLIEST) findings.push({ field: 'event_time', message: 'is before 2000' });
  if (context.period !== undefined && period !== context.period)
    findings.push({
      field: 'event_time',
      message: `falls in ${period.slice(0, 7)} (Beijing time), outside this submission's month ${context.period.slice(0, 7)}`,
    });
  if (context.sealed.has(period) && event.amends === undefined)
    findings.push({
      field: 'event_time',
      message: `falls in ${period.slice(0, 7)}, a month you have sealed: send the correction as an amendment (amends and reason)`,
    });
}

function counterpartyOf(context: IngestContext, event: FlowEventInput, findings: Finding[]): string | null {
  if (event.kind !== 'ship' && event.kind !== 'receive') return null;
  const id = context.enterpriseIds.get(event.counterparty);
  if (id === undefined) {
    findings.push({ field: 'counterparty', message: `${event.counterparty} is not an enterprise in the register` });
    return null;
  }
  if (id === context.enterpriseId) findings.push({ field: 'counterparty', message: 'is your own enterprise' });
  return id;
}

function linesOf(context: IngestContext, event: FlowEventInput, findings: Finding[]): PreparedLine[] {
  const sources: { role: LineRole; path: string; line: FlowLine }[] =
    event.kind === 'transform'
      ? [
          ...event.inputs.map((line, index) => ({ role: 'input' as const, path: `inputs.${index}.`, line })),
          ...event.outputs.map((line, index) => ({ role: 'output' as const, path: `outputs.${index}.`, line })),
        ]
      : [{ role: 'single' as const, path: '', line: event }];
  const lines: PreparedLine[] = [];
  for (const { role, path, line } of sources) {
    const product = context.products.get(line.product);
    if (!product) {
      findings.push({ field: `${path}product`, message: `${line.product} is not in the product catalogue` });
      continue;
    }
    if (!product.active && makesBatch(event.kind, role))
      findings.push({ field: `${path}product`, message: `${line.product} is withdrawn from the catalogue` });
    const reo = lineReo(line, product, path);
    if ('field' in reo) {
      findings.push(reo);
      continue;
    }
    const makerCode = line.batch_maker ?? (event.kind === 'receive' ? event.counterparty : undefined);
    if (makesBatch(event.kind, role) && line.batch_maker !== undefined && line.batch_maker !== context.creditCode)
      findings.push({ field: `${path}batch_maker`, message: 'a batch you make is yours: leave batch_maker out' });
    lines.push({
      role,
      path,
      batch: line.batch,
      makerCode,
      product,
      massKg: line.mass_kg,
      gradePpm: line.grade_ppm ?? null,
      reoKg: reo.reoKg,
      direction: directionOf(event.kind, role),
      makes: makesBatch(event.kind, role),
    });
  }
  return lines;
}
