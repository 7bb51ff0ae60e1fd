import { performance } from 'node:perf_hooks';

/**
 * The bench's HTTP client, run as a process of its own (as a user's client is): it receives a list of requests
 * over IPC, sends them one after the other with the token, and answers with each one's time in ms (the whole
 * answer read). Any answer other than 2xx ends the run with its status.
 */

export interface ClientRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

export interface ClientJob {
  readonly url: string;
  readonly token: string;
  readonly requests: readonly ClientRequest[];
}

export type ClientAnswer = { readonly ms: number[] } | { readonly error: string };

async function timeRequest(job: ClientJob, request: ClientRequest): Promise<number> {
  const began = performance.now();
  const response = await fetch(`${job.url}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${job.token}`,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: request.body === undefined ? null : JSON.stringify(request.body),
  });
  await response.arrayBuffer();
  const ms = performance.now() - began;
  if (!response.ok) throw new Error(`${request.method} ${request.path}: HTTP ${response.status}`);
  return ms;
}

process.on('message', (job: ClientJob) => {
  void (async () => {
    let answer: ClientAnswer;
    try {
      const ms: number[] = [];
      for (const request of job.requests) ms.push(await timeRequest(job, request));
      answer = { ms };
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    process.send!(answer, undefined, {}, () => process.disconnect());
  })();
});
