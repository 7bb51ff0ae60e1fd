import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/server/db/database.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { loadDemoData } from '../../src/server/demo/demo.ts';
import { sealPendingAudit } from '../../src/server/modules/audit/index.ts';
import { systemPackageProblem } from '../../scripts/system-packages.mjs';
import { testSealer } from './second-factor.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplate: string;
    /** Names this run's PostgreSQL databases, so its teardown drops only its own. */
    runTag: string;
  }
}

/**
 * Prepares, once per run, a migrated database with the demo data: a PGlite dump file that each test file
 * loads, and (with DATABASE_URL) a PostgreSQL template database that each test file copies.
 */
export default async function setup(project: TestProject) {
  // A machine without the packages the tests need stops here, saying which and the line that installs them.
  const missing = systemPackageProblem();
  if (missing) throw new Error(missing);
  const directory = await mkdtemp(join(tmpdir(), 'monazite-test-'));
  const handle = await openDatabase({ pgliteDataDir: 'memory://' });
  await migrate(handle.db);
  await loadDemoData(handle.db, testSealer());
  // The template's audit entries sealed, as a running server's sequencer would have (ADR 0011).
  await sealPendingAudit(handle.db);
  const dump = await handle.pglite!.dumpDataDir('none');
  const templatePath = join(directory, 'template.tar');
  await writeFile(templatePath, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplatePath', templatePath);

  let postgresTemplate = '';
  const runTag = randomBytes(4).toString('hex');
  project.provide('runTag', runTag);
  const url = process.env.DATABASE_URL;
  if (url) {
    postgresTemplate = `monazite_tpl_${runTag}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${postgresTemplate}`);
    await admin.end();
    const template = await openDatabase({ url: withDatabase(url, postgresTemplate), poolSize: 1 });
    await migrate(template.db);
    await loadDemoData(template.db, testSealer());
    await sealPendingAudit(template.db);
    await template.close();
  }
  project.provide('postgresTemplate', postgresTemplate);

  return async () => {
    await rm(directory, { recursive: true, force: true });
    if (url && postgresTemplate) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const leftovers = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
        [`monazite\\_t\\_${runTag}\\_%`, postgresTemplate],
      );
      for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
