import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { auditCount, expectProblem, worldDigest } from './api-helpers.ts';

/**
 * The authorization matrix shared by the API suites: a case names one /api/v1 route and the status every
 * caller must get; `runMatrixCase` calls it as each of them and checks what was (not) written.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Prepared {
  client?: Client;
  url?: string;
}

export interface MatrixFixtures<C extends string> {
  context: TestContext;
  clients: Record<C, Client>;
}

export interface MatrixCase<F, C extends string> {
  /** `METHOD /api/v1/path/{param}` as in the OpenAPI document. */
  route: string;
  name: string;
  expect: Record<C, number>;
  url: (fx: F, caller: C) => string;
  body?: (fx: F, caller: C) => unknown;
  /** Work done before the call (not measured): e.g. a throwaway session, a token to revoke, a fresh batch. */
  prepare?: (fx: F, caller: C) => Promise<Prepared>;
  /** Extra checks on a successful answer. */
  verify?: (fx: F, caller: C, response: LightMyRequestResponse, prepared: Prepared) => Promise<void> | void;
  /**
   * What a successful call leaves behind. Reads (GET): no audit entry. Writes: an audit entry, unless
   * `unaudited` (a write that leaves no entry of its own) or `nothing` (a calculation that saves nothing: no audit entry, no change).
   */
  effect?: 'unaudited' | 'nothing';
}

const refusalCodes: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };

/**
 * Calls the case's route as each caller in turn. Refusals must be problem answers with the right code that
 * change nothing (the world digest); successes must audit writes and not reads. HEAD goes through the same
 * gate as GET. Returns the mismatched statuses, one line per caller.
 */
export async function runMatrixCase<C extends string, F extends MatrixFixtures<C>>(
  fx: F,
  item: MatrixCase<F, C>,
  callers: readonly C[],
): Promise<string[]> {
  const [method, path] = item.route.split(' ') as [Method, string];
  expect(path.startsWith('/api/v1/')).toBe(true);
  const db = fx.context.database.db;
  const mismatches: string[] = [];
  for (const caller of callers) {
    const expected = item.expect[caller];
    const prepared = item.prepare ? await item.prepare(fx, caller) : {};
    const client = prepared.client ?? fx.clients[caller];
    const url = prepared.url ?? item.url(fx, caller);
    const body = item.body ? await item.body(fx, caller) : undefined;
    const unchanged = expected >= 400 || item.effect === 'nothing';
    const before = unchanged ? await worldDigest(db) : '';
    const auditBefore = await auditCount(db);
    const response = await client.request(method, url, body);
    if (response.statusCode !== expected) {
      mismatches.push(`${caller}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 200)}`);
      continue;
    }
    if (expected >= 400) {
      const problem = expectProblem(response, expected);
      expect(problem.code).toBe(refusalCodes[expected]);
      expect(await worldDigest(db), `${caller}: a refused ${item.route} wrote something`).toBe(before);
    } else {
      if (method === 'GET' || item.effect === 'nothing')
        expect(await auditCount(db), `${caller}: a read wrote an audit entry`).toBe(auditBefore);
      else if (item.effect !== 'unaudited')
        expect(await auditCount(db), `${caller}: a write left no audit entry`).toBeGreaterThan(auditBefore);
      if (item.effect === 'nothing')
        expect(await worldDigest(db), `${caller}: ${item.route} saved something`).toBe(before);
      await item.verify?.(fx, caller, response, prepared);
    }
    if (method === 'GET') {
      const head = await client.request('HEAD' as 'GET', url);
      if (head.statusCode !== expected) mismatches.push(`${caller}: HEAD expected ${expected}, got ${head.statusCode}`);
    }
  }
  return mismatches;
}

/** `METHOD /path/{param}` for every /api/v1 route the app serves, from the route tree (hidden routes too). */
export function routesFromTree(tree: string): Set<string> {
  const found = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = Math.round((match[1] ?? '').length / 4);
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + (match[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    if (!path.startsWith('/api/v1/') || !match[3]) continue;
    for (const method of match[3].split(',').map((item) => item.trim())) {
      if (method !== 'HEAD') found.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return found;
}
