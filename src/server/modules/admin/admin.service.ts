import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.ts';
import { migrate } from '../../db/migrate.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { ensureReferenceData } from '../registry/reference.service.ts';

/**
 * Who runs a command line: the OS account and host it runs under, and its pid. Recorded in the audit chain as the
 * actor of what the command writes (the command line has no signed-in user).
 */
export interface CommandLineClient {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
}

/** How the command reached the database: opening it itself, or through a running server's admin socket. */
export type CommandPath = 'direct' | 'admin socket';

/**
 * The audit context of a command-line write: actor `cli:<os user>@<host>` (role `cli`), a request id of its own,
 * and, where a request records its user agent, the command line's pid and path.
 */
export function commandLineContext(client: CommandLineClient, path: CommandPath): AuditContext {
  return {
    actor: { id: 'cli', login: `cli:${client.user}@${client.host}`, role: 'cli' },
    requestId: `cli-${randomUUID()}`,
    userAgent: `monazite cli (pid ${client.pid}, ${path})`,
  };
}

/**
 * Applies pending migrations and loads missing reference data, each recorded in the audit chain in its own
 * transaction (`schema.migrate`, `reference.load`); an up-to-date database is left as it is and nothing is recorded.
 */
export async function migrateAudited(
  db: Executor,
  context: AuditContext,
): Promise<{ applied: string[]; divisions: number }> {
  const applied = await migrate(db, {
    alsoWrite: (tx, names) =>
      recordAudit(tx, context, {
        action: 'schema.migrate',
        objectType: 'schema',
        objectId: names.at(-1) ?? '',
        after: { applied: names },
      }),
  });
  const { divisions } = await ensureReferenceData(db, context);
  return { applied, divisions };
}
