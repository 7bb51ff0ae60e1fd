import { availableParallelism } from 'node:os';
import type { Transferable } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { WorkerTask } from '../workers/tasks.ts';

/**
 * The worker threads (piscina) that parse uploaded files, so that the thread answering requests is not held up by
 * a large file at month end: as many as the cores, at most 4, started on first use and stopped when idle for a
 * minute. Each is a few MB of heap; its first start costs about 0.3 s (the TypeScript loader).
 */
let pool: Piscina | undefined;

export function runOffThread(task: WorkerTask, transferList: readonly Transferable[]): Promise<void> {
  pool ??= new Piscina({
    filename: new URL('../workers/boot.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(4, availableParallelism())),
    idleTimeout: 60_000,
  });
  return pool.run(task, { transferList: transferList as Transferable[] }) as Promise<void>;
}

/** Stops the worker threads (the server's close, the end of a command). */
export async function closeWorkerPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.destroy();
}
