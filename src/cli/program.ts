import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { runBenchCommand, type BenchCommandOptions } from './bench-flows.command.ts';
import { runAllocateCommand } from './allocate.ts';
import { runRestoreCommand } from './restore.ts';
import { runLoadCommand, type LoadCommandOptions } from './load.ts';
import { runDatabaseCommand } from './run-command.ts';
import { loadConfig } from '../server/config.ts';
import { DataDirLockedError } from '../server/db/data-dir-lock.ts';
import { checkProcessSettings, startServer } from '../server/main.ts';
import { StartupError } from '../server/shared/messages.ts';
import { EXIT_DO_NOT_RESTART, supervise, WORKER_ENV } from '../server/supervisor.ts';

const binScript = fileURLToPath(new URL('../../bin/monazite.mjs', import.meta.url));

/**
 * The `monazite` command line. The commands that open the configured database (migrate, demo, token create,
 * import, summaries rebuild, audit verify, backup) run through `runDatabaseCommand`, which goes through a running server's admin socket when
 * the server holds the PGlite data directory; `allocate` works on a file only and `bench` on a throwaway database
 * of its own. test/cli/cli-audit.db.test.ts enumerates these commands and checks every write is audited.
 */
export function buildProgram(): Command {
  const program = new Command('monazite').description(
    'Monazite: total quantity control of rare earth mining and smelting separation',
  );

  program
    .command('serve')
    .description(
      'migrate, load demo data into an empty database, and serve the API and web app, under a supervisor that ' +
        'restarts the server after a fatal error (SUPERVISE=false: without it)',
    )
    .option('--production', 'as NODE_ENV=production: refuse the demo settings (docs/operations.md)')
    .action(async (options: { production?: boolean }) => {
      // Set in the environment, so the supervised server processes are in production too.
      if (options.production) process.env.NODE_ENV = 'production';
      const config = loadConfig();
      if (process.env[WORKER_ENV] !== '1') {
        try {
          checkProcessSettings(config);
        } catch (error) {
          console.error(error instanceof Error ? error.message : error);
          process.exit(EXIT_DO_NOT_RESTART);
        }
      }
      if (config.SUPERVISE && process.env[WORKER_ENV] !== '1') {
        process.exitCode = await supervise(config, { script: binScript, args: ['serve'] });
        return;
      }
      try {
        await startServer(config);
      } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        // Refused (the data directory is held, a setting is wrong) or failed to start: exit now, releasing what was
        // opened; the supervisor does not restart a refusal, which would only be refused again.
        const refused = error instanceof DataDirLockedError || error instanceof StartupError;
        process.exit(refused ? EXIT_DO_NOT_RESTART : 1);
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      process.exitCode = await runDatabaseCommand('migrate', {});
    });

  program
    .command('demo')
    .description('load the demo data (idempotent)')
    .action(async () => {
      process.exitCode = await runDatabaseCommand('demo', {});
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
      process.exitCode = await runDatabaseCommand('token create', { ...options });
    });

  program
    .command('operator')
    .description('operator accounts')
    .command('create')
    .description(
      'make the first operator account of an empty installation and print its one-time password (shown once); ' +
        'refused once an operator exists',
    )
    .requiredOption('--login <login>', 'the login')
    .requiredOption('--name <name>', 'the name shown')
    .action(async (options: { login: string; name: string }) => {
      process.exitCode = await runDatabaseCommand('operator create', { ...options });
    });

  const audit = program.command('audit').description('audit chain');
  audit
    .command('verify')
    .description('verify the audit hash chain from the first entry to the last (and against an anchor log)')
    .option('--anchor <file>', 'an anchor log (audit anchor): every anchor must verify and the chain must hold it')
    .option('--public-key <file>', "the server audit key's public key (PEM) to check anchors with, kept apart")
    .action(async (options: { anchor?: string; publicKey?: string }) => {
      process.exitCode = await runDatabaseCommand('audit verify', {
        ...(options.anchor ? { anchor: resolve(options.anchor) } : {}),
        ...(options.publicKey ? { publicKey: resolve(options.publicKey) } : {}),
      });
    });
  audit
    .command('anchor')
    .description(
      "sign the chain's head (sequence, hash, time, entries) with the server audit key and append it to a log",
    )
    .option('--out <file>', 'the anchor log to append to (default AUDIT_ANCHOR_FILE; neither: print the line)')
    .option('--public-key', "print the server audit key's public key (PEM) instead")
    .action(async (options: { out?: string; publicKey?: boolean }) => {
      process.exitCode = await runDatabaseCommand('audit anchor', {
        ...(options.out ? { out: resolve(options.out) } : {}),
        publicKey: Boolean(options.publicKey),
      });
    });

  program
    .command('backup')
    .description(
      'write the whole database to one backup file: a manifest (schema, audit head, row counts, SM3) and the dump ' +
        '(pg_dump, or the PGlite data directory); docs/operations.md, "Backup and restore"',
    )
    .requiredOption('--out <file>', 'the backup file to write')
    .action(async (options: { out: string }) => {
      process.exitCode = await runDatabaseCommand('backup', { out: resolve(options.out) });
    });

  program
    .command('restore')
    .description(
      'restore a backup file into the configured database (empty, unless --force), migrate it forward, and verify ' +
        'its row counts and audit chain against the manifest',
    )
    .argument('<file>', 'the backup file')
    .option('--force', 'replace what the target database holds')
    .action(async (file: string, options: { force?: boolean }) => {
      process.exitCode = await runRestoreCommand(resolve(file), Boolean(options.force));
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
      process.exitCode = await runDatabaseCommand('import', {
        file: resolve(file),
        enterprise: options.enterprise,
        ...(options.period === undefined ? {} : { period: options.period }),
        onError: options.onError,
        json: Boolean(options.json),
      });
    });

  program
    .command('summaries')
    .description('flow summaries (docs/adr/0010-flow-summaries.md)')
    .command('rebuild')
    .description(
      'recompute the flow summaries from the flow lines (a month, or all), print where they differed, and audit it',
    )
    .option('--period <YYYY-MM>', 'only this month')
    .action(async (options: { period?: string }) => {
      process.exitCode = await runDatabaseCommand('summaries rebuild', {
        ...(options.period === undefined ? {} : { period: options.period }),
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
    .option('--peak-at-once <count>', 'enterprises filing at the same moment in the month-end scenario', '200')
    .option('--json', 'end with one JSON object of all figures')
    .action(async (options: BenchCommandOptions) => {
      process.exitCode = await runBenchCommand(options);
    });

  program
    .command('load')
    .description(
      "serve a throwaway database (the demo and a synthetic national year) and drive it over HTTP: the certificate check, a trace, an official's reads and the dashboard, each against the health check (docs/benchmark.md)",
    )
    .option('--events <count>', 'flow events in the synthetic national year', '100000')
    .option('--months <count>', 'months of 2025 the events span (1–12)', '12')
    .option('--seed <number>', 'seed of the synthetic data', '1')
    .option('--duration <seconds>', 'seconds each scenario is driven', '10')
    .option('--connections <count>', 'concurrent connections', '10')
    .option('--keep', 'keep the throwaway database instead of dropping it')
    .option('--json', 'print the figures as one JSON object')
    .action(async (options: LoadCommandOptions) => {
      process.exitCode = await runLoadCommand(options);
    });

  return program;
}

/**
 * Commands that never open the configured database: `serve` owns it, `allocate` reads a file, `bench` and `load`
 * make their own.
 */
export const COMMANDS_WITHOUT_DATABASE_COMMAND = ['serve', 'allocate', 'bench', 'load'] as const;

/**
 * Commands that open the configured database themselves, outside the admin command table: `restore` replaces the
 * whole database, so it never runs through a server's admin socket. It writes, and is audited (cli-audit test).
 */
export const COMMANDS_OPENING_DATABASE_THEMSELVES = ['restore'] as const;
