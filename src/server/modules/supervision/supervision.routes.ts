import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParam, pageOf, problem } from '../../../contracts/common.ts';
import {
  decisionCreateBody,
  decisionDetail,
  decisionPage,
  decisionQuery,
  decisionTransitionBody,
  evidenceQuery,
  evidenceView,
  finalityBody,
  inspectionCreateBody,
  inspectionDetail,
  inspectionQuery,
  inspectionView,
  reassignBody,
  reportedQuery,
  reportUpwardBody,
  violationCreateBody,
  violationQuery,
  violationTypeView,
  violationView,
  visitBody,
} from '../../../contracts/supervision.ts';
import type { Executor } from '../../db/executor.ts';
import { invalid } from '../../shared/errors.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import {
  decide,
  getDecision,
  listDecisions,
  moveDecision,
  reportedToMe,
  reportUpward,
  settleFinality,
} from './decisions.service.ts';
import { discardBody } from '../../shared/body.ts';
import { attachEvidence, evidenceContent, evidenceTooLarge, readLimited } from './evidence.service.ts';
import {
  getInspection,
  listInspections,
  planInspection,
  reassignInspectors,
  recordVisit,
} from './inspections.service.ts';
import { declarableEvidenceTypes, MAX_EVIDENCE_BYTES } from './supervision.rules.ts';
import { getViolation, listViolations, listViolationTypes, recordViolation } from './violations.service.ts';

/**
 * Supervision and enforcement (Arts. 12–16, docs/supervision.md): inspections and their evidence, violations,
 * decisions and their follow-up, and the handling results reported to the next higher level.
 */
export async function supervisionRoutes(api: Api, deps: { db: Executor; clock: () => Date }): Promise<void> {
  const { db, clock } = deps;
  const tags = ['supervision'];
  const read = { access: 'supervision.read' } as const;
  const write = { access: 'supervision.write' } as const;

  api.get(
    '/supervision/violation-types',
    {
      config: read,
      schema: {
        tags,
        summary: 'The violation types and the legal basis of each (Chinese and English)',
        response: { 200: z.array(violationTypeView), ...problemResponses },
      },
    },
    async () => listViolationTypes(),
  );
  api.get(
    '/supervision/inspections',
    {
      config: read,
      schema: {
        tags,
        summary: 'Inspections of enterprises in your jurisdiction (an enterprise: its own), latest planned first',
        querystring: inspectionQuery,
        response: { 200: pageOf(inspectionView), ...problemResponses },
      },
    },
    async (request) => listInspections(db, actorOf(request), request.query),
  );
  api.post(
    '/supervision/inspections',
    {
      config: write,
      schema: {
        tags,
        summary: 'Plan an inspection: enterprise, date, purpose, the risk reasons, the officials assigned',
        body: inspectionCreateBody,
        response: { 201: inspectionDetail, 200: inspectionDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await planInspection(db, actorOf(request), auditContextOf(request), request.body);
      return reply.code(result.replayed ? 200 : 201).send(result.inspection);
    },
  );
  api.get(
    '/supervision/inspections/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'An inspection with its evidence files and history',
        params: idParam,
        response: { 200: inspectionDetail, ...problemResponses },
      },
    },
    async (request) => getInspection(db, actorOf(request), request.params.id),
  );
  api.post(
    '/supervision/inspections/:id/visit',
    {
      config: write,
      schema: {
        tags,
        summary: 'Record the visit: date, findings, outcome (no violation, violation found, obstructed)',
        params: idParam,
        body: visitBody,
        response: { 200: inspectionDetail, ...problemResponses },
      },
    },
    async (request) =>
      recordVisit(db, actorOf(request), auditContextOf(request), request.params.id, request.body, clock()),
  );
  api.post(
    '/supervision/inspections/:id/inspectors',
    {
      config: write,
      schema: {
        tags,
        summary: 'Reassign a planned inspection to other competent officials, with a note why',
        params: idParam,
        body: reassignBody,
        response: { 200: inspectionDetail, ...problemResponses },
      },
    },
    async (request) =>
      reassignInspectors(db, actorOf(request), auditContextOf(request), request.params.id, request.body),
  );
  await evidenceRoutes(api, db, tags);
  api.get(
    '/supervision/evidence/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'The bytes of an evidence file, with its stored content type',
        params: idParam,
        produces: declarableEvidenceTypes.slice(0, -1),
        response: { ...problemResponses },
      },
    },
    async (request, reply) => {
      return sendEvidence(reply, await evidenceContent(db, actorOf(request), request.params.id));
    },
  );

  api.get(
    '/supervision/violations',
    {
      config: read,
      schema: {
        tags,
        summary: 'Violations in your jurisdiction (an enterprise: its own), latest found first',
        querystring: violationQuery,
        response: { 200: pageOf(violationView), ...problemResponses },
      },
    },
    async (request) => listViolations(db, actorOf(request), request.query),
  );
  api.post(
    '/supervision/violations',
    {
      config: write,
      schema: {
        tags,
        summary: 'Record a violation: its type (which fixes the legal basis), the inspection or anomaly it came from',
        body: violationCreateBody,
        response: { 201: violationView, 200: violationView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await recordViolation(db, actorOf(request), auditContextOf(request), request.body, clock());
      return reply.code(result.replayed ? 200 : 201).send(result.violation);
    },
  );
  api.get(
    '/supervision/violations/:id',
    {
      config: read,
      schema: { tags, summary: 'A violation', params: idParam, response: { 200: violationView, ...problemResponses } },
    },
    async (request) => getViolation(db, actorOf(request), request.params.id),
  );
  api.post(
    '/supervision/violations/:id/decisions',
    {
      config: { ...write, stepUp: true },
      schema: {
        tags,
        summary: 'Decide on a violation: correction order, fine, suspension of production, or referral (Art. 16)',
        params: idParam,
        body: decisionCreateBody,
        response: { 201: decisionDetail, 200: decisionDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await decide(
        db,
        actorOf(request),
        auditContextOf(request),
        request.params.id,
        request.body,
        clock(),
      );
      return reply.code(result.replayed ? 200 : 201).send(result.decision);
    },
  );
  decisionRoutes(api, { db, clock }, tags);
}

function decisionRoutes(api: Api, deps: { db: Executor; clock: () => Date }, tags: string[]): void {
  const { db, clock } = deps;
  api.get(
    '/supervision/decisions',
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: 'Decisions in your jurisdiction; overdue=true: correction orders past their deadline',
        querystring: decisionQuery,
        response: { 200: decisionPage, ...problemResponses },
      },
    },
    async (request) => listDecisions(db, actorOf(request), request.query, clock()),
  );
  api.get(
    '/supervision/decisions/:id',
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: 'A decision and its follow-up',
        params: idParam,
        response: { 200: decisionDetail, ...problemResponses },
      },
    },
    async (request) => getDecision(db, actorOf(request), request.params.id, clock()),
  );
  api.post(
    '/supervision/decisions/:id/transitions',
    {
      config: { access: 'supervision.write', stepUp: true },
      schema: {
        tags,
        summary: 'Follow a decision up: open → complied → closed (or reopened), with a note',
        params: idParam,
        body: decisionTransitionBody,
        response: { 200: decisionDetail, ...problemResponses },
      },
    },
    async (request) =>
      moveDecision(db, actorOf(request), auditContextOf(request), request.params.id, request.body, clock()),
  );
  api.post(
    '/supervision/decisions/:id/finality',
    {
      config: { access: 'supervision.write', stepUp: true },
      schema: {
        tags,
        summary: 'Record that a penalty became final (Art. 14 then counts it) or was revoked on appeal',
        params: idParam,
        body: finalityBody,
        response: { 200: decisionDetail, ...problemResponses },
      },
    },
    async (request) =>
      settleFinality(db, actorOf(request), auditContextOf(request), request.params.id, request.body, clock()),
  );
  api.post(
    '/supervision/decisions/:id/report-upward',
    {
      config: { access: 'supervision.write', stepUp: true },
      schema: {
        tags,
        summary: 'Report the handling to the departments of the next higher level (Art. 12 ¶2): the deciding division',
        params: idParam,
        body: reportUpwardBody,
        response: { 200: decisionDetail, ...problemResponses },
      },
    },
    async (request) =>
      reportUpward(
        db,
        actorOf(request),
        auditContextOf(request),
        request.params.id,
        request.body.expected_version,
        clock(),
      ),
  );
  api.get(
    '/supervision/reported',
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: 'Handling results reported to your division by the divisions directly below it',
        querystring: reportedQuery,
        response: { 200: decisionPage, ...problemResponses },
      },
    },
    async (request) => reportedToMe(db, actorOf(request), request.query, clock()),
  );
}

