import { open } from 'node:fs/promises';
import { crc32, createInflateRaw } from 'node:zlib';

/**
 * A ZIP reader that trusts nothing the archive says about itself: the central directory is parsed with a cap
 * on entries and size, and an entry is inflated as a stream whose bytes are counted as they come out (against
 * a per-entry and a total budget), then checked against the declared size and CRC. Used for XLSX flow files
 * and to check that an evidence file said to be XLSX/DOCX is a ZIP holding the parts it should.
 */

/** Random access to the archive's bytes: a file on disk or a buffer. */
export interface ZipSource {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export function bufferSource(bytes: Uint8Array): ZipSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    read: async (position, length) => buffer.subarray(position, Math.min(buffer.length, position + length)),
    close: async () => undefined,
  };
}

export async function fileSource(path: string): Promise<ZipSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(position, length) {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** The archive is not a well-formed ZIP (or uses what this reader does not take: encryption, other methods). */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

/** A limit was passed: which (`entries`, `entry_bytes`, `total_bytes`) and its value. */
export class ZipLimitError extends Error {
  constructor(
    readonly limit: 'entries' | 'entry_bytes' | 'total_bytes',
    readonly max: number,
    readonly entry?: string,
  ) {
    super(`ZIP limit ${limit} (${max}) exceeded${entry ? ` in ${entry}` : ''}`);
    this.name = 'ZipLimitError';
  }
}

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  /** As declared: checked against what the entry really inflates to when it is read. */
  readonly declaredSize: number;
  readonly localHeaderOffset: number;
}

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** The central directory is read whole: a cap well above what `maxEntries` plain entries need. */
const CENTRAL_BYTES_PER_ENTRY = 1024;

/** Where the central directory is and how many entries it says it holds. */
async function findDirectory(source: ZipSource): Promise<{ offset: number; size: number; count: number }> {
  if (source.size < 22) throw new ZipFormatError('too short to be a ZIP archive');
  const tailLength = Math.min(source.size, 22 + MAX_COMMENT);
  const tail = await source.read(source.size - tailLength, tailLength);
  let at = -1;
  for (let index = tail.length - 22; index >= 0; index -= 1)
    if (tail.readUInt32LE(index) === EOCD && index + 22 + tail.readUInt16LE(index + 20) === tail.length) {
      at = index;
      break;
    }
  if (at < 0) throw new ZipFormatError('no end of central directory record');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locatorAt = at - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== EOCD64_LOCATOR)
      throw new ZipFormatError('ZIP64 end of central directory locator missing');
    const recordAt = Number(tail.readBigUInt64LE(locatorAt + 8));
    const record = await source.read(recordAt, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== EOCD64)
      throw new ZipFormatError('ZIP64 end of central directory record missing');
    count = safeNumber(record.readBigUInt64LE(32));
    size = safeNumber(record.readBigUInt64LE(40));
    offset = safeNumber(record.readBigUInt64LE(48));
  }
  if (offset + size > source.size) throw new ZipFormatError('the central directory lies outside the file');
  return { offset, size, count };
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a ZIP64 size is out of range');
  return Number(value);
}

/** The ZIP64 extra field's values for the fields the entry marks 0xFFFFFFFF, in the standard's order. */
function zip64Values(
  extra: Buffer,
  wants: { size: boolean; compressed: boolean; offset: boolean },
): { size?: number; compressed?: number; offset?: number } {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      const values: { size?: number; compressed?: number; offset?: number } = {};
      let field = at + 4;
      const take = (): number => {
        if (field + 8 > at + 4 + length) throw new ZipFormatError('a ZIP64 extra field is too short');
        const value = safeNumber(extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (wants.size) values.size = take();
      if (wants.compressed) values.compressed = take();
      if (wants.offset) values.offset = take();
      return values;
    }
    at += 4 + length;
  }
  throw new ZipFormatError('a ZIP64 extra field is missing');
}

/**
 * The archive's entries as its central directory lists them, refusing more than `maxEntries`, names given twice,
 * and entries that lie outside the file. Declared sizes are kept for the caller's early checks only.
 */
