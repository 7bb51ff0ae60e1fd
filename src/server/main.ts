import { mkdir } from 'node:fs/promises';
import { buildApp, type App } from './app.ts';
import { resolvePdfFont } from './modules/reporting/exports.font.ts';
import { productionSettingsMissing, type Config } from './config.ts';
import { socketPathOf } from './db/data-dir-lock.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from './demo/demo-data.ts';
import { demoLogins, loadDemoData } from './demo/demo.ts';
import { loadDemoFlows } from './demo/demo-flows.ts';
import { loadDemoReports } from './demo/demo-reports.ts';
import { loadDemoSupervision } from './demo/demo-supervision.ts';
import { createSealer } from './shared/signing.ts';
import { openAdminSocket, type AdminSocket } from './modules/admin/admin.socket.ts';
import { migrateAudited } from './modules/admin/admin.service.ts';
import { SYSTEM_ACTOR } from './modules/audit/index.ts';
import { StartupError } from './shared/messages.ts';
import { withStartupLock } from './db/startup-lock.ts';

const onDisk = (config: Config) => !config.DATABASE_URL && !config.PGLITE_DATA_DIR.startsWith('memory://');

/**
 * Opens the configured engine: the server at DATABASE_URL, or embedded PGlite in PGLITE_DATA_DIR, whose lock it
 * takes (a held directory throws DataDirLockedError at once, before anything is opened). `server` records the
 * admin socket the server will open in the lock, so that CLI commands find it.
 */
export async function openConfiguredDatabase(
  config: Config,
  options: { server?: boolean } = {},
): Promise<DatabaseHandle> {
  if (config.DATABASE_URL)
    return openDatabase({ url: config.DATABASE_URL, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS });
  if (onDisk(config)) await mkdir(config.PGLITE_DATA_DIR, { recursive: true });
  return openDatabase({
    pgliteDataDir: config.PGLITE_DATA_DIR,
    ...(options.server && onDisk(config) ? { adminSocket: socketPathOf(config.PGLITE_DATA_DIR) } : {}),
  });
}

/** Settings that cannot work together stop the start before anything is opened (StartupError, exit 78). */
export function checkProcessSettings(config: Config): void {
  if (config.NODE_ENV === 'production') {
    const missing = productionSettingsMissing(config);
    if (missing.length > 0) throw new StartupError('production_settings_missing', { settings: missing.join('; ') });
  }
  if (config.DATABASE_URL) return;
  if (config.DATABASE_READ_URL.length > 0) throw new StartupError('read_replicas_need_postgres', {});
  if (config.WORKERS > 1) throw new StartupError('workers_need_postgres', { workers: config.WORKERS });
  if (config.RATE_LIMIT_STORE === 'database') throw new StartupError('rate_limit_store_needs_postgres', {});
}

/** Migrates and loads reference data (and demo data into an empty database), then listens. */
export async function startServer(config: Config): Promise<{ app: App; database: DatabaseHandle; url: string }> {
  // A setting the server cannot work with stops it before it opens anything; the app is given the font it chose.
  checkProcessSettings(config);
  const pdfFont = resolvePdfFont(config.PDF_FONT_PATH);
  const database = await openConfiguredDatabase(config, { server: true });
  // Several processes may start at once on one PostgreSQL: one migrates and loads the demo, the others wait.
  await withStartupLock(database, async () => {
    await migrateAudited(database.db, { actor: SYSTEM_ACTOR, requestId: 'start' });
    const empty = (await database.db.selectFrom('app_user').select('id').limit(1).execute()).length === 0;
    if (config.DEMO_DATA && empty) {
      await loadDemoData(database.db, createSealer(config.SIGNING_KEY_SECRET));
      await loadDemoFlows(database);
      await loadDemoReports(database, createSealer(config.SIGNING_KEY_SECRET));
      await loadDemoSupervision(database.db);
    }
  });
  const app = await buildApp({ config, database, pdfFont });
  // On PGlite the server is the data directory's one owner: CLI commands reach it through this socket.
  const admin: AdminSocket | null = onDisk(config)
    ? await openAdminSocket(socketPathOf(config.PGLITE_DATA_DIR), {
        database,
        config,
        log: (message) => app.log.info(message),
      })
    : null;
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://localhost:${port}`;
  let closing = false;
  // Graceful shutdown: stop accepting (new requests get 503 meanwhile), let the requests and imports in flight
  // finish, then close the database. Whatever is still running after SHUTDOWN_TIMEOUT_MS is cut off: its transaction
  // is rolled back by the database, so it is either committed or not there at all.
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    app.log.info('stopping: finishing the requests in flight');
    const deadline = setTimeout(() => {
      app.log.error(`stopping: requests still running after ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting without them`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    await admin?.close();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  // Under the supervisor: stop when it is gone, rather than hold the data directory as an orphan.
  process.once('disconnect', () => void shutdown());
  const where = database.engine === 'pglite' ? `embedded PGlite at ${config.PGLITE_DATA_DIR}` : 'PostgreSQL';
  process.stdout.write(
    `\nMonazite is running at ${url}  (database: ${where})\n` +
      `API reference: ${url}/docs   OpenAPI: ${url}/openapi.json\n` +
      (admin ? `Admin socket for the CLI: ${admin.path}\n` : '') +
      (config.DEMO_DATA
        ? `Demo logins (password ${DEMO_PASSWORD}; one-time codes from the secret ${DEMO_TOTP_SECRET}, ` +
          `also shown on the sign-in page):\n${demoLogins()}\n\n`
        : '\n'),
  );
  return { app, database, url };
}
