import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildApp, type App } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import type { DatabaseHandle } from '../server/db/database.ts';
import { SYSTEM_ACTOR } from '../server/modules/audit/audit.service.ts';
import { actorFromToken, createToken } from '../server/modules/auth/auth.service.ts';
import type { Actor } from '../server/modules/auth/index.ts';
import { seedApprovedUser } from '../server/modules/auth/users.service.ts';
import { dashboard } from '../server/modules/dashboard/dashboard.service.ts';
import { board } from '../server/modules/reporting/board.service.ts';
import type { ClientAnswer, ClientJob, ClientRequest } from './bench-flows.client.ts';
import { percentile, round2 } from './bench-flows.measure.ts';

/**
 * What an official meets: the app built on the bench database (`buildApp`, as `npm start` runs it), listening on
 * a loopback port, called over real HTTP with a ministry user's API token by a client process of its own (a user's
 * client does not share the server's event loop or heap); and the board and the dashboard
 * in-process as their routes call them.
 */

const median = (values: readonly number[]) => round2(percentile(values, 0.5));

export interface BenchApi {
  readonly url: string;
  readonly token: string;
  readonly actor: Actor;
  close(): Promise<void>;
}

/** A MIIT official with an API token, and the app listening on 127.0.0.1 (a free port). */
export async function startBenchApi(handle: DatabaseHandle): Promise<BenchApi> {
  const context = { actor: SYSTEM_ACTOR, requestId: 'bench' };
  // The bench's own throwaway database, as the demo's: its official is seeded approved (no second person here).
  const user = await seedApprovedUser(handle.db, context, {
    login: 'bench.miit',
    display_name: '基准 工业和信息化部',
    password: randomBytes(18).toString('base64url'),
    role: 'ministry_official',
    authority_id: 'MIIT',
    enterprise_id: null,
  });
  const { token } = await createToken(handle.db, context, user.id, 'bench', 1);
  const actor = (await actorFromToken(handle.db, token))?.actor;
  if (!actor) throw new Error('the bench token does not authenticate');
  // The bench sends thousands of requests a minute from one address: no rate limit, no request log.
  // The bench's own throwaway database has no replica.
  const config = {
    ...loadConfig(),
    DATABASE_READ_URL: [],
    LOG_LEVEL: 'silent' as const,
    RATE_LIMIT_PER_MINUTE: 100_000_000,
  };
  const app: App = await buildApp({ config, database: handle });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the bench API is not listening');
  return { url: `http://127.0.0.1:${address.port}/api/v1`, token, actor, close: () => app.close() };
}

const clientScript = fileURLToPath(new URL('./bench-flows.client.ts', import.meta.url));

