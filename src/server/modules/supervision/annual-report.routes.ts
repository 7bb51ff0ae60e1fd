import type { FastifyReply } from 'fastify';
import {
  annualExportQuery,
  annualReportList,
  annualReportListQuery,
  annualReportQuery,
  annualReportSubmitBody,
  annualReportView,
  provinceParam,
} from '../../../contracts/supervision-annual.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import type { Sealer } from '../../shared/signing.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import type { FontChoice } from '../reporting/exports.font.ts';
import { contentTypes, type ExportFile } from '../reporting/exports.service.ts';
import { exportAnnualReport } from './annual-report.export.ts';
import { getAnnualReport, listAnnualReports, submitAnnualReport } from './annual-report.service.ts';

/**
 * The provincial annual supervision report (Art. 12 ¶3, docs/supervision.md): the live draft or a submitted
 * version, the submission to MIIT and MNR (and corrections), every province's standing for the ministries, and
 * the exports in the official layout.
 */

/** RFC 5987 ext-value characters: percent-encode all but attr-char (encodeURIComponent leaves ' ( ) * too). */
const rfc5987 = (value: string) =>
  encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

function send(reply: FastifyReply, file: ExportFile): FastifyReply {
  return reply
    .type(file.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${file.asciiFileName}"; filename*=UTF-8''${rfc5987(file.fileName)}`,
    )
    .send(file.body);
}

export function annualReportRoutes(
  api: Api,
  deps: { db: Executor; sealer: Sealer; clock: () => Date; pdfFont: FontChoice },
): void {
  const { db, sealer, clock } = deps;
  const tags = ['supervision'];
  const base = '/supervision/annual-reports';
  api.get(
    base,
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: "Every province's annual supervision report for a year: not due, due, late or submitted",
        description: 'The ministries and oversight see every province; a provincial official their own province.',
        querystring: annualReportListQuery,
        response: { 200: annualReportList, ...problemResponses },
      },
    },
    async (request) => listAnnualReports(db, actorOf(request), request.query.year, clock()),
  );
  api.get(
    `${base}/:province/:year`,
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: "A province's annual supervision report (Art. 12 ¶3): the latest submitted version, else the draft",
        params: provinceParam,
        querystring: annualReportQuery,
        response: { 200: annualReportView, ...problemResponses },
      },
    },
    async (request) =>
      getAnnualReport(
        db,
        actorOf(request),
        request.params.province,
        request.params.year,
        request.query.version,
        clock(),
      ),
  );
  api.post(
    `${base}/:province/:year/submit`,
    {
      config: { access: 'supervision.write' },
      schema: {
        tags,
        summary: 'Submit the annual report to MIIT and MNR: frozen and signed; a correction is a new version',
        params: provinceParam,
        body: annualReportSubmitBody,
        response: { 201: annualReportView, 200: annualReportView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await submitAnnualReport(
        db,
        sealer,
        actorOf(request),
        auditContextOf(request),
        { provinceCode: request.params.province, year: request.params.year },
        request.body,
        clock(),
      );
      return reply.code(result.replayed ? 200 : 201).send(result.report);
    },
  );
  api.get(
    `${base}/:province/:year/export`,
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: 'The annual report as XLSX, PDF or CSV (…年度稀土总量控制监督检查情况报告); audited',
        params: provinceParam,
        querystring: annualExportQuery,
        produces: Object.values(contentTypes).map((type) => type.split(';')[0]!),
        response: problemResponses,
      },
    },
    async (request, reply) => {
      const target = {
        provinceCode: request.params.province,
        year: request.params.year,
        version: request.query.version,
        now: clock(),
      };
      const options = {
        format: request.query.format,
        font: deps.pdfFont,
        audited: request.method !== 'HEAD',
      };
      return send(reply, await exportAnnualReport(db, actorOf(request), auditContextOf(request), target, options));
    },
  );
}
