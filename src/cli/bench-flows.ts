import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { benchRegister, type BenchShape } from './bench-flows.data.ts';
import {
  analyze,
  countiesByProvince,
  insertRegister,
  issueQuotas,
  loadMonths,
  openBenchDatabase,
  period,
  prepareSchema,
} from './bench-flows.load.ts';
import { copyBaseline, measureChecks, measureTraces, traceSamples } from './bench-flows.measure.ts';
import { FlowSimulation } from './bench-flows.sim.ts';

/**
 * `monazite bench` for flows at national scale: a synthetic year of the supply chain (mines → concentrate →
 * separation → oxides → metals → export) recorded through the validated ingest into a throwaway database on
 * the engine in use, then traces and a month of checks, each against a baseline measured in the same run.
 * docs/benchmark.md says what each figure means.
 */

export interface FlowBenchOptions extends BenchShape {
  /** Batches traced each way. */
  readonly samples: number;
  /** Keep the throwaway database (its name or folder is printed) instead of dropping it. */
  readonly keep: boolean;
  /** The PostgreSQL server to create the throwaway database on; none: embedded PGlite in a temporary folder. */
  readonly databaseUrl: string | undefined;
  /** Progress lines while it loads (stderr). */
  readonly progress: (line: string) => void;
}

export interface FlowBenchResult {
  engine: 'postgres' | 'pglite';
  database: string;
  events: number;
  months: number;
  enterprises: number;
  submissions: number;
  lines: number;
  batches: number;
  edges: number;
  ingest_s: number;
  ingest_events_per_s: number;
  ingest_lines_per_s: number;
  copy_rows: number;
  copy_s: number;
  copy_rows_per_s: number;
  ingest_vs_copy: number;
  trace_samples: number;
  trace_back_p50_ms: number;
  trace_back_p99_ms: number;
  trace_forward_p50_ms: number;
  trace_forward_p99_ms: number;
  reach_up_p50_ms: number;
  reach_up_p99_ms: number;
  reach_down_p50_ms: number;
  reach_down_p99_ms: number;
  trace_vs_reach: number;
  trace_back_p99_vs_reach: number;
  trace_forward_vs_reach: number;
  trace_back_edges_mean: number;
  trace_back_origins_mean: number;
  trace_forward_edges_mean: number;
  trace_forward_movements_mean: number;
  trace_back_parts_p50_ms: Record<string, number>;
  checks_period: string;
  checks_rows: number;
  checks_month_s: number;
  checks_rerun_s: number;
  scan_s: number;
  scan_forced_seq_s: number;
  checks_vs_scan: number;
  checks_anomalies: number;
  checks_by_rule: Record<string, number>;
  generate_s: number;
  seal_s: number;
  wall_s: number;
  peak_rss_mb: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const ratio = (value: number, base: number) => (base > 0 ? round2(value / base) : Number.NaN);

export async function runFlowBench(options: FlowBenchOptions): Promise<FlowBenchResult> {
  const began = performance.now();
  const database = await openBenchDatabase(options.databaseUrl);
  const { handle } = database;
  try {
    options.progress(
      `flows: throwaway ${handle.engine === 'postgres' ? 'database' : 'PGlite folder'} ${database.where}`,
    );
    await prepareSchema(handle.db);
    const counties = await countiesByProvince(handle.db);
    const register = benchRegister(options, (province) => counties.get(province) ?? []);
    const ids = await insertRegister(handle.db, register);
    const simulation = new FlowSimulation(register, options);
    const load = await loadMonths(handle, ids, simulation, options.months, options.seed, options.progress);
    await issueQuotas(handle.db, ids, simulation.tally.consumed, options.seed);
    await analyze(handle.db);
    options.progress('flows: COPY baseline');
    const copied = await copyBaseline(handle);
    await sql`DROP TABLE flow_line_bare`.execute(handle.db);
    options.progress('flows: traces');
    const makers = register.byRole.metal_maker.map((index) => ids[index]!);
    const samples = await traceSamples(handle.db, makers, options.samples, options.seed);
    const traces = await measureTraces(handle.db, samples.back, samples.forward);
    options.progress('flows: checks');
    const checks = await measureChecks(handle, period(options.months));
    const ingestSeconds = load.ingestMs / 1000;
    const { tally } = simulation;
    return {
      engine: handle.engine,
      database: database.where,
      events: load.events,
      months: options.months,
      enterprises: register.enterprises.length,
      submissions: load.submissions,
      lines: tally.lines,
      batches: tally.batches,
      edges: tally.edges,
      ingest_s: round2(ingestSeconds),
      ingest_events_per_s: Math.round(load.events / ingestSeconds),
      ingest_lines_per_s: Math.round(tally.lines / ingestSeconds),
      copy_rows: copied.rows,
      copy_s: round2(copied.seconds),
      copy_rows_per_s: Math.round(copied.rows / copied.seconds),
      // The same rows: validated and stored in ingest_s, copied raw in copy_s.
      ingest_vs_copy: round2(copied.seconds / ingestSeconds),
      trace_samples: traces.samples,
      trace_back_p50_ms: traces.back_p50_ms,
      trace_back_p99_ms: traces.back_p99_ms,
      trace_forward_p50_ms: traces.forward_p50_ms,
      trace_forward_p99_ms: traces.forward_p99_ms,
      reach_up_p50_ms: traces.reach_up_p50_ms,
      reach_up_p99_ms: traces.reach_up_p99_ms,
      reach_down_p50_ms: traces.reach_down_p50_ms,
      reach_down_p99_ms: traces.reach_down_p99_ms,
      trace_vs_reach: ratio(traces.back_p50_ms, traces.reach_up_p50_ms),
      trace_back_p99_vs_reach: ratio(traces.back_p99_ms, traces.reach_up_p99_ms),
      trace_forward_vs_reach: ratio(traces.forward_p50_ms, traces.reach_down_p50_ms),
      trace_back_edges_mean: traces.back_edges_mean,
      trace_back_origins_mean: traces.back_origins_mean,
      trace_forward_edges_mean: traces.forward_edges_mean,
      trace_forward_movements_mean: traces.forward_movements_mean,
      trace_back_parts_p50_ms: traces.back_parts_p50_ms,
      checks_period: checks.period,
      checks_rows: checks.rows,
      checks_month_s: checks.checks_s,
      checks_rerun_s: checks.checks_rerun_s,
      scan_s: checks.scan_s,
      scan_forced_seq_s: checks.scan_forced_seq_s,
      checks_vs_scan: ratio(checks.checks_s, checks.scan_s),
      checks_anomalies: checks.anomalies,
      checks_by_rule: checks.by_rule,
      generate_s: round2(load.generateMs / 1000),
      seal_s: round2(load.sealMs / 1000),
      wall_s: round2((performance.now() - began) / 1000),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await database.dispose(options.keep);
  }
}

const n = (value: number) => value.toLocaleString('en-US');

/** The figures for a person: each with its baseline and the ratio, and the target where the issue sets one. */
export function describeFlowBench(result: FlowBenchResult, kept: boolean): string[] {
  const engine = result.engine === 'postgres' ? 'PostgreSQL' : 'PGlite';
  return [
    `flows at national scale on ${engine}: ${n(result.events)} events over ${result.months} month(s) of 2025, ${n(result.enterprises)} enterprises`,
    `  data         ${n(result.lines)} flow lines, ${n(result.batches)} batches, ${n(result.edges)} transform edges, ${n(result.submissions)} submissions`,
    `  ingest       ${n(result.ingest_events_per_s)} events/s (${n(result.ingest_lines_per_s)} lines/s), ${result.ingest_s} s validated and stored`,
    `  baseline     ${n(result.copy_rows_per_s)} rows/s: raw COPY of the same ${n(result.copy_rows)} rows into a bare table, ${result.copy_s} s`,
    `  ratio        ${result.ingest_vs_copy}× the COPY rate (target ≥ 0.7)`,
    `  trace back   p50 ${result.trace_back_p50_ms} ms  p99 ${result.trace_back_p99_ms} ms over ${n(result.trace_samples)} metal batches (${result.trace_back_origins_mean} origins, ${result.trace_back_edges_mean} edges on average)`,
    `  baseline     p50 ${result.reach_up_p50_ms} ms  p99 ${result.reach_up_p99_ms} ms plain recursive reachability`,
    `  ratio        ${result.trace_vs_reach}× at p50, ${result.trace_back_p99_vs_reach}× at p99 (target ≤ 1.5; p99 ≤ 10 ms at 10^7 events)`,
    `  parts (p50)  ${Object.entries(result.trace_back_parts_p50_ms)
      .map(([name, ms]) => `${name} ${ms} ms`)
      .join(', ')}`,
    `  trace fwd    p50 ${result.trace_forward_p50_ms} ms  p99 ${result.trace_forward_p99_ms} ms from mine batches (${result.trace_forward_edges_mean} edges, ${result.trace_forward_movements_mean} movements on average)`,
    `  baseline     p50 ${result.reach_down_p50_ms} ms  p99 ${result.reach_down_p99_ms} ms plain recursive reachability`,
    `  ratio        ${result.trace_forward_vs_reach}× at p50`,
    `  checks       ${result.checks_month_s} s for ${result.checks_period} (${n(result.checks_rows)} lines, ${n(result.checks_anomalies)} anomalies); again ${result.checks_rerun_s} s`,
    `  baseline     ${result.scan_s} s one aggregate over the month's lines (forced sequential scan of the table: ${result.scan_forced_seq_s} s)`,
    `  ratio        ${result.checks_vs_scan}× (target ≤ 3)`,
    `  peak RSS     ${n(result.peak_rss_mb)} MB; generating ${result.generate_s} s, sealing ${result.seal_s} s, all ${result.wall_s} s`,
    ...(kept ? [`  kept         ${result.database}`] : []),
  ];
}
