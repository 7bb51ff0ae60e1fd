import cluster, { type Worker } from 'node:cluster';
import { totalmem } from 'node:os';
import type { Config } from './config.ts';

/**
 * `npm start` / `monazite serve`: a small supervisor process that runs the server as WORKERS children (the workers,
 * sharing the port through node:cluster) with a heap ceiling, and starts each again when it dies abnormally (a fatal error such as heap out of memory, a crash,
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

/** Runs the workers until a signal stops the supervisor; resolves to the supervisor's exit code. */
export function supervise(
  config: Config,
  worker: { readonly script: string; readonly args: readonly string[] },
  log: (line: string) => void = (line) => process.stderr.write(`monazite supervisor: ${line}\n`),
): Promise<number> {
  const heap = heapLimitMb(config);
  const count = config.WORKERS;
  // node:cluster: the workers share the port; each accepted connection goes to one of them (round robin).
  cluster.setupPrimary({ exec: worker.script, args: [...worker.args], execArgv: [`--max-old-space-size=${heap}`] });
  const live = new Map<number, Worker>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping: NodeJS.Signals | null = null;
  let finished = false;

  return new Promise((resolve) => {
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      for (const timer of timers) clearTimeout(timer);
      resolve(code);
    };
    /** Ends the run once no worker is left (and none is waiting to start again). */
    const finishWhenAllGone = (code: number) => {
      if (live.size === 0 && timers.size === 0) finish(code);
    };

    /** One worker slot: its worker, started again after a growing delay when it dies abnormally. */
    const startSlot = (slot: number) => {
      let delay = FIRST_DELAY_MS;
      let restarts = 0;
      const name = count === 1 ? 'the server' : `server ${slot + 1} of ${count}`;
      const start = () => {
        const startedAt = Date.now();
        const current = cluster.fork({ [WORKER_ENV]: '1' });
        const pid = current.process.pid;
        live.set(slot, current);
        log(`started ${name}, pid ${pid} (heap limit ${heap} MB)`);
        current.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
          live.delete(slot);
          if (stopping || finished) {
            log(`${name} (pid ${pid}) stopped${live.size === 0 ? '; exiting' : ''}`);
            finishWhenAllGone(0);
            return;
          }
          if (code === 0) {
            log(`${name} (pid ${pid}) exited cleanly; not restarting`);
            finishWhenAllGone(0);
            return;
          }
          if (code === EXIT_DO_NOT_RESTART) {
            // A refusal would be refused again, in every worker: stop them all.
            log(`${name} (pid ${pid}) refused to start (see above); not restarting`);
            stopping = 'SIGTERM';
            for (const other of live.values()) other.process.kill('SIGTERM');
            if (live.size === 0) finish(EXIT_DO_NOT_RESTART);
            else
              for (const other of live.values())
                other.once('exit', () => live.size === 0 && finish(EXIT_DO_NOT_RESTART));
            return;
          }
          if (Date.now() - startedAt >= HEALTHY_MS) delay = FIRST_DELAY_MS;
          restarts += 1;
          log(
            `${name} (pid ${pid}) ${exitReason(code, signal)}; restarting in ${delay / 1000} s (restart ${restarts})`,
          );
          const timer = setTimeout(() => {
            timers.delete(timer);
            start();
          }, delay);
          timers.add(timer);
          delay = Math.min(delay * 2, MAX_DELAY_MS);
        });
      };
      start();
    };

    function onSignal(signal: NodeJS.Signals) {
      if (stopping) {
        // A second Ctrl-C: do not wait for a clean shutdown.
        for (const current of live.values()) current.process.kill('SIGKILL');
        return;
      }
      stopping = signal;
      log(`${signal}: stopping the server${count > 1 ? 's' : ''}`);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (live.size === 0) {
        finish(0);
        return;
      }
      for (const current of live.values()) current.process.kill('SIGTERM');
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (let slot = 0; slot < count; slot += 1) startSlot(slot);
  });
}
