import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { benchRegister, type BenchShape } from './bench-flows.data.ts';
import { keepStatistics } from '../server/db/statistics.ts';
import { measureApi, measureBoardAndDashboard, startBenchApi, type ApiFigures } from './bench-flows.api.ts';
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
import {
  busiestMonth,
  copyBaseline,
  measureChecks,
  measureTraces,
  round2,
  traceSamples,
  type CheckFigures,
  type TraceFigures,
} from './bench-flows.measure.ts';
import { runPeak, type PeakFigures } from './bench-flows.peak.ts';
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
  /** Enterprises filing at the same moment in the month-end scenario. */
  readonly peakAtOnce: number;
  /** The PostgreSQL server to create the throwaway database on; none: embedded PGlite in a temporary folder. */
  readonly databaseUrl: string | undefined;
  /** Progress lines while it loads (stderr). */
  readonly progress: (line: string) => void;
}

export interface FlowBenchResult extends PhaseFigures {
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
  trace_back_edges_mean: number;
  trace_back_origins_mean: number;
  trace_forward_edges_mean: number;
  trace_forward_movements_mean: number;
  checks_period: string;
  checks_rows: number;
  scan_forced_seq_s: number;
  checks_anomalies: number;
  checks_by_rule: Record<string, number>;
  /** Lines of the enterprise-month the report drafts and flow pages read. */
  flows_month_lines: number;
  /** Tables the system's statistics keeper analysed during the load, in order. */
  analysed_during_load: string[];
  /** Month end over HTTP (the last two months); null with fewer than 3 months. */
  peak: PeakFigures | null;
  /** The same figures again after statistics settle (the keeper idle, then ANALYZE as autovacuum would). */
  settled: PhaseFigures;
  generate_s: number;
  seal_s: number;
  wall_s: number;
  peak_rss_mb: number;
}

const ratio = (value: number, base: number) => (base > 0 ? round2(value / base) : Number.NaN);

/** One round of what users meet: traces, checks, board and dashboard, in-process and through HTTP. */
export interface PhaseFigures {
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
  checks_month_s: number;
  checks_rerun_s: number;
  scan_s: number;
  checks_vs_scan: number;
  board_ms: number;
  dashboard_ms: number;
  api_trace_back_p50_ms: number;
  api_trace_back_p99_ms: number;
  api_trace_forward_p50_ms: number;
  api_trace_forward_p99_ms: number;
  api_trace_vs_reach: number;
  api_trace_back_p99_vs_reach: number;
  api_checks_s: number;
  api_checks_vs_scan: number;
  api_board_ms: number;
  api_dashboard_ms: number;
  api_reads_baseline_ms: number;
  api_reconciliation_ms: number;
  api_report_month_draft_ms: number;
  api_report_year_draft_ms: number;
  api_flows_page_ms: number;
  api_flows_deep_page_ms: number;
  api_reads_vs_baseline: Record<string, number>;
}

