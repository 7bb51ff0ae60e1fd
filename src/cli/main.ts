import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { runBenchCommand, type BenchCommandOptions } from './bench-flows.command.ts';
import { runAllocateCommand } from './allocate.ts';
import { runImportCommand } from './import.ts';
import { loadConfig } from '../server/config.ts';
import { migrate } from '../server/db/migrate.ts';
import { loadDemoData } from '../server/demo/demo.ts';
import { loadDemoFlows } from '../server/demo/demo-flows.ts';
import { loadDemoReports } from '../server/demo/demo-reports.ts';
import { loadDemoSupervision } from '../server/demo/demo-supervision.ts';
import { createSealer } from '../server/shared/signing.ts';
import { openConfiguredDatabase, startServer } from '../server/main.ts';
import {
  anchorAuditHead,
  anchorLine,
  ensureAuditPublicKey,
  makeAnchor,
  SYSTEM_ACTOR,
  verifyAuditChain,
  verifyAuditChainWithAnchors,
  type VerifyResult,
} from '../server/modules/audit/index.ts';
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
    await withDatabase(async (database) => {
      const summary = await loadDemoData(database.db);
      const hasFlows = (await database.db.selectFrom('flow_submission').select('id').limit(1).execute()).length > 0;
      const flows = hasFlows ? null : await loadDemoFlows(database);
      const reports = hasFlows ? null : await loadDemoReports(database, createSealer(loadConfig().SIGNING_KEY_SECRET));
      const supervision = hasFlows ? null : await loadDemoSupervision(database.db);
      console.log(
        `Demo data present: ${summary.enterprises} enterprises, ${summary.products} products, ${summary.users} users` +
          (flows
            ? `; loaded ${flows.events} flow events (July–October 2026) and found ${flows.anomalies} anomalies;` +
              ` ${reports?.reports ?? 0} implementation reports and ${reports?.compilations ?? 0} compilations;` +
              ` ${supervision?.inspections ?? 0} inspections, ${supervision?.violations ?? 0} violations and` +
              ` ${supervision?.decisions ?? 0} decisions.`
            : '.'),
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

const audit = program.command('audit').description('audit chain');
audit
  .command('verify')
  .description('verify the audit hash chain from the first entry to the last (and against an anchor log)')
  .option('--anchor <file>', 'an anchor log (audit anchor): every anchor must verify and the chain must hold it')
  .option('--public-key <file>', "the server audit key's public key (PEM) to check anchors with, kept apart")
  .action(async (options: { anchor?: string; publicKey?: string }) => {
    await withDatabase(async ({ db }) => {
      if (options.anchor) {
        const publicKeyPem = options.publicKey ? await readFile(options.publicKey, 'utf8') : undefined;
        const result = await verifyAuditChainWithAnchors(db, options.anchor, { publicKeyPem });
        printChain(result.chain);
        for (const problem of result.problems) console.error(`Anchor check FAILED: ${problem.text}`);
        for (const bad of result.unreadable)
          console.error(`${options.anchor}:${bad.line}: not an anchor (${bad.error})`);
        if (result.ok) console.log(`All ${result.anchors} anchors of ${options.anchor} hold.`);
        else process.exitCode = 1;
        return;
      }
      printChain(await verifyAuditChain(db));
    });
  });

/** Prints the chain's verification; a broken chain sets exit code 1. */
function printChain(result: VerifyResult): void {
  if (result.ok) {
    console.log(`Audit chain intact: ${result.entries} entries, last #${result.lastSeq} ${result.lastHash}`);
    return;
  }
  console.error(`Audit chain BROKEN at entry #${result.firstBreak?.seq}: ${result.firstBreak?.reason}`);
  console.error(`${result.entries} entries before it verify.`);
  process.exitCode = 1;
}

audit
  .command('anchor')
  .description("sign the chain's head (sequence, hash, time, entries) with the server audit key and append it to a log")
  .option('--out <file>', 'the anchor log to append to (default AUDIT_ANCHOR_FILE; neither: print the line)')
  .option('--public-key', "print the server audit key's public key (PEM) instead")
  .action(async (options: { out?: string; publicKey?: boolean }) => {
    const config = loadConfig();
    const sealer = createSealer(config.SIGNING_KEY_SECRET);
    await withDatabase(async ({ db }) => {
      if (options.publicKey) return void process.stdout.write(await ensureAuditPublicKey(db, sealer));
      const file = options.out ?? (config.AUDIT_ANCHOR_FILE || undefined);
      if (!file) return console.log(anchorLine(await makeAnchor(db, sealer, new Date())));
      const anchor = await anchorAuditHead(db, sealer, file, new Date());
      console.log(`Anchored entry #${anchor.seq} ${anchor.hash} (${anchor.entries} entries) to ${file}`);
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
  .command('import')
  .description(
    'record the flow events of a CSV or XLSX file (docs/flows-files.md) for an enterprise, as one submission',
  )
  .argument('<file>', 'the flow file')
  .requiredOption('--enterprise <credit code>', 'the recording enterprise')
  .option('--period <YYYY-MM>', 'refuse events outside this month (Beijing time)')
  .option('--on-error <mode>', 'rollback: any bad row refuses the file; proceed: store the good rows', 'rollback')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, options: { enterprise: string; period?: string; onError: string; json?: boolean }) => {
    process.exitCode = await runImportCommand(file, {
      enterprise: options.enterprise,
      ...(options.period === undefined ? {} : { period: options.period }),
      onError: options.onError,
      json: Boolean(options.json),
    });
  });

program
  .command('bench')
  .description(
    'benchmarks (allocation engine; flows at national scale on the engine in use), each printed with its ratio to a baseline measured in the same run (docs/benchmark.md)',
  )
  .option('--suite <name>', 'all, allocation or flows', 'all')
  .option('--holders <count>', 'holders for the allocation engine', '10000')
  .option('--runs <count>', 'timed runs of each allocation measurement', '15')
  .option('--events <count>', 'flow events in the synthetic national dataset', '100000')
  .option('--months <count>', 'months of 2025 the events span (1–12)', '12')
  .option('--samples <count>', 'batches traced each way', '1000')
  .option('--seed <number>', 'seed of the synthetic data', '1')
  .option('--keep', 'keep the throwaway database instead of dropping it')
  .option('--json', 'end with one JSON object of all figures')
  .action(async (options: BenchCommandOptions) => {
    process.exitCode = await runBenchCommand(options);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
