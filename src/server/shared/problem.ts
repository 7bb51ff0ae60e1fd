import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type FieldError } from './errors.ts';

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  423: 'Locked',
  429: 'Too many requests',
  500: 'Internal error',
};

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  errors?: FieldError[];
  params?: Readonly<Record<string, string | number>>;
}

function problemBody(
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors: readonly FieldError[] = [],
  params?: Readonly<Record<string, string | number>>,
): ProblemBody {
  return {
    type: `https://monazite.invalid/problems/${code}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    code,
    instance: request.url,
    ...(errors.length > 0 ? { errors: [...errors] } : {}),
    ...(params ? { params } : {}),
  };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** A validation issue's path as a field name: body fields bare (`licences.0.valid_to`), others prefixed. */
function fieldName(context: string | undefined, instancePath: string, extraKey?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extraKey) parts.push(extraKey);
  const path = parts.join('.');
  if (!context || context === 'body') return path || '(body)';
  return path ? `${context}.${path}` : context;
}

function validationErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext;
  return (error.validation ?? []).flatMap((item): FieldError[] => {
    // fastify-type-provider-zod passes the zod issue's code as the keyword and its other members as params.
    const keys = (item.params as { keys?: unknown } | undefined)?.keys;
    if (item.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({
        field: fieldName(context, item.instancePath, String(key)),
        message: 'unknown field',
      }));
    }
    return [{ field: fieldName(context, item.instancePath), message: item.message ?? 'is invalid' }];
  });
}

const pgErrorMeanings: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'A record with the same identity exists already.'],
  '23503': [422, 'invalid', 'The request refers to a record that does not exist.'],
  '23514': [422, 'invalid', 'A value is outside what the database allows.'],
  '42501': [409, 'append_only', 'That record cannot be changed: history is append-only.'],
  '40001': [409, 'retry', 'A concurrent change got there first; send the request again.'],
  '40P01': [409, 'retry', 'A concurrent change got there first; send the request again.'],
  '57014': [503, 'timeout', 'The database took too long; try again or narrow the request.'],
};

/** Every error leaves as RFC 9457 problem+json; nothing else decides status codes. */
export function handleError(
  error: FastifyError & { code?: string; constraint?: string },
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof DomainError) {
    return sendProblem(reply, problemBody(request, error.status, error.code, error.detail, error.errors, error.params));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = validationErrors(error);
    const detail = `Invalid ${error.validationContext ?? 'request'}: ${errors.map((item) => `${item.field}: ${item.message}`).join('; ')}`;
    return sendProblem(reply, problemBody(request, 400, 'validation', detail, errors));
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
    return sendProblem(reply, problemBody(request, 500, 'internal', 'The server made an answer it cannot send.'));
  }
  const pgMeaning = error.code ? pgErrorMeanings[error.code] : undefined;
  if (pgMeaning) {
    const [status, code, detail] = pgMeaning;
    request.log.warn({ err: error }, 'database refused a change');
    const constraint = error.constraint ? ` (${error.constraint})` : '';
    return sendProblem(reply, problemBody(request, status, code, `${detail}${constraint}`));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : status === 429 ? 'rate_limited' : 'bad_request';
    return sendProblem(reply, problemBody(request, status, code, error.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(
    reply,
    problemBody(request, 500, 'internal', 'Something went wrong on the server; it has been logged.'),
  );
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    reply,
    problemBody(request, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`),
  );
}
