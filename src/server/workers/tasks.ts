import type { MessagePort } from 'node:worker_threads';
import { sendFlowFile } from '../modules/flows/flow-files.stream.ts';
import type { FlowFileSource } from '../modules/flows/flow-files.reader.ts';

/** The work the worker threads do, off the thread that answers requests. */
export type WorkerTask = { readonly kind: 'flow-file'; readonly source: FlowFileSource; readonly port: MessagePort };

export async function runTask(task: WorkerTask): Promise<void> {
  switch (task.kind) {
    case 'flow-file':
      return sendFlowFile(task.source, task.port);
  }
}
