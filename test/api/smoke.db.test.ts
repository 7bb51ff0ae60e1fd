import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';

describe('the platform', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(async () => context.close());

  it('answers health with the engine', async () => {
    const response = await context.anonymous.get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', engine: process.env.TEST_ENGINE });
  });

  it('lets a demo user sign in and see only the enterprises of their division', async () => {
    const baotou = await context.as('baotou.iit');
    const response = await baotou.get('/api/v1/enterprises?page_size=200');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ items: { domicile_code: string }[]; total: number }>();
    expect(body.total).toBe(3);
    expect(body.items.every((item) => item.domicile_code.startsWith('1502'))).toBe(true);
  });

  it('names who made each change in an enterprise history', async () => {
    const miit = await context.as('miit');
    const enterprise = (await miit.get('/api/v1/enterprises?page_size=1')).json<{
      items: { id: string; version: number }[];
    }>().items[0]!;
    const changed = await miit.patch(`/api/v1/enterprises/${enterprise.id}`, {
      expected_version: enterprise.version,
      technical_score: 91,
    });
    expect(changed.statusCode).toBe(200);
    const history = (await miit.get(`/api/v1/enterprises/${enterprise.id}/history`)).json<
      { version: number; changed_by_name: string }[]
    >();
    expect(history.map((item) => item.changed_by_name)).toEqual(['工信部原材料司 王处长', 'system']);
  });
});
