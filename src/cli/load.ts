import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { loadConfig } from '../server/config.ts';
import { openBenchDatabase, withDatabaseName } from './bench-flows.load.ts';
import { driveScenarios, type LoadScenarios } from './load.measure.ts';
import { serveForLoad } from './load.server.ts';
import { prepareLoadData } from './load.setup.ts';

/**
 * `monazite load` (`npm run load`): the server as `monazite serve` runs it, on a throwaway database holding the demo
 * and a synthetic national year, driven over HTTP from this machine (docs/benchmark.md, "Load figures"). Exit code
 * 0, 1 failed, 2 bad arguments.
 */

/** As commander gives them; checked here. */
export interface LoadCommandOptions {
  readonly events?: string;
  readonly months?: string;
  readonly seed?: string;
  readonly duration?: string;
  readonly connections?: string;
  readonly keep?: boolean;
  readonly json?: boolean;
}

const whole = (min: number, max: number) => z.coerce.number().int('must be a whole number').min(min).max(max);
const loadOptions = z.object({
  events: whole(1_000, 100_000_000).default(100_000),
  months: whole(1, 12).default(12),
  seed: whole(0, 2 ** 31).default(1),
  duration: whole(1, 3_600).default(10),
  connections: whole(1, 10_000).default(10),
  keep: z.boolean().default(false),
  json: z.boolean().default(false),
});

export interface LoadFigures {
  engine: 'postgres' | 'pglite';
  events: number;
  connections: number;
  duration: number;
  cores: number;
  baseline_rps: number;
  baseline_p99_ms: number;
  /** req/s of the health check at the start and at the end of the run (baseline_rps is their mean). */
  baseline_first_rps: number;
  baseline_last_rps: number;
  verify_rps: number;
  verify_p99_ms: number;
  trace_rps: number;
  trace_p99_ms: number;
  api_read_rps: number;
  api_read_p99_ms: number;
  dashboard_rps: number;
  dashboard_p99_ms: number;
  verify_vs_baseline: number;
  trace_vs_baseline: number;
  api_read_vs_baseline: number;
  dashboard_vs_baseline: number;
}

export async function runLoadCommand(raw: LoadCommandOptions): Promise<number> {
  const parsed = loadOptions.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined)),
  );
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${String(issue.path[0] ?? '')}: ${issue.message}`);
    return 2;
  }
  const options = parsed.data;
  const config = loadConfig();
  const progress = (line: string) => console.error(line);
  const database = await openBenchDatabase(config.DATABASE_URL);
  const engine = database.handle.engine;
  let scenarios: LoadScenarios;
  let events: number;
  try {
    progress(`load: throwaway ${engine === 'postgres' ? 'database' : 'PGlite folder'} ${database.where}`);
    const targets = await prepareLoadData(database.handle, config, options, progress);
    events = targets.events;
    // The server opens the database itself (on PGlite, the folder is one process's).
    await database.close();
    const served = await serveForLoad(
      config.DATABASE_URL
        ? { url: withDatabaseName(config.DATABASE_URL, database.where) }
        : { pgliteDir: database.where },
    );
    try {
      progress(`load: serving at ${served.origin}; ${options.connections} connections, ${options.duration} s each`);
      scenarios = await driveScenarios(served.origin, targets, { ...options, progress });
    } finally {
      await served.stop();
    }
  } finally {
    await database.dispose(options.keep);
  }
  const figures = figuresOf(scenarios, { ...options, engine, events });
  if (options.json) console.log(JSON.stringify(figures));
  else for (const line of describeLoad(figures, options.keep ? database.where : null)) console.log(line);
  return 0;
}

// Three significant digits: the dashboard's share of the health check's rate is below 0.005.
const ratio = (value: number, base: number) => (base > 0 ? Number((value / base).toPrecision(3)) : Number.NaN);

function figuresOf(
  scenarios: LoadScenarios,
  run: { engine: 'postgres' | 'pglite'; events: number; connections: number; duration: number },
): LoadFigures {
  const { baseline, verify, trace, api_read, dashboard } = scenarios;
  return {
    engine: run.engine,
    events: run.events,
    connections: run.connections,
    duration: run.duration,
    cores: availableParallelism(),
    baseline_rps: baseline.rps,
    baseline_p99_ms: baseline.p99_ms,
    baseline_first_rps: scenarios.baseline_spread[0],
    baseline_last_rps: scenarios.baseline_spread[1],
    verify_rps: verify.rps,
    verify_p99_ms: verify.p99_ms,
    trace_rps: trace.rps,
    trace_p99_ms: trace.p99_ms,
    api_read_rps: api_read.rps,
    api_read_p99_ms: api_read.p99_ms,
    dashboard_rps: dashboard.rps,
    dashboard_p99_ms: dashboard.p99_ms,
    // Throughput as a share of the health check's: 1 would be as cheap as routing and one SELECT 1.
    verify_vs_baseline: ratio(verify.rps, baseline.rps),
    trace_vs_baseline: ratio(trace.rps, baseline.rps),
    api_read_vs_baseline: ratio(api_read.rps, baseline.rps),
    dashboard_vs_baseline: ratio(dashboard.rps, baseline.rps),
  };
}

/** The figures as a table for a person. */
export function describeLoad(figures: LoadFigures, kept: string | null): string[] {
  const engine = figures.engine === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const row = (name: string, rps: number, p99: number, vs: number | null) =>
    `  ${name.padEnd(34)}${String(rps).padStart(10)}${String(p99).padStart(10)}${(vs === null ? 'baseline' : `${vs}×`).padStart(10)}`;
  return [
    `load on ${engine}: ${figures.events.toLocaleString('en-US')} flow events, ${figures.connections} connections, ` +
      `${figures.duration} s a scenario, ${figures.cores} cores (client and server on this machine)`,
    `  ${'scenario'.padEnd(34)}${'req/s'.padStart(10)}${'p99 ms'.padStart(10)}${'vs base'.padStart(10)}`,
    row('GET /healthz (first and last, mean)', figures.baseline_rps, figures.baseline_p99_ms, null),
    row('certificate check (public)', figures.verify_rps, figures.verify_p99_ms, figures.verify_vs_baseline),
    row('trace back (provincial official)', figures.trace_rps, figures.trace_p99_ms, figures.trace_vs_baseline),
    row(
      'list and detail reads (provincial)',
      figures.api_read_rps,
      figures.api_read_p99_ms,
      figures.api_read_vs_baseline,
    ),
    row('dashboard (ministry)', figures.dashboard_rps, figures.dashboard_p99_ms, figures.dashboard_vs_baseline),
    `  baseline drift: ${figures.baseline_first_rps} req/s at the start, ${figures.baseline_last_rps} at the end`,
    ...(kept ? [`  kept         ${kept}`] : []),
  ];
}
