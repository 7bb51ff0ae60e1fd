import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BackupFormatError,
  encodeHeader,
  MANIFEST_OFFSET,
  MANIFEST_TRAILER_BYTES,
  parseManifest,
  readManifestLength,
  type BackupManifest,
} from './backup.rules.ts';

/** Writing and reading the backup container (backup.rules.ts says its layout). */

/** SM3 of a file's bytes, as hexadecimal. */
export async function sm3OfFile(path: string): Promise<string> {
  const hash = createHash('sm3');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Writes the backup: header, then the dump file's bytes. It is written beside `out` and renamed into place, so `out`
 * is either the whole backup or not there; readable by the owner only (it holds the whole database).
 */
export async function writeBackupFile(out: string, manifest: BackupManifest, dumpFile: string): Promise<void> {
  const partial = `${out}.partial`;
  try {
    const sink = createWriteStream(partial, { mode: 0o600 });
    await new Promise<void>((resolve, reject) =>
      sink.write(encodeHeader(manifest), (error) => (error ? reject(error) : resolve())),
    );
    await pipeline(createReadStream(dumpFile), sink);
    // On disk before it takes the name: a backup that a crash can leave half-written is no backup.
    const written = await open(partial, 'r+');
    try {
      await written.sync();
    } finally {
      await written.close();
    }
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Reads a backup: checks the header against its limits, copies the dump out to `dumpFile` while hashing it, and
 * refuses (BackupFormatError) unless its SM3 is the manifest's. Nothing but `dumpFile` is written.
 */
export async function readBackupFile(path: string, dumpFile: string): Promise<BackupManifest> {
  const { manifest, dumpOffset } = await readHeader(path);
  const hash = createHash('sm3');
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  if (manifest.dump_bytes === 0) throw new BackupFormatError('the dump is empty');
  await pipeline(
    createReadStream(path, { start: dumpOffset, end: dumpOffset + manifest.dump_bytes - 1 }),
    tee,
    createWriteStream(dumpFile, { mode: 0o600 }),
  );
  const digest = hash.digest('hex');
  if (digest !== manifest.dump_sm3)
    throw new BackupFormatError(
      `digest mismatch: the dump's SM3 is ${digest}, the manifest says ${manifest.dump_sm3} (the file was altered or damaged)`,
    );
  return manifest;
}

async function readHeader(path: string): Promise<{ manifest: BackupManifest; dumpOffset: number }> {
  const { size, handle } = await openForReading(path);
  try {
    const start = Buffer.alloc(Math.min(MANIFEST_OFFSET, size));
    await readFully(handle, start, 0);
    const length = readManifestLength(start, size);
    const rest = Buffer.alloc(length + MANIFEST_TRAILER_BYTES);
    await readFully(handle, rest, MANIFEST_OFFSET);
    return parseManifest(rest.subarray(0, length), rest.subarray(length), size);
  } finally {
    await handle.close();
  }
}

async function openForReading(path: string): Promise<{ size: number; handle: FileHandle }> {
  try {
    const handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new BackupFormatError('not a file');
    }
    return { size: info.size, handle };
  } catch (error) {
    if (error instanceof BackupFormatError) throw error;
    throw new BackupFormatError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Fills `buffer` from `position` on; the caller has checked the file holds that many bytes. */
async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new BackupFormatError('truncated: the file ended while it was being read');
    done += bytesRead;
  }
}
