import { expect } from 'vitest';
import type { BoardView, CompilationView, ReportDraft, ReportView } from '../../src/contracts/reporting.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { createApprovedUser } from '../api/api-helpers.ts';
import type { Client, TestContext } from '../support/app.ts';

/**
 * The reporting tree of a period as the ministries' board shows it, and a user for every node: an enterprise
 * user per enterprise, an industry & IT official per division. Shared by the reporting suites.
 */

export interface WorldEnterprise {
  readonly id: string;
  readonly name: string;
  readonly parent: string;
}
export interface WorldDivision {
  readonly code: string;
  readonly name: string;
  readonly level: string;
  readonly parent: string | null;
  readonly depth: number;
}
export interface ReportingWorld {
  readonly enterprises: WorldEnterprise[];
  readonly divisions: WorldDivision[];
  enterprise(id: string): Promise<Client>;
  division(code: string): Promise<Client>;
}

export async function discoverTree(miit: Client, period: string) {
  const enterprises: WorldEnterprise[] = [];
  const divisions: WorldDivision[] = [];
  const walk = async (code: string | null, parent: string | null, depth: number) => {
    const response = await miit.get(`/api/v1/reporting/board?period=${period}${code ? `&division_code=${code}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json<BoardView>();
    divisions.push({ code: view.node.code, name: view.node.name, level: view.node.level, parent, depth });
    for (const child of view.children)
      if (child.kind === 'enterprise') enterprises.push({ id: child.id!, name: child.name, parent: view.node.code });
      else await walk(child.code, view.node.code, depth + 1);
  };
  await walk(null, null, 0);
  return { enterprises, divisions };
}

/** Creates (through the API, as the operator) the users the tree needs, and signs them in on demand. */
export async function reportingWorld(context: TestContext, period: string): Promise<ReportingWorld> {
  const operator = await context.as('operator');
  const miit = await context.as('miit');
  const { enterprises, divisions } = await discoverTree(miit, period);
  const clients = new Map<string, Client>();
  const signIn = async (login: string, body: Record<string, unknown>) => {
    const cached = clients.get(login);
    if (cached) return cached;
    // An official is a proposal since the two-person rule: approved by its authority before it signs in.
    const created = await createApprovedUser(context, operator, {
      login,
      display_name: login,
      password: DEMO_PASSWORD,
      ...body,
    });
    expect([201, 409], created.body).toContain(created.statusCode);
    const client = await context.as(login);
    clients.set(login, client);
    return client;
  };
  return {
    enterprises,
    divisions,
    enterprise: (id) => signIn(`t.ent.${id.slice(0, 8)}`, { role: 'enterprise_user', enterprise_id: id }),
    division: (code) =>
      code === '000000'
        ? Promise.resolve(miit)
        : signIn(`t.div.${code}`, { role: 'department_official', authority_id: `${code}-industry_it` }),
  };
}

export async function draftOf(client: Client, enterpriseId: string, period: string): Promise<ReportDraft> {
  const response = await client.get(`/api/v1/reports/draft?enterprise_id=${enterpriseId}&period=${period}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ReportDraft>();
}

export async function submit(client: Client, period: string, key: string, extra: Record<string, unknown> = {}) {
  const response = await client.post('/api/v1/reports', { period, idempotency_key: key, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ReportView>();
}

export async function compileAndForward(
  client: Client,
  code: string,
  period: string,
  reasons: Record<string, string>,
  forward = true,
): Promise<CompilationView> {
  const compiled = await client.post('/api/v1/compilations', {
    division_code: code,
    period,
    reasons,
    idempotency_key: `compile-${code}-${period}-${Object.keys(reasons).length}`,
  });
  expect(compiled.statusCode, compiled.body).toBe(201);
  const view = compiled.json<CompilationView>();
  if (!forward) return view;
  const forwarded = await client.post(`/api/v1/compilations/${view.id}/forward`);
  expect(forwarded.statusCode, forwarded.body).toBe(200);
  return forwarded.json<CompilationView>();
}
