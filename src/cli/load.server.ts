import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The server under load: `monazite serve` in a process of its own (SUPERVISE=false), on its throwaway database and a
 * free loopback port, so the load generator does not share its event loop or its core.
 */

const binScript = fileURLToPath(new URL('../../bin/monazite.mjs', import.meta.url));
const STARTUP_MS = 300_000;

export interface ServedApp {
  /** http://127.0.0.1:port */
  readonly origin: string;
  stop(): Promise<void>;
}

/** Where the server finds its database: the throwaway one. */
export type ServerDatabase = { readonly url: string } | { readonly pgliteDir: string };

export async function serveForLoad(database: ServerDatabase): Promise<ServedApp> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...('url' in database ? { DATABASE_URL: database.url } : { DATABASE_URL: '', PGLITE_DATA_DIR: database.pgliteDir }),
    PORT: '0',
    HOST: '127.0.0.1',
    SUPERVISE: 'false',
    WORKERS: '1',
    DEMO_DATA: 'false',
    // The throwaway database is the demo's (its keys sealed under the demo secret), and has no replica.
    NODE_ENV: 'development',
    DATABASE_READ_URL: '',
    // One client address sends every request: the limit is raised for the run; no log line per request.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    LOG_LEVEL: 'warn',
    AUDIT_ANCHOR_FILE: '',
  };
  const child = spawn(process.execPath, [binScript, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listeningPort(child);
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

/** The port from the server's start banner; rejects if it exits or does not start in time. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${STARTUP_MS / 1000} s:\n${err.slice(-2000)}`));
    }, STARTUP_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /is running at http:\/\/[^:\s]+:(\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? 'signal'}) before it listened:\n${err.slice(-2000)}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
