import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DatabaseHandle } from '../../db/database.ts';
import type { Api } from '../../shared/http.ts';
import { actorOf, scopeOfRequest } from '../auth/index.ts';
import { handleEpcisError, handleEpcisNotFound } from './epcis.errors.ts';
import { parseEventQuery } from './epcis-query.rules.ts';
import { limitedJsonParser } from '../../shared/json-limits.ts';
import {
  CAPTURE_LIMIT_BYTES,
  CAPTURE_LIMIT_SHAPE,
  captureLimitProblem,
  captureHeaders,
  captureJob,
  captureLimitHeaders,
  captureListQuery,
  EpcisProblem,
  epcisProblem,
  epcisQueryDocument,
  eventQueryString,
} from './epcis.schema.ts';
import { captureById, eventById, listCaptureJobs, queryEvents } from './epcis-query.service.ts';
import { captureDocument } from './epcis.service.ts';

/**
 * The EPCIS 2.0 REST binding subset (docs/epcis.md): capture with capture jobs, and the events query.
 * Errors leave in the binding's RFC 7807 form (`epcisException:…` types), not the /api one.
 */
const versionHeaders = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-EPCIS-Min': '2.0.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-CBV-Min': '2.0.0',
  'GS1-CBV-Max': '2.0.0',
  'GS1-EPC-Format': 'Never_Translates',
};

const problems = {
  400: epcisProblem,
  401: epcisProblem,
  403: epcisProblem,
  404: epcisProblem,
  406: epcisProblem,
  413: epcisProblem,
  415: epcisProblem,
  500: epcisProblem,
  501: epcisProblem,
};

/** Media types an answer may be given as: EPCIS documents are JSON (JSON-LD). */
const acceptable = new Set([
  '*/*',
  'application/*',
  'application/json',
  'application/ld+json',
  'application/problem+json',
]);

function checkAccept(request: FastifyRequest): void {
  const accept = request.headers.accept;
  if (!accept) return;
  const types = accept.split(',').map((item) => item.split(';')[0]?.trim().toLowerCase() ?? '');
  if (!types.some((type) => acceptable.has(type)))
    throw new EpcisProblem(
      406,
      'epcisException:NotAcceptableException',
      'Not acceptable',
      'This repository answers in JSON: accept application/json or application/ld+json.',
    );
}

/** JSON-LD when the client asks for it, plain JSON otherwise (the same text). */
const documentType = (request: FastifyRequest): string =>
  request.headers.accept?.includes('application/ld+json') ? 'application/ld+json' : 'application/json';

/** The same request with the next page's token: the binding's `Link: <…>; rel="next"`. */
function nextLink(request: FastifyRequest, token: string): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>))
    if (name !== 'nextPageToken' && (typeof value === 'string' || typeof value === 'number'))
      query.set(name, String(value));
  query.set('nextPageToken', token);
  const path = request.url.split('?')[0] ?? '';
  return `<${request.protocol}://${request.host}${path}?${query.toString()}>; rel="next"`;
}

const discovery =
  (allow: string, extra: Record<string, string>) => async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .headers({ allow, ...versionHeaders, ...extra })
      .send();

