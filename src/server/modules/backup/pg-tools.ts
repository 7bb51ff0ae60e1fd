import { spawn } from 'node:child_process';

/**
 * PostgreSQL's own client tools, pg_dump and pg_restore (Debian: postgresql-client), run without a shell. The
 * database is given with --dbname; its password, if the URL has one, goes in PGPASSWORD instead, so it does not
 * show in the process list.
 */

/** What a tool printed on stderr is kept up to this many characters (its last ones). */
const MAX_STDERR = 16 * 1024;

export class PgToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgToolError';
  }
}

function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

async function run(tool: 'pg_dump' | 'pg_restore', args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new PgToolError(`${tool} was not found: install PostgreSQL's client tools (Debian: postgresql-client).`)
          : error,
      ),
    );
    child.once('close', resolve);
  });
  if (code !== 0) throw new PgToolError(`${tool} failed (exit ${code}):\n${stderr.trimEnd()}`);
}

/** pg_dump's custom format of the database into `file`, as of `snapshot` (an exported snapshot) when given. */
export async function pgDump(url: string, file: string, snapshot?: string): Promise<void> {
  const { dbname, env } = connection(url);
  await run(
    'pg_dump',
    ['--format=custom', `--file=${file}`, ...(snapshot ? [`--snapshot=${snapshot}`] : []), `--dbname=${dbname}`],
    env,
  );
}

/**
 * Restores a custom-format dump into the (empty) database, in one transaction: all of it or nothing. Owners and
 * grants are not restored: the restoring role owns what it creates.
 */
export async function pgRestore(url: string, file: string): Promise<void> {
  const { dbname, env } = connection(url);
  await run(
    'pg_restore',
    ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file],
    env,
  );
}
