import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { Executor } from '../db/executor.ts';
import { openReplicas, type ReplicaSet } from '../db/replicas.ts';
import { chooseReadTarget, type ReadTarget } from '../db/replicas.rules.ts';
import { StartupError } from './messages.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route only reads, and may read from a replica (docs/operations.md, "Read replicas"): its handler reads
     * through `request.db`, which is a replica's when one is usable, else the primary.
     */
    reads?: 'replica';
  }
  interface FastifyRequest {
    /** Where this request reads: the primary, or on a `reads: 'replica'` route possibly a replica. */
    db: Executor;
  }
}

const safeMethods = new Set(['GET', 'HEAD']);
/** Writers remembered at most, per process: the oldest are forgotten first (they are the first to expire anyway). */
const REMEMBERED_MAX = 100_000;

/**
 * Who wrote when, in this process: by user, and by credential (a session cookie or token) so that a public read
 * sent with the same credential (a certificate check after issuing it) sees the write too.
 */
function writersMemory(stickyMs: number) {
  const lastWrite = new Map<string, number>();
  return {
    remember(keys: readonly string[], now: number) {
      for (const key of keys) {
        // Re-inserted at the end: the map stays in order of last write, so expired entries are at its front.
        lastWrite.delete(key);
        lastWrite.set(key, now);
      }
      for (const [key, at] of lastWrite) {
        if (now - at < stickyMs && lastWrite.size <= REMEMBERED_MAX) break;
        lastWrite.delete(key);
      }
    },
    lastWriteOf(keys: readonly string[]): number | undefined {
      const times = keys.flatMap((key) => lastWrite.get(key) ?? []);
      return times.length > 0 ? Math.max(...times) : undefined;
    },
  };
}

function writerKeys(request: FastifyRequest, sessionCookie: string): string[] {
  const keys = request.actor ? [`user:${request.actor.userId}`] : [];
  const credential = request.cookies[sessionCookie] ?? request.headers.authorization;
  if (credential) keys.push(`credential:${createHash('sha256').update(credential).digest('base64url')}`);
  return keys;
}

export interface ReadRoutingDeps {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly registry: Registry;
  /** The session cookie's name (the auth module's). */
  readonly sessionCookie: string;
}

/**
 * The read replicas of DATABASE_READ_URL (none: null), sampled once before the app is ready and then every
 * REPLICA_LAG_SAMPLE_MS until it closes.
 */
async function openReadReplicas(app: FastifyInstance, deps: ReadRoutingDeps): Promise<ReplicaSet | null> {
  const { config, database } = deps;
  if (config.DATABASE_READ_URL.length === 0) return null;
  if (database.engine !== 'postgres') throw new StartupError('read_replicas_need_postgres', {});
  const replicas = await openReplicas(config.DATABASE_READ_URL, {
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
    sampleMs: config.REPLICA_LAG_SAMPLE_MS,
    registry: deps.registry,
    log: { info: (message) => app.log.info(message), warn: (message) => app.log.warn(message) },
  });
  app.addHook('onReady', async () => replicas.start());
  app.addHook('onClose', async () => replicas.close());
  return replicas;
}

/**
 * Gives every request its `request.db`: on routes that declared `reads: 'replica'`, a replica within the lag bound
 * (in turn) unless the same user or session wrote within REPLICA_STICKY_MS; everywhere else, the primary. Installed
 * after the auth hook, whose actor it needs. Returns the replicas (for /readyz).
 */
export async function installReadRouting(app: FastifyInstance, deps: ReadRoutingDeps): Promise<ReplicaSet | null> {
  const replicas = await openReadReplicas(app, deps);
  const { REPLICA_MAX_LAG_MS: maxLagMs, REPLICA_STICKY_MS: stickyMs } = deps.config;
  const primary = deps.database.db;
  const reads = new Counter({
    name: 'monazite_database_reads_total',
    help: "Requests of replica-read routes by where they read: target primary or replica, and the primary's reason",
    labelNames: ['target', 'reason'] as const,
    registers: [deps.registry],
  });
  const writers = writersMemory(stickyMs);
  let turn = 0;
  app.decorateRequest('db', null as unknown as Executor);
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (route.config?.reads === 'replica' && !methods.every((method) => safeMethods.has(method))) {
      throw new Error(`Route ${methods.join(',')} ${route.url} writes, so it cannot read from a replica`);
    }
  });
  // Who wrote when matters only with replicas to send reads to: without them nothing is hashed or remembered.
  const keysOf = (request: FastifyRequest) => (replicas ? writerKeys(request, deps.sessionCookie) : []);
  app.addHook('onRequest', async (request) => {
    const now = Date.now();
    const writes = !safeMethods.has(request.method);
    const replicaRoute = request.routeOptions.config.reads === 'replica';
    const keys = writes || replicaRoute ? keysOf(request) : [];
    // A write counts from its start: a read racing it goes to the primary too.
    if (writes) writers.remember(keys, now);
    const choice: ReadTarget = chooseReadTarget({
      replicaRoute,
      replicas: replicas?.states() ?? [],
      maxLagMs,
      lastWriteAt: writers.lastWriteOf(keys),
      stickyMs,
      now,
      turn: replicaRoute ? turn++ : turn,
    });
    request.db = choice.target === 'replica' && replicas ? replicas.db(choice.index) : primary;
    if (replicaRoute) reads.inc({ target: choice.target, reason: choice.target === 'primary' ? choice.reason : '' });
  });
  // …and until the window after its answer has passed.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!safeMethods.has(request.method)) writers.remember(keysOf(request), Date.now());
    return payload;
  });
  return replicas;
}
