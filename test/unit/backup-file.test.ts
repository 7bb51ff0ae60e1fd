import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupFile, writeBackupFile } from '../../src/server/modules/backup/backup.file.ts';
import {
  BACKUP_MAGIC,
  BackupFormatError,
  countDifferences,
  fillOrder,
  type BackupManifest,
} from '../../src/server/modules/backup/backup.rules.ts';

/** The backup container read as a parser of user bytes: every damage is a BackupFormatError naming it. */

const dump = Buffer.from('a dump of some kind, with bytes \u0000\u00ff in it '.repeat(20), 'latin1');
const sm3 = (bytes: Buffer) => createHash('sm3').update(bytes).digest();

const manifest: BackupManifest = {
  format_version: 1,
  engine: 'pglite',
  dump_format: 'pglite-datadir-tar-gz',
  schema_version: '20261207_0023_second_factor.sql',
  audit_head: { seq: 7, hash: 'ab'.repeat(32) },
  row_counts: { audit_entry: 7, division: 3238 },
  dump_bytes: dump.length,
  dump_sm3: sm3(dump).toString('hex'),
  created_at: '2026-12-08T01:00:00.000Z',
  monazite_version: '0.1.0',
};

/** A container made by hand: the manifest text as given, its digest right, the dump after it. */
function container(manifestText: string | Buffer, body: Buffer = dump, statedLength = body.length): Buffer {
  const json = typeof manifestText === 'string' ? Buffer.from(manifestText, 'utf8') : manifestText;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  const dumpLength = Buffer.alloc(8);
  dumpLength.writeBigUInt64BE(BigInt(statedLength));
  return Buffer.concat([BACKUP_MAGIC, length, json, sm3(json), dumpLength, body]);
}

describe('the backup file', () => {
  let directory: string;
  let good: Buffer;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-backup-file-'));
    await writeFile(join(directory, 'dump'), dump);
    await writeBackupFile(join(directory, 'good.mzb'), manifest, join(directory, 'dump'));
    good = await readFile(join(directory, 'good.mzb'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  let serial = 0;
  async function read(bytes: Buffer): Promise<BackupManifest> {
    serial += 1;
    const file = join(directory, `case-${serial}.mzb`);
    await writeFile(file, bytes);
    try {
      return await readBackupFile(file, `${file}.dump`);
    } finally {
      await rm(file, { force: true });
      await rm(`${file}.dump`, { force: true });
    }
  }

  it('reads back what was written: the manifest and the dump, byte for byte', async () => {
    const file = join(directory, 'good.mzb');
    expect(await readBackupFile(file, join(directory, 'out.dump'))).toEqual(manifest);
    expect(await readFile(join(directory, 'out.dump'))).toEqual(dump);
    expect(container(JSON.stringify(manifest, null, 2))).toEqual(good);
  });

  it('refuses every truncation of the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), async (length) => {
        await expect(read(good.subarray(0, length))).rejects.toBeInstanceOf(BackupFormatError);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses the file with any one byte changed, wherever it is', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const bytes = Buffer.from(good);
          bytes[at] = (bytes[at] ?? 0) ^ flip;
          await expect(read(bytes)).rejects.toBeInstanceOf(BackupFormatError);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('names what is wrong', async () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PK\u0003\u0004 a zip file, not a backup'), /bad magic/],
      [Buffer.alloc(0), /bad magic/],
      [BACKUP_MAGIC.subarray(0, 10), /bad magic/],
      [Buffer.concat([BACKUP_MAGIC, Buffer.from([0xff, 0xff, 0xff, 0xff])]), /manifest too large/],
      [container('{ not json'), /manifest is not JSON/],
      // Not UTF-8.
      [container(Buffer.from([0x22, 0xc3, 0x28, 0x22])), /manifest is not JSON/],
      [container(JSON.stringify({ ...manifest, dump_sm3: undefined })), /dump_sm3/],
      [container(JSON.stringify({ ...manifest, format_version: 2 })), /format_version/],
      [container(JSON.stringify({ ...manifest, engine: 'postgres' })), /pairs engine postgres/],
      [container(JSON.stringify(manifest), dump, dump.length + 1), /dump length/],
      [container(JSON.stringify({ ...manifest, dump_bytes: dump.length + 5 }), dump, dump.length + 5), /truncated/],
      [Buffer.concat([good, Buffer.from('more')]), /4 bytes after the dump/],
      [container(JSON.stringify({ ...manifest, dump_sm3: '00'.repeat(32) })), /digest mismatch: the dump's SM3/],
    ];
    for (const [bytes, message] of cases) await expect(read(bytes)).rejects.toThrow(message);
  });
});

describe('backup rules', () => {
  it('fills tables after the tables their foreign keys point at', () => {
    const targets = new Map([
      ['flow_line', ['flow_batch', 'enterprise']],
      ['flow_batch', ['enterprise']],
      ['enterprise', ['division']],
      ['division', []],
    ]);
    const order = fillOrder(['flow_line', 'flow_batch', 'enterprise', 'division', 'audit_entry'], targets);
    expect(order).toHaveLength(5);
    for (const [table, pointsAt] of targets)
      for (const target of pointsAt) expect(order.indexOf(target)).toBeLessThan(order.indexOf(table));
    expect(() =>
      fillOrder(
        ['a', 'b'],
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).toThrow(/cycle: a → b → a/);
  });

  it('lists the tables whose counts differ', () => {
    expect(countDifferences({ a: 1, b: 2, c: 3 }, { a: 1, b: 5, d: 0 })).toEqual([
      'b: the backup holds 2, restored 5',
      'c: the backup holds 3, restored (none)',
      'd: the backup holds (no table), restored 0',
    ]);
  });
});
