import type { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { month, submissionResult } from '../../../contracts/flows.ts';
import { problem } from '../../../contracts/common.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { discardBody } from '../../shared/body.ts';
import { forbidden, invalid } from '../../shared/errors.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { discard, importFlowFile, MAX_FLOW_FILE_BYTES, spoolUpload, tooLarge } from './flow-files.service.ts';
import { flowTemplateCsv, flowTemplateXlsx } from './flow-files.template.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Content types a flow file may come with; the bytes decide CSV or XLSX. */
const fileTypes = [
  'text/csv',
  'application/csv',
  'text/plain',
  'application/vnd.ms-excel',
  XLSX_TYPE,
  'application/octet-stream',
];

const uploadQuery = z.strictObject({
  name: z.string().trim().min(1).max(255).describe('the file name, kept with the submission'),
  period: month.optional().describe('when given, every event must fall in this month (Beijing time)'),
  on_error: z
    .enum(['rollback', 'proceed'])
    .default('rollback')
    .describe('rollback: any bad row refuses the whole file; proceed: store the good rows, list the bad'),
});

/**
 * Flow records from files (docs/flows-files.md): the templates, and the upload of a CSV or XLSX file as the
 * raw request body, streamed to a temporary file while hashed, then streamed into the ingest.
 */
export async function flowFileRoutes(api: Api, deps: { database: DatabaseHandle }): Promise<void> {
  const { database } = deps;
  const tags = ['flows'];
  await api.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // The body is handed through as a stream: the handler spools it with the route's limit.
    for (const type of fileTypes) if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
    scope.addContentTypeParser(fileTypes, (_request, payload, done) => done(null, payload));

    scope.get(
      '/flows/templates/flows.csv',
      {
        config: { access: 'signed_in' },
        schema: { tags, summary: 'The flow file template as CSV (UTF-8 with BOM)', produces: ['text/csv'] },
      },
      async (_request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="flows.csv"')
          .send(flowTemplateCsv()),
    );
    scope.get(
      '/flows/templates/flows.xlsx',
      {
        config: { access: 'signed_in' },
        schema: {
          tags,
          summary: 'The flow file template as XLSX, with a sheet explaining each column',
          produces: [XLSX_TYPE],
        },
      },
      async (_request, reply) =>
        reply
          .type(XLSX_TYPE)
          .header('content-disposition', 'attachment; filename="flows.xlsx"')
          .send(await flowTemplateXlsx()),
    );

    scope.post(
      '/flows/files',
      {
        bodyLimit: MAX_FLOW_FILE_BYTES,
        config: { access: 'flow.write' },
        schema: {
          tags,
          summary: 'Record flow events from a CSV or XLSX file sent as the request body (at most 200 MB)',
          description:
            'Send the file as the raw body with Content-Type text/csv or ' +
            `${XLSX_TYPE}. The same file again with the same period and on_error is a replay: 200 with the first ` +
            'answer; with other ones, 409 replay_mismatch naming them. A refused file is a 422 problem listing every ' +
            'bad row and column; a file over a limit (size, or what an XLSX expands to: docs/flows-files.md) is a ' +
            '413 naming the limit in params. See docs/flows-files.md for the columns.',
          consumes: fileTypes,
          querystring: uploadQuery,
          response: { 201: submissionResult, 200: submissionResult, ...problemResponses, 413: problem },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        if (!actor.enterpriseId) throw forbidden('Only an enterprise user records flows, for its own enterprise.');
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw invalid('Send the file as the request body.');
        if (Number(request.headers['content-length'] ?? 0) > MAX_FLOW_FILE_BYTES) {
          discardBody(body);
          throw tooLarge(MAX_FLOW_FILE_BYTES);
        }
        const file = await spoolUpload(body, MAX_FLOW_FILE_BYTES);
        const { name, period, on_error } = request.query;
        try {
          const result = await importFlowFile(
            database,
            auditContextOf(request),
            {
              source: 'file',
              enterpriseId: actor.enterpriseId,
              createdBy: actor.login,
              fileName: name,
              errorBehaviour: on_error,
              parameterPrefix: 'query.',
              ...(period === undefined ? {} : { period }),
            },
            file,
          );
          return reply.code(result.replayed ? 200 : 201).send(result);
        } finally {
          await discard(file);
        }
      },
    );
  });
}
