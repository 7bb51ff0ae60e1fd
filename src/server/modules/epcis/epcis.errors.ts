import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../../shared/errors.ts';
import { CAPTURE_LIMIT_BYTES, captureLimitProblem, EpcisProblem, validationProblem } from './epcis.schema.ts';

/**
 * Every error under /epcis leaves in the binding's form: RFC 7807 problem+json whose `type` is the
 * standard's exception (`epcisException:ValidationException`, …), whatever raised it.
 */
const security = (status: number, title: string, detail: string) =>
  new EpcisProblem(status, 'epcisException:SecurityException', title, detail);

function fromDomainError(error: DomainError): EpcisProblem {
  const extra = error.errors.length > 0 ? { errors: [...error.errors] } : {};
  switch (error.status) {
    case 401:
      return security(401, 'Unauthorised request', error.detail);
    case 403:
      return security(403, 'Access to resource forbidden', error.detail);
    case 404:
      return new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'Resource not found', error.detail);
    case 409:
      return new EpcisProblem(409, 'epcisException:ResourceAlreadyExistsException', 'Conflict', error.detail, extra);
    case 400:
    case 422:
      return new EpcisProblem(400, 'epcisException:ValidationException', 'Invalid request', error.detail, extra);
    default:
      return new EpcisProblem(error.status, 'epcisException:ImplementationException', 'Error', error.detail, extra);
  }
}

function toProblem(error: FastifyError): EpcisProblem {
  if (error instanceof EpcisProblem) return error;
  if (error instanceof DomainError) return fromDomainError(error);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const detail = error.validation.map((item) => `${item.instancePath || error.validationContext}: ${item.message}`);
    if (error.validationContext === 'querystring' || error.validationContext === 'params')
      return new EpcisProblem(
        400,
        'epcisException:QueryParameterException',
        'Query parameter problem',
        `Invalid ${error.validationContext}: ${detail.join('; ')} (several values: separate them with |)`,
      );
    return validationProblem(`Invalid ${error.validationContext ?? 'request'}: ${detail.join('; ')}`);
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return captureLimitProblem('The body is larger than this repository captures at once: split the document.', {
      limit: 'bytes',
      max: CAPTURE_LIMIT_BYTES,
    });
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new EpcisProblem(
      415,
      'epcisException:UnsupportedMediaTypeException',
      'Unsupported Media Type',
      'Send the EPCIS document as application/json or application/ld+json.',
    );
  if (error.statusCode === 429) return new EpcisProblem(429, 'about:blank', 'Too many requests', error.message);
  if (error.statusCode === 400) return validationProblem(`The body is not JSON: ${error.message}`);
  return new EpcisProblem(
    500,
    'epcisException:ImplementationException',
    'A server-side error occurred',
    'Something went wrong on the server; it has been logged.',
  );
}

export function handleEpcisError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const problem = toProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, 'EPCIS request failed');
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: request.url,
      ...problem.extra,
    });
}

export function handleEpcisNotFound(request: FastifyRequest, reply: FastifyReply) {
  return handleEpcisError(
    new EpcisProblem(
      404,
      'epcisException:NoSuchResourceException',
      'Resource not found',
      `No resource ${request.method} ${request.url.split('?')[0] ?? ''} in this EPCIS repository.`,
    ) as unknown as FastifyError,
    request,
    reply,
  );
}
