import { closeWorkerPool } from '../server/shared/worker-pool.ts';
import { connect } from 'node:net';
import { hostname, userInfo } from 'node:os';
import cliProgress from 'cli-progress';
import { loadConfig } from '../server/config.ts';
import { DataDirLockedError } from '../server/db/data-dir-lock.ts';
import { keepStatistics } from '../server/db/statistics.ts';
import { openConfiguredDatabase } from '../server/main.ts';
import {
  adminCommands,
  type AdminCommandName,
  type CommandIo,
  type Progress,
} from '../server/modules/admin/admin.commands.ts';
import { commandLineContext, migrateAudited, type CommandLineClient } from '../server/modules/admin/admin.service.ts';
import { sealPendingAudit } from '../server/modules/audit/index.ts';
import { ADMIN_PROTOCOL_VERSION, type AdminRequest, type AdminResponse } from '../server/modules/admin/admin.socket.ts';

/** This command line, as the audit chain records it. */
export function thisClient(): CommandLineClient {
  return { user: userInfo().username, host: hostname(), pid: process.pid };
}

const consoleIo: CommandIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  progress: progressBar,
};

/**
 * Runs a database command of the CLI (admin.commands.ts) and resolves to its exit code. It opens the configured
 * database itself (taking a PGlite data directory's lock) and migrates it, audited, first; when a running server
 * holds the data directory, the command goes through the server's admin socket instead. Any other holder (another
 * command line) makes it refuse at once, naming the holder, having written nothing.
 */
export async function runDatabaseCommand(name: AdminCommandName, args: Record<string, unknown>): Promise<number> {
  const config = loadConfig();
  const client = thisClient();
  let database: Awaited<ReturnType<typeof openConfiguredDatabase>>;
  try {
    database = await openConfiguredDatabase(config);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const socket = error.holder.socket;
    const answer = socket
      ? await sendToServer(socket, { v: ADMIN_PROTOCOL_VERSION, command: name, args, client })
      : null;
    if (answer) return printAnswer(answer);
    console.error(error.message);
    if (socket)
      console.error(
        `Its admin socket ${socket} does not answer (yet): if the server is starting, try again in a moment.`,
      );
    return 1;
  }
  // As the server does: a large import gets its tables analysed after it commits (ADR 0009), before the exit.
  const statistics = keepStatistics(database, {
    log: { info: () => undefined, warn: (message, error) => console.error(`${message}: ${String(error)}`) },
  });
  try {
    const context = commandLineContext(client, 'direct');
    if (name !== 'migrate') {
      await migrateAudited(database.db, context);
      await sealPendingAudit(database.db);
    }
    return await adminCommands[name].run({ database, config, context, io: consoleIo, path: 'direct' }, args);
  } finally {
    await statistics.idle();
    await statistics.stop();
    await closeWorkerPool();
    await database.close();
  }
}

/** One request over the admin socket; null when nothing listens there. */
async function sendToServer(path: string, request: AdminRequest): Promise<AdminResponse | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && ['ENOENT', 'ECONNREFUSED'].includes(error.code ?? '')) resolve(null);
      else reject(error);
    });
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as AdminResponse);
      } catch {
        reject(new Error(`The server's admin socket ${path} gave no answer: see the server's log.`));
      }
    });
  });
}

function printAnswer(answer: AdminResponse): number {
  for (const item of answer.output) (item.stream === 'out' ? console.log : console.error)(item.text);
  return answer.exitCode;
}

function progressBar(totalBytes: number): Progress {
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
  return {
    bytes: (read) => bar.update(read),
    rows: (read) => bar.update({ rows: read }),
    stop: () => bar.stop(),
  };
}