export async function readEntries(source: ZipSource, limits: Pick<ZipLimits, 'maxEntries'>): Promise<ZipEntry[]> {
  const { offset, size, count } = await findDirectory(source);
  if (count > limits.maxEntries) throw new ZipLimitError('entries', limits.maxEntries);
  if (size > (limits.maxEntries + 1) * CENTRAL_BYTES_PER_ENTRY) throw new ZipLimitError('entries', limits.maxEntries);
  const directory = await source.read(offset, size);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  for (let at = 0; at < directory.length;) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL)
      throw new ZipFormatError('a central directory entry is broken');
    if (entries.length >= limits.maxEntries) throw new ZipLimitError('entries', limits.maxEntries);
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ZipFormatError('a central directory entry runs past its end');
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    const name = nameBytes.toString(flags & 0x0800 ? 'utf8' : 'latin1');
    let declaredSize = directory.readUInt32LE(at + 24);
    let compressedSize = directory.readUInt32LE(at + 20);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    const wants = {
      size: declaredSize === 0xffffffff,
      compressed: compressedSize === 0xffffffff,
      offset: localHeaderOffset === 0xffffffff,
    };
    if (wants.size || wants.compressed || wants.offset) {
      const values = zip64Values(directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), wants);
      declaredSize = values.size ?? declaredSize;
      compressedSize = values.compressed ?? compressedSize;
      localHeaderOffset = values.offset ?? localHeaderOffset;
    }
    if (localHeaderOffset + 30 + compressedSize > source.size)
      throw new ZipFormatError(`the entry ${name} lies outside the file`);
    if (names.has(name)) throw new ZipFormatError(`the entry ${name} is listed twice`);
    names.add(name);
    entries.push({
      name,
      method: directory.readUInt16LE(at + 10),
      flags,
      crc: directory.readUInt32LE(at + 16),
      compressedSize,
      declaredSize,
      localHeaderOffset,
    });
    at = end;
  }
  if (entries.length !== count) throw new ZipFormatError('the central directory holds another number of entries');
  return entries;
}

/** Counts what entries inflate to, across every entry read with it. */
export class InflateBudget {
  total = 0;
  constructor(readonly limits: Pick<ZipLimits, 'maxEntryBytes' | 'maxTotalBytes'>) {}

  /** Refuses, before reading, an archive whose declared sizes already pass a limit. */
  checkDeclared(entries: readonly ZipEntry[]): void {
    let total = 0;
    for (const entry of entries) {
      if (entry.declaredSize > this.limits.maxEntryBytes)
        throw new ZipLimitError('entry_bytes', this.limits.maxEntryBytes, entry.name);
      total += entry.declaredSize;
      if (total > this.limits.maxTotalBytes) throw new ZipLimitError('total_bytes', this.limits.maxTotalBytes);
    }
  }
}

const READ_CHUNK = 64 * 1024;

/** Resolves when the stream wants more, or is gone (destroyed by the reader stopping early). */
function drained(
  stream: NodeJS.WritableStream & { once(event: string, listener: () => void): unknown },
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/**
 * An entry's bytes, inflated as they stream from the archive, each chunk counted against the budget before it
 * is handed on; at the end the count and CRC must be what the directory said. The compressed bytes are read
 * from the central directory's offset and size, not the local header's.
 */
export async function* entryChunks(source: ZipSource, entry: ZipEntry, budget: InflateBudget): AsyncGenerator<Buffer> {
  if (entry.flags & 0x0001) throw new ZipFormatError(`the entry ${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`the entry ${entry.name} uses compression method ${entry.method}`);
  const local = await source.read(entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL)
    throw new ZipFormatError(`the entry ${entry.name} has no local header`);
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (end > source.size) throw new ZipFormatError(`the entry ${entry.name} lies outside the file`);

  let produced = 0;
  let crc = 0;
  const count = (chunk: Buffer): Buffer => {
    produced += chunk.length;
    budget.total += chunk.length;
    if (produced > budget.limits.maxEntryBytes)
      throw new ZipLimitError('entry_bytes', budget.limits.maxEntryBytes, entry.name);
    if (budget.total > budget.limits.maxTotalBytes) throw new ZipLimitError('total_bytes', budget.limits.maxTotalBytes);
    crc = crc32(chunk, crc);
    return chunk;
  };
  async function* compressed(): AsyncGenerator<Buffer> {
    for (let position = start; position < end; position += READ_CHUNK) {
      const chunk = await source.read(position, Math.min(READ_CHUNK, end - position));
      if (chunk.length === 0) throw new ZipFormatError(`the entry ${entry.name} is cut short`);
      yield chunk;
    }
  }

  if (entry.method === 0) {
    for await (const chunk of compressed()) yield count(chunk);
  } else {
    const inflater = createInflateRaw({ chunkSize: READ_CHUNK });
    const feed = (async () => {
      try {
        for await (const chunk of compressed()) {
          if (inflater.destroyed) return;
          if (!inflater.write(chunk)) await drained(inflater);
        }
        inflater.end();
      } catch (error) {
        inflater.destroy(error as Error);
      }
    })();
    try {
      for await (const chunk of inflater) yield count(chunk as Buffer);
    } catch (error) {
      if (error instanceof ZipLimitError || error instanceof ZipFormatError) throw error;
      throw new ZipFormatError(`the entry ${entry.name} does not inflate: ${(error as Error).message}`);
    } finally {
      inflater.destroy();
      await feed;
    }
  }
  if (produced !== entry.declaredSize)
    throw new ZipFormatError(
      `the entry ${entry.name} inflates to ${produced} bytes where the archive says ${entry.declaredSize}`,
    );
  if (crc >>> 0 !== entry.crc >>> 0) throw new ZipFormatError(`the entry ${entry.name} fails its CRC check`);
}
