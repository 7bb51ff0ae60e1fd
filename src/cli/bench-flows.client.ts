import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * The bench's HTTP client, run as a process of its own (as a user's client is). It receives one job over IPC and
 * answers with the times in ms (each answer read whole):
 * - `sequence`: the requests one after the other;
 * - `peak`: waves of requests, each wave sent all at once (the next when the last of it has answered), while
 *   readers send their requests one after the other, round and round, until the last wave is done.
 * An answer other than 2xx ends the job with its status.
 */

export interface ClientRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  /** The bearer token; the job's when absent, none when null (a public route). */
  readonly token?: string | null;
}

export type ClientJob =
  | {
      readonly kind: 'sequence';
      readonly url: string;
      readonly token: string;
      readonly requests: readonly ClientRequest[];
    }
  | {
      readonly kind: 'peak';
      readonly url: string;
      readonly token: string;
      readonly waves: readonly (readonly ClientRequest[])[];
      readonly readers: readonly ClientRequest[];
    };

export interface PeakTimes {
  /** Each upload's time, in the order of the waves. */
  readonly uploads: number[];
  readonly wall_ms: number;
  /** Each reader request's time, by the request's index in `readers`. */
  readonly reads: { readonly index: number; readonly ms: number }[];
}

export type ClientAnswer = { readonly ms: number[] } | { readonly peak: PeakTimes } | { readonly error: string };

/**
 * Connections kept open between requests, as an API client keeps them. node:http rather than fetch: Node 20's
 * fetch (undici) adds ~0.3 ms a request at p50 and 1–3 ms at p99 on this machine, in the client, which is not what
 * the server answers in (ADR 0013).
 */
const agent = new http.Agent({ keepAlive: true });

function send(url: string, request: ClientRequest, bearer: string | null): Promise<{ status: number; text: string }> {
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      `${url}${request.path}`,
      {
        method: request.method,
        agent,
        headers: {
          ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function timeRequest(url: string, token: string, request: ClientRequest): Promise<number> {
  const began = performance.now();
  const { status, text } = await send(url, request, request.token === undefined ? token : request.token);
  const ms = performance.now() - began;
  if (status < 200 || status > 299)
    throw new Error(`${request.method} ${request.path}: HTTP ${status} ${text.slice(0, 300)}`);
  return ms;
}

async function peak(job: Extract<ClientJob, { kind: 'peak' }>): Promise<PeakTimes> {
  const uploads: number[] = [];
  const reads: { index: number; ms: number }[] = [];
  let done = false;
  const reader = (async () => {
    for (let index = 0; !done && job.readers.length > 0; index = (index + 1) % job.readers.length)
      reads.push({ index, ms: await timeRequest(job.url, job.token, job.readers[index]!) });
  })();
  const began = performance.now();
  try {
    for (const wave of job.waves)
      uploads.push(...(await Promise.all(wave.map((request) => timeRequest(job.url, job.token, request)))));
  } finally {
    done = true;
  }
  const wall_ms = performance.now() - began;
  await reader;
  return { uploads, wall_ms, reads };
}

process.on('message', (job: ClientJob) => {
  void (async () => {
    let answer: ClientAnswer;
    try {
      if (job.kind === 'peak') answer = { peak: await peak(job) };
      else {
        const ms: number[] = [];
        for (const request of job.requests) ms.push(await timeRequest(job.url, job.token, request));
        answer = { ms };
      }
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    process.send!(answer, undefined, {}, () => process.disconnect());
  })();
});
