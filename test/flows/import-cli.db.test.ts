import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import type { SubmissionResult } from '../../src/contracts/flows.ts';
import { freshDatabase, type TestDatabase } from '../support/database.ts';
import { BAYAN, csvOf } from './file-helpers.ts';

/**
 * `monazite import` as an operator runs it: a child process against its own PostgreSQL database. The
 * acceptance test: killing the process in the middle of a large import leaves no partial submission, and
 * sending the file again stores it once. PostgreSQL only (a PGlite data directory is one process's at a time).
 */

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

describe('monazite import (PostgreSQL)', () => {
  let database: TestDatabase;
  let directory: string;
  let bayanId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    directory = await mkdtemp(join(tmpdir(), 'monazite-import-'));
    const row = await database.db
      .selectFrom('enterprise')
      .select('id')
      .where('credit_code', '=', BAYAN)
      .executeTakeFirstOrThrow();
    bayanId = row.id;
  });
  afterAll(async () => {
    await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  function run(args: readonly string[], onStderr?: (text: string, child: ChildProcess) => void): Run {
    const child = spawn(process.execPath, ['bin/monazite.mjs', 'import', ...args], {
      env: { ...process.env, DATABASE_READ_URL: '', ...database.env, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, child);
    });
    const done = once(child, 'close').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout,
      stderr,
    }));
    return { child, done };
  }

  const lineCount = async (): Promise<number> =>
    Number(
      (
        await database.db
          .selectFrom('flow_line')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('enterprise_id', '=', bayanId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const submissionCount = async (): Promise<number> =>
    Number(
      (
        await database.db
          .selectFrom('flow_submission')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('enterprise_id', '=', bayanId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** `count` valid produce events, one batch each, through March 2026. */
  async function largeFile(count: number): Promise<string> {
    const path = join(directory, `large-${count}.csv`);
    const out = createWriteStream(path);
    out.write('事件编号,类型,事件时间,批次号,产品代码,质量(kg),品位(ppm)\n');
    for (let index = 0; index < count; index += 1) {
      const day = String(1 + (index % 28)).padStart(2, '0');
      const minute = String(index % 60).padStart(2, '0');
      const line = `BIG-${index},生产,2026-03-${day} 08:${minute},BIGB-${index},BASTNAESITE_CONC,1000,500000\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return path;
  }

  it('refuses a bad file with exit code 1 and a table of row, column and message, storing nothing', async () => {
    const path = join(directory, 'bad.csv');
    await writeFile(
      path,
      csvOf([
        {
          事件编号: 'CLI-1',
          类型: '生产',
          事件时间: '2026-03-05 08:30',
          批次号: 'CB-1',
          产品代码: 'ND2O3',
          '质量(kg)': '10.5',
        },
      ]),
    );
    const before = await lineCount();
    const result = await run([path, '--enterprise', BAYAN]).done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('refused, nothing stored');
    expect(result.stderr).toMatch(/2\s+CLI-1\s+质量\(kg\)\s+must be a whole number of kg/);
    expect(await lineCount()).toBe(before);
  }, 60_000);

  it('refuses an unknown enterprise and a bad option with exit code 2', async () => {
    const path = join(directory, 'bad.csv');
    const unknown = await run([path, '--enterprise', makeCreditCode('91', '150206', 'MA0B9999')]).done;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no enterprise with credit code');
    const option = await run([path, '--enterprise', BAYAN, '--on-error', 'maybe']).done;
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--on-error');
  }, 60_000);

  it('killed mid-way through a large import leaves nothing; sent again it is stored once, then replayed', async () => {
    const rows = 100_000; // tens of seconds on PostgreSQL: time enough to kill it mid-way
    const path = await largeFile(rows);
    let killedAt = -1;
    const killed = await run([path, '--enterprise', BAYAN], (stderr, child) => {
      const percents = [...stderr.matchAll(/\|\s*(\d+)% \|/g)].map((match) => Number(match[1]));
      const last = percents.at(-1) ?? 0;
      if (killedAt < 0 && last >= 25 && last <= 75) {
        killedAt = last;
        child.kill('SIGKILL');
      }
    }).done;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThanOrEqual(25);
    expect(await lineCount()).toBe(0);
    expect(await submissionCount()).toBe(0);

    const started = performance.now();
    const complete = await run([path, '--enterprise', BAYAN, '--json']).done;
    const seconds = (performance.now() - started) / 1000;
    expect(complete.code, complete.stderr).toBe(0);
    const first = JSON.parse(complete.stdout) as SubmissionResult;
    expect(first).toMatchObject({ source: 'cli', received: rows, accepted: rows, rejected: 0, replayed: false });
    expect(await lineCount()).toBe(rows);
    console.log(`monazite import: ${rows} events in ${seconds.toFixed(1)} s, ${Math.round(rows / seconds)} events/s`);

    const again = await run([path, '--enterprise', BAYAN, '--json']).done;
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ replayed: true, submission_id: first.submission_id });
    expect(await lineCount()).toBe(rows);
    expect(await submissionCount()).toBe(1);
  }, 600_000);
});
