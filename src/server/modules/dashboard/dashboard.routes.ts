import type { Executor } from '../../db/executor.ts';
import type { Api } from '../../shared/http.ts';

/** The national and jurisdiction dashboards (being written). */
export function dashboardRoutes(_api: Api, _deps: { db: Executor; clock: () => Date }): void {}
