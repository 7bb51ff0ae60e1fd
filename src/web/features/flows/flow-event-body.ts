import { beijingTime, percentToPpm } from './flow-format.ts';
import type { LineValues } from './flow-line-fields.tsx';
import type { FlowEventInput, FlowKind, FlowLine } from './flow-types.ts';

export interface EdgeValues {
  from_batch?: string;
  to_batch?: string;
  reo_kg?: number | null;
}

/** Everything the event form holds; only the fields of the chosen kind are sent. */
export interface EventFormValues extends LineValues {
  event_id: string;
  kind: FlowKind;
  /** A datetime-local value, read as Beijing time. */
  event_time: string;
  counterparty?: string;
  counterparty_name?: string;
  country?: string;
  documents?: { invoice_no?: string; waybill_no?: string; customs_declaration_no?: string };
  reason?: string;
  amends?: string[];
  inputs?: LineValues[];
  outputs?: LineValues[];
  edges?: EdgeValues[];
}

const text = (value: string | undefined) => value?.trim() ?? '';

/** Leaves out what was not filled in, so the server computes (REO) or defaults it. */
function lineOf(values: LineValues): FlowLine {
  const grade = text(values.grade_percent);
  const maker = text(values.batch_maker);
  const gradePpm = grade ? percentToPpm(grade) : null;
  return {
    batch: text(values.batch),
    product: values.product ?? '',
    mass_kg: values.mass_kg ?? 0,
    ...(maker ? { batch_maker: maker.toUpperCase() } : {}),
    ...(gradePpm !== null ? { grade_ppm: gradePpm } : {}),
    ...(values.reo_kg !== null && values.reo_kg !== undefined ? { reo_kg: values.reo_kg } : {}),
  };
}

function documentsOf(values: EventFormValues) {
  const documents = {
    invoice_no: text(values.documents?.invoice_no),
    waybill_no: text(values.documents?.waybill_no),
    customs_declaration_no: text(values.documents?.customs_declaration_no),
  };
  const filled = Object.fromEntries(Object.entries(documents).filter(([, value]) => value !== ''));
  return Object.keys(filled).length > 0 ? { documents: filled } : {};
}

/** The flow event the API expects, from the form's values. */
export function eventOf(values: EventFormValues): FlowEventInput {
  const amends = (values.amends ?? []).map((id) => id.trim()).filter(Boolean);
  const reason = text(values.reason);
  const common = {
    event_id: text(values.event_id),
    event_time: beijingTime(values.event_time),
    ...documentsOf(values),
    ...(amends.length > 0 ? { amends } : {}),
    ...(reason ? { reason } : {}),
  };
  switch (values.kind) {
    case 'transform': {
      const edges = (values.edges ?? [])
        .filter((edge) => edge.from_batch || edge.to_batch || edge.reo_kg)
        .map((edge) => ({
          from_batch: text(edge.from_batch),
          to_batch: text(edge.to_batch),
          reo_kg: edge.reo_kg ?? 0,
        }));
      return {
        kind: 'transform',
        ...common,
        inputs: (values.inputs ?? []).map(lineOf),
        outputs: (values.outputs ?? []).map(lineOf),
        ...(edges.length > 0 ? { edges } : {}),
      };
    }
    case 'ship':
    case 'receive':
      return { kind: values.kind, ...common, ...lineOf(values), counterparty: text(values.counterparty).toUpperCase() };
    case 'import':
    case 'export':
      return {
        kind: values.kind,
        ...common,
        ...lineOf(values),
        counterparty_name: text(values.counterparty_name),
        country: text(values.country).toUpperCase(),
      };
    case 'loss':
      return { kind: 'loss', ...common, ...lineOf(values), reason };
    case 'produce':
    case 'stock_count':
      return { kind: values.kind, ...common, ...lineOf(values) };
  }
}

/**
 * The form's name for an API field where they differ: grades are typed as percent. `inputs.1.grade_ppm`
 * → `inputs.1.grade_percent`.
 */
export function formFieldOf(apiField: string): string {
  return apiField.replace(/(^|\.)grade_ppm$/, '$1grade_percent');
}
