import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from './cli-helpers.ts';

/**
 * The reference deployment (deploy/): what can run here is run — the image's entry point, as the container runs it —
 * and the image and compose files are held to what docs/operations.md promises (non-root, read-only root filesystem,
 * a streaming replica, readiness checks). No container engine runs in CI.
 */

const secret = 'a-signing-secret-of-our-own-0123456789';

interface Run {
  code: number | null;
  output: string;
}

/** Runs deploy/entrypoint.sh with only the given environment (and PATH), to its end or until `until` matches. */
async function entrypoint(args: readonly string[], env: Record<string, string>, until?: RegExp): Promise<Run> {
  const child = spawn('deploy/entrypoint.sh', args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (until?.test(output)) child.kill('SIGTERM');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('the image’s entry point', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const secretFile = async (content: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'monazite-entrypoint-'));
    dirs.push(dir);
    const path = join(dir, 'secret');
    await writeFile(path, content);
    return path;
  };

  it('runs in production mode: the demo settings are refused, each named', async () => {
    const run = await entrypoint([], { PGLITE_DATA_DIR: 'memory://', PORT: '0' });
    expect(run.code).toBe(78);
    for (const setting of ['SIGNING_KEY_SECRET', 'DEMO_DATA=false', 'COOKIE_SECURE=true'])
      expect(run.output).toContain(setting);
  });

  it('reads a secret from its _FILE, and refuses a setting given both ways or a file it cannot read', async () => {
    const file = await secretFile(`${secret}\n`);
    const fromFile = await entrypoint(['serve'], {
      PGLITE_DATA_DIR: 'memory://',
      PORT: '0',
      SIGNING_KEY_SECRET_FILE: file,
    });
    expect(fromFile.code).toBe(78);
    expect(fromFile.output).not.toContain('SIGNING_KEY_SECRET');
    expect(fromFile.output).toContain('DEMO_DATA=false');

    const both = await entrypoint([], { SIGNING_KEY_SECRET: secret, SIGNING_KEY_SECRET_FILE: file });
    expect(both.code).toBe(78);
    expect(both.output).toContain('both SIGNING_KEY_SECRET and SIGNING_KEY_SECRET_FILE are set');

    const missing = await entrypoint([], { DATABASE_URL_FILE: '/nonexistent/secret' });
    expect(missing.code).toBe(78);
    expect(missing.output).toContain('DATABASE_URL_FILE names /nonexistent/secret, which cannot be read');
  });

  it('serves with production settings and is ready, and runs other commands given to it', async () => {
    const port = await freePort();
    const file = await secretFile(secret);
    const env = {
      PGLITE_DATA_DIR: 'memory://',
      PORT: String(port),
      HOST: '127.0.0.1',
      SUPERVISE: 'false',
      SIGNING_KEY_SECRET_FILE: file,
      DEMO_DATA: 'false',
      COOKIE_SECURE: 'true',
    };
    let ready: number | undefined;
    const serve = spawn('deploy/entrypoint.sh', [], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    serve.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    serve.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      for (let attempt = 0; attempt < 240 && ready === undefined; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => (response.ok ? response.status : undefined),
          () => undefined,
        );
      }
      expect(ready, output).toBe(200);
    } finally {
      serve.kill('SIGTERM');
      await once(serve, 'exit');
    }
    const help = await entrypoint(['backup', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.output).toContain('--out');
  }, 180_000);
});

describe('the image and the compose file', () => {
  it('build the web app into the image and run as an unprivileged user through the entry point', async () => {
    const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    const runtime = stages[1]!;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('ENTRYPOINT ["/app/deploy/entrypoint.sh"]');
    expect(runtime).toContain('postgresql-client-15');
    expect(stages[0]).toContain('npm ci');
    expect(stages[0]).toContain('npm prune --omit=dev');
    const ignored = (await readFile('.dockerignore', 'utf8')).split('\n');
    for (const path of ['node_modules', 'data', 'dist']) expect(ignored).toContain(path);
  });

  it('run the servers read-only behind a proxy, on a primary with a streaming replica, checked by /readyz', async () => {
    const compose = parse(await readFile('deploy/compose.yaml', 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
    };
    const servers = Object.entries(compose.services).filter(([name]) => name.startsWith('monazite-'));
    expect(servers).toHaveLength(2);
    for (const [, server] of servers) {
      expect(server.read_only).toBe(true);
      expect(server.tmpfs).toEqual(['/tmp']);
      const env = server.environment as Record<string, string>;
      expect(env.DATABASE_URL).toContain('@postgres:5432/');
      expect(env.DATABASE_READ_URL).toContain('@postgres-replica:5432/');
      expect(env.DEMO_DATA).toBe('false');
      expect(env.COOKIE_SECURE).toBe('true');
      expect(JSON.stringify(server.healthcheck)).toContain('/readyz');
    }
    const replica = compose.services['postgres-replica']!;
    expect(JSON.stringify(replica.command)).toContain('pg_basebackup -h postgres -U replicator');
    expect(JSON.stringify(replica.command)).toContain(' -R ');
    // The proxy keeps public certificate answers as their Cache-Control allows, and does not pass /metrics on.
    const proxy = await readFile('deploy/nginx.conf', 'utf8');
    expect(proxy).toMatch(/location \/api\/v1\/public\/certificates\/ \{[^}]*proxy_cache certificates;/);
    expect(proxy).toMatch(/location = \/metrics \{\s*return 404;/);
    const init = await readFile('deploy/postgres-init/10-replication.sh', 'utf8');
    expect(init).toContain('WITH REPLICATION LOGIN');
    expect(init).toContain('host replication replicator');
  });
});
