import { loadConfig } from '../server/config.ts';
import { DataDirLockedError } from '../server/db/data-dir-lock.ts';
import { printChain } from '../server/modules/admin/admin.commands.ts';
import { commandLineContext } from '../server/modules/admin/admin.service.ts';
import {
  BackupFormatError,
  PgToolError,
  restoreBackup,
  RestoreRefused,
  type RestoreResult,
} from '../server/modules/backup/index.ts';
import { thisClient } from './run-command.ts';

const io = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };

/**
 * `monazite restore FILE [--force]`. Not a command of the admin table: it replaces the whole database, so it opens
 * the target itself and never goes through a running server (a server holding the PGlite directory makes it
 * refuse). Exit code 0 restored and verified, 1 refused, or restored but differing from the manifest or with a broken
 * audit chain.
 */
export async function runRestoreCommand(file: string, force: boolean): Promise<number> {
  const config = loadConfig();
  const context = commandLineContext(thisClient(), 'direct');
  let result: RestoreResult;
  try {
    result = await restoreBackup({
      file,
      force,
      target: config.DATABASE_URL ? { url: config.DATABASE_URL } : { pgliteDataDir: config.PGLITE_DATA_DIR },
      context,
    });
  } catch (error) {
    if (error instanceof BackupFormatError) {
      io.err(`${file}: ${error.message}. Nothing was restored.`);
      return 1;
    }
    if (error instanceof DataDirLockedError) {
      io.err(error.message);
      if (error.holder.socket)
        io.err('A restore replaces the whole database, which cannot be done under a running server: stop it first.');
      return 1;
    }
    if (error instanceof RestoreRefused || error instanceof PgToolError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  return report(result);
}

function report(result: RestoreResult): number {
  const { manifest, restored } = result;
  io.out(
    `Restored the ${manifest.engine} backup of ${manifest.created_at} (Monazite ${manifest.monazite_version}, ` +
      `schema ${manifest.schema_version}).`,
  );
  if (result.applied.length > 0) io.out(`Migrated forward:\n  ${result.applied.join('\n  ')}`);
  const head = restored.auditHead;
  io.out(`Restored audit head: ${head ? `#${head.seq} ${head.hash}` : '(empty chain)'}`);
  io.out('Restored row counts:');
  const width = Math.max(...Object.keys(restored.rowCounts).map((table) => table.length));
  for (const [table, count] of Object.entries(restored.rowCounts)) io.out(`  ${table.padEnd(width)}  ${count}`);
  for (const problem of result.problems) io.err(`MISMATCH with the manifest: ${problem}`);
  const chain = printChain({ io }, result.chain);
  if (result.problems.length > 0) {
    io.err(`The restored database differs from the backup's manifest in ${result.problems.length} places.`);
    return 1;
  }
  return chain;
}
