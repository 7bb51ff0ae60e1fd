import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { creditCode, month, type RowError, type SubmissionResult } from '../../../contracts/flows.ts';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { loadDemoData } from '../../demo/demo.ts';
import { loadDemoFlows } from '../../demo/demo-flows.ts';
import { loadDemoReports } from '../../demo/demo-reports.ts';
import { loadDemoSupervision } from '../../demo/demo-supervision.ts';
import { DomainError } from '../../shared/errors.ts';
import { createSealer } from '../../shared/signing.ts';
import {
  anchorAuditHead,
  anchorLine,
  ensureAuditPublicKey,
  makeAnchor,
  sealPendingAudit,
  verifyAuditChain,
  verifyAuditChainWithAnchors,
  type AuditContext,
  type VerifyResult,
} from '../audit/index.ts';
import { findUserByLogin } from '../auth/auth.repository.ts';
import { makeBackup, PgToolError } from '../backup/index.ts';
import { createToken } from '../auth/auth.service.ts';
import { seedApprovedUser } from '../auth/users.service.ts';
import { userCreateBody } from '../../../contracts/auth.ts';
import { importFlowFile, inspectFile } from '../flows/flow-files.service.ts';
import { rebuildSummaries } from '../flows/summaries.service.ts';
import { findByCreditCode } from '../registry/enterprises.repository.ts';
import { migrateAudited, type CommandPath } from './admin.service.ts';

/**
 * The commands of the `monazite` CLI that open the configured database, as one table. The CLI runs an entry
 * itself when it can open the database (PostgreSQL, or a PGlite data directory nobody holds), and otherwise
 * sends it to the running server's admin socket (admin.socket.ts), which runs the SAME entry on its own database
 * handle: one code path, one audit trail. Adding a command is one entry here plus its commander definition
 * (src/cli/program.ts).
 */

/** Where a command writes what a person reads: stdout (`out`) and stderr (`err`), a line each. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** A progress display, on the direct path only (the admin socket answers once, at the end). */
  progress?(totalBytes: number): Progress;
}
export interface Progress {
  bytes(read: number): void;
  rows(read: number): void;
  stop(): void;
}

export interface CommandEnv {
  readonly database: DatabaseHandle;
  readonly config: Config;
  /** The audit context of what the command writes: the command line's actor (admin.service.ts). */
  readonly context: AuditContext;
  readonly io: CommandIo;
  readonly path: CommandPath;
}

export interface AdminCommand {
  /** Whether the command writes to the database (the CLI audit test runs every one of these). */
  readonly writes: boolean;
  /** Checks the arguments (exit code 2 with `--flag: message` lines when they are wrong) and runs. */
  run(env: CommandEnv, args: unknown): Promise<number>;
}

function command<S extends z.ZodType>(spec: {
  readonly writes: boolean;
  readonly args: S;
  readonly run: (env: CommandEnv, args: z.output<S>) => Promise<number>;
}): AdminCommand {
  return {
    writes: spec.writes,
    run: async (env, raw) => {
      const parsed = spec.args.safeParse(raw ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const flag = String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
          env.io.err(`--${flag}: ${issue.message}`);
        }
        return 2;
      }
      const code = await spec.run(env, parsed.data);
      // What it wrote is in the chain when it exits, not a sweep later (ADR 0011); an error leaves it to the sweep.
      if (spec.writes) await sealPendingAudit(env.database.db);
      return code;
    },
  };
}

/** A file the server may read or write: the CLI resolves it, since the server's working folder may differ. */
const absolutePath = z.string().refine(isAbsolute, 'must be an absolute path');

const where = (env: CommandEnv) => (env.config.DATABASE_URL ? 'PostgreSQL' : env.config.PGLITE_DATA_DIR);

