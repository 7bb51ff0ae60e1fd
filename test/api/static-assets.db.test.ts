import { readdir, readFile } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';

/** The built web app: precompressed at build, sent compressed to browsers that take it, hashed files cached for good. */
describe('the web app’s files', () => {
  let context: TestContext;
  let script: string;
  beforeAll(async () => {
    context = await startTestApp();
    const assets = await readdir('dist/web/assets');
    const found = assets.find((name) => /^index-[\w-]+\.js$/.test(name));
    if (!found) throw new Error('dist/web has no index-*.js: run `npm run build:web`');
    script = found;
  });
  afterAll(async () => context.close());

  it('sends a hashed script as brotli or gzip, as the browser asks, the same bytes once decompressed', async () => {
    const original = await readFile(`dist/web/assets/${script}`);
    const br = await context.anonymous.request('GET', `/assets/${script}`, undefined, {
      'accept-encoding': 'gzip, deflate, br',
    });
    expect(br.statusCode, br.body).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(original)).toBe(true);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toMatch(/javascript/);

    const gz = await context.anonymous.request('GET', `/assets/${script}`, undefined, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(original)).toBe(true);

    const plain = await context.anonymous.request('GET', `/assets/${script}`, undefined, {
      'accept-encoding': 'identity',
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(original)).toBe(true);
  });

  it('asks again for the page that names the hashed files', async () => {
    for (const url of ['/', '/index.html', '/dashboard']) {
      const page = await context.anonymous.request('GET', url, undefined, { accept: 'text/html' });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['cache-control'], url).toBe('no-cache');
      expect(page.body).toContain(`/assets/${script}`);
    }
  });
});
