import type { Executor } from '../../db/executor.ts';
import type { Api } from '../../shared/http.ts';

/** XLSX, PDF and CSV exports of reports, compilations and the status board (being written). */
export function reportingExportRoutes(_api: Api, _deps: { db: Executor; clock: () => Date }): void {}