function phaseFigures(
  traces: TraceFigures,
  checks: CheckFigures,
  inProcess: { board_ms: number; dashboard_ms: number },
  api: ApiFigures,
): PhaseFigures {
  return {
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
    checks_month_s: checks.checks_s,
    checks_rerun_s: checks.checks_rerun_s,
    scan_s: checks.scan_s,
    checks_vs_scan: ratio(checks.checks_s, checks.scan_s),
    board_ms: inProcess.board_ms,
    dashboard_ms: inProcess.dashboard_ms,
    api_trace_back_p50_ms: api.back_p50_ms,
    api_trace_back_p99_ms: api.back_p99_ms,
    api_trace_forward_p50_ms: api.forward_p50_ms,
    api_trace_forward_p99_ms: api.forward_p99_ms,
    api_trace_vs_reach: ratio(api.back_p50_ms, traces.reach_up_p50_ms),
    api_trace_back_p99_vs_reach: ratio(api.back_p99_ms, traces.reach_up_p99_ms),
    api_checks_s: api.checks_s,
    api_checks_vs_scan: ratio(api.checks_s, checks.scan_s),
    api_board_ms: api.board_ms,
    api_dashboard_ms: api.dashboard_ms,
    api_reads_baseline_ms: api.reads.baseline_ms,
    api_reconciliation_ms: api.reads.reconciliation_ms,
    api_report_month_draft_ms: api.reads.report_month_draft_ms,
    api_report_year_draft_ms: api.reads.report_year_draft_ms,
    api_flows_page_ms: api.reads.flows_page_ms,
    api_flows_deep_page_ms: api.reads.flows_deep_page_ms,
    api_reads_vs_baseline: Object.fromEntries(
      (
        [
          ['board', api.board_ms],
          ['dashboard', api.dashboard_ms],
          ['reconciliation', api.reads.reconciliation_ms],
          ['report_month_draft', api.reads.report_month_draft_ms],
          ['report_year_draft', api.reads.report_year_draft_ms],
          ['flows_page', api.reads.flows_page_ms],
          ['flows_deep_page', api.reads.flows_deep_page_ms],
        ] as const
      ).map(([name, ms]) => [name, ratio(ms, api.reads.baseline_ms)]),
    ),
  };
}

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
    // The system keeps its own statistics as the server does (the app starts the same keeper): no manual ANALYZE.
    const keeper = keepStatistics(handle, {
      log: { info: (line) => options.progress(`  statistics: ${line}`), warn: (line) => options.progress(line) },
    });
    // The last two months go through HTTP as month end (bench-flows.peak.ts); the others through the ingest itself.
    const overHttpMonths = options.months >= 3 ? 2 : 0;
    const load = await loadMonths(
      handle,
      ids,
      simulation,
      options.months - overHttpMonths,
      options.seed,
      options.progress,
    );
    const makers = register.byRole.metal_maker.map((index) => ids[index]!);
    const api = await startBenchApi(handle);
    const peak =
      overHttpMonths > 0
        ? await runPeak(
            handle,
            api,
            ids,
            simulation,
            { sequential: options.months - 1, peak: options.months },
            options.seed,
            (await traceSamples(handle.db, makers, 200, options.seed + 7)).back,
            options.peakAtOnce,
            options.progress,
          )
        : null;
    await issueQuotas(handle.db, ids, simulation.tally.consumed, options.seed);
    const analysedDuringLoad = keeper.analysed.map((run) => run.table);
    const samples = await traceSamples(handle.db, makers, options.samples, options.seed);
    const last = period(options.months);
    const busiest = await busiestMonth(handle.db, last);
    // Right after the last submission: what officials meet at month end.
    options.progress('flows: traces, checks, board and dashboard right after the load (in-process, then HTTP)');
    const traces = await measureTraces(handle.db, samples.back, samples.forward);
    const checks = await measureChecks(handle, last);
    const views = await measureBoardAndDashboard(handle, api.actor, last);
    const overHttp = await measureApi(api, samples.back, samples.forward, last, busiest);
    const fresh = phaseFigures(traces, checks, views, overHttp);
    // Then once statistics have settled: the keeper idle, and every table analysed (as autovacuum would, in time).
    options.progress('flows: the same after statistics settle');
    await keeper.idle();
    await analyze(handle.db);
    const settled = phaseFigures(
      await measureTraces(handle.db, samples.back, samples.forward),
      await measureChecks(handle, last),
      await measureBoardAndDashboard(handle, api.actor, last),
      await measureApi(api, samples.back, samples.forward, last, busiest),
    );
    await api.close();
    options.progress('flows: COPY baseline');
    const copied = await copyBaseline(handle);
    await sql`DROP TABLE flow_line_bare`.execute(handle.db);
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
      // Three significant digits: on a loaded machine the ratio falls below 0.005 and two decimals would say 0.
      ingest_vs_copy: Number((copied.seconds / ingestSeconds).toPrecision(3)),
      trace_samples: traces.samples,
      ...fresh,
      trace_back_edges_mean: traces.back_edges_mean,
      trace_back_origins_mean: traces.back_origins_mean,
      trace_forward_edges_mean: traces.forward_edges_mean,
      trace_forward_movements_mean: traces.forward_movements_mean,
      checks_period: checks.period,
      checks_rows: checks.rows,
      scan_forced_seq_s: checks.scan_forced_seq_s,
      checks_anomalies: checks.anomalies,
      checks_by_rule: checks.by_rule,
      flows_month_lines: busiest.lines,
      analysed_during_load: analysedDuringLoad,
      peak,
      settled,
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

