/**
 * The pure half of a capture: each event's identity, content hash, query columns and flow mapping; which
 * events are new, already stored, or refused; and the capture job's problems in the binding's form.
 */
import { createHash } from 'node:crypto';
import type { RowError } from '../../../contracts/flows.ts';
import type { CaptureProblem } from '../../db/schema-epcis.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { columnsOf, type EventColumns } from './epcis-query.rules.ts';
import { monaziteExtensions, text } from './epcis-vocabulary.rules.ts';
import { mapToFlow, type FlowMapping } from './epcis.rules.ts';

export interface PreparedEvent {
  /** 0-based position in the document's eventList. */
  readonly index: number;
  /** The eventID, or (when the event has none) `ni:///sha-256;<hash of its canonical JSON>?ver=monazite`. */
  readonly eventId: string;
  readonly eventTime: string;
  /** The event as captured, less recordTime (the repository sets that). */
  readonly document: Record<string, unknown>;
  readonly contentSm3: string;
  readonly columns: EventColumns;
  readonly mapping: FlowMapping;
}

/** The document's @context as a list. */
export function contextList(document: unknown): unknown[] {
  const context = (document as { '@context'?: unknown } | null)?.['@context'];
  if (context === undefined) return [];
  return Array.isArray(context) ? context : [context];
}

export function prepareEvents(events: readonly unknown[], context: readonly unknown[]): PreparedEvent[] {
  return events.map((raw, index) => {
    const { recordTime: _set_by_the_repository, ...document } = raw as Record<string, unknown>;
    const canonical = canonicalJson(document);
    const eventContext = document['@context'];
    const extensions = monaziteExtensions([
      ...context,
      ...(Array.isArray(eventContext) ? (eventContext as unknown[]) : eventContext === undefined ? [] : [eventContext]),
    ]);
    return {
      index,
      eventId:
        text(document.eventID) ??
        `ni:///sha-256;${createHash('sha256').update(canonical, 'utf8').digest('hex')}?ver=monazite`,
      eventTime: String(document.eventTime),
      document,
      contentSm3: sm3Hex(canonical),
      columns: columnsOf(document),
      mapping: mapToFlow(document, extensions),
    };
  });
}

const validation = 'epcisException:ValidationException';
const exists = 'epcisException:ResourceAlreadyExistsException';

function eventProblem(
  event: Pick<PreparedEvent, 'index' | 'eventId'>,
  type: string,
  status: number,
  title: string,
  field: string,
  message: string,
): CaptureProblem {
  return {
    type,
    title,
    status,
    detail: `eventList[${event.index}] ${field}: ${message}`,
    eventIndex: event.index,
    eventID: event.eventId,
    field,
  };
}

/** What to do with each event, given the content hashes stored already for their eventIDs. */
export interface Triage {
  readonly fresh: PreparedEvent[];
  /** Stored already with the same content (or repeated in this document): nothing to do. */
  readonly unchanged: PreparedEvent[];
  readonly problems: CaptureProblem[];
  /** Indexes of the events the problems refuse. */
  readonly refused: Set<number>;
}

export function triage(events: readonly PreparedEvent[], stored: ReadonlyMap<string, string>): Triage {
  const result: Triage = { fresh: [], unchanged: [], problems: [], refused: new Set() };
  const seen = new Map<string, string>();
  for (const event of events) {
    const before = stored.get(event.eventId) ?? seen.get(event.eventId);
    const problems: CaptureProblem[] =
      event.mapping.kind === 'invalid'
        ? event.mapping.findings.map((finding) =>
            eventProblem(
              event,
              validation,
              400,
              'The event does not record a valid flow',
              finding.field,
              finding.message,
            ),
          )
        : [];
    if (before !== undefined && before !== event.contentSm3)
      problems.push(
        eventProblem(
          event,
          exists,
          409,
          'An event with this eventID exists with other content',
          'eventID',
          'was captured before with other content; an EPCIS event is never changed: correct it with a new event (errorDeclaration or a corrective event with its own eventID)',
        ),
      );
    if (problems.length > 0) {
      result.problems.push(...problems);
      result.refused.add(event.index);
    } else if (before !== undefined) result.unchanged.push(event);
    else {
      result.fresh.push(event);
      seen.set(event.eventId, event.contentSm3);
    }
  }
  return result;
}

/** A flow validation error of `ingestFlows` (row = index + 1) as a capture job problem, in EPCIS field names. */
export function flowProblem(error: RowError, events: readonly PreparedEvent[]): CaptureProblem {
  const event = events[error.row - 1];
  if (event === undefined)
    return {
      type: validation,
      title: 'The flows cannot be recorded',
      status: 400,
      detail: `${error.field}: ${error.message}`,
    };
  const labels = event.mapping.kind === 'flow' ? event.mapping.labels : {};
  const field = labels[error.field] ?? labelledPath(labels, error.field);
  return eventProblem(event, validation, 400, 'The event does not record a valid flow', field, error.message);
}

/** `edges.0.reo_kg` → `monazite:edges.0.reo_kg`: the longest labelled prefix of a nested flow field. */
function labelledPath(labels: Readonly<Record<string, string>>, field: string): string {
  const prefix = Object.keys(labels)
    .filter((key) => field.startsWith(`${key}.`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? field : `${labels[prefix]}${field.slice(prefix.length)}`;
}

/** The problem a capture that stopped on a concurrent capture of the same events gets. */
export function raceProblem(event: PreparedEvent): CaptureProblem {
  return eventProblem(
    event,
    exists,
    409,
    'An event with this eventID exists with other content',
    'eventID',
    'was stored with other content by a capture that ran at the same time',
  );
}
