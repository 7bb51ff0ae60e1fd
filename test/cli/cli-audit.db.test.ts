import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildProgram,
  COMMANDS_OPENING_DATABASE_THEMSELVES,
  COMMANDS_WITHOUT_DATABASE_COMMAND,
} from '../../src/cli/program.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { adminCommands } from '../../src/server/modules/admin/admin.commands.ts';
import { verifyAuditChain } from '../../src/server/modules/audit/index.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';
import { withDatabase } from '../support/global-setup.ts';
import { BAYAN, csvOf } from '../flows/file-helpers.ts';
import { runCli } from './cli-helpers.ts';

/**
 * Nothing written without an audit entry (issue 12, item 3), for the command line: the commands are enumerated
 * from the commander program, as the route matrix enumerates the served routes; every one must be classified,
 * and every command that writes is run as an operator runs it (a child process) and must leave an audit entry
 * whose actor is the command line (`cli:<os user>@<host>`).
 */

/** Leaf commands of the program, as typed: `token create`, `import`, … */
function leafCommands(command: Command, prefix: string[] = []): string[] {
  return command.commands.flatMap((sub) =>
    sub.commands.length > 0 ? leafCommands(sub, [...prefix, sub.name()]) : [[...prefix, sub.name()].join(' ')],
  );
}

interface WriteCase {
  /** The command line after `monazite`. */
  readonly argv: (files: { csv: string }) => string[];
  /** The audit action its write records. */
  readonly action: string;
  /** Run against an empty database (a migration has something to apply only there). */
  readonly empty?: boolean;
}

const writeCases: Record<string, WriteCase> = {
  migrate: { argv: () => ['migrate'], action: 'schema.migrate', empty: true },
  'token create': {
    argv: () => ['token', 'create', '--user', 'ent.bayan', '--name', 'audited'],
    action: 'token.create',
  },
  import: { argv: ({ csv }) => ['import', csv, '--enterprise', BAYAN], action: 'flow.file' },
  // The first operator of an empty installation.
  'operator create': {
    argv: () => ['operator', 'create', '--login', 'first.operator', '--name', '首位运维'],
    action: 'user.create',
    empty: true,
  },
  'summaries rebuild': {
    argv: () => ['summaries', 'rebuild', '--period', '2026-10'],
    action: 'flow.summaries_rebuild',
  },
  // The first anchor makes the server audit key, and records it; the anchor itself goes to the log file.
  'audit anchor': { argv: ({ csv }) => ['audit', 'anchor', '--out', `${csv}.anchors`], action: 'audit.anchor_key' },
  // The backup made in beforeAll (by `monazite backup`), restored into an empty database.
  restore: { argv: ({ csv }) => ['restore', `${csv}.backup`], action: 'backup.restore', empty: true },
};

/**
 * `demo` loads fixed demonstration data through the same services, recorded under the system actor (`system`,
 * request `demo`), not the command line's: it is a loader of sample data for a demonstration database, and
 * issue 12 sets it aside ("demo loader aside").
 */
const exempt: Record<string, string> = { demo: 'the demo loader: sample data recorded under the system actor' };

describe(`every CLI write is audited (${testEngine})`, () => {
  let directory: string;
  let fresh: TestDatabase;
  let csv: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-cli-audit-'));
    fresh = await freshDatabase(join(directory, 'pglite'));
    // A child process opens a PGlite directory only when this one has let go of it.
    if (testEngine === 'pglite') await fresh.close();
    csv = join(directory, 'flows.csv');
    const backup = await runCli(['backup', '--out', `${csv}.backup`], fresh.env);
    expect(backup.code, backup.stderr).toBe(0);
    await writeFile(
      csv,
      csvOf([
        {
          事件编号: 'AUDITED-1',
          类型: '生产',
          事件时间: '2026-03-05 08:30',
          批次号: 'AUDITED-B1',
          产品代码: 'BASTNAESITE_CONC',
          '质量(kg)': 1000,
          '品位(ppm)': 500000,
        },
      ]),
    );
  }, 120_000);
  afterAll(async () => {
    if (testEngine === 'postgres') await fresh.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Runs `look` on the database a child process used (PGlite: opened after the child has ended). */
  async function inspect<T>(env: Record<string, string>, look: (database: DatabaseHandle) => Promise<T>): Promise<T> {
    if (testEngine === 'postgres' && env.DATABASE_URL === fresh.env.DATABASE_URL) return look(fresh);
    const database = await openDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL, poolSize: 1 } : { pgliteDataDir: env.PGLITE_DATA_DIR ?? '' },
    );
    try {
      return await look(database);
    } finally {
      await database.close();
    }
  }

  /** An empty database a child process can migrate, and how to drop it. */
  async function emptyDatabase(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
    if (testEngine === 'pglite')
      return {
        env: { PGLITE_DATA_DIR: join(directory, `empty-${randomBytes(4).toString('hex')}`) },
        drop: async () => {},
      };
    const url = process.env.DATABASE_URL ?? '';
    const name = `monazite_t_${inject('runTag')}_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      env: { DATABASE_URL: withDatabase(url, name) },
      drop: async () => {
        const dropper = new pg.Client({ connectionString: url });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      },
    };
  }

  it('classifies every command of the program: database commands, writes with a case or an exemption', () => {
    const leaves = leafCommands(buildProgram()).sort();
    expect(
      leaves,
      'a command of the program that is neither in the admin command table nor known to need no database',
    ).toEqual(
      [
        ...Object.keys(adminCommands),
        ...COMMANDS_WITHOUT_DATABASE_COMMAND,
        ...COMMANDS_OPENING_DATABASE_THEMSELVES,
      ].sort(),
    );
    const writers = [
      ...Object.entries(adminCommands)
        .filter(([, command]) => command.writes)
        .map(([name]) => name),
      // They replace or fill the database: writes, each.
      ...COMMANDS_OPENING_DATABASE_THEMSELVES,
    ].sort();
    expect(writers).toEqual([...Object.keys(writeCases), ...Object.keys(exempt)].sort());
  });

  it.each(Object.entries(writeCases))(
    '%s records its write in the audit chain as the command line',
    async (name, item) => {
      const target = item.empty ? await emptyDatabase() : { env: fresh.env, drop: async () => {} };
      try {
        const before = await inspect(target.env, async ({ db }) =>
          item.empty
            ? 0
            : Number(
                (
                  await db
                    .selectFrom('audit_entry')
                    .select((eb) => eb.fn.max('seq').as('m'))
                    .executeTakeFirstOrThrow()
                ).m ?? 0,
              ),
        );
        const result = await runCli(item.argv({ csv }), target.env);
        expect(result.code, `${name}: ${result.stderr}`).toBe(0);
        await inspect(target.env, async ({ db }) => {
          const entries = await db
            .selectFrom('audit_entry')
            .select(['action', 'actor_id', 'actor_login', 'actor_role', 'user_agent'])
            .where('seq', '>', String(before))
            .where('actor_id', '=', 'cli')
            .execute();
          expect(entries.map((entry) => entry.action)).toContain(item.action);
          for (const entry of entries) {
            expect(entry.actor_login).toMatch(/^cli:[^@]+@.+$/);
            expect(entry.actor_role).toBe('cli');
            expect(entry.user_agent).toMatch(/^monazite cli \(pid \d+, direct\)$/);
          }
          expect((await verifyAuditChain(db)).ok).toBe(true);
        });
      } finally {
        await target.drop();
      }
    },
    300_000,
  );
});
