import { mkdir } from 'node:fs/promises';
import { buildApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { DEMO_PASSWORD } from './demo/demo-data.ts';
import { demoLogins, loadDemoData } from './demo/demo.ts';
import { loadDemoFlows } from './demo/demo-flows.ts';
import { loadDemoReports } from './demo/demo-reports.ts';
import { loadDemoSupervision } from './demo/demo-supervision.ts';
import { createSealer } from './shared/signing.ts';
import { ensureReferenceData } from './modules/registry/reference.service.ts';

/** Opens the configured engine: the server at DATABASE_URL, or embedded PGlite in PGLITE_DATA_DIR. */
export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.DATABASE_URL)
    return openDatabase({ url: config.DATABASE_URL, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS });
  if (!config.PGLITE_DATA_DIR.startsWith('memory://')) await mkdir(config.PGLITE_DATA_DIR, { recursive: true });
  return openDatabase({ pgliteDataDir: config.PGLITE_DATA_DIR });
}

/** Migrates and loads reference data (and demo data into an empty database), then listens. */
export async function startServer(config: Config): Promise<{ app: App; database: DatabaseHandle; url: string }> {
  const database = await openConfiguredDatabase(config);
  await migrate(database.db);
  await ensureReferenceData(database.db);
  const empty = (await database.db.selectFrom('app_user').select('id').limit(1).execute()).length === 0;
  if (config.DEMO_DATA && empty) {
    await loadDemoData(database.db);
    await loadDemoFlows(database);
    await loadDemoReports(database, createSealer(config.SIGNING_KEY_SECRET));
    await loadDemoSupervision(database.db);
  }
  const app = await buildApp({ config, database });
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://localhost:${port}`;
  const shutdown = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  const where = database.engine === 'pglite' ? `embedded PGlite at ${config.PGLITE_DATA_DIR}` : 'PostgreSQL';
  process.stdout.write(
    `\nMonazite is running at ${url}  (database: ${where})\n` +
      `API reference: ${url}/docs   OpenAPI: ${url}/openapi.json\n` +
      (config.DEMO_DATA ? `Demo logins (password ${DEMO_PASSWORD}):\n${demoLogins()}\n\n` : '\n'),
  );
  return { app, database, url };
}
