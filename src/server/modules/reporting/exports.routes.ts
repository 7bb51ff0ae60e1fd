import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idParam } from '../../../contracts/common.ts';
import { reportPeriod } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import type { FontChoice } from './exports.font.ts';
import { exportFormats } from './exports.model.ts';
import {
  contentTypes,
  exportBoard,
  exportCompilation,
  exportReport,
  type ExportFile,
  type ExportOptions,
} from './exports.service.ts';

/** XLSX, PDF and CSV exports of reports, compilations and the status board, in a Chinese official table layout. */

const formatQuery = z.object({ format: z.enum(exportFormats) });
const divisionOrNation = z.string().regex(/^[0-9]{6}$/, 'must be a 6-digit division code (000000 for the nation)');
const produces = Object.values(contentTypes).map((type) => type.split(';')[0]!);
const responses = problemResponses;

/** RFC 5987 ext-value characters: percent-encode all but attr-char (encodeURIComponent leaves ' ( ) * too). */
const rfc5987 = (text: string) =>
  encodeURIComponent(text).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

function send(reply: FastifyReply, file: ExportFile): FastifyReply {
  return reply
    .type(file.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${file.asciiFileName}"; filename*=UTF-8''${rfc5987(file.fileName)}`,
    )
    .send(file.body);
}

export function reportingExportRoutes(api: Api, deps: { db: Executor; clock: () => Date; pdfFont: FontChoice }): void {
  const { db, clock } = deps;
  const tags = ['reporting'];
  const options = (request: FastifyRequest, format: ExportOptions['format']): ExportOptions => ({
    format,
    font: deps.pdfFont,
    audited: request.method !== 'HEAD',
    reads: request.db,
  });
  api.get(
    '/reports/:id/export',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'One report version as XLSX, PDF or CSV (稀土总量控制指标执行情况月报表/年报表); audited',
        params: idParam,
        querystring: formatQuery,
        produces,
        response: responses,
      },
    },
    async (request, reply) =>
      send(
        reply,
        await exportReport(
          db,
          actorOf(request),
          auditContextOf(request),
          request.params.id,
          options(request, request.query.format),
        ),
      ),
  );
  api.get(
    '/compilations/:id/export',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'One compilation version as XLSX, PDF or CSV (…执行情况月报汇总表); audited',
        params: idParam,
        querystring: formatQuery,
        produces,
        response: responses,
      },
    },
    async (request, reply) =>
      send(
        reply,
        await exportCompilation(
          db,
          actorOf(request),
          auditContextOf(request),
          request.params.id,
          options(request, request.query.format),
        ),
      ),
  );
  api.get(
    '/reporting/board/export',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Every node of the status board under a division as XLSX, PDF or CSV (报送进度表); audited',
        querystring: formatQuery.extend({ period: reportPeriod, division_code: divisionOrNation.optional() }),
        produces,
        response: responses,
      },
    },
    async (request, reply) => {
      const query = { period: request.query.period, divisionCode: request.query.division_code, now: clock() };
      const file = await exportBoard(
        db,
        actorOf(request),
        auditContextOf(request),
        query,
        options(request, request.query.format),
      );
      return send(reply, file);
    },
  );
}
