import type { RowError } from '../../../contracts/flows.ts';
import type { CopyValue } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import * as repo from './flows.repository.ts';
import { inheritOrigins, type Finding } from './flows.rules.ts';
import { amend, commitAmendment, type Amendment } from './ingest.amend.ts';
import { rowError, type PreparedEvent, type PreparedLine } from './ingest.prepare.ts';
import { addConsumption, Chunk, info, key, type BatchInfo, type ChunkState } from './ingest.state.ts';

export { newChunkState, type ConsumptionDeltas } from './ingest.state.ts';

/**
 * The second half of the validation, against what is stored: batches (which one a line means, whether it
 * exists or is new), holdings (a batch never leaves an enterprise in larger amount than it holds there),
 * amendments, idempotency; and the rows a chunk writes. Events are applied in order, so an event may use
 * a batch an earlier one in the same submission made.
 */

export interface ChunkOutcome {
  accepted: number;
  unchanged: number;
  errors: RowError[];
  writes: repo.ChunkWrites;
}

/** Loads what the chunk's events refer to, in a handful of queries. */
async function load(
  tx: Executor,
  chunk: Chunk,
  events: readonly PreparedEvent[],
): Promise<Map<string, repo.StoredEvent>> {
  const { context } = chunk.state;
  const stored = await repo.storedEvents(
    tx,
    chunk.self,
    events.map((event) => event.eventId),
  );
  const pairs: { makerId: string; code: string }[] = [];
  const unqualified = new Set<string>();
  for (const event of events)
    for (const line of event.lines) {
      pairs.push({ makerId: chunk.self, code: line.batch });
      const maker = line.makerCode === undefined ? undefined : context.enterpriseIds.get(line.makerCode);
      if (maker !== undefined) pairs.push({ makerId: maker, code: line.batch });
      if (line.makerCode === undefined && !line.makes) unqualified.add(line.batch);
    }
  for (const row of await repo.batchesByMakerAndCode(tx, pairs))
    chunk.batches.set(key(row.maker_id, row.code), info(row));
  for (const row of await repo.heldBatchesByCode(tx, chunk.self, [...unqualified])) {
    const list = chunk.heldByCode.get(row.code) ?? [];
    if (row.maker_id !== chunk.self) list.push(info(row));
    chunk.heldByCode.set(row.code, list);
  }
  const ids = [...chunk.batches.values()].map((batch) => batch.id);
  for (const list of chunk.heldByCode.values()) ids.push(...list.map((batch) => batch.id));
  for (const [id, held] of await repo.holdingsOf(tx, chunk.self, ids)) chunk.holdings.set(id, { ...held });
  for (const [id, origins] of await repo.originsOf(tx, ids)) chunk.origins.set(id, origins);
  const makes = events.reduce((sum, event) => sum + event.lines.filter((line) => line.makes).length, 0);
  chunk.newIds = await repo.reserveBatchIds(tx, makes);
  return stored;
}

/** Validates a chunk against the database and collects its writes. */
export async function processChunk(
  tx: Executor,
  state: ChunkState,
  events: readonly PreparedEvent[],
  proceed: boolean,
): Promise<ChunkOutcome> {
  const chunk = new Chunk(state);
  const stored = await load(tx, chunk, events);
  const outcome: ChunkOutcome = { accepted: 0, unchanged: 0, errors: [], writes: chunk.writes };
  for (const event of events) {
    const previous = stored.get(event.eventId);
    const seenHash = state.seen.get(event.eventId);
    if (previous !== undefined || seenHash !== undefined) {
      if ((previous?.content_sm3 ?? seenHash) === event.contentSm3) outcome.unchanged += 1;
      else
        outcome.errors.push(
          rowError(event.row, event.eventId, {
            field: 'event_id',
            message: `${event.eventId} was recorded before with different content: use a new event id, or amend it`,
          }),
        );
      continue;
    }
    state.seen.set(event.eventId, event.contentSm3);
    const findings = await applyEvent(tx, chunk, event, proceed || outcome.errors.length === 0);
    if (findings.length > 0)
      outcome.errors.push(...findings.map((finding) => rowError(event.row, event.eventId, finding, event.labels)));
    else outcome.accepted += 1;
  }
  return outcome;
}

/**
 * Applies one event to the chunk's view (batches, holdings, origins) and its writes. Nothing is applied
 * when it has a finding. `write` false: validate only (a rollback submission that has already failed).
 */
async function applyEvent(tx: Executor, chunk: Chunk, event: PreparedEvent, write: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  const amended = event.input.amends ? await amend(tx, chunk, event, findings) : undefined;
  const resolved = event.lines.map((line) => resolve(chunk, event, line, findings, amended));
  if (findings.length > 0) return findings;
  const batches = resolved as BatchInfo[];
  checkHoldings(chunk, event, batches, findings);
  if (findings.length > 0) return findings;
  if (!write) return findings;
  if (amended) commitAmendment(chunk, event, amended);
  commitEvent(chunk, event, batches);
  return findings;
}

