import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isEmptyChange } from '../../contracts/change.rules.ts';
import {
  badPercentEncoding,
  badTextMessages,
  findBadQueryEncoding,
  findBadText,
  type BadText,
} from '../../contracts/text.rules.ts';
import { DomainError, type FieldError } from './errors.ts';

/**
 * Input no route may see, refused once for every route before its schema is checked:
 *
 * - text the database cannot hold (a NUL character, a lone surrogate) in any path parameter, query parameter,
 *   header or JSON body — values and object keys alike, however deep: 400 `text_nul` / `text_lone_surrogate`,
 *   with a field error naming where (body fields bare, `params.code`, `querystring.q`, `headers.user-agent`);
 *   a query string whose percent-encoding is not UTF-8 (`%ED%A0%80`, `%FF`) likewise (`text_bad_encoding`);
 * - a PATCH that changes nothing (`{}`, or only `expected_version`): 422 `empty_change`, checked once the schema
 *   has accepted the request, on the body as the schema parsed it (so a schema that strips unknown keys cannot
 *   leave an UPDATE of nothing).
 *
 * Bodies read as bytes (flow files, evidence) are not text here: their own parsers read them.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const found = [
      ...findBadText(request.params, 'params'),
      ...findBadQueryEncoding(rawQuery, 'querystring'),
      ...findBadText(request.query, 'querystring'),
      ...findBadText(request.headers, 'headers'),
      ...findBadText(request.body),
    ];
    if (found.length > 0) throw badText(found);
  });
  // After the schema: a request it refuses (a bad id, a missing expected_version) is told that first.
  app.addHook('preHandler', async (request) => {
    if (request.method === 'PATCH' && isEmptyChange(request.body)) throw emptyChange(request);
  });
}

function badText(found: readonly BadText[]): DomainError {
  const errors: FieldError[] = found.map((item) => ({
    field: item.path || '(body)',
    message: item.inKey ? `the key ${badTextMessages[item.kind]}` : badTextMessages[item.kind],
  }));
  const first = found[0]!;
  const detail = `Text the server cannot store: ${errors.map((item) => `${item.field}: ${item.message}`).join('; ')}.`;
  return new DomainError(400, first.kind, detail, errors);
}

function emptyChange(request: FastifyRequest): DomainError {
  const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  return new DomainError(
    422,
    'empty_change',
    `The change to ${path} names no field to change: send at least one field besides expected_version.`,
    [{ field: '(body)', message: 'names no field to change' }],
  );
}

/**
 * A path the router cannot decode (`/products/%ED%A0%80`, `/products/%FF`) as the same 400: Fastify reports it
 * as a framework error before any route (so before the guard), with the raw path.
 */
export function badUrlError(error: { code?: string }, url: string): DomainError | null {
  if (error.code !== 'FST_ERR_BAD_URL') return null;
  const path = url.split('?')[0] ?? url;
  const kind = badPercentEncoding(path) ?? 'text_bad_encoding';
  const message = badTextMessages[kind];
  return new DomainError(400, kind, `The path ${message}.`, [{ field: '(path)', message }]);
}
