import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from './epcis-query.rules.ts';

/**
 * The standard's own JSON schema (standards/epcis-2.0/EPCIS-JSON-Schema.json, draft-07) compiled once with
 * ajv 8, and the shapes of this binding's answers for the OpenAPI description.
 */
const schemaFile = new URL('../../../../standards/epcis-2.0/EPCIS-JSON-Schema.json', import.meta.url);

/** The most events one capture may carry (GS1-EPCIS-Capture-Limit). */
export const CAPTURE_LIMIT_EVENTS = 5_000;
/** The largest capture body in bytes (GS1-EPCIS-Capture-File-Size-Limit). */
export const CAPTURE_LIMIT_BYTES = 8 * 1024 * 1024;
/** The shape of a capture body, checked before it is parsed: nesting, keys of one object, one string's length. */
export const CAPTURE_LIMIT_SHAPE = { json_depth: 32, json_object_keys: 1_000, json_string_chars: 64 * 1024 } as const;
/** The most schema errors one refusal lists. */
const MAX_LISTED_ERRORS = 20;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  }
  return compiled;
}

export interface SchemaError {
  /** A JSON pointer into the document: `/epcisBody/eventList/0/bizStep`. */
  readonly pointer: string;
  readonly message: string;
}

/** Every way the document breaks the EPCIS schema (the first few), or none. */
export function schemaErrors(document: unknown): SchemaError[] {
  const validate = validator();
  if (validate(document)) return [];
  const seen = new Set<string>();
  const errors: SchemaError[] = [];
  const all = validate.errors ?? [];
  // "must match the then schema" only repeats, one level up, what the errors beside it say.
  const telling = all.filter((error) => error.keyword !== 'if');
  for (const error of telling.length > 0 ? telling : all) {
    const item = describe(error);
    const key = `${item.pointer} ${item.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(item);
    if (errors.length >= MAX_LISTED_ERRORS) break;
  }
  return errors;
}

function describe(error: ErrorObject): SchemaError {
  const params = error.params as { propertyName?: string; allowedValues?: unknown[]; missingProperty?: string };
  if (params.propertyName !== undefined)
    return {
      pointer: error.instancePath || '/',
      message: `has a field "${params.propertyName}" the standard does not define: extension fields need a namespace prefix declared in @context (e.g. "monazite:${params.propertyName}")`,
    };
  const allowed = params.allowedValues ? ` (${params.allowedValues.map(String).join(', ')})` : '';
  return { pointer: error.instancePath || '/', message: `${error.message ?? 'is invalid'}${allowed}` };
}

/** The events of an EPCISDocument, or of an EPCISQueryDocument (the binding accepts both for capture). */
export function eventListOf(document: unknown): unknown[] | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const body = (document as { epcisBody?: unknown }).epcisBody as
    { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } | undefined;
  const list = body?.eventList ?? body?.queryResults?.resultsBody?.eventList;
  return Array.isArray(list) ? list : undefined;
}

// --------------------------------------------------------------------------------- OpenAPI description

/** RFC 7807 problem details as the binding returns them (`type` is an `epcisException:…`). */
export const epcisProblem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
});

export const captureJob = z.object({
  captureID: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  running: z.boolean(),
  success: z.boolean(),
  captureErrorBehaviour: z.enum(['rollback', 'proceed']),
  errors: z.array(
    z.looseObject({
      type: z.string(),
      title: z.string(),
      status: z.number().int().optional(),
      detail: z.string().optional(),
      eventIndex: z.number().int().optional(),
      eventID: z.string().optional(),
      field: z.string().optional(),
    }),
  ),
  summary: z
    .object({
      events: z.number().int(),
      stored: z.number().int(),
      unchanged: z.number().int(),
      rejected: z.number().int(),
      flows: z
        .object({
          submissionID: z.string(),
          accepted: z.number().int(),
          unchanged: z.number().int(),
          rejected: z.number().int(),
          replayed: z.boolean(),
        })
        .nullable(),
    })
    .optional(),
});
export type CaptureJob = z.infer<typeof captureJob>;

export const captureHeaders = z.looseObject({
  'gs1-capture-error-behaviour': z
    .enum(['rollback', 'proceed'])
    .optional()
    .describe('rollback (default): all or nothing. proceed: keep the good events, list the bad.'),
});

export const captureListQuery = z.object({
  perPage: z.coerce.number().int().min(1).default(DEFAULT_PER_PAGE).describe(`at most ${MAX_PER_PAGE}`),
  nextPageToken: z.string().max(200).optional(),
});

const pipeList = (description: string) => z.string().optional().describe(`${description} (several: a|b)`);
const time = (description: string) => z.string().optional().describe(`${description}, ISO 8601 with a zone`);
export const eventQueryString = z.looseObject({
  eventType: pipeList('ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent'),
  GE_eventTime: time('eventTime at or after'),
  LT_eventTime: time('eventTime before'),
  GE_recordTime: time('recordTime at or after'),
  LT_recordTime: time('recordTime before'),
  EQ_action: pipeList('ADD, OBSERVE, DELETE'),
  EQ_bizStep: pipeList('bare CBV word (shipping) or URI (https://ref.gs1.org/cbv/BizStep-shipping)'),
  EQ_disposition: pipeList('bare CBV word or URI'),
  EQ_eventID: pipeList('eventIDs'),
  MATCH_epc: pipeList('EPCs or urn:epc:idpat patterns in epcList or childEPCs'),
  MATCH_anyEPC: pipeList('EPCs or patterns in epcList, childEPCs, parentID, inputEPCList or outputEPCList'),
  MATCH_epcClass: pipeList('EPC classes in quantityList or childQuantityList'),
  MATCH_anyEPCClass: pipeList('EPC classes in any quantity list (also input/output)'),
  perPage: z.string().optional().describe(`events per page, default ${DEFAULT_PER_PAGE}, at most ${MAX_PER_PAGE}`),
  nextPageToken: z.string().optional().describe('from the Link header of the previous page'),
});

export const epcisQueryDocument = z.looseObject({
  '@context': z.unknown(),
  type: z.literal('EPCISQueryDocument'),
  schemaVersion: z.string(),
  creationDate: z.string(),
  epcisBody: z.object({
    queryResults: z.object({
      queryName: z.string(),
      resultsBody: z.object({ eventList: z.array(z.record(z.string(), z.unknown())) }),
    }),
  }),
});
export type EpcisQueryDocument = z.infer<typeof epcisQueryDocument>;

// ------------------------------------------------------------------------------------------------- errors

/** An answer of the binding's error kinds: RFC 7807 with an `epcisException:…` type, and headers to send. */
export class EpcisProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'EpcisProblem';
  }
}

/** The capture limits, as the binding's discovery headers say them. */
export const captureLimitHeaders = {
  'GS1-EPCIS-Capture-Limit': String(CAPTURE_LIMIT_EVENTS),
  'GS1-EPCIS-Capture-File-Size-Limit': String(CAPTURE_LIMIT_BYTES),
};

export const validationProblem = (detail: string, errors: readonly SchemaError[] = []): EpcisProblem =>
  new EpcisProblem(400, 'epcisException:ValidationException', 'The document is not valid EPCIS 2.0', detail, {
    ...(errors.length > 0 ? { errors } : {}),
  });

/** 413 CaptureLimitExceededException; `params` names the limit passed and its value. */
export const captureLimitProblem = (detail: string, params?: { limit: string; max: number }): EpcisProblem =>
  new EpcisProblem(
    413,
    'epcisException:CaptureLimitExceededException',
    'Capture payload too large',
    detail,
    params ? { params } : {},
    captureLimitHeaders,
  );