export const adminCommands = {
  migrate: command({
    writes: true,
    args: z.object({}),
    run: async (env) => {
      const { applied } = await migrateAudited(env.database.db, env.context);
      if (applied.length > 0) env.io.out(`Applied to ${where(env)}:\n  ${applied.join('\n  ')}`);
      else
        env.io.out(
          `${where(env)} is up to date.` +
            (env.path === 'admin socket' ? ' (The running server applied its migrations when it started.)' : ''),
        );
      return 0;
    },
  }),

  demo: command({
    writes: true,
    args: z.object({}),
    run: async (env) => {
      const { database } = env;
      const summary = await loadDemoData(database.db, createSealer(env.config.SIGNING_KEY_SECRET));
      const hasFlows = (await database.db.selectFrom('flow_submission').select('id').limit(1).execute()).length > 0;
      const flows = hasFlows ? null : await loadDemoFlows(database);
      const reports = hasFlows ? null : await loadDemoReports(database, createSealer(env.config.SIGNING_KEY_SECRET));
      const supervision = hasFlows ? null : await loadDemoSupervision(database.db);
      env.io.out(
        `Demo data present: ${summary.enterprises} enterprises, ${summary.products} products, ${summary.users} users` +
          (flows
            ? `; loaded ${flows.events} flow events (July–October 2026) and found ${flows.anomalies} anomalies;` +
              ` ${reports?.reports ?? 0} implementation reports and ${reports?.compilations ?? 0} compilations;` +
              ` ${supervision?.inspections ?? 0} inspections, ${supervision?.violations ?? 0} violations and` +
              ` ${supervision?.decisions ?? 0} decisions.`
            : '.'),
      );
      return 0;
    },
  }),

  'token create': command({
    writes: true,
    args: z.object({
      user: z.string().min(1),
      name: z.string().min(1).max(100).default('cli'),
      days: z.coerce
        .number()
        .int('must be a whole number from 1 to 366')
        .min(1, 'must be a whole number from 1 to 366')
        .max(366, 'must be a whole number from 1 to 366')
        .default(90),
    }),
    run: async (env, args) => {
      const db = env.database.db;
      const user = await findUserByLogin(db, args.user);
      if (!user) {
        env.io.err(`--user: no user with login ${args.user}`);
        return 2;
      }
      const token = await createToken(db, env.context, user.id, args.name, args.days);
      env.io.out(token.token);
      env.io.err(`Token ${token.prefix}… for ${user.login}, expires ${token.expires_at}. It is not shown again.`);
      return 0;
    },
  }),

  'operator create': command({
    writes: true,
    args: z.object({
      login: userCreateBody.shape.login,
      name: userCreateBody.shape.display_name,
    }),
    run: async (env, args) => {
      const db = env.database.db;
      // The first operator only: later accounts are made in the app, a privileged one approved by a second person.
      const operators = await db
        .selectFrom('app_user')
        .select('login')
        .where('role', '=', 'operator')
        .where('active', '=', true)
        .execute();
      if (operators.length > 0) {
        env.io.err(
          `An operator exists (${operators.map((row) => row.login).join(', ')}): make further accounts in the app, ` +
            'where a second operator approves a privileged one.',
        );
        return 2;
      }
      // A one-time password of 24 characters from four classes, shown once; the account enrols its second factor
      // at its first sign-in (operators always need one).
      const password = `Mz-${randomBytes(15).toString('base64url')}7a`;
      await seedApprovedUser(db, env.context, {
        login: args.login,
        display_name: args.name,
        password,
        role: 'operator',
        authority_id: null,
        enterprise_id: null,
      });
      env.io.out(password);
      env.io.err(
        `Operator ${args.login} made, with the one-time password above (not shown again). Sign in, enrol the ` +
          'second factor, change the password (账户安全), then make the other accounts in the app.',
      );
      return 0;
    },
  }),

  import: command({
    writes: true,
    args: z.object({
      file: absolutePath,
      enterprise: creditCode,
      period: month.optional(),
      onError: z.enum(['rollback', 'proceed']).default('rollback'),
      json: z.boolean().default(false),
    }),
    run: runImport,
  }),

  'summaries rebuild': command({
    writes: true,
    args: z.object({ period: month.optional() }),
    run: async (env, args) => {
      const result = await rebuildSummaries(env.database, env.context, args.period ?? null);
      const what = result.period === null ? 'every month' : result.period;
      for (const row of result.differences.slice(0, SHOWN_ERRORS))
        env.io.err(
          `differed: ${row.period.slice(0, 7)} ${row.enterprise_id} ${row.product_code} ${row.kind} ${row.direction}` +
            `${row.inputs.length > 0 ? ` [${row.inputs.join(',')}]` : ''}: stored ${row.stored ?? '(none)'}, ` +
            `lines give ${row.expected ?? '(none)'} (lines/mass kg/REO kg/superseded lines)`,
        );
      if (result.differences.length > SHOWN_ERRORS)
        env.io.err(`… and ${result.differences.length - SHOWN_ERRORS} more`);
      env.io.out(
        `Flow summaries of ${what} rebuilt from the lines: ${result.rows} rows; ` +
          `${result.differences.length} differed before the rebuild.`,
      );
      return 0;
    },
  }),

  'audit verify': command({
    writes: false,
    args: z.object({
      anchor: absolutePath.optional(),
      publicKey: absolutePath.optional(),
    }),
    run: async (env, args) => {
      if (!args.anchor) return printChain(env, await verifyAuditChain(env.database.db));
      const publicKeyPem = args.publicKey ? await readFile(args.publicKey, 'utf8') : undefined;
      const result = await verifyAuditChainWithAnchors(env.database.db, args.anchor, { publicKeyPem });
      const chain = printChain(env, result.chain);
      for (const problem of result.problems) env.io.err(`Anchor check FAILED: ${problem.text}`);
      for (const bad of result.unreadable) env.io.err(`${args.anchor}:${bad.line}: not an anchor (${bad.error})`);
      if (!result.ok) return 1;
      env.io.out(`All ${result.anchors} anchors of ${args.anchor} hold.`);
      return chain;
    },
  }),

  backup: command({
    // Reads only: what it makes is a file (through a running server's admin socket, the server's own dump).
    writes: false,
    args: z.object({ out: absolutePath }),
    run: async (env, args) => {
      try {
        const manifest = await makeBackup(env.database, env.config.DATABASE_URL, args.out);
        const rows = Object.values(manifest.row_counts).reduce((sum, count) => sum + count, 0);
        const head = manifest.audit_head ? `#${manifest.audit_head.seq} ${manifest.audit_head.hash}` : '(empty chain)';
        env.io.out(
          `Backup of ${where(env)} written to ${args.out}: ${manifest.dump_bytes} bytes of ${manifest.dump_format}, ` +
            `schema ${manifest.schema_version}, ${Object.keys(manifest.row_counts).length} tables, ${rows} rows, ` +
            `audit head ${head}, SM3 ${manifest.dump_sm3}`,
        );
        return 0;
      } catch (error) {
        if (!(error instanceof PgToolError)) throw error;
        env.io.err(error.message);
        return 1;
      }
    },
  }),

  'audit anchor': command({
    // Writes the server audit key (audited) the first time; an anchor itself goes to the log file, not the chain.
    writes: true,
    args: z.object({ out: absolutePath.optional(), publicKey: z.boolean().default(false) }),
    run: async (env, args) => {
      const { db } = env.database;
      const sealer = createSealer(env.config.SIGNING_KEY_SECRET);
      if (args.publicKey) {
        env.io.out((await ensureAuditPublicKey(db, sealer, env.context)).trimEnd());
        return 0;
      }
      const file = args.out ?? (env.config.AUDIT_ANCHOR_FILE || undefined);
      if (!file) {
        env.io.out(anchorLine(await makeAnchor(db, sealer, new Date(), env.context)));
        return 0;
      }
      const anchor = await anchorAuditHead(db, sealer, file, new Date(), env.context);
      env.io.out(`Anchored entry #${anchor.seq} ${anchor.hash} (${anchor.entries} entries) to ${file}`);
      return 0;
    },
  }),
} as const satisfies Record<string, AdminCommand>;

