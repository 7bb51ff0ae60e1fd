import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { DomainError } from '../../shared/errors.ts';
import { runOffThread } from '../../shared/worker-pool.ts';
import type { FileEvent } from './flow-files.events.ts';
import { readFlowFile, type FlowFileSource } from './flow-files.reader.ts';

/**
 * A flow file read in a worker thread: the worker parses (CSV or XLSX, with every limit of the reader) and sends
 * the events in batches; it sends the next batch only when the ingest asks for it, so memory stays flat however
 * large the file. A file-level problem (a DomainError) is sent across and thrown again here, as the reader would.
 */

const BATCH_EVENTS = 500;

type ToIngest =
  | { readonly type: 'events'; readonly events: FileEvent[]; readonly bytes: number | null }
  | { readonly type: 'end' }
  | {
      readonly type: 'error';
      readonly domain: {
        status: number;
        code: string;
        detail: string;
        errors: DomainError['errors'];
        params: DomainError['params'];
      } | null;
      readonly message: string;
    };
type ToWorker = 'more' | 'stop';

function nextMessage<T>(port: MessagePort): Promise<T> {
  return new Promise((resolve) => port.once('message', resolve));
}

/** The worker's side: parse the file and send its events, a batch at a time, until the end or `stop`. */
export async function sendFlowFile(source: FlowFileSource, port: MessagePort): Promise<void> {
  let bytes: number | null = null;
  let batch: FileEvent[] = [];
  const send = async (): Promise<boolean> => {
    const message: ToIngest = { type: 'events', events: batch, bytes };
    batch = [];
    port.postMessage(message);
    return (await nextMessage<ToWorker>(port)) === 'more';
  };
  try {
    for await (const event of readFlowFile(source, (read) => (bytes = read))) {
      batch.push(event);
      if (batch.length >= BATCH_EVENTS && !(await send())) return;
    }
    if (batch.length > 0 && !(await send())) return;
    port.postMessage({ type: 'end' } satisfies ToIngest);
  } catch (error) {
    const domain =
      error instanceof DomainError
        ? { status: error.status, code: error.code, detail: error.detail, errors: error.errors, params: error.params }
        : null;
    port.postMessage({ type: 'error', domain, message: String(error) } satisfies ToIngest);
  } finally {
    port.close();
  }
}

/** The events of a flow file, parsed in a worker thread; `onBytes` is told the bytes read so far. */
export async function* readFlowFileOffThread(
  source: FlowFileSource,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileEvent> {
  const { port1, port2 } = new MessageChannel();
  const running = runOffThread({ kind: 'flow-file', source, port: port2 }, [port2]);
  let finished = false;
  try {
    for (;;) {
      const message = await Promise.race([
        nextMessage<ToIngest>(port1),
        // A worker that dies answers here; a task that ends normally has said so on the port.
        running.then(
          () => new Promise<ToIngest>(() => undefined),
          (error: unknown): ToIngest => ({ type: 'error', domain: null, message: String(error) }),
        ),
      ]);
      if (message.type === 'end') {
        finished = true;
        return;
      }
      if (message.type === 'error') {
        finished = true;
        const { domain } = message;
        if (domain) throw new DomainError(domain.status, domain.code, domain.detail, domain.errors, domain.params);
        throw new Error(`Reading the flow file failed: ${message.message}`);
      }
      if (message.bytes !== null) onBytes?.(message.bytes);
      yield* message.events;
      port1.postMessage('more' satisfies ToWorker);
    }
  } finally {
    if (!finished) port1.postMessage('stop' satisfies ToWorker);
    await running.catch(() => undefined);
    port1.close();
  }
}
