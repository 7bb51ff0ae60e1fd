import { dashboardRoutes } from './modules/dashboard/dashboard.routes.ts';
import { resolvePdfFont, type FontChoice } from './modules/reporting/exports.font.ts';
import { reportingExportRoutes } from './modules/reporting/exports.routes.ts';
import { reportingRoutes } from './modules/reporting/reporting.routes.ts';
import { supervisionRoutes } from './modules/supervision/supervision.routes.ts';
import { annualReportRoutes } from './modules/supervision/annual-report.routes.ts';
import { riskRoutes } from './modules/supervision/risk.routes.ts';
import { serializerCompiler } from './shared/serializer.ts';
import { createSealer } from './shared/signing.ts';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { keepStatistics } from './db/statistics.ts';
import { readiness } from './db/readiness.ts';
import { allocationRoutes } from './modules/allocation/allocation.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import {
  createAnchorScheduler,
  createAuditSequencer,
  takeAuditRecorded,
  watchAuditRecordings,
} from './modules/audit/index.ts';
import { oversightRoutes } from './modules/oversight/oversight.routes.ts';
import { installAuth, SESSION_COOKIE } from './modules/auth/auth.hook.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { authSettingsFrom } from './modules/auth/auth.service.ts';
import { userRoutes } from './modules/auth/users.routes.ts';
import { handleEpcisError } from './modules/epcis/epcis.errors.ts';
import { epcisRoutes } from './modules/epcis/epcis.routes.ts';
import { indicatorRoutes } from './modules/indicators/indicators.routes.ts';
import { checksRoutes } from './modules/checks/checks.routes.ts';
import { declarationRoutes } from './modules/flows/declarations.routes.ts';
import { flowFileRoutes } from './modules/flows/flow-files.routes.ts';
import { flowRoutes } from './modules/flows/flows.routes.ts';
import { traceRoutes } from './modules/trace/trace.routes.ts';
import { ledgerRoutes } from './modules/ledger/ledger.routes.ts';
import { registryRoutes } from './modules/registry/registry.routes.ts';
import { installMetrics } from './shared/metrics.ts';
import { installServiceGauges } from './modules/admin/service-metrics.ts';
import { installReadRouting } from './shared/read-routing.ts';
import { badUrlError, installInputGuard } from './shared/input-guard.ts';
import { handleError, handleNotFound } from './shared/problem.ts';
import { apiJsonLimits, limitedJsonParser } from './shared/json-limits.ts';
import { bodyLimitExceeded } from './shared/body.ts';
import { databaseRateLimitStore } from './shared/rate-limit.store.ts';
import { closeWorkerPool } from './shared/worker-pool.ts';

export interface AppDeps {
  readonly config: Config;
  readonly database: DatabaseHandle;
  /** Folder of the built web app; defaults to dist/web. */
  readonly webRoot?: string;
  /** The time reporting deadlines are judged by (tests fix it); defaults to the system clock. */
  readonly clock?: () => Date;
  /** The PDF font, when the caller has already resolved it (the server does, before it opens the database). */
  readonly pdfFont?: FontChoice;
}

export type App = FastifyInstance;
export const API_PREFIX = '/api/v1';

const defaultWebRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  // Checked before anything listens: a PDF_FONT_PATH that cannot make the forms stops the start, saying why.
  const pdfFont = deps.pdfFont ?? resolvePdfFont(config.PDF_FONT_PATH);
  const app = Fastify({
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Forwarded headers only from the configured proxies; with none, the client address is the socket's.
    trustProxy: config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false,
    frameworkErrors: handleFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  // JSON bodies: their nesting, keys per object and string length are checked before they are parsed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    limitedJsonParser(app, apiJsonLimits, bodyLimitExceeded),
  );
  installInputGuard(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // API answers are personal (scoped to the caller): no shared or browser cache may keep them, unless the route
    // said otherwise (the public certificate check).
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  // Counted in the database when several processes serve (shared by all of them), else in this process's memory.
  const rateLimitStore =
    (config.RATE_LIMIT_STORE ?? (config.WORKERS > 1 ? 'database' : 'memory')) === 'database'
      ? databaseRateLimitStore(database.db)
      : null;
  if (rateLimitStore) app.addHook('onClose', async () => rateLimitStore.stop());
  await app.register(fastifyRateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    skipOnError: true,
    ...(rateLimitStore ? { store: rateLimitStore.Store } : {}),
  });
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Monazite API',
        description:
          'Total quantity control of rare earth mining and smelting separation. Sign in with POST /api/v1/auth/login ' +
          '(session cookie; send X-CSRF-Token on writes) or use an API token as `Authorization: Bearer`.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'monazite_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  const authSettings = authSettingsFrom(config, deps.clock ?? (() => new Date()));
  installAuth(app, database.db, { tokenCacheMs: config.TOKEN_CACHE_MS, auth: authSettings });
  const registry = installMetrics(app);
  installServiceGauges(registry, database, deps.clock ?? (() => new Date()));
  sealAuditEntries(app, deps, registry);
  const replicas = await installReadRouting(app, { config, database, registry, sessionCookie: SESSION_COOKIE });
  // Large submissions get their tables analysed after commit, in the background (ADR 0009).
  const statistics = keepStatistics(database, {
    log: {
      info: (message) => app.log.info(message),
      warn: (message, error) => app.log.warn({ err: error }, message),
    },
  });
  app.addHook('onClose', async () => statistics.stop());
  app.addHook('onClose', closeWorkerPool);

  // The description does not change once the app is ready: serialised once, at the first request.
  let openapiJson: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send((openapiJson ??= JSON.stringify(app.swagger()))),
  );
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    await sql`SELECT 1`.execute(database.db);
    return reply.send({ status: 'ok', engine: database.engine });
  });
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const failures = await readiness(database, replicas, config.REPLICA_MAX_LAG_MS);
    return reply
      .code(failures.length === 0 ? 200 : 503)
      .send({ status: failures.length === 0 ? 'ready' : 'not_ready', engine: database.engine, failures });
  });

  await app.register(
    async (api) => {
      await authRoutes(api, { db: database.db, config, settings: authSettings });
      await userRoutes(api, { db: database.db, policy: authSettings.passwordPolicy });
      await registryRoutes(api, { db: database.db });
      await auditRoutes(api, { db: database.db });
      oversightRoutes(api, { db: database.db, clock: deps.clock ?? (() => new Date()) });
      indicatorRoutes(api, { db: database.db });
      allocationRoutes(api, { db: database.db });
      ledgerRoutes(api, { db: database.db, clock: deps.clock ?? (() => new Date()) });
      flowRoutes(api, { database });
      await flowFileRoutes(api, { database });
      declarationRoutes(api, { db: database.db });
      traceRoutes(api, { db: database.db, certificateCacheSeconds: config.CERTIFICATE_CACHE_SECONDS });
      checksRoutes(api, { db: database.db });
      reportingRoutes(api, {
        db: database.db,
        sealer: createSealer(config.SIGNING_KEY_SECRET),
        clock: deps.clock ?? (() => new Date()),
      });
      reportingExportRoutes(api, {
        db: database.db,
        clock: deps.clock ?? (() => new Date()),
        pdfFont,
      });
      dashboardRoutes(api, {
        clock: deps.clock ?? (() => new Date()),
        chinaMapFile: config.CHINA_MAP_FILE,
        cacheSeconds: config.DASHBOARD_CACHE_SECONDS,
      });
      await supervisionRoutes(api, { db: database.db, clock: deps.clock ?? (() => new Date()) });
      annualReportRoutes(api, {
        db: database.db,
        sealer: createSealer(config.SIGNING_KEY_SECRET),
        clock: deps.clock ?? (() => new Date()),
        pdfFont,
      });
      riskRoutes(api, { db: database.db, clock: deps.clock ?? (() => new Date()) });
    },
    { prefix: API_PREFIX },
  );
  await app.register(async (epcis) => epcisRoutes(epcis, { database }), { prefix: '/epcis' });

  await serveWeb(app, deps.webRoot ?? defaultWebRoot);
  if (config.AUDIT_ANCHOR_FILE) scheduleAuditAnchors(app, deps);
  return app;
}

/**
 * The audit sequencer (ADR 0011): it sweeps for pending entries once ready and then every interval; and a request
 * that recorded entries, once its transaction has committed (the handler has returned), waits a bounded time for
 * them to be sealed before it answers — so on a quiet server the answer leaves with its entries in the chain.
 */
function sealAuditEntries(app: App, deps: AppDeps, registry: Registry): void {
  const { config } = deps;
  const sequencer = createAuditSequencer({
    db: deps.database.db,
    intervalMs: config.AUDIT_SEAL_INTERVAL_MS,
    registry,
    log: app.log,
  });
  app.addHook('onRequest', async (request) => watchAuditRecordings(request.id));
  app.addHook('onSend', async (request) => {
    if (takeAuditRecorded(request.id)) await sequencer.settle(config.AUDIT_SEAL_WAIT_MS);
  });
  // A request that ends without an answer (the client went away) is forgotten too.
  app.addHook('onResponse', async (request) => void takeAuditRecorded(request.id));
  app.addHook('onRequestAbort', async (request) => void takeAuditRecorded(request.id));
  app.addHook('onReady', async () => sequencer.start());
  app.addHook('onClose', async () => sequencer.stop());
}

/** Anchors the audit chain's head once ready and then every interval, until the app closes (never throws). */
function scheduleAuditAnchors(app: App, deps: AppDeps): void {
  const anchors = createAnchorScheduler({
    db: deps.database.db,
    sealer: createSealer(deps.config.SIGNING_KEY_SECRET),
    file: deps.config.AUDIT_ANCHOR_FILE,
    intervalMinutes: deps.config.AUDIT_ANCHOR_INTERVAL_MINUTES,
    clock: deps.clock ?? (() => new Date()),
    log: app.log,
  });
  app.addHook('onReady', async () => anchors.start());
  app.addHook('onClose', async () => anchors.stop());
}

/** An error the router raises before any route (a path that does not decode): in the form of where it was sent. */
function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const handler = request.url.startsWith('/epcis/') ? handleEpcisError : handleError;
  void handler(badUrlError(error, request.url) ?? error, request, reply);
}

/** The built single-page app at `/`, with every unknown non-API GET falling back to index.html. */
async function serveWeb(app: App, webRoot: string): Promise<void> {
  const built = existsSync(`${webRoot}/index.html`);
  if (built)
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      // The build writes `.br` and `.gz` beside each file (vite.config.ts): sent as they are to a browser that takes them.
      preCompressed: true,
      // Hashed files never change under their name; the page that names them is asked for again every time.
      setHeaders: (reply, path) => {
        reply.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  app.setNotFoundHandler((request, reply) => {
    const isPage =
      request.method === 'GET' && !request.url.startsWith('/api/') && request.headers.accept?.includes('text/html');
    if (!isPage) return handleNotFound(request, reply);
    if (!built)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run build:web`.');
    return reply.sendFile('index.html');
  });
}