/** The stored bytes with their stored type, as an attachment named as uploaded, with their hashes. */
function sendEvidence(reply: FastifyReply, file: Awaited<ReturnType<typeof evidenceContent>>): FastifyReply {
  return reply
    .type(file.content_type)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.file_name)}`)
    .header('x-content-sha256', file.sha256)
    .header('x-content-sm3', file.sm3)
    .send(file.content);
}

/** The evidence upload takes the file as the raw body (as the flow files do), typed by its bytes. */
async function evidenceRoutes(api: Api, db: Executor, tags: string[]): Promise<void> {
  await api.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    for (const type of declarableEvidenceTypes)
      if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
    scope.addContentTypeParser([...declarableEvidenceTypes], (_request, payload, done) => done(null, payload));
    scope.post(
      '/supervision/inspections/:id/evidence',
      {
        config: { access: 'supervision.write' },
        schema: {
          tags,
          summary: 'Attach an evidence file (PDF, JPEG, PNG, XLSX, DOCX; at most 10 MB) sent as the request body',
          description:
            'The bytes decide the type; a declared Content-Type that says otherwise is refused (415). The same ' +
            'file again on the same inspection is stored once: 200 with the first record.',
          consumes: [...declarableEvidenceTypes],
          params: idParam,
          querystring: evidenceQuery,
          response: { 201: evidenceView, 200: evidenceView, ...problemResponses, 413: problem, 415: problem },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw invalid('Send the file as the request body.');
        if (Number(request.headers['content-length'] ?? 0) > MAX_EVIDENCE_BYTES) {
          discardBody(body);
          throw evidenceTooLarge();
        }
        const bytes = await readLimited(body);
        const result = await attachEvidence(db, actorOf(request), auditContextOf(request), request.params.id, {
          name: request.query.name,
          declaredType: request.headers['content-type'],
          bytes,
        });
        return reply.code(result.replayed ? 200 : 201).send(result.evidence);
      },
    );
  });
}
