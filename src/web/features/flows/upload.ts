import type { Problem } from '../../../contracts/common.ts';
import { API_BASE, ApiError, queryString } from '../../shared/api.ts';
import type { SubmissionResult } from './flow-types.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface UploadOptions {
  readonly file: File;
  readonly csrfToken: string;
  readonly onError: 'rollback' | 'proceed';
  readonly period?: string | undefined;
  /** Bytes sent so far out of the total, as the browser reports them. */
  readonly onProgress: (sent: number, total: number) => void;
}

/** The content type the server reads the file by; the bytes decide in the end. */
function contentTypeOf(file: File): string {
  if (/\.xlsx$/i.test(file.name)) return XLSX_TYPE;
  if (/\.csv$/i.test(file.name)) return 'text/csv';
  return file.type || 'application/octet-stream';
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * POSTs a flow file as the raw request body. XMLHttpRequest rather than fetch: only it reports upload
 * progress. Resolves with the submission (201, or 200 for a replay); rejects with the server's problem.
 */
export function uploadFlowFile(options: UploadOptions): Promise<SubmissionResult> {
  const { file, csrfToken, onError, period, onProgress } = options;
  const query = queryString({ name: file.name, on_error: onError, period });
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${API_BASE}/flows/files${query}`);
    request.setRequestHeader('content-type', contentTypeOf(file));
    request.setRequestHeader('accept', 'application/json');
    request.setRequestHeader('x-csrf-token', csrfToken);
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onerror = () => reject(new ApiError(0, { code: 'network', detail: 'The server cannot be reached.' }));
    request.onload = () => {
      const body = parse(request.responseText);
      if (request.status >= 200 && request.status < 300) resolve(body as SubmissionResult);
      else
        reject(new ApiError(request.status, (body as Partial<Problem> | undefined) ?? { title: request.statusText }));
    };
    request.send(file);
  });
}
