import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { adminCommands, isAdminCommandName, type CommandIo } from './admin.commands.ts';
import { commandLineContext } from './admin.service.ts';

/**
 * The running server's admin socket: a Unix domain socket beside its PGlite data directory (mode 0600, so only
 * the OS account that runs the server can connect), through which the CLI runs its database commands while the
 * server holds the directory. The protocol is one JSON line each way:
 *
 *   → {"v":1,"command":"token create","args":{…},"client":{"user":"…","host":"…","pid":123}}
 *   ← {"exitCode":0,"output":[{"stream":"out","text":"…"},…]}
 *
 * The command runs from the same table as on the direct path (admin.commands.ts), on the server's database handle,
 * with the command line's audit actor.
 */

export const ADMIN_PROTOCOL_VERSION = 1;
/** A request is a command name and its options: small. */
const MAX_REQUEST_BYTES = 64 * 1024;

export const adminRequest = z.object({
  v: z.literal(ADMIN_PROTOCOL_VERSION),
  command: z.string(),
  args: z.unknown(),
  client: z.object({ user: z.string().min(1).max(200), host: z.string().min(1).max(255), pid: z.number().int() }),
});
export type AdminRequest = z.infer<typeof adminRequest>;

export interface AdminOutput {
  readonly stream: 'out' | 'err';
  readonly text: string;
}
export interface AdminResponse {
  readonly exitCode: number;
  readonly output: readonly AdminOutput[];
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

export interface AdminSocketDeps {
  readonly database: DatabaseHandle;
  readonly config: Config;
  readonly log: (message: string) => void;
}

/** Opens the socket at `path` (replacing a stale one: the caller holds the data directory's lock). */
export async function openAdminSocket(path: string, deps: AdminSocketDeps): Promise<AdminSocket> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const server = createServer((socket) => serve(socket, deps));
  // The socket file is created by the bind inside listen(): with this umask it is never open to others, not even
  // for the moment before the chmod below.
  const umask = process.umask(0o177);
  try {
    await listen(server, path);
  } finally {
    process.umask(umask);
  }
  await chmod(path, 0o600);
  return {
    path,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await unlink(path).catch(() => undefined);
    },
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

function serve(socket: Socket, deps: AdminSocketDeps): void {
  let text = '';
  let answered = false;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    text += chunk.toString('utf8');
    if (text.length > MAX_REQUEST_BYTES) {
      answered = true;
      socket.destroy();
      return;
    }
    const end = text.indexOf('\n');
    if (end < 0) return;
    answered = true;
    void answer(text.slice(0, end), deps).then((response) => socket.end(`${JSON.stringify(response)}\n`));
  });
}

/** Runs one request line and collects what the command printed. */
export async function answer(line: string, deps: AdminSocketDeps): Promise<AdminResponse> {
  const output: AdminOutput[] = [];
  const io: CommandIo = {
    out: (text) => output.push({ stream: 'out', text }),
    err: (text) => output.push({ stream: 'err', text }),
  };
  let request: AdminRequest;
  try {
    request = adminRequest.parse(JSON.parse(line));
  } catch {
    return { exitCode: 2, output: [{ stream: 'err', text: 'The admin socket did not understand the request.' }] };
  }
  if (!isAdminCommandName(request.command)) {
    return { exitCode: 2, output: [{ stream: 'err', text: `Unknown command: ${request.command}` }] };
  }
  const context = commandLineContext(request.client, 'admin socket');
  let exitCode: number;
  try {
    exitCode = await adminCommands[request.command].run(
      { database: deps.database, config: deps.config, context, io, path: 'admin socket' },
      request.args,
    );
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    exitCode = 1;
  }
  deps.log(
    `admin socket: ${request.command} by ${context.actor.login} (pid ${request.client.pid}, request ${context.requestId}) → exit ${exitCode}`,
  );
  return { exitCode, output };
}
