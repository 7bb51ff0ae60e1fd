import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The backup file (docs/operations.md, "Backup and restore"): one file, a small container of two parts.
 *
 *   magic            16 bytes  "MONAZITE-BACKUP\n"
 *   manifest length   4 bytes  unsigned, big-endian, at most MAX_MANIFEST_BYTES
 *   manifest               …   manifest.json, UTF-8
 *   manifest SM3     32 bytes  the manifest's digest (the dump's is in the manifest): any byte changed is found
 *   dump length       8 bytes  unsigned, big-endian; exactly the bytes left in the file
 *   dump                   …   pg_dump's custom format (PostgreSQL) or PGlite's data-directory tar.gz
 *
 * Reading it is parsing bytes someone handed us: every length is checked against its limit and against what the file
 * holds before anything is read by it, and each problem is a `BackupFormatError` naming what is wrong.
 */

export const BACKUP_MAGIC = Buffer.from('MONAZITE-BACKUP\n', 'latin1');
export const BACKUP_FORMAT_VERSION = 1;
/** The manifest is a few hundred table counts: 256 KiB is far more than it needs. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
const MANIFEST_LENGTH_BYTES = 4;
const MANIFEST_DIGEST_BYTES = 32;
const DUMP_LENGTH_BYTES = 8;
/** After the manifest: its digest and the dump's length. */
export const MANIFEST_TRAILER_BYTES = MANIFEST_DIGEST_BYTES + DUMP_LENGTH_BYTES;
/** Where the manifest starts. */
export const MANIFEST_OFFSET = BACKUP_MAGIC.length + MANIFEST_LENGTH_BYTES;

export const DUMP_FORMATS = { pglite: 'pglite-datadir-tar-gz', postgres: 'pg_dump-custom' } as const;

const tableName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a table name');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const backupManifest = z.strictObject({
  format_version: z.literal(BACKUP_FORMAT_VERSION),
  engine: z.enum(['pglite', 'postgres']),
  dump_format: z.enum([DUMP_FORMATS.pglite, DUMP_FORMATS.postgres]),
  /** The latest migration applied when the backup was made. */
  schema_version: z.string().regex(/^\d{8}_\d{4}_[a-z0-9_]+\.sql$/, 'must be a migration file name'),
  /** The newest sealed audit entry at the backup (null: an empty chain). */
  audit_head: z.strictObject({ seq: count, hash: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
  row_counts: z.record(tableName, count),
  dump_bytes: count,
  dump_sm3: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hexadecimal digits'),
  created_at: z.iso.datetime({ offset: true }),
  monazite_version: z.string().min(1).max(100),
});
export type BackupManifest = z.infer<typeof backupManifest>;

/** What is wrong with a backup file, as a sentence for the operator. */
export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFormatError';
  }
}

const sm3 = (bytes: Buffer): Buffer => createHash('sm3').update(bytes).digest();

/** The bytes before the dump: magic, manifest and the dump's length. */
export function encodeHeader(manifest: BackupManifest): Buffer {
  const json = Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
  if (json.length > MAX_MANIFEST_BYTES) throw new BackupFormatError(`the manifest is too large (${json.length} bytes)`);
  const manifestLength = Buffer.alloc(MANIFEST_LENGTH_BYTES);
  manifestLength.writeUInt32BE(json.length);
  const dumpLength = Buffer.alloc(DUMP_LENGTH_BYTES);
  dumpLength.writeBigUInt64BE(BigInt(manifest.dump_bytes));
  return Buffer.concat([BACKUP_MAGIC, manifestLength, json, sm3(json), dumpLength]);
}

/** Checks the magic and reads the manifest's length (from the first MANIFEST_OFFSET bytes of the file). */
export function readManifestLength(start: Buffer, fileBytes: number): number {
  if (start.length < BACKUP_MAGIC.length || !start.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC))
    throw new BackupFormatError('not a Monazite backup (bad magic: the file does not start with MONAZITE-BACKUP)');
  if (start.length < MANIFEST_OFFSET) throw new BackupFormatError('truncated: the file ends inside its header');
  const length = start.readUInt32BE(BACKUP_MAGIC.length);
  if (length > MAX_MANIFEST_BYTES)
    throw new BackupFormatError(`manifest too large: ${length} bytes (at most ${MAX_MANIFEST_BYTES})`);
  if (MANIFEST_OFFSET + length + MANIFEST_TRAILER_BYTES > fileBytes)
    throw new BackupFormatError('truncated: the file ends inside its manifest');
  return length;
}

/**
 * Parses the manifest's bytes and the digest and dump length after them (`trailer`); the dump must fill the rest of
 * the file exactly.
 */
export function parseManifest(
  bytes: Buffer,
  trailer: Buffer,
  fileBytes: number,
): { manifest: BackupManifest; dumpOffset: number } {
  if (!sm3(bytes).equals(trailer.subarray(0, MANIFEST_DIGEST_BYTES)))
    throw new BackupFormatError('manifest digest mismatch (the manifest was altered or damaged)');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new BackupFormatError('the manifest is not JSON');
  }
  const parsed = backupManifest.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
    throw new BackupFormatError(`the manifest is not a backup manifest: ${problems.join('; ')}`);
  }
  const manifest = parsed.data;
  if (manifest.dump_format !== DUMP_FORMATS[manifest.engine])
    throw new BackupFormatError(
      `the manifest pairs engine ${manifest.engine} with dump format ${manifest.dump_format}`,
    );
  const dumpOffset = MANIFEST_OFFSET + bytes.length + MANIFEST_TRAILER_BYTES;
  const stated = trailer.readBigUInt64BE(MANIFEST_DIGEST_BYTES);
  if (stated !== BigInt(manifest.dump_bytes))
    throw new BackupFormatError(`the dump length (${stated}) differs from the manifest's (${manifest.dump_bytes})`);
  const present = fileBytes - dumpOffset;
  if (present < manifest.dump_bytes)
    throw new BackupFormatError(`truncated: the dump has ${present} of its ${manifest.dump_bytes} bytes`);
  if (present > manifest.dump_bytes)
    throw new BackupFormatError(`${present - manifest.dump_bytes} bytes after the dump: not one backup file`);
  return { manifest, dumpOffset };
}

/** How the restored database differs from the manifest's row counts: one line per table that differs. */
export function countDifferences(
  expected: Readonly<Record<string, number>>,
  actual: Readonly<Record<string, number>>,
): string[] {
  const tables = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return tables
    .filter((table) => expected[table] !== actual[table])
    .map(
      (table) => `${table}: the backup holds ${expected[table] ?? '(no table)'}, restored ${actual[table] ?? '(none)'}`,
    );
}

/**
 * The order to fill tables in so that every foreign key finds its row: a table after the tables it points at
 * (references to itself aside). A cycle between tables cannot be filled this way: that is a schema this copy does not
 * know how to handle, and an assertion.
 */
export function fillOrder(tables: readonly string[], targets: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string, path: readonly string[]) => {
    const seen = state.get(table);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`foreign keys form a cycle: ${[...path, table].join(' → ')}`);
    state.set(table, 'visiting');
    for (const target of targets.get(table) ?? []) if (tables.includes(target)) visit(target, [...path, table]);
    state.set(table, 'done');
    order.push(table);
  };
  for (const table of [...tables].sort()) visit(table, []);
  return order;
}
