import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Executor } from '../db/executor.ts';
import { countHit, forgetOldWindows } from './rate-limit.repository.ts';

/** Windows that ended this long ago are deleted (the longest window in use is a minute). */
const FORGET_AFTER_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * A store for @fastify/rate-limit that keeps the counts in the database (RATE_LIMIT_STORE=database), so that every
 * server process on one PostgreSQL counts the same client against the same limit. The global limit and each
 * route's own limit (login) count under keys of their own. A failing count lets the request through (the plugin's
 * `skipOnError`) rather than refuse every user because of the limiter.
 */
export function databaseRateLimitStore(db: Executor): {
  readonly Store: FastifyRateLimitStoreCtor;
  stop(): void;
} {
  class DatabaseStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly namespace = 'all',
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      countHit(db, `${this.namespace}|${key}`, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(routeOptions: FastifyRateLimitOptions & { routeInfo?: { method?: unknown; url?: unknown } }) {
      const route = routeOptions.routeInfo ?? {};
      return new DatabaseStore(routeOptions, `${String(route.method)} ${String(route.url)}`);
    }
  }
  const sweep = setInterval(() => void forgetOldWindows(db, FORGET_AFTER_MS).catch(() => undefined), SWEEP_EVERY_MS);
  sweep.unref();
  return { Store: DatabaseStore, stop: () => clearInterval(sweep) };
}
