import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runFlowBench } from '../../src/cli/bench-flows.ts';
import { testEngine } from '../support/database.ts';

/**
 * The whole flow benchmark at a tiny size on the engine under test: its own throwaway database, every generated
 * event accepted by the ingest, every figure there and positive, and the database gone afterwards. No timing
 * thresholds: this machine's speed is not what is tested.
 */
describe('monazite bench (flows)', () => {
  it(
    'loads, traces and checks a tiny national dataset in a throwaway database, then drops it',
    { timeout: 300_000 },
    async () => {
      const databaseUrl = testEngine === 'postgres' ? process.env.DATABASE_URL : undefined;
      const progress: string[] = [];
      const result = await runFlowBench({
        events: 2_000,
        months: 3,
        seed: 3,
        samples: 30,
        keep: false,
        peakAtOnce: 5,
        databaseUrl,
        progress: (line) => progress.push(line),
      });
      expect(result.engine).toBe(testEngine);
      const positive = [
        'events',
        'ingest_events_per_s',
        'copy_rows_per_s',
        'ingest_vs_copy',
        'trace_back_p50_ms',
        'trace_back_p99_ms',
        'trace_forward_p99_ms',
        'trace_vs_reach',
        'checks_month_s',
        'checks_vs_scan',
        'board_ms',
        'dashboard_ms',
        'api_trace_back_p50_ms',
        'api_trace_back_p99_ms',
        'api_trace_forward_p99_ms',
        'api_checks_s',
        'api_board_ms',
        'api_dashboard_ms',
        'peak_rss_mb',
      ] as const;
      for (const key of positive) {
        expect(typeof result[key], key).toBe('number');
        expect(Number.isFinite(result[key]) && result[key] > 0, `${key} = ${result[key]}`).toBe(true);
      }
      // Measured again once statistics settle, in-process and through HTTP.
      for (const key of ['trace_back_p99_ms', 'api_trace_back_p99_ms', 'api_checks_s', 'api_dashboard_ms'] as const)
        expect(result.settled[key], `settled.${key}`).toBeGreaterThan(0);
      expect(progress.some((line) => line.includes('after statistics settle'))).toBe(true);
      // Month end over HTTP: the last two months filed by the enterprises with their own tokens, every upload 2xx.
      const peak = result.peak!;
      expect(peak.peak_at_once).toBe(5);
      expect(peak.peak_enterprises).toBeGreaterThan(5);
      expect(peak.peak_submissions).toBeGreaterThanOrEqual(peak.peak_enterprises);
      for (const key of [
        'peak_events',
        'sequential_events_per_s',
        'peak_events_per_s',
        'peak_vs_sequential',
        'peak_p99_ms',
        'peak_trace_p99_ms',
        'quiet_trace_p99_ms',
      ] as const)
        expect(peak[key], key).toBeGreaterThan(0);
      expect(progress.some((line) => line.includes('5 enterprises at once'))).toBe(true);
      // The first month through the ingest in-process; the other two through HTTP, every line stored.
      expect(result.events).toBeGreaterThan(300);
      expect(result.copy_rows).toBe(result.lines);
      expect(result.trace_samples).toBe(30);
      expect(result.trace_back_origins_mean).toBeGreaterThan(1);
      expect(result.checks_period).toBe('2025-03');
      // The generated chain is consistent: the checks find no broken balance and no unmatched shipment.
      expect(result.checks_by_rule.mass_balance ?? 0).toBe(0);
      expect(result.checks_by_rule.unmatched_shipment ?? 0).toBe(0);
      expect(progress.some((line) => line.includes('2025-03'))).toBe(true);

      if (databaseUrl) {
        const admin = new pg.Client({ connectionString: databaseUrl });
        await admin.connect();
        const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [result.database]);
        await admin.end();
        expect(left.rowCount).toBe(0);
      } else expect(existsSync(result.database)).toBe(false);
    },
  );
});
