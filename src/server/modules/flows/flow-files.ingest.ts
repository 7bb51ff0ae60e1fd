import type { FileEvent } from './flow-files.events.ts';
import type { IngestRow } from './ingest.service.ts';

/**
 * A file's events as the ingest takes them. Layout problems the event's shape cannot carry (a transform row
 * without 方向, 来源批次REO on an input row) go with the row, named by their own row and column, and refuse it.
 */
export function toIngestRow(item: FileEvent): IngestRow {
  return { row: item.row, event: item.event, fieldLabels: item.fieldLabels, problems: item.problems };
}

export async function* toIngestRows(events: AsyncIterable<FileEvent>): AsyncGenerator<IngestRow> {
  for await (const item of events) yield toIngestRow(item);
}
