import { Command } from 'commander';
import { benchAllocation } from './bench.ts';
import { runAllocateCommand } from './allocate.ts';
import { loadConfig } from '../server/config.ts';
import { migrate } from '../server/db/migrate.ts';
import { loadDemoData } from '../server/demo/demo.ts';
import { openConfiguredDatabase, startServer } from '../server/main.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../server/modules/audit/index.ts';
import { findUserByLogin } from '../server/modules/auth/auth.repository.ts';
import { createToken } from '../server/modules/auth/auth.service.ts';
import { ensureReferenceData } from '../server/modules/registry/reference.service.ts';

/** Runs a task against the configured database (migrated first) and closes it. */
async function withDatabase<T>(
  task: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database.db);
    return await task(database);
  } finally {
    await database.close();
  }
}

const program = new Command('monazite').description(
  'Monazite: total quantity control of rare earth mining and smelting separation',
);

program
  .command('serve')
  .description('migrate, load demo data into an empty database, and serve the API and web app')
  .action(async () => {
    await startServer(loadConfig());
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    await withDatabase(async ({ db }) => {
      const config = loadConfig();
      const database = config.DATABASE_URL ? 'PostgreSQL' : config.PGLITE_DATA_DIR;
      const applied = await migrate(db);
      await ensureReferenceData(db);
      console.log(applied.length ? `Applied to ${database}:\n  ${applied.join('\n  ')}` : `${database} is up to date.`);
    });
  });

program
  .command('demo')
  .description('load the demo data (idempotent)')
  .action(async () => {
    await withDatabase(async ({ db }) => {
      const summary = await loadDemoData(db);
      console.log(
        `Demo data present: ${summary.enterprises} enterprises, ${summary.products} products, ${summary.users} users.`,
      );
    });
  });

program
  .command('token')
  .description('API tokens')
  .command('create')
  .description('create an API token for a user and print it (shown once)')
  .requiredOption('--user <login>', 'the user the token acts as')
  .option('--name <name>', 'what the token is for', 'cli')
  .option('--days <days>', 'days until it expires', '90')
  .action(async (options: { user: string; name: string; days: string }) => {
    const days = Number(options.days);
    if (!Number.isInteger(days) || days < 1 || days > 366)
      throw new Error('--days must be a whole number from 1 to 366');
    await withDatabase(async ({ db }) => {
      const user = await findUserByLogin(db, options.user);
      if (!user) throw new Error(`No user with login ${options.user}`);
      const token = await createToken(db, { actor: SYSTEM_ACTOR, requestId: 'cli' }, user.id, options.name, days);
      console.log(token.token);
      console.error(`Token ${token.prefix}… for ${user.login}, expires ${token.expires_at}. It is not shown again.`);
    });
  });

program
  .command('audit')
  .description('audit chain')
  .command('verify')
  .description('verify the audit hash chain from the first entry to the last')
  .action(async () => {
    await withDatabase(async ({ db }) => {
      const result = await verifyAuditChain(db);
      if (result.ok) {
        console.log(`Audit chain intact: ${result.entries} entries, last #${result.lastSeq} ${result.lastHash}`);
      } else {
        console.error(`Audit chain BROKEN at entry #${result.firstBreak?.seq}: ${result.firstBreak?.reason}`);
        console.error(`${result.entries} entries before it verify.`);
        process.exitCode = 1;
      }
    });
  });

program
  .command('allocate')
  .description(
    'run the allocation engine on a JSON input (the what-if API schema; see docs/allocation.md) and print the result',
  )
  .requiredOption('--input <file>', 'the input JSON file')
  .option('--json', 'print the result as JSON')
  .action(async (options: { input: string; json?: boolean }) => {
    process.exitCode = await runAllocateCommand(options.input, Boolean(options.json));
  });

program
  .command('bench')
  .description('benchmarks, each printed with its ratio to a baseline measured in the same run')
  .option('--holders <count>', 'holders for the allocation engine', '10000')
  .option('--runs <count>', 'timed runs of each measurement', '15')
  .option('--json', 'end with one JSON object of all figures')
  .action((options: { holders: string; runs: string; json?: boolean }) => {
    const holders = Number(options.holders);
    const runs = Number(options.runs);
    if (!Number.isInteger(holders) || holders < 1 || !Number.isInteger(runs) || runs < 1)
      throw new Error('--holders and --runs take whole numbers');
    const allocation = benchAllocation(holders, runs);
    console.log(`allocation engine, ${allocation.holders} holders (exact, caps, eligibility, Art. 14, explanations)`);
    console.log(`  engine       p50 ${allocation.allocate_ms_p50} ms   max ${allocation.allocate_ms_max} ms`);
    console.log(
      `  baseline     p50 ${allocation.proportional_ms_p50} ms   (plain proportional split by capacity, exact)`,
    );
    console.log(`  ratio        ${allocation.allocate_vs_proportional}× the baseline`);
    if (options.json) console.log(JSON.stringify({ allocation }));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