function describePhase(title: string, result: FlowBenchResult, phase: PhaseFigures): string[] {
  return [
    `  — ${title}`,
    `  trace back   p50 ${phase.trace_back_p50_ms} ms  p99 ${phase.trace_back_p99_ms} ms in-process; HTTP p50 ${phase.api_trace_back_p50_ms} ms  p99 ${phase.api_trace_back_p99_ms} ms over ${n(result.trace_samples)} metal batches (${result.trace_back_origins_mean} origins, ${result.trace_back_edges_mean} edges on average)`,
    `  baseline     p50 ${phase.reach_up_p50_ms} ms  p99 ${phase.reach_up_p99_ms} ms plain recursive reachability`,
    `  ratio        ${phase.trace_vs_reach}× at p50, ${phase.trace_back_p99_vs_reach}× at p99; HTTP ${phase.api_trace_vs_reach}× at p50, ${phase.api_trace_back_p99_vs_reach}× at p99 (target ≤ 1.5; HTTP p99 ≤ 10 ms)`,
    `  trace fwd    p50 ${phase.trace_forward_p50_ms} ms  p99 ${phase.trace_forward_p99_ms} ms in-process; HTTP p50 ${phase.api_trace_forward_p50_ms} ms  p99 ${phase.api_trace_forward_p99_ms} ms from mine batches (${result.trace_forward_edges_mean} edges, ${result.trace_forward_movements_mean} movements on average)`,
    `  baseline     p50 ${phase.reach_down_p50_ms} ms  p99 ${phase.reach_down_p99_ms} ms plain recursive reachability`,
    `  ratio        ${phase.trace_forward_vs_reach}× at p50`,
    `  checks       ${phase.checks_month_s} s for ${result.checks_period} (${n(result.checks_rows)} lines); again ${phase.checks_rerun_s} s; HTTP ${phase.api_checks_s} s`,
    `  baseline     ${phase.scan_s} s one aggregate over the month's lines`,
    `  ratio        ${phase.checks_vs_scan}×, HTTP ${phase.api_checks_vs_scan}× (target ≤ 3)`,
    `  board        ${phase.board_ms} ms in-process, ${phase.api_board_ms} ms HTTP (${result.checks_period}, the nation); dashboard ${phase.dashboard_ms} ms in-process, ${phase.api_dashboard_ms} ms HTTP (the year)`,
    `  reads (HTTP) reconciliation ${phase.api_reconciliation_ms} ms (the nation); report draft ${phase.api_report_month_draft_ms} ms (month), ${phase.api_report_year_draft_ms} ms (year); flows page ${phase.api_flows_page_ms} ms (first), ${phase.api_flows_deep_page_ms} ms (middle) of ${n(result.flows_month_lines)} lines`,
    `  baseline     ${phase.api_reads_baseline_ms} ms GET /dashboard/indicator-history (HTTP and token only)`,
    `  ratio        ${Object.entries(phase.api_reads_vs_baseline)
      .map(([name, value]) => `${name} ${value}×`)
      .join(', ')}`,
  ];
}

function describePeak(peak: PeakFigures | null): string[] {
  if (!peak) return [];
  const waits = Object.entries(peak.peak_lock_waits);
  return [
    `  month end    ${n(peak.peak_enterprises)} enterprises, ${n(peak.peak_submissions)} submissions (${n(peak.peak_events)} events) through POST /flows, ${n(peak.peak_at_once)} at once, stage by stage`,
    `               ${n(peak.peak_events_per_s)} events/s, ${peak.peak_submissions_per_s} submissions/s; an upload p50 ${peak.peak_p50_ms} ms, p99 ${peak.peak_p99_ms} ms (target ≤ 2,000)`,
    `  baseline     the month before, one at a time: ${n(peak.sequential_events_per_s)} events/s; an upload p50 ${peak.sequential_upload_p50_ms} ms, p99 ${peak.sequential_upload_p99_ms} ms`,
    `  ratio        ${peak.peak_vs_sequential}× the one-at-a-time rate (target ≥ 1, aim 1.5)`,
    `  meanwhile    trace back p50 ${peak.peak_trace_p50_ms} ms, p99 ${peak.peak_trace_p99_ms} ms (quiet p99 ${peak.quiet_trace_p99_ms} ms; target ≤ 50); certificate check p99 ${peak.peak_certificate_p99_ms} ms (quiet ${peak.quiet_certificate_p99_ms} ms)`,
    `  lock waits   ${waits.length === 0 ? 'none seen' : waits.map(([type, count]) => `${type} ${count}`).join(', ')} (pg_locks every 50 ms); event loop delay p99 ${peak.peak_event_loop_delay_p99_ms} ms, max ${peak.peak_event_loop_delay_max_ms} ms`,
  ];
}

/** The figures for a person: each with its baseline and the ratio, and the target where the issue sets one. */
export function describeFlowBench(result: FlowBenchResult, kept: boolean): string[] {
  const engine = result.engine === 'postgres' ? 'PostgreSQL' : 'PGlite';
  return [
    `flows at national scale on ${engine}: ${n(result.events)} events over ${result.months} month(s) of 2025, ${n(result.enterprises)} enterprises`,
    `  data         ${n(result.lines)} flow lines, ${n(result.batches)} batches, ${n(result.edges)} transform edges, ${n(result.submissions)} submissions`,
    `  ingest       ${n(result.ingest_events_per_s)} events/s (${n(result.ingest_lines_per_s)} lines/s), ${result.ingest_s} s validated and stored`,
    `  baseline     ${n(result.copy_rows_per_s)} rows/s: raw COPY of the same ${n(result.copy_rows)} rows into a bare table, ${result.copy_s} s`,
    `  ratio        ${result.ingest_vs_copy}× the COPY rate (target ≥ 0.7)`,
    ...describePhase('right after the load, no manual ANALYZE', result, result),
    `  statistics   analysed by the system during the load: ${result.analysed_during_load.join(', ') || 'none'}`,
    ...describePhase('after statistics settle', result, result.settled),
    ...describePeak(result.peak),
    `  peak RSS     ${n(result.peak_rss_mb)} MB; generating ${result.generate_s} s, sealing ${result.seal_s} s, all ${result.wall_s} s`,
    ...(kept ? [`  kept         ${result.database}`] : []),
  ];
}
