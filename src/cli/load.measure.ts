import type autocannonType from 'autocannon';
import { round2 } from './bench-flows.measure.ts';
import type { LoadTargets } from './load.setup.ts';

/**
 * The scenarios driven against the served app, one after the other, each with autocannon (`connections` clients
 * for `duration` seconds, after a short warm-up): the health check (the baseline: routing and one `SELECT 1`), the
 * public certificate check, a backward trace and a mix of list and detail reads as a provincial official, and the
 * ministry dashboard. Every answer must be a 2xx: a figure of refusals would measure nothing.
 */

export interface Scenario {
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly requests: number;
}

export interface LoadScenarios {
  /** The health check, run first and last: the mean of the two. */
  readonly baseline: Scenario;
  /** The two runs' req/s: how much the machine drifted. */
  readonly baseline_spread: readonly [number, number];
  readonly verify: Scenario;
  readonly trace: Scenario;
  readonly api_read: Scenario;
  readonly dashboard: Scenario;
}

export interface DriveOptions {
  readonly connections: number;
  readonly duration: number;
  readonly progress: (line: string) => void;
}

const WARM_UP_S = 2;

export async function driveScenarios(
  origin: string,
  targets: LoadTargets,
  options: DriveOptions,
): Promise<LoadScenarios> {
  // autocannon is a development dependency: loaded only when a load run is asked for.
  const autocannon = (await import('autocannon')).default;
  const official = { authorization: `Bearer ${targets.officialToken}` };
  const ministry = { authorization: `Bearer ${targets.ministryToken}` };
  const run = async (name: string, paths: readonly string[], headers: Record<string, string> = {}) => {
    options.progress(`load: ${name} (${paths.length} path${paths.length === 1 ? '' : 's'})`);
    const drive = (duration: number) => once(autocannon, origin, paths, headers, options.connections, duration);
    await drive(WARM_UP_S);
    return drive(options.duration);
  };
  const api = '/api/v1';
  const before = await run('baseline', ['/healthz']);
  const scenarios = {
    verify: await run(
      'verify',
      targets.certificates.map((code) => `${api}/public/certificates/${code}`),
    ),
    trace: await run(
      'trace',
      targets.traceIds.map((id) => `${api}/batches/${id}/trace/back`),
      official,
    ),
    api_read: await run(
      'api_read',
      targets.readPaths.map((path) => `${api}${path}`),
      official,
    ),
    dashboard: await run('dashboard', [`${api}${targets.dashboardPath}`], ministry),
  };
  // The baseline again at the end, and the two averaged: a machine shared with other work drifts during a run.
  const after = await run('baseline', ['/healthz']);
  return { ...scenarios, baseline: meanOf(before, after), baseline_spread: [before.rps, after.rps] as const };
}

function meanOf(first: Scenario, second: Scenario): Scenario {
  const mean = (a: number, b: number) => round2((a + b) / 2);
  return {
    rps: mean(first.rps, second.rps),
    p50_ms: mean(first.p50_ms, second.p50_ms),
    p99_ms: mean(first.p99_ms, second.p99_ms),
    requests: first.requests + second.requests,
  };
}

async function once(
  autocannon: typeof autocannonType,
  origin: string,
  paths: readonly string[],
  headers: Record<string, string>,
  connections: number,
  duration: number,
): Promise<Scenario> {
  let next = 0;
  const result = await autocannon({
    url: origin,
    connections,
    duration,
    headers,
    requests: [
      {
        method: 'GET',
        // Each request takes the next path, round the list: every connection walks all of them.
        setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .map(([status, { count }]) => `${status} ×${count ?? 0}`)
      .join(', ');
    throw new Error(
      `${paths[0]}…: ${result.non2xx} answers not 2xx (${statuses}), ${result.errors} errors: the figures would be wrong`,
    );
  }
  return {
    rps: round2(result.requests.average),
    p50_ms: round2(result.latency.p50),
    p99_ms: round2(result.latency.p99),
    requests: result.requests.total,
  };
}
