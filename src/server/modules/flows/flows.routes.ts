import { z } from 'zod';
import { idParam, problem } from '../../../contracts/common.ts';
import {
  flowListQuery,
  flowPage,
  flowSubmissionBody,
  MAX_EVENTS_PER_REQUEST,
  month,
  submissionResult,
} from '../../../contracts/flows.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { forbidden } from '../../shared/errors.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { recordAudit } from '../audit/index.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { getSubmission, listFlows } from './flows.service.ts';
import { ingestFlows } from './ingest.service.ts';

/** A JSON submission of the most events allowed is about 2 MB; this leaves room for long documents and ids. */
const FLOW_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

const submitQuery = z.object({
  on_error: z.enum(['rollback', 'proceed']).default('rollback'),
  period: month.optional(),
});

export function flowRoutes(api: Api, deps: { database: DatabaseHandle }): void {
  const { database } = deps;
  const db = database.db;
  const tags = ['flows'];
  api.post(
    '/flows',
    {
      config: { access: 'flow.write' },
      bodyLimit: FLOW_BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: `Record flow events (at most ${MAX_EVENTS_PER_REQUEST} per request; larger sets go through a file or EPCIS)`,
        description:
          'Every event is validated; with on_error=rollback (the default) any refused event refuses the whole ' +
          'submission (422, every row listed) and nothing is stored. The same submission sent again with the same ' +
          'period and on_error returns its first answer with replayed=true and changes nothing; with other ones, ' +
          '409 replay_mismatch naming them.',
        querystring: submitQuery,
        body: flowSubmissionBody,
        response: { 201: submissionResult, 200: submissionResult, ...problemResponses, 413: problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!actor.enterpriseId) throw forbidden('Only an enterprise records flows.');
      const result = await ingestFlows(
        database,
        {
          source: 'api',
          enterpriseId: actor.enterpriseId,
          createdBy: actor.login,
          contentSm3: sm3Hex(canonicalJson(request.body.events)),
          errorBehaviour: request.query.on_error,
          parameterPrefix: 'query.',
          ...(request.query.period ? { period: request.query.period } : {}),
          alsoWrite: (tx, stored) =>
            recordAudit(tx, auditContextOf(request), {
              action: 'flows.submit',
              objectType: 'flow_submission',
              objectId: stored.submission_id,
              after: { ...stored, errors: stored.errors.length },
            }),
        },
        request.body.events.map((event, index) => ({ row: index + 1, event })),
      );
      return reply.code(result.replayed ? 200 : 201).send(result);
    },
  );
  api.get(
    '/flows',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: "An enterprise's flow lines of one month, newest first",
        description:
          "Pass a page's `next` as `after` (same filters) for the page after it, read by keyset however deep into " +
          "the month; `page` alone skips lines as before. `total` is the month's line count from its summary.",
        querystring: flowListQuery,
        response: { 200: flowPage, ...problemResponses },
      },
    },
    async (request) => listFlows(request.db, actorOf(request), request.query),
  );
  api.get(
    '/flows/submissions/:id',
    {
      config: { access: 'flow.read' },
      schema: {
        tags,
        summary: "A submission's answer (as first given)",
        params: idParam,
        response: { 200: submissionResult, ...problemResponses },
      },
    },
    async (request) => getSubmission(db, actorOf(request), request.params.id),
  );
}
