import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * PGlite is one process's database: a second process that opens the same data directory works on its own copy
 * and its writes vanish. So the first process to open a data directory takes a lock: a file beside the
 * directory (`<dir>.lock`), created with O_EXCL, holding its pid, host, start time and command. A lock whose
 * pid is dead on this host is stale and taken over (with a log line); any other holder makes the opener
 * refuse at once with `DataDirLockedError`, before it touches the database.
 *
 * The running server's admin socket (`<dir>.sock`) sits beside it: the lock says where it is.
 */

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  /** What the holder runs, e.g. `serve` or `import flows.csv …`. */
  readonly command: string;
  /** The admin socket of a running server (absent for a CLI command holding the directory). */
  readonly socket?: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

/** Where the lock and the admin socket of a data directory live: beside it, so PGlite's own files stay its own. */
export function lockPathOf(dataDir: string): string {
  const absolute = resolve(dataDir);
  return join(dirname(absolute), `${basename(absolute)}.lock`);
}
export function socketPathOf(dataDir: string): string {
  const absolute = resolve(dataDir);
  return join(dirname(absolute), `${basename(absolute)}.sock`);
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(lockedMessage(dataDir, lockPath, holder));
    this.name = 'DataDirLockedError';
  }
}

function lockedMessage(dataDir: string, lockPath: string, holder: LockHolder): string {
  const who = `pid ${holder.pid} on ${holder.host} (monazite ${holder.command}, since ${holder.started_at})`;
  const remote = holder.host !== hostname();
  return (
    `The embedded database at ${dataDir} is in use by ${who}; only one process may open it.\n` +
    (holder.socket
      ? 'That is a running server: stop it first (SIGTERM or Ctrl-C) to open the directory yourself; the CLI ' +
        'commands migrate, demo, token create, import, summaries rebuild, audit verify and backup go through its admin ' +
        'socket while it runs.\n'
      : 'Wait for that command to finish, or stop it, and try again.\n') +
    (remote
      ? `The lock was taken on another host, so this one cannot tell whether it is still alive: if ${holder.host} ` +
        `no longer runs it, remove ${lockPath}.`
      : `If that process is gone, the lock is taken over on the next start (nothing to remove by hand).`)
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another account.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | null | 'missing'> {
  // The holder writes its line right after creating the file: an empty file is one being written.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as LockHolder;
      if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string') return parsed;
    } catch {
      // not written yet, or not ours: look again
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return null;
}

/** Creates the file only if it does not exist (O_CREAT | O_EXCL) and writes the holder into it. */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(holder)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Takes the lock of a PGlite data directory for this process, or throws `DataDirLockedError` naming the holder.
 * `socket` is recorded for a server that will open its admin socket there.
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: { readonly socket?: string; readonly log?: (line: string) => void } = {},
): Promise<DataDirLock> {
  const path = lockPathOf(dataDir);
  await mkdir(dirname(path), { recursive: true });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started_at: new Date().toISOString(),
    command: process.argv.slice(2).join(' ') || 'monazite',
    ...(options.socket ? { socket: options.socket } : {}),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await createExclusive(path, holder)) return held(path, holder);
    const current = await readHolder(path);
    if (current === 'missing') continue;
    if (current === null) {
      // Unreadable for a second: a holder that died between creating and writing it, or a stray file.
      const age = Date.now() - (await stat(path)).mtimeMs;
      if (age < 10_000) await new Promise((done) => setTimeout(done, 500));
      else await takeOver(path, `unreadable lock file ${path}`, log);
      continue;
    }
    if (current.host === holder.host && current.pid !== process.pid && !isAlive(current.pid)) {
      await takeOver(
        path,
        `stale lock of pid ${current.pid} (monazite ${current.command}, since ${current.started_at}), which is no longer running`,
        log,
      );
      continue;
    }
    throw new DataDirLockedError(dataDir, path, current);
  }
  throw new Error(`Could not take the lock ${path}: it kept changing hands. Try again.`);
}

/**
 * Removes a stale lock. A guard file taken with O_EXCL keeps two processes that both found it stale from
 * removing each other's new lock.
 */
async function takeOver(path: string, why: string, log: (line: string) => void): Promise<void> {
  const guard = `${path}.takeover`;
  const guardHolder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started_at: new Date().toISOString(),
    command: 'lock takeover',
  };
  if (!(await createExclusive(guard, guardHolder))) {
    const other = await readHolder(guard);
    const abandoned = other === null || (other !== 'missing' && other.host === hostname() && !isAlive(other.pid));
    if (abandoned) await unlink(guard).catch(() => undefined);
    else await new Promise((done) => setTimeout(done, 200));
    return;
  }
  try {
    const again = await readHolder(path);
    // Still the stale one (or unreadable): remove it. A fresh lock taken meanwhile by a live process stays.
    if (again !== 'missing' && (again === null || !isAlive(again.pid) || again.host !== hostname())) {
      await unlink(path).catch(() => undefined);
      log(`monazite: took over the ${why}`);
    }
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function held(path: string, holder: LockHolder): DataDirLock {
  let released = false;
  // A process that ends without closing (an uncaught error, process.exit) still leaves no lock behind;
  // one killed outright leaves a stale lock, which the next opener takes over.
  const onExit = () => {
    if (!released) releaseSync(path, holder);
  };
  process.once('exit', onExit);
  return {
    path,
    holder,
    release: async () => {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      releaseSync(path, holder);
    },
  };
}

/** Removes the lock file if it is still this holder's. */
function releaseSync(path: string, holder: LockHolder): void {
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    if (current.pid === holder.pid && current.started_at === holder.started_at) unlinkSync(path);
  } catch {
    // gone already, or someone else's now
  }
}