export type AdminCommandName = keyof typeof adminCommands;

/** The chain's own verification, printed; exit code 1 when it is broken. */
export function printChain(env: Pick<CommandEnv, 'io'>, result: VerifyResult): number {
  const { pending } = result;
  if (pending.stale)
    env.io.err(
      `WARNING: ${pending.count} audit entries wait to be sealed, the oldest since ${pending.oldestAt}: no server ` +
        'is sealing them (docs/operations.md, "Pending audit entries").',
    );
  else if (pending.count > 0)
    env.io.out(`${pending.count} newer entries are committed and wait to be sealed (since ${pending.oldestAt}).`);
  if (result.ok) {
    env.io.out(`Audit chain intact: ${result.entries} entries, last #${result.lastSeq} ${result.lastHash}`);
    return 0;
  }
  env.io.err(`Audit chain BROKEN at entry #${result.firstBreak?.seq}: ${result.firstBreak?.reason}`);
  env.io.err(`${result.entries} entries before it verify.`);
  return 1;
}

export function isAdminCommandName(name: string): name is AdminCommandName {
  return Object.hasOwn(adminCommands, name);
}

/** Row errors shown in the table; --json gives them all. */
const SHOWN_ERRORS = 50;

interface ImportArgs {
  readonly file: string;
  readonly enterprise: string;
  readonly period?: string | undefined;
  readonly onError: 'rollback' | 'proceed';
  readonly json: boolean;
}

