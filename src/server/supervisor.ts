import { spawn, type ChildProcess } from 'node:child_process';
import { totalmem } from 'node:os';
import type { Config } from './config.ts';

/**
 * `npm start` / `monazite serve`: a small supervisor process that runs the server as a child (the worker) with a
 * heap ceiling, and starts it again when it dies abnormally (a fatal error such as heap out of memory, a crash,
 * a kill), after a growing delay, saying why on stderr. SIGINT or SIGTERM stops the worker, then the supervisor.
 * A worker that exits 0 (stopped cleanly) is not restarted, nor one that exits with EXIT_DO_NOT_RESTART (it refused
 * to start: bad configuration, the data directory held by another process), which would only fail again.
 */

/** The worker's exit code for "starting again would fail the same way" (EX_CONFIG of sysexits.h). */
export const EXIT_DO_NOT_RESTART = 78;
/** Set in the worker's environment: run the server itself, not another supervisor. */
export const WORKER_ENV = 'MONAZITE_WORKER';

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** A worker that ran this long was healthy: the next restart starts from the first delay again. */
const HEALTHY_MS = 60_000;

/**
 * The heap ceiling: HEAP_LIMIT_MB, or half of the memory this process may use (the container's limit where there
 * is one), between 512 MB and 4 GB. The other half is headroom for what lives outside the JavaScript heap: PGlite's
 * WebAssembly memory, buffers of files being read, the stacks.
 */
export function heapLimitMb(config: Pick<Config, 'HEAP_LIMIT_MB'>): number {
  if (config.HEAP_LIMIT_MB > 0) return config.HEAP_LIMIT_MB;
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const available = constrained && constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.min(4096, Math.max(512, Math.floor(available / 2 / 1024 / 1024)));
}

/** Why a worker ended, in words, for the log. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGABRT' || code === 134)
    return `was aborted (${signal ?? `code ${code}`}): a fatal error such as heap out of memory (see its last lines above)`;
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

/** Runs the worker until a signal stops the supervisor; resolves to the supervisor's exit code. */
export function supervise(
  config: Config,
  worker: { readonly script: string; readonly args: readonly string[] },
  log: (line: string) => void = (line) => process.stderr.write(`monazite supervisor: ${line}\n`),
): Promise<number> {
  const heap = heapLimitMb(config);
  let child: ChildProcess | null = null;
  let stopping: NodeJS.Signals | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = FIRST_DELAY_MS;
  let restarts = 0;

  return new Promise((resolve) => {
    const finish = (code: number) => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      resolve(code);
    };

    const start = () => {
      timer = null;
      const startedAt = Date.now();
      const current = spawn(process.execPath, [`--max-old-space-size=${heap}`, worker.script, ...worker.args], {
        env: { ...process.env, [WORKER_ENV]: '1' },
        // The IPC channel tells the worker when the supervisor is gone, so it never outlives it.
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      });
      child = current;
      log(`started the server, pid ${current.pid} (heap limit ${heap} MB)`);
      current.once('exit', (code, signal) => {
        child = null;
        if (stopping) {
          log(`the server (pid ${current.pid}) stopped; exiting`);
          finish(0);
          return;
        }
        if (code === 0) {
          log(`the server (pid ${current.pid}) exited cleanly; not restarting`);
          finish(0);
          return;
        }
        if (code === EXIT_DO_NOT_RESTART) {
          log(`the server (pid ${current.pid}) refused to start (see above); not restarting`);
          finish(EXIT_DO_NOT_RESTART);
          return;
        }
        if (Date.now() - startedAt >= HEALTHY_MS) delay = FIRST_DELAY_MS;
        restarts += 1;
        log(
          `the server (pid ${current.pid}) ${exitReason(code, signal)}; restarting in ${delay / 1000} s (restart ${restarts})`,
        );
        timer = setTimeout(start, delay);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      });
    };

    function onSignal(signal: NodeJS.Signals) {
      if (stopping) {
        // A second Ctrl-C: do not wait for a clean shutdown.
        child?.kill('SIGKILL');
        return;
      }
      stopping = signal;
      log(`${signal}: stopping the server`);
      if (timer) {
        clearTimeout(timer);
        finish(0);
        return;
      }
      child?.kill('SIGTERM');
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    start();
  });
}
