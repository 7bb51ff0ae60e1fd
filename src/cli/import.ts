import { userInfo } from 'node:os';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { creditCode, month, type RowError, type SubmissionResult } from '../contracts/flows.ts';
import { loadConfig } from '../server/config.ts';
import { migrate } from '../server/db/migrate.ts';
import { keepStatistics } from '../server/db/statistics.ts';
import { openConfiguredDatabase } from '../server/main.ts';
import { importFlowFile, inspectFile } from '../server/modules/flows/flow-files.service.ts';
import { findByCreditCode } from '../server/modules/registry/enterprises.repository.ts';
import { DomainError } from '../server/shared/errors.ts';

const importOptions = z.object({
  enterprise: creditCode,
  period: month.optional(),
  onError: z.enum(['rollback', 'proceed']).default('rollback'),
  json: z.boolean().default(false),
});
/** As commander gives them; checked here. */
export interface ImportCommandOptions {
  readonly enterprise: string;
  readonly period?: string;
  readonly onError?: string;
  readonly json?: boolean;
}

/** Row errors shown in the table; --json gives them all. */
const SHOWN_ERRORS = 50;

/**
 * `monazite import FILE --enterprise CODE`: a flow file (CSV or XLSX, docs/flows-files.md) into the configured
 * database as one submission, with a progress bar on stderr. Exit code 0 stored (or replayed), 1 refused,
 * 2 bad arguments.
 */
export async function runImportCommand(file: string, raw: ImportCommandOptions): Promise<number> {
  const parsed = importOptions.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const flag = String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
      console.error(`--${flag}: ${issue.message}`);
    }
    return 2;
  }
  const options = parsed.data;
  const database = await openConfiguredDatabase(loadConfig());
  // As the server does: a large import gets its tables analysed after it commits (ADR 0009), before the exit.
  const statistics = keepStatistics(database, {
    log: { info: () => undefined, warn: (message, error) => console.error(`${message}: ${String(error)}`) },
  });
  try {
    await migrate(database.db);
    const enterprise = await findByCreditCode(database.db, options.enterprise);
    if (!enterprise) {
      console.error(`--enterprise: no enterprise with credit code ${options.enterprise} in the register`);
      return 2;
    }
    const started = performance.now();
    const inspected = await inspectFile(file);
    const bar = progressBar(inspected.bytes);
    try {
      const result = await importFlowFile(
        database,
        {
          source: 'cli',
          enterpriseId: enterprise.id,
          createdBy: `cli:${userInfo().username}`,
          fileName: basename(file),
          errorBehaviour: options.onError,
          ...(options.period === undefined ? {} : { period: options.period }),
          onBytes: (bytes) => bar.update(bytes),
          onProgress: (rows) => bar.update({ rows }),
        },
        inspected,
      );
      bar.update(inspected.bytes);
      bar.stop();
      report(result, options.json, performance.now() - started);
      return 0;
    } catch (error) {
      bar.stop();
      if (!(error instanceof DomainError)) throw error;
      refused(file, error, options.json);
      return 1;
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    refused(file, error, options.json);
    return 1;
  } finally {
    await statistics.idle();
    await statistics.stop();
    await database.close();
  }
}

function progressBar(totalBytes: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'importing |{bar}| {percentage}% | {value}/{total} bytes | {rows} rows',
      noTTYOutput: true, // a log or a pipe gets a line every half second
      notTTYSchedule: 500,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalBytes, 0, { rows: 0 });
  return bar;
}

function report(result: SubmissionResult, json: boolean, elapsedMs: number): void {
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const replay = result.replayed ? ' (this file was imported before: nothing changed, first answer shown)' : '';
  console.log(`Submission ${result.submission_id}${replay}`);
  console.log(
    `  received ${result.received}, accepted ${result.accepted}, unchanged ${result.unchanged}, rejected ${result.rejected}`,
  );
  if (!result.replayed) {
    const rate = Math.round(result.received / (elapsedMs / 1000));
    console.log(`  ${(elapsedMs / 1000).toFixed(1)} s, ${rate.toLocaleString('en-US')} events/s`);
  }
  if (result.errors.length > 0) printErrors(result.errors);
}

function refused(file: string, error: DomainError, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ status: error.status, code: error.code, detail: error.detail, errors: error.errors }));
    return;
  }
  console.error(`${file}: refused, nothing stored. ${error.detail}`);
  if (error.errors.length > 0) printErrors(error.errors.map((item) => ({ row: item.row ?? 0, ...item })));
}

function printErrors(errors: readonly RowError[]): void {
  const rows = errors
    .slice(0, SHOWN_ERRORS)
    .map((item) => [String(item.row), item.event_id ?? '', item.field, item.message]);
  const widths = [3, 8, 5].map((min, column) => Math.max(min, ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < 3 ? pad(cell, widths[column] ?? 0) : cell)).join('  ');
  console.error(line(['row', 'event id', 'field', 'message']));
  for (const row of rows) console.error(line(row));
  if (errors.length > SHOWN_ERRORS)
    console.error(`… and ${errors.length - SHOWN_ERRORS} more (use --json to see them all)`);
}

/** Chinese characters take two columns in a terminal. */
const displayWidth = (text: string): number =>
  [...text].reduce((width, char) => width + (/[\u1100-\uFFFF]/.test(char) ? 2 : 1), 0);
const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
