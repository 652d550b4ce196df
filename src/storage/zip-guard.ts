import fsp, { type FileHandle } from 'node:fs/promises';

/**
 * DOCX, XLSX, ODT and ODS are ZIP archives. Before one is accepted its central directory (the
 * index at the end, which Word and Excel trust) is read, without inflating anything, and the
 * archive is refused when what it declares it unpacks to is a zip bomb: more than 2 GiB, or
 * more than 100 MiB at over 250 times its own size (real office XML compresses 5–30 times; a
 * deflate bomb approaches 1,000). Malformed indexes, bytes after the end record (another file
 * glued on: a polyglot) and absurd entry counts are refused as well. Reads at most ~8 MiB.
 */
const MAX_UNPACKED_BYTES = 2 * 1024 ** 3;
const RATIO_FLOOR_BYTES = 100 * 1024 ** 2;
const MAX_RATIO = 250;
const MAX_ENTRIES = 10_000;
const MAX_DIRECTORY_BYTES = 8 * 1024 ** 2;

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_LENGTH = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const CENTRAL_ENTRY_LENGTH = 46;
const ZIP64_EXTRA_ID = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

interface Directory {
  entries: number;
  offset: number;
  size: number;
  /** Where the directory must end: the ZIP64 end record if there is one, else the end record. */
  end: number;
}

/** Whether the ZIP archive at `file` is safe to accept; false for a bomb, a polyglot or a broken index. */
export async function zipIsWithinBounds(file: string): Promise<boolean> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const directory = await readDirectoryLocation(handle, size);
    if (
      !directory ||
      directory.entries > MAX_ENTRIES ||
      directory.size > MAX_DIRECTORY_BYTES ||
      directory.offset + directory.size > directory.end
    ) {
      return false;
    }
    const unpacked = sumUnpackedSizes(await readAt(handle, directory.offset, directory.size), directory.entries);
    if (unpacked === undefined || unpacked > MAX_UNPACKED_BYTES) return false;
    return unpacked <= RATIO_FLOOR_BYTES || unpacked <= MAX_RATIO * size;
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * Finds the end-of-central-directory record. Its comment must run exactly to the end of the
 * file: anything after it is not part of the archive.
 */
async function readDirectoryLocation(handle: FileHandle, size: number): Promise<Directory | undefined> {
  const tailStart = Math.max(0, size - (EOCD_LENGTH + U16_MAX));
  const tail = await readAt(handle, tailStart, size - tailStart);
  for (let i = tail.length - EOCD_LENGTH; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE || i + EOCD_LENGTH + tail.readUInt16LE(i + 20) !== tail.length) continue;
    const eocd = tailStart + i;
    const entries = tail.readUInt16LE(i + 10);
    const directorySize = tail.readUInt32LE(i + 12);
    const offset = tail.readUInt32LE(i + 16);
    if (entries !== U16_MAX && directorySize !== U32_MAX && offset !== U32_MAX) {
      return { entries, offset, size: directorySize, end: eocd };
    }
    return readZip64Location(handle, eocd);
  }
  return undefined;
}

async function readZip64Location(handle: FileHandle, eocd: number): Promise<Directory | undefined> {
  if (eocd < ZIP64_LOCATOR_LENGTH) return undefined;
  const locator = await readAt(handle, eocd - ZIP64_LOCATOR_LENGTH, ZIP64_LOCATOR_LENGTH);
  if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) return undefined;
  const recordAt = Number(locator.readBigUInt64LE(8));
  if (recordAt + 56 > eocd) return undefined;
  const record = await readAt(handle, recordAt, 56);
  if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) return undefined;
  return {
    entries: Number(record.readBigUInt64LE(32)),
    size: Number(record.readBigUInt64LE(40)),
    offset: Number(record.readBigUInt64LE(48)),
    end: recordAt,
  };
}

/** The total of the declared uncompressed sizes, or undefined when the directory does not parse. */
function sumUnpackedSizes(directory: Buffer, entries: number): number | undefined {
  let total = 0;
  let at = 0;
  for (let n = 0; n < entries; n++) {
    if (at + CENTRAL_ENTRY_LENGTH > directory.length || directory.readUInt32LE(at) !== CENTRAL_ENTRY_SIGNATURE) return undefined;
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const extraStart = at + CENTRAL_ENTRY_LENGTH + nameLength;
    let unpacked = directory.readUInt32LE(at + 24);
    if (unpacked === U32_MAX) {
      const real = zip64UncompressedSize(directory.subarray(extraStart, extraStart + extraLength));
      if (real === undefined) return undefined;
      unpacked = real;
    }
    total += unpacked;
    at = extraStart + extraLength + commentLength;
  }
  return total;
}

/** In the ZIP64 extra field the 64-bit uncompressed size comes first when the 32-bit one is saturated. */
function zip64UncompressedSize(extra: Buffer): number | undefined {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA_ID && length >= 8 && at + 12 <= extra.length) return Number(extra.readBigUInt64LE(at + 4));
    at += 4 + length;
  }
  return undefined;
}
