import { z } from 'zod';
import { loadConfig } from '../server/config.ts';
import { benchAllocation, type AllocationBench } from './bench.ts';
import { describeFlowBench, runFlowBench, type FlowBenchResult } from './bench-flows.ts';

/** As commander gives them; checked here. */
export interface BenchCommandOptions {
  readonly suite?: string;
  readonly holders?: string;
  readonly runs?: string;
  readonly events?: string;
  readonly months?: string;
  readonly samples?: string;
  readonly seed?: string;
  readonly keep?: boolean;
  readonly peakAtOnce?: string;
  readonly json?: boolean;
}

const whole = (min: number, max: number) => z.coerce.number().int('must be a whole number').min(min).max(max);
const benchOptions = z.object({
  suite: z.enum(['all', 'allocation', 'flows']).default('all'),
  holders: whole(1, 10_000_000).default(10_000),
  runs: whole(1, 10_000).default(15),
  events: whole(1_000, 100_000_000).default(100_000),
  months: whole(1, 12).default(12),
  samples: whole(1, 1_000_000).default(1_000),
  seed: whole(0, 2 ** 31).default(1),
  keep: z.boolean().default(false),
  peakAtOnce: whole(1, 100_000).default(200),
  json: z.boolean().default(false),
});

function printAllocation(allocation: AllocationBench): void {
  console.log(`allocation engine, ${allocation.holders} holders (exact, caps, eligibility, Art. 14, explanations)`);
  console.log(`  engine       p50 ${allocation.allocate_ms_p50} ms   max ${allocation.allocate_ms_max} ms`);
  console.log(
    `  baseline     p50 ${allocation.proportional_ms_p50} ms   (plain proportional split by capacity, exact)`,
  );
  console.log(`  ratio        ${allocation.allocate_vs_proportional}× the baseline`);
}

/**
 * `monazite bench`: the allocation engine, then flows at national scale on the engine in use (DATABASE_URL:
 * PostgreSQL, else PGlite), each against its baseline. `--json` ends with one JSON object: the flow figures
 * at the top level, the allocation figures under `allocation`. Exit code 0, 1 failed, 2 bad arguments.
 */
export async function runBenchCommand(raw: BenchCommandOptions): Promise<number> {
  const parsed = benchOptions.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined)),
  );
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${String(issue.path[0] ?? '')}: ${issue.message}`);
    return 2;
  }
  const options = parsed.data;
  let allocation: AllocationBench | undefined;
  let flows: FlowBenchResult | undefined;
  if (options.suite !== 'flows') {
    allocation = benchAllocation(options.holders, options.runs);
    printAllocation(allocation);
  }
  if (options.suite !== 'allocation') {
    flows = await runFlowBench({
      events: options.events,
      months: options.months,
      seed: options.seed,
      samples: options.samples,
      keep: options.keep,
      peakAtOnce: options.peakAtOnce,
      databaseUrl: loadConfig().DATABASE_URL,
      progress: (line) => console.error(line),
    });
    for (const line of describeFlowBench(flows, options.keep)) console.log(line);
  }
  if (options.json) console.log(JSON.stringify({ ...flows, ...(allocation ? { allocation } : {}) }));
  return 0;
}
