import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileEvent } from '../../src/server/modules/flows/flow-files.events.ts';
import { readFlowFile } from '../../src/server/modules/flows/flow-files.reader.ts';
import { inspectFile } from '../../src/server/modules/flows/flow-files.service.ts';
import { readFlowFileOffThread } from '../../src/server/modules/flows/flow-files.stream.ts';
import { DomainError } from '../../src/server/shared/errors.ts';
import { closeWorkerPool } from '../../src/server/shared/worker-pool.ts';
import { csvOf, xlsxOf } from './file-helpers.ts';

/**
 * Flow files are parsed in a worker thread (issue 22, item 2): the events, their order and a file's problems are
 * exactly what the reader gives on the request thread; the events come in batches the ingest asks for; stopping
 * early frees the worker.
 */

const produce = (index: number) => ({
  事件编号: `P-${index}`,
  类型: '生产',
  事件时间: '2026-03-05 08:30',
  批次号: `B${index}`,
  产品代码: 'BASTNAESITE_CONC',
  '质量(kg)': String(1000 + index),
  '品位(ppm)': '500000',
});

const directory = mkdtemp(join(tmpdir(), 'monazite-offthread-'));
let files = 0;
async function fileOf(bytes: Buffer | string) {
  const path = join(await directory, `flows-${(files += 1)}`);
  await writeFile(path, bytes);
  return inspectFile(path);
}

async function collect(events: AsyncIterable<FileEvent>): Promise<FileEvent[]> {
  const all: FileEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

afterAll(async () => {
  await closeWorkerPool();
  await rm(await directory, { recursive: true, force: true });
});

describe('flow files parsed in a worker thread', () => {
  it('gives the same events as the reader, for CSV over several batches and for XLSX', async () => {
    const rows = Array.from({ length: 1_234 }, (_, index) => produce(index + 1));
    const csv = await fileOf(csvOf(rows));
    const expected = await collect(readFlowFile(csv));
    expect(expected).toHaveLength(1_234);
    const reported: number[] = [];
    expect(await collect(readFlowFileOffThread(csv, (bytes) => reported.push(bytes)))).toEqual(expected);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.at(-1)).toBeLessThanOrEqual(csv.bytes);

    const xlsx = await fileOf(await xlsxOf(rows.slice(0, 40)));
    expect(await collect(readFlowFileOffThread(xlsx))).toEqual(await collect(readFlowFile(xlsx)));
  });

  it("throws a file's problem as the reader does: the same status, code, words and rows", async () => {
    const bad = await fileOf(csvOf([], ['事件编号', '类型', '事件时间', '批次号', '产品代码', '重量', '类型']));
    const inline = await collect(readFlowFile(bad)).catch((error: unknown) => error);
    const offThread = await collect(readFlowFileOffThread(bad)).catch((error: unknown) => error);
    expect(inline).toBeInstanceOf(DomainError);
    expect(offThread).toBeInstanceOf(DomainError);
    const { status, code, detail, errors } = offThread as DomainError;
    expect({ status, code, detail, errors }).toEqual({
      status: (inline as DomainError).status,
      code: (inline as DomainError).code,
      detail: (inline as DomainError).detail,
      errors: (inline as DomainError).errors,
    });
    expect(status).toBe(422);
  });

  it('lets the reader stop early, and the worker takes the next file', async () => {
    const big = await fileOf(csvOf(Array.from({ length: 3_000 }, (_, index) => produce(index + 1))));
    const first: FileEvent[] = [];
    for await (const event of readFlowFileOffThread(big)) {
      first.push(event);
      if (first.length === 10) break;
    }
    expect(first.map((event) => (event.event as { event_id: string }).event_id)).toEqual(
      Array.from({ length: 10 }, (_, index) => `P-${index + 1}`),
    );
    const small = await fileOf(csvOf([produce(7)]));
    expect(await collect(readFlowFileOffThread(small))).toEqual(await collect(readFlowFile(small)));
  });
});
