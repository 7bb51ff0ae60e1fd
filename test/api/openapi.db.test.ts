import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';

describe('the API description', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(async () => context.close());

  it('is valid OpenAPI 3.1 and lists the registry, auth and audit routes', async () => {
    const response = await context.anonymous.get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, object> }>();
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/auth/tokens',
      '/api/v1/users',
      '/api/v1/divisions',
      '/api/v1/enterprises',
      '/api/v1/enterprises/{id}',
      '/api/v1/designations',
      '/api/v1/products',
      '/api/v1/audit/verify',
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
  });

  it('serves a readable reference at /docs', async () => {
    const response = await context.anonymous.request('GET', '/docs/', undefined, { accept: 'text/html' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });

  it('exposes Prometheus metrics counting requests by route', async () => {
    await context.anonymous.get('/healthz');
    const response = await context.anonymous.get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/monazite_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(response.body).toContain('monazite_process_resident_memory_bytes');
  });

  it('answers unknown API routes with problem+json', async () => {
    const response = await context.anonymous.get('/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'not_found' });
  });
});
