// The entry of the worker threads (src/server/shared/worker-pool.ts): the server runs TypeScript through tsx's loader,
// so a worker registers it too, then exports the task runner for piscina.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./tasks.ts');

export default runTask;
