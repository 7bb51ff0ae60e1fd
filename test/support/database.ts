import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { withDatabase } from './global-setup.ts';

export type TestEngine = 'pglite' | 'postgres';
export const testEngine: TestEngine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/**
 * A fresh database of its own, migrated and holding the demo data, on the engine this project tests:
 * PGlite loaded from the run's dump, or a PostgreSQL database copied from the run's template.
 */
export interface TestDatabase extends DatabaseHandle {
  /** How a child process reaches the same database: DATABASE_URL or PGLITE_DATA_DIR. */
  readonly env: Record<string, string>;
}

/**
 * @param pgliteDataDir keep the PGlite copy in this folder instead of memory (for tests that hand the
 *   database to a child process, which can open it once this handle is closed).
 */
export async function freshDatabase(pgliteDataDir?: string): Promise<TestDatabase> {
  if (testEngine === 'pglite') {
    const dump = await readFile(inject('pgliteTemplatePath'));
    const pglite = await PGlite.create({
      loadDataDir: new Blob([dump]),
      ...(pgliteDataDir ? { dataDir: pgliteDataDir } : {}),
    });
    const handle = await openDatabase({ pgliteInstance: pglite });
    return {
      ...handle,
      env: pgliteDataDir ? { PGLITE_DATA_DIR: pgliteDataDir } : {},
      close: async () => {
        await handle.close();
        await pglite.close();
      },
    };
  }
  const url = process.env.DATABASE_URL;
  const template = inject('postgresTemplate');
  if (!url || !template) throw new Error('TEST_ENGINE=postgres needs DATABASE_URL');
  const name = `monazite_t_${inject('runTag')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await createFromTemplate(admin, name, template);
  } finally {
    await admin.end();
  }
  const handle = await openDatabase({ url: withDatabase(url, name), poolSize: 4 });
  return {
    ...handle,
    env: { DATABASE_URL: withDatabase(url, name) },
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** Two copies from one template at the same instant can collide ("being accessed by other users"): retry. */
async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('being accessed by other users')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