/** Which batch a line means: one it makes (new), or one it names by maker and code, or one it holds by code. */
function resolve(
  chunk: Chunk,
  event: PreparedEvent,
  line: PreparedLine,
  findings: Finding[],
  amended: Amendment | undefined,
): BatchInfo | undefined {
  const { context } = chunk.state;
  if (line.makes) {
    const existing = chunk.batches.get(key(chunk.self, line.batch));
    const remade = existing && amended?.madeBatches.has(existing.id);
    if (existing && !remade) {
      findings.push({
        field: `${line.path}batch`,
        message: `${line.batch} exists already (made by event ${existing.madeByEvent}): use a new batch code`,
      });
      return undefined;
    }
    const id = remade ? existing.id : chunk.newIds.pop();
    if (id === undefined) throw new Error('resolve: ran out of reserved batch ids');
    const batch = { id, makerId: chunk.self, code: line.batch, product: line.product.code, madeByEvent: event.eventId };
    if (remade) chunk.writes.remadeBatchIds.push(id);
    chunk.batches.set(key(chunk.self, line.batch), batch);
    return batch;
  }
  const makerId = line.makerCode === undefined ? undefined : context.enterpriseIds.get(line.makerCode);
  if (line.makerCode !== undefined && makerId === undefined) {
    findings.push({
      field: `${line.path}batch_maker`,
      message: `${line.makerCode} is not an enterprise in the register`,
    });
    return undefined;
  }
  const candidates =
    makerId !== undefined
      ? [chunk.batches.get(key(makerId, line.batch))].filter((batch) => batch !== undefined)
      : [chunk.batches.get(key(chunk.self, line.batch)), ...(chunk.heldByCode.get(line.batch) ?? [])].filter(
          (batch) => batch !== undefined,
        );
  const [batch, second] = candidates;
  if (!batch) {
    findings.push({
      field: `${line.path}batch`,
      message:
        event.kind === 'receive'
          ? `${line.batch} of ${line.makerCode} is not recorded: its maker must record the batch first (or give batch_maker)`
          : `${line.batch} is not a batch you made or received`,
    });
    return undefined;
  }
  if (second) {
    findings.push({
      field: `${line.path}batch_maker`,
      message: `is required: you hold several batches coded ${line.batch}`,
    });
    return undefined;
  }
  if (batch.product !== line.product.code) {
    findings.push({
      field: `${line.path}product`,
      message: `${line.product.code} is not the product of batch ${line.batch} (${batch.product})`,
    });
    return undefined;
  }
  return batch;
}

function checkHoldings(chunk: Chunk, event: PreparedEvent, batches: readonly BatchInfo[], findings: Finding[]): void {
  const taken = new Map<number, number>();
  event.lines.forEach((line, index) => {
    if (line.direction !== -1) return;
    const batch = batches[index]!;
    const want = (taken.get(batch.id) ?? 0) + line.massKg;
    taken.set(batch.id, want);
    const held = chunk.holding(batch.id).mass;
    if (want > held)
      findings.push({
        field: `${line.path}mass_kg`,
        message: `${line.massKg} kg cannot leave batch ${line.batch}: you hold ${held} kg of it`,
      });
  });
}

function commitEvent(chunk: Chunk, event: PreparedEvent, batches: readonly BatchInfo[]): void {
  const { context } = chunk.state;
  const input = event.input;
  const docs = input.documents ?? {};
  const external = input.kind === 'import' || input.kind === 'export' ? input : undefined;
  const madeAt = event.eventTime.toISOString();
  event.lines.forEach((line, index) => {
    const batch = batches[index]!;
    chunk.writes.lines.push([
      context.enterpriseId,
      event.eventId,
      index,
      chunk.state.submissionId,
      event.kind,
      line.direction,
      madeAt,
      event.offset,
      event.period,
      batch.id,
      line.product.code,
      line.massKg,
      line.gradePpm,
      line.reoKg,
      event.counterpartyId,
      external?.counterparty_name ?? null,
      external?.country ?? null,
      docs.invoice_no ?? null,
      docs.waybill_no ?? null,
      docs.customs_declaration_no ?? null,
      index === 0 ? (input.amends ?? null) : null,
      index === 0 ? (input.reason ?? null) : null,
      event.contentSm3,
    ] satisfies CopyValue[]);
    if (line.direction !== 0) chunk.move(batch.id, line.direction, line.massKg, line.reoKg);
    if (line.direction === 1 && !line.makes && batch.makerId !== context.enterpriseId) chunk.received(batch);
    if (!line.makes) return;
    const originKind = line.role === 'output' ? 'transform' : event.kind === 'import' ? 'import' : 'mine';
    const row: CopyValue[] = [
      batch.id,
      context.enterpriseId,
      line.batch,
      line.product.code,
      originKind,
      event.eventId,
      madeAt,
      line.massKg,
      line.reoKg,
    ];
    if (chunk.writes.remadeBatchIds.includes(batch.id)) chunk.writes.remadeBatches.push(row);
    else chunk.writes.batches.push(row);
    const origins =
      line.role === 'output' ? outputOrigins(chunk, event, batches, line) : new Map([[batch.id, line.reoKg]]);
    chunk.origins.set(batch.id, origins);
    for (const [origin, reo] of origins) chunk.writes.origins.push([batch.id, origin, reo]);
  });
  for (const edge of event.edges) {
    const parent = batches[event.lines.findIndex((line) => line.role === 'input' && line.batch === edge.fromBatch)]!;
    const child = batches[event.lines.findIndex((line) => line.role === 'output' && line.batch === edge.toBatch)]!;
    chunk.writes.edges.push([child.id, parent.id, edge.reoKg]);
  }
  addConsumption(chunk.state.consumption, event.period, event.kind, event.lines, 1);
}

function outputOrigins(
  chunk: Chunk,
  event: PreparedEvent,
  batches: readonly BatchInfo[],
  output: PreparedLine,
): Map<number, number> {
  const edges = event.edges
    .filter((edge) => edge.toBatch === output.batch)
    .map((edge) => {
      const parent = batches[event.lines.findIndex((line) => line.role === 'input' && line.batch === edge.fromBatch)]!;
      return { reoKg: edge.reoKg, parentOrigins: chunk.origins.get(parent.id) ?? new Map([[parent.id, edge.reoKg]]) };
    });
  return inheritOrigins(edges);
}
