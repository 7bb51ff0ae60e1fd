import { MAX_TRANSFORM_LINES } from '../../../contracts/flows.ts';
import type { FieldError } from '../../shared/errors.ts';
import { columnByKey, flowFileColumns, type ColumnKey } from './flow-files.columns.ts';
import type { EdgeSource, RowValues } from './flow-files.rules.ts';

/**
 * Rows of a flow file → flow events (the `flowEventInput` shape). Every kind but transform is one row;
 * consecutive transform rows with the same event id are one transform, its 投入 rows the inputs and its 产出
 * rows the outputs, each output row's 来源批次REO its edges. Only the rows of the open transform are held.
 */

export interface FileRow {
  /** The row in the file (header = 1). */
  readonly row: number;
  readonly values: RowValues;
}

export interface FileEvent {
  /** The event's first row. */
  readonly row: number;
  readonly event: Record<string, unknown>;
  /** Flow field path → the file's header (and row, for a transform's later rows), for error messages. */
  readonly fieldLabels: Readonly<Record<string, string>>;
  /** What the file's layout got wrong that the event's shape cannot show (e.g. a transform row without 方向). */
  readonly problems: FieldError[];
}

const lineKeys = ['batch', 'batch_maker', 'product', 'mass_kg', 'grade_ppm', 'reo_kg'] as const;
const documentKeys = ['invoice_no', 'waybill_no', 'customs_declaration_no'] as const;
/** Keys a transform takes once for the whole event (from any of its rows, the same in all). */
const transformEventKeys = ['event_id', 'kind', 'event_time', 'amends', 'reason'] as const;
const notForTransform = ['counterparty', 'counterparty_name', 'country'] as const;

const header = (key: ColumnKey): string => columnByKey.get(key)?.header ?? key;

/** Labels of the top-level fields: the file's headers. */
export const baseLabels: Readonly<Record<string, string>> = Object.fromEntries([
  ...flowFileColumns.map((column): [string, string] => [column.key, column.header]),
  ...documentKeys.map((key): [string, string] => [`documents.${key}`, header(key)]),
]);

const isDocumentKey = (key: string): key is (typeof documentKeys)[number] =>
  (documentKeys as readonly string[]).includes(key);

function singleEvent(first: FileRow): FileEvent {
  const event: Record<string, unknown> = {};
  const problems: FieldError[] = [];
  for (const [key, value] of Object.entries(first.values)) {
    if (key === 'direction' || key === 'edges') {
      const column = header(key);
      problems.push({ row: first.row, field: column, message: `${column}只用于加工转化（transform）行，本行应留空` });
    } else if (isDocumentKey(key)) {
      const documents = (event.documents ?? {}) as Record<string, unknown>;
      documents[key] = value;
      event.documents = documents;
    } else event[key] = value;
  }
  return { row: first.row, event, fieldLabels: baseLabels, problems };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Builds one transform from its rows (all of the same event id). */
function transformEvent(rows: readonly FileRow[]): FileEvent {
  const first = rows[0]!;
  const event: Record<string, unknown> = {};
  const documents: Record<string, unknown> = {};
  const inputs: Record<string, unknown>[] = [];
  const outputs: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  const labels: Record<string, string> = { ...baseLabels };
  const problems: FieldError[] = [];
  const once = (target: Record<string, unknown>, key: ColumnKey, value: unknown, row: number) => {
    if (value === undefined) return;
    if (target[key] === undefined) target[key] = value;
    else if (!same(target[key], value))
      problems.push({
        row,
        field: header(key),
        message: `与第${first.row}行不同：同一加工转化事件各行的${header(key)}须相同（或只在第一行填写）`,
      });
  };
  for (const { row, values } of rows) {
    for (const key of transformEventKeys) once(event, key, values[key], row);
    for (const key of documentKeys) once(documents, key, values[key], row);
    for (const key of notForTransform)
      if (values[key] !== undefined)
        problems.push({ row, field: header(key), message: `加工转化（transform）不填${header(key)}` });
    const line = Object.fromEntries(lineKeys.flatMap((key) => (values[key] === undefined ? [] : [[key, values[key]]])));
    const sources = values.edges as EdgeSource[] | undefined;
    if (values.direction === 'input') {
      labelLine(labels, `inputs.${inputs.length}`, row);
      inputs.push(line);
      if (sources)
        problems.push({ row, field: header('edges'), message: `${header('edges')}只填在产出行，投入行应留空` });
    } else if (values.direction === 'output') {
      labelLine(labels, `outputs.${outputs.length}`, row);
      outputs.push(line);
      for (const source of sources ?? []) {
        for (const key of ['from_batch', 'to_batch', 'reo_kg'])
          labels[`edges.${edges.length}.${key}`] = at('edges', row);
        labels[`edges.${edges.length}`] = at('edges', row);
        edges.push({ from_batch: source.from_batch, to_batch: values.batch, reo_kg: source.reo_kg });
      }
    } else {
      const message =
        values.direction === undefined
          ? '加工转化行须填写方向：投入 或 产出'
          : `“${values.direction as string}”不是方向：填 投入 或 产出`;
      problems.push({ row, field: header('direction'), message });
    }
  }
  if (Object.keys(documents).length > 0) event.documents = documents;
  Object.assign(event, { inputs, outputs }, edges.length > 0 ? { edges } : {});
  return { row: first.row, event, fieldLabels: labels, problems };
}

const at = (key: ColumnKey, row: number): string => `${header(key)}（第${row}行）`;

function labelLine(labels: Record<string, string>, path: string, row: number): void {
  labels[path] = `第${row}行`;
  for (const key of lineKeys) labels[`${path}.${key}`] = at(key, row);
}

/** The most rows one transform can have and still be valid: more are counted, not kept. */
const MAX_TRANSFORM_ROWS = MAX_TRANSFORM_LINES * 2 + 1;

/**
 * Turns rows, in file order, into events. Push each row, then finish; each call returns the events
 * completed by it. Holds only the rows of the transform being read.
 */
export class EventAssembler {
  private pending: FileRow[] = [];

  push(row: FileRow): FileEvent[] {
    const open = this.pending[0];
    const isTransform = row.values.kind === 'transform';
    if (open && isTransform && open.values.event_id !== undefined && open.values.event_id === row.values.event_id) {
      if (this.pending.length < MAX_TRANSFORM_ROWS) this.pending.push(row);
      return [];
    }
    const done = this.finish();
    if (isTransform) this.pending = [row];
    else done.push(singleEvent(row));
    return done;
  }

  finish(): FileEvent[] {
    if (this.pending.length === 0) return [];
    const event = transformEvent(this.pending);
    this.pending = [];
    return [event];
  }
}
