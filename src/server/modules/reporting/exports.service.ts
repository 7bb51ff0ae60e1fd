import type { Executor } from '../../db/executor.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { boardRows } from './board.service.ts';
import { getCompilation } from './compilations.service.ts';
import { renderCsv } from './exports.csv.ts';
import type { FontChoice } from './exports.font.ts';
import { boardDocument, compilationDocument, reportDocument } from './exports.documents.ts';
import { rowCount, type ExportDocument, type ExportFormat } from './exports.model.ts';
import { renderPdf } from './exports.pdf.ts';
import { renderXlsx } from './exports.xlsx.ts';
import { getReport } from './reports.service.ts';

/**
 * Exports of reports, compilations and the status board as XLSX, PDF and CSV. Each reads through the same
 * service as its JSON view (the same 404 or 403 outside the caller's jurisdiction), renders one document model
 * three ways, and writes an audit entry (`report.export`, with the format and the row count) so oversight can
 * watch for unusually large exports.
 */

export interface ExportOptions {
  readonly format: ExportFormat;
  /** The CJK font of the PDF, chosen and checked at start. */
  readonly font: FontChoice;
  /** False for HEAD: the file is made (for its headers) but none of it leaves the server, so nothing is audited. */
  readonly audited: boolean;
  /** Where the document is read (a read replica, docs/operations.md); the audit entry is written through `db`. */
  readonly reads?: Executor;
}

export interface ExportFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** The Chinese file name, and an ASCII one for clients that do not read RFC 5987. */
  readonly fileName: string;
  readonly asciiFileName: string;
}

export const contentTypes: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

function render(document: ExportDocument, options: ExportOptions): Promise<Buffer> {
  switch (options.format) {
    case 'xlsx':
      return renderXlsx(document);
    case 'pdf':
      return renderPdf(document, options.font);
    case 'csv':
      return Promise.resolve(renderCsv(document));
  }
}

interface Subject {
  readonly objectType: 'report' | 'compilation' | 'reporting_board';
  readonly objectId: string;
  readonly details: Record<string, unknown>;
}

async function deliver(
  db: Executor,
  audit: AuditContext,
  subject: Subject,
  document: ExportDocument,
  options: ExportOptions,
): Promise<ExportFile> {
  // Rendered before anything is written: a file that cannot be made leaves no audit entry.
  const body = await render(document, options);
  const fileName = `${document.fileStem}.${options.format}`;
  if (options.audited)
    await db.transaction().execute((tx) =>
      recordAudit(tx, audit, {
        action: 'report.export',
        objectType: subject.objectType,
        objectId: subject.objectId,
        after: {
          format: options.format,
          rows: rowCount(document),
          bytes: body.length,
          file_name: fileName,
          ...subject.details,
        },
      }),
    );
  return {
    body,
    contentType: contentTypes[options.format],
    fileName,
    asciiFileName: `${document.asciiStem}.${options.format}`,
  };
}

export async function exportReport(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  options: ExportOptions,
): Promise<ExportFile> {
  const report = await getReport(options.reads ?? db, actor, id);
  const details = { enterprise_id: report.enterprise_id, period: report.period, version: report.version };
  return deliver(db, audit, { objectType: 'report', objectId: report.id, details }, reportDocument(report), options);
}

export async function exportCompilation(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  options: ExportOptions,
): Promise<ExportFile> {
  const compilation = await getCompilation(options.reads ?? db, actor, id);
  const details = {
    division_code: compilation.division_code,
    period: compilation.period,
    version: compilation.version,
  };
  const subject = { objectType: 'compilation' as const, objectId: compilation.id, details };
  return deliver(db, audit, subject, compilationDocument(compilation), options);
}

export async function exportBoard(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  query: { period: string; divisionCode: string | undefined; now: Date },
  options: ExportOptions,
): Promise<ExportFile> {
  const { period, rows } = await boardRows(options.reads ?? db, actor, query.period, query.divisionCode, query.now);
  const code = rows[0]?.code ?? '';
  const subject = {
    objectType: 'reporting_board' as const,
    objectId: `${code}:${period}`,
    details: { division_code: code, period },
  };
  return deliver(db, audit, subject, boardDocument(period, rows, query.now), options);
}
