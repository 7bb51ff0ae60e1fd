import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The `monazite` command line and server as child processes, for the tests of what runs beside what. */

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const baseEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  // The child reads only what the test gives it about databases (CI's replica URL names CI's database, not the test's).
  const { DATABASE_URL: _url, DATABASE_READ_URL: _replicas, PGLITE_DATA_DIR: _dir, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'warn', ...env };
};

/** Runs `monazite ARGS` to its end. */
export async function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, ['bin/monazite.mjs', ...args], { env: baseEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** A `monazite serve` running in a child process, with everything it printed so far. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr together, in arrival order. */
  output(): string;
  /** Resolves with the match once the output matches (from `from` on), rejects if the process ends first. */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServe(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['bin/monazite.mjs', 'serve'], { env: baseEnv(env) });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let ended = false;
  const exited = once(child, 'exit').then(([code, signal]) => {
    ended = true;
    for (const wake of waiters) wake();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.slice(from).match(pattern);
          if (match) {
            waiters.delete(check);
            resolve(match);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`serve ended before printing ${pattern}:\n${text}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether something accepts connections on the port. */
export async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid that was just in use and is now free: a short child process that has ended. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid ?? 999_999;
}