export async function epcisRoutes(epcis: Api, deps: { database: DatabaseHandle }): Promise<void> {
  const { database } = deps;
  const db = database.db;
  const tags = ['epcis'];
  // EPCIS documents are JSON: no text/plain body (Fastify's other default) reaches the capture.
  epcis.removeContentTypeParser('text/plain');
  // JSON and JSON-LD bodies: their shape is checked against the capture limits before they are parsed.
  epcis.removeContentTypeParser('application/json');
  epcis.addContentTypeParser(
    ['application/json', 'application/ld+json'],
    { parseAs: 'string' },
    limitedJsonParser(epcis, CAPTURE_LIMIT_SHAPE, (excess) =>
      captureLimitProblem(`The document passes the capture limit ${excess.limit} = ${excess.max}.`, excess),
    ),
  );
  epcis.setErrorHandler(handleEpcisError);
  epcis.setNotFoundHandler(handleEpcisNotFound);
  epcis.addHook('onRequest', async (request) => checkAccept(request));
  epcis.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('GS1-EPCIS-Version', '2.0.0');
    reply.header('GS1-CBV-Version', '2.0.0');
  });

  epcis.options(
    '/capture',
    { config: { access: 'flow.write' }, schema: { tags, summary: 'Capture interface discovery: versions and limits' } },
    discovery('OPTIONS, POST, GET', { ...captureLimitHeaders, 'GS1-Capture-Error-Behaviour': 'all' }),
  );
  epcis.post(
    '/capture',
    {
      bodyLimit: CAPTURE_LIMIT_BYTES,
      config: { access: 'flow.write' },
      schema: {
        tags,
        summary: 'Capture an EPCISDocument: stored as captured; events with a Monazite class also become flows',
        description:
          'Processed synchronously: the 202 answer carries the finished capture job (also at the Location header).',
        consumes: ['application/json', 'application/ld+json'],
        headers: captureHeaders,
        body: z.unknown().describe('An EPCISDocument (EPCIS 2.0 JSON / JSON-LD)'),
        response: { 202: captureJob, ...problems },
      },
    },
    async (request, reply) => {
      const errorBehaviour = request.headers['gs1-capture-error-behaviour'] ?? 'rollback';
      const job = await captureDocument(database, actorOf(request), { document: request.body, errorBehaviour });
      return reply
        .code(202)
        .headers({ location: `${epcis.prefix}/capture/${job.captureID}`, ...captureLimitHeaders })
        .send(job);
    },
  );
  epcis.get(
    '/capture',
    {
      config: { access: 'flow.write' },
      schema: {
        tags,
        summary: "The capture jobs of the caller's enterprise, newest first",
        querystring: captureListQuery,
        response: { 200: z.array(captureJob), ...problems },
      },
    },
    async (request, reply) => {
      const { jobs, nextPageToken } = await listCaptureJobs(db, actorOf(request), request.query);
      if (nextPageToken !== null) reply.header('link', nextLink(request, nextPageToken));
      return jobs;
    },
  );
  epcis.get(
    '/capture/:captureID',
    {
      config: { access: 'flow.write' },
      schema: {
        tags,
        summary: "A capture job of the caller's enterprise",
        params: z.object({ captureID: z.string().max(64) }),
        response: { 200: captureJob, ...problems },
      },
    },
    async (request) => captureById(db, actorOf(request), request.params.captureID),
  );

  epcis.options(
    '/events',
    { config: { access: 'flow.read' }, schema: { tags, summary: 'Events endpoint discovery: versions' } },
    discovery('OPTIONS, GET', {}),
  );
  epcis.get(
    '/events',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Events in scope as an EPCISQueryDocument, filtered by the standard query parameters, paged',
        description: 'Next page: the Link header (rel="next"). Unsupported standard parameters answer 501.',
        querystring: eventQueryString,
        response: { 200: epcisQueryDocument, ...problems },
      },
    },
    async (request, reply) => {
      const query = parseEventQuery(request.query);
      if ('status' in query) throw new EpcisProblem(query.status, query.type, 'Query parameter problem', query.detail);
      const { document, nextPageToken } = await queryEvents(request.db, scopeOfRequest(request), query);
      if (nextPageToken !== null) reply.header('link', nextLink(request, nextPageToken));
      return reply.type(documentType(request)).send(document);
    },
  );
  epcis.get(
    '/events/:eventID',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'One event by its eventID (URL-encoded), as an EPCISQueryDocument',
        params: z.object({ eventID: z.string().min(1).max(2000) }),
        response: { 200: epcisQueryDocument, ...problems },
      },
    },
    async (request, reply) =>
      reply
        .type(documentType(request))
        .send(await eventById(request.db, scopeOfRequest(request), request.params.eventID)),
  );
}
