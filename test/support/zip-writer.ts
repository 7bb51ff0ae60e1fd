import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A small ZIP writer for tests: entries in the order given, deflated or stored, and optionally a central
 * directory that lies about an entry's sizes (as a hostile file would). Enough to build workbooks whose parts
 * come in any order, and archive bombs.
 */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer | string;
  /** Store instead of deflate. */
  readonly stored?: boolean;
  /** Already deflated bytes (with the true uncompressed size and CRC given), for bombs built without inflating. */
  readonly deflated?: { readonly bytes: Buffer; readonly size: number; readonly crc: number };
  /** What the local header and central directory claim the uncompressed size is. */
  readonly claimedSize?: number;
}

export function zipOf(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const method = entry.stored ? 0 : 8;
    const body = entry.deflated ? entry.deflated.bytes : entry.stored ? raw : deflateRawSync(raw);
    const crc = entry.deflated ? entry.deflated.crc : crc32(raw);
    const size = entry.claimedSize ?? (entry.deflated ? entry.deflated.size : raw.length);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(Math.min(size, 0xffffffff), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(Math.min(size, 0xffffffff), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The entries of a ZIP (as this writer or any plain writer makes them), inflated: to re-zip in another order. */
export function unzipEntries(zip: Buffer): { name: string; data: Buffer }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: { name: string; data: Buffer }[] = [];
  for (let index = 0; index < count; index += 1) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const body = zip.subarray(dataAt, dataAt + compressed);
    entries.push({ name, data: method === 0 ? Buffer.from(body) : inflateRawSync(body) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * prefix + unit × count + suffix, deflated without ever holding the whole: the unit repeated to about 1 MiB,
 * deflated once with a full flush (so the block stands alone) and repeated. About 1 kB of deflate per MiB.
 */
export function deflatedRepeat(
  prefix: string,
  unit: string,
  count: number,
  suffix: string,
): { bytes: Buffer; size: number; crc: number } {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const head = Buffer.from(prefix, 'utf8');
  const unitBytes = Buffer.from(unit, 'utf8');
  const perPiece = Math.max(1, Math.floor((1024 * 1024) / unitBytes.length));
  const piece = Buffer.concat(Array.from({ length: perPiece }, () => unitBytes));
  const pieces = Math.floor(count / perPiece);
  const tail = Buffer.concat([
    ...Array.from({ length: count - pieces * perPiece }, () => unitBytes),
    Buffer.from(suffix, 'utf8'),
  ]);
  const deflatedPiece = deflateRawSync(piece, flush);
  const chunks: Buffer[] = [deflateRawSync(head, flush)];
  let crc = crc32(head);
  for (let index = 0; index < pieces; index += 1) {
    chunks.push(deflatedPiece);
    crc = crc32(piece, crc);
  }
  chunks.push(deflateRawSync(tail));
  crc = crc32(tail, crc);
  return { bytes: Buffer.concat(chunks), size: head.length + pieces * piece.length + tail.length, crc };
}