/**
 * `monazite import FILE --enterprise CODE`: a flow file (CSV or XLSX, docs/flows-files.md) as one submission,
 * through the same audited service call as the upload route. Exit code 0 stored (or replayed), 1 refused,
 * 2 bad arguments.
 */
async function runImport(env: CommandEnv, options: ImportArgs): Promise<number> {
  const { io } = env;
  try {
    const enterprise = await findByCreditCode(env.database.db, options.enterprise);
    if (!enterprise) {
      io.err(`--enterprise: no enterprise with credit code ${options.enterprise} in the register`);
      return 2;
    }
    const started = performance.now();
    const inspected = await inspectFile(options.file);
    const progress = io.progress?.(inspected.bytes);
    try {
      const result = await importFlowFile(
        env.database,
        env.context,
        {
          source: 'cli',
          enterpriseId: enterprise.id,
          createdBy: env.context.actor.login,
          fileName: basename(options.file),
          errorBehaviour: options.onError,
          ...(options.period === undefined ? {} : { period: options.period }),
          ...(progress
            ? { onBytes: (bytes: number) => progress.bytes(bytes), onProgress: (rows: number) => progress.rows(rows) }
            : {}),
        },
        inspected,
      );
      progress?.bytes(inspected.bytes);
      progress?.stop();
      report(io, result, options.json, performance.now() - started);
      return 0;
    } catch (error) {
      progress?.stop();
      throw error;
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    refused(io, options.file, error, options.json);
    return 1;
  }
}

function report(io: CommandIo, result: SubmissionResult, json: boolean, elapsedMs: number): void {
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  const replay = result.replayed ? ' (this file was imported before: nothing changed, first answer shown)' : '';
  io.out(`Submission ${result.submission_id}${replay}`);
  io.out(
    `  received ${result.received}, accepted ${result.accepted}, unchanged ${result.unchanged}, rejected ${result.rejected}`,
  );
  if (!result.replayed) {
    const rate = Math.round(result.received / (elapsedMs / 1000));
    io.out(`  ${(elapsedMs / 1000).toFixed(1)} s, ${rate.toLocaleString('en-US')} events/s`);
  }
  if (result.errors.length > 0) printErrors(io, result.errors);
}

function refused(io: CommandIo, file: string, error: DomainError, json: boolean): void {
  if (json) {
    io.out(JSON.stringify({ status: error.status, code: error.code, detail: error.detail, errors: error.errors }));
    return;
  }
  io.err(`${file}: refused, nothing stored. ${error.detail}`);
  if (error.errors.length > 0)
    printErrors(
      io,
      error.errors.map((item) => ({ row: item.row ?? 0, ...item })),
    );
}

function printErrors(io: CommandIo, errors: readonly RowError[]): void {
  const rows = errors
    .slice(0, SHOWN_ERRORS)
    .map((item) => [String(item.row), item.event_id ?? '', item.field, item.message]);
  const widths = [3, 8, 5].map((min, column) => Math.max(min, ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < 3 ? pad(cell, widths[column] ?? 0) : cell)).join('  ');
  io.err(line(['row', 'event id', 'field', 'message']));
  for (const row of rows) io.err(line(row));
  if (errors.length > SHOWN_ERRORS) io.err(`… and ${errors.length - SHOWN_ERRORS} more (use --json to see them all)`);
}

/** Chinese characters take two columns in a terminal. */
const displayWidth = (text: string): number =>
  [...text].reduce((width, char) => width + (/[\u1100-\uFFFF]/.test(char) ? 2 : 1), 0);
const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