/** Runs a job in a client process of its own (not sharing the server's event loop or heap). */
export async function runClient(job: ClientJob): Promise<ClientAnswer> {
  const child = fork(clientScript, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const answer = await new Promise<ClientAnswer>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ClientAnswer));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench client exited with ${code} before answering`)));
    child.send(job);
  });
  if ('error' in answer) throw new Error(answer.error);
  return answer;
}

/** Each request's time in ms, sent in order by the client process. */
async function timeRequests(api: BenchApi, requests: readonly ClientRequest[]): Promise<number[]> {
  const answer = await runClient({ kind: 'sequence', url: api.url, token: api.token, requests });
  if (!('ms' in answer)) throw new Error('the bench client answered no times');
  return answer.ms;
}

/** One request from this process, with its parsed answer (to learn a cursor; not timed). */
async function callFor(
  api: BenchApi,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ ms: number; json: unknown }> {
  const began = performance.now();
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - began;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return { ms, json: text ? (JSON.parse(text) as unknown) : null };
}

export interface ApiFigures {
  back_p50_ms: number;
  back_p99_ms: number;
  forward_p50_ms: number;
  forward_p99_ms: number;
  checks_s: number;
  board_ms: number;
  dashboard_ms: number;
  /** The officials' everyday reads (issue 23), each the median of 5 through HTTP. */
  reads: ReadFigures;
}

export interface ReadFigures {
  /** `GET /dashboard/indicator-history` (a file read once): HTTP, token and routing, the reads' baseline. */
  baseline_ms: number;
  reconciliation_ms: number;
  report_month_draft_ms: number;
  report_year_draft_ms: number;
  /** The first page of 100 lines of the busiest enterprise-month. */
  flows_page_ms: number;
  /** The page of 100 lines in the middle of that month: by `after` (keyset) when the API gives `next`, else `page`. */
  flows_deep_page_ms: number;
  /** How many lines that enterprise-month has (the list's `total`). */
  flows_month_lines: number;
}

/**
 * Through HTTP: each sampled batch traced back and forward (the routes, with the token's scope), then the month's
 * checks (POST /checks/runs), the reporting board of the month and the dashboard of the year (median of 5), and
 * the everyday reads (`measureReads`).
 */
export async function measureApi(
  api: BenchApi,
  backIds: readonly number[],
  forwardIds: readonly number[],
  period: string,
  busiest: BusiestMonth,
): Promise<ApiFigures> {
  const back = (id: number): ClientRequest => ({ method: 'GET', path: `/batches/${id}/trace/back` });
  const forward = (index: number): ClientRequest => ({
    method: 'GET',
    path: `/batches/${forwardIds[index % forwardIds.length]}/trace/forward`,
  });
  const warm = Math.min(20, backIds.length);
  const requests: ClientRequest[] = [];
  for (let index = 0; index < warm; index += 1) requests.push(back(backIds[index]!), forward(index));
  for (let index = 0; index < backIds.length; index += 1) requests.push(back(backIds[index]!), forward(index));
  requests.push({ method: 'POST', path: '/checks/runs', body: { period } });
  for (let run = 0; run < 5; run += 1)
    requests.push(
      { method: 'GET', path: `/reporting/board?period=${period}` },
      { method: 'GET', path: `/dashboard?year=${period.slice(0, 4)}` },
    );
  const ms = (await timeRequests(api, requests)).slice(2 * warm);
  const traced = ms.slice(0, 2 * backIds.length);
  const backMs = traced.filter((_, index) => index % 2 === 0);
  const forwardMs = traced.filter((_, index) => index % 2 === 1);
  const checksMs = ms[2 * backIds.length]!;
  const rest = ms.slice(2 * backIds.length + 1);
  const boards = rest.filter((_, index) => index % 2 === 0);
  const dashboards = rest.filter((_, index) => index % 2 === 1);
  const reads = await measureReads(api, period, busiest);
  return {
    reads,
    back_p50_ms: median(backMs),
    back_p99_ms: round2(percentile(backMs, 0.99)),
    forward_p50_ms: median(forwardMs),
    forward_p99_ms: round2(percentile(forwardMs, 0.99)),
    checks_s: round2(checksMs / 1000),
    board_ms: median(boards),
    dashboard_ms: median(dashboards),
  };
}

/** An enterprise-month to read: the one with the most flow lines in the bench's last month. */
export interface BusiestMonth {
  readonly enterpriseId: string;
  readonly lines: number;
}

/**
 * The reads issue 23 moved onto the flow summaries, through HTTP (median of 5 each): the nation's reconciliation
 * of the month, the busiest enterprise's monthly and annual report drafts, and a first and a middle page of its
 * month's flow lines.
 */
async function measureReads(api: BenchApi, period: string, busiest: BusiestMonth): Promise<ReadFigures> {
  const list = `/flows?enterprise_id=${busiest.enterpriseId}&period=${period}&page_size=100`;
  const middle = Math.max(1, Math.ceil(busiest.lines / 200));
  // The cursor of the middle page comes from the page before it, as a client walking the list holds it.
  const before =
    middle > 1 ? ((await callFor(api, 'GET', `${list}&page=${middle - 1}`)).json as { next?: string | null }) : {};
  const deep = before.next ? `${list}&page=${middle}&after=${before.next}` : `${list}&page=${middle}`;
  const paths = {
    baseline_ms: '/dashboard/indicator-history',
    reconciliation_ms: `/reporting/reconciliation?period=${period}`,
    report_month_draft_ms: `/reports/draft?enterprise_id=${busiest.enterpriseId}&period=${period}`,
    report_year_draft_ms: `/reports/draft?enterprise_id=${busiest.enterpriseId}&period=${period.slice(0, 4)}`,
    flows_page_ms: list,
    flows_deep_page_ms: deep,
  };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  const requests = names.flatMap((name) =>
    Array.from({ length: 5 }, (): ClientRequest => ({ method: 'GET', path: paths[name] })),
  );
  const ms = await timeRequests(api, requests);
  const timed = Object.fromEntries(names.map((name, index) => [name, median(ms.slice(index * 5, index * 5 + 5))]));
  return { ...(timed as Record<keyof typeof paths, number>), flows_month_lines: busiest.lines };
}

/** The board of the month and the dashboard of the year in-process, as their routes call them (median of 5). */
export async function measureBoardAndDashboard(
  handle: DatabaseHandle,
  actor: Actor,
  period: string,
): Promise<{ board_ms: number; dashboard_ms: number }> {
  const boards: number[] = [];
  const dashboards: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    let began = performance.now();
    await board(handle.db, actor, period, undefined);
    boards.push(performance.now() - began);
    began = performance.now();
    await dashboard(handle.db, actor, { year: Number(period.slice(0, 4)) }, new Date());
    dashboards.push(performance.now() - began);
  }
  return { board_ms: median(boards), dashboard_ms: median(dashboards) };
}
