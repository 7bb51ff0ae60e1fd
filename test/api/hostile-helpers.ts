import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { routesFromTree } from './route-matrix.ts';

/**
 * What the hostile-input suites share: the operations of the OpenAPI document the app serves, a caller the
 * auth gate lets through for each, and the check that a refusal is a problem answer in the route's own form.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

export interface Operation {
  method: Method | 'OPTIONS';
  /** `/api/v1/users/{id}` as in the document. */
  path: string;
  /** `METHOD /path/{param}`. */
  route: string;
  pathParams: string[];
  queryParams: { name: string; schema: JsonSchema; required: boolean }[];
  /** The JSON body's schema, when the route takes a JSON body. */
  body: JsonSchema | null;
  /** The route reads its body as bytes (a file): no JSON body. */
  rawBody: boolean;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

/** Every operation of the served OpenAPI document (/api/v1 and /epcis), checked against the route tree. */
export async function servedOperations(context: TestContext): Promise<Operation[]> {
  const response = await context.anonymous.get('/openapi.json');
  expect(response.statusCode).toBe(200);
  const document = response.json<{ paths: Record<string, Record<string, OpenApiOperation>> }>();
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [lower, operation] of Object.entries(methods)) {
      const method = lower.toUpperCase() as Operation['method'];
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const json = content['application/json']?.schema ?? null;
      operations.push({
        method,
        path,
        route: `${method} ${path}`,
        pathParams: parameters.filter((item) => item.in === 'path').map((item) => item.name),
        queryParams: parameters
          .filter((item) => item.in === 'query')
          .map((item) => ({ name: item.name, schema: item.schema ?? {}, required: item.required === true })),
        body: json,
        rawBody: !json && /\/(files|evidence)$/.test(path),
      });
    }
  }
  // The document lists every /api/v1 route the app serves: none is left out of what the suites walk.
  const served = routesFromTree(context.app.printRoutes({ commonPrefix: false }));
  const documented = new Set(operations.map((item) => item.route));
  expect([...served].filter((route) => !documented.has(route))).toEqual([]);
  return operations;
}

/** A value for a path parameter that routes (the guard and the schemas judge it, not the router). */
export function placeholder(name: string): string {
  if (name === 'year') return '2026';
  if (name === 'province') return '150000';
  if (name === 'code') return 'ND2O3';
  if (name === 'name') return 'threshold';
  return '00000000-0000-4000-8000-000000000000';
}

export function urlOf(operation: Operation, values: Record<string, string> = {}, query = ''): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_all, name: string) => values[name] ?? placeholder(name));
  return query ? `${path}?${query}` : path;
}

/** Demo logins, in the order a caller is picked for a route: the first the route's permission lets through. */
export const demoLogins = [
  'miit',
  'ent.bayan',
  'operator',
  'oversight',
  'mnr',
  'ndrc',
  'miit.review',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.dingnan',
  'ent.kundulun',
  'ent.longnan',
] as const;
export type DemoLogin = (typeof demoLogins)[number];

export async function signInAll(context: TestContext): Promise<Record<DemoLogin, Client>> {
  const clients = {} as Record<DemoLogin, Client>;
  for (const login of demoLogins) clients[login] = await context.as(login);
  return clients;
}

const isGateRefusal = (response: LightMyRequestResponse): boolean =>
  response.statusCode === 401 || response.statusCode === 403;

/**
 * The first demo user the route's access gate lets through. It is found by sending a request the input guard
 * refuses (a query parameter holding a NUL): the gate runs before the guard, so an unauthorised caller gets
 * 401/403 and an authorised one the guard's 400.
 */
export async function authorisedLogin(
  clients: Record<DemoLogin, Client>,
  operation: Operation,
  values: Record<string, string> = {},
): Promise<DemoLogin> {
  for (const login of demoLogins) {
    const response = await clients[login].request(operation.method as Method, urlOf(operation, values, 'probe=%00'));
    if (!isGateRefusal(response)) return login;
  }
  throw new Error(`no demo user may call ${operation.route}`);
}

export const isEpcis = (operation: Pick<Operation, 'path'>): boolean => operation.path.startsWith('/epcis/');

/**
 * A refused request is answered as a problem: RFC 9457 with a stable `code` under /api, the binding's
 * `epcisException:…` type under /epcis. Returns the body.
 */
export function expectRefusalShape(
  response: LightMyRequestResponse,
  epcis: boolean,
): { code?: string; type: string; errors?: { field: string; message: string }[] } {
  expect(response.headers['content-type'], response.body).toMatch(/^application\/problem\+json/);
  const body = response.json<{
    code?: string;
    type: string;
    status: number;
    detail: string;
    errors?: { field: string; message: string }[];
  }>();
  expect(body.status).toBe(response.statusCode);
  expect(typeof body.detail).toBe('string');
  if (epcis) expect(body.type).toMatch(/^(epcisException:|about:blank)/);
  else expect(body.code).toMatch(/^[a-z_]+$/);
  return body;
}
