import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { crc32 } from 'node:zlib';
import { type Entry, fromBufferPromise, openPromise, type ZipFile } from 'yauzl';

export interface ZipEntry {
  name: string;
  utf8: boolean;
  sha256: string;
  base64: string;
}

/** The entry's bytes, checked against the CRC-32 its central directory records (yauzl checks sizes, not CRCs). */
async function readEntry(zip: ZipFile, entry: Entry): Promise<ZipEntry> {
  const bytes = await buffer(await zip.openReadStreamPromise(entry));
  if (crc32(bytes) !== entry.crc32) throw new Error(`CRC-32 mismatch in ${entry.fileName}`);
  return {
    name: entry.fileName,
    utf8: (entry.generalPurposeBitFlag & 0x800) !== 0,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    base64: bytes.toString('base64'),
  };
}

/** Every entry in central-directory order. */
function readEntries(zip: ZipFile): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: ZipEntry[] = [];
    zip.on('error', reject);
    zip.on('end', () => resolve(entries));
    zip.on('entry', (entry: Entry) => {
      readEntry(zip, entry).then((read) => {
        entries.push(read);
        zip.readEntry();
      }, reject);
    });
    zip.readEntry();
  });
}

/**
 * Names are kept as written, never rewritten: with strictFileNames a backslash, an absolute path or
 * a `..` segment fails the read instead of being turned into a safe name behind the test's back.
 */
const options = { lazyEntries: true, strictFileNames: true } as const;

/** Reads a ZIP file with yauzl, checking each entry's size and CRC-32. */
export async function readZip(file: string): Promise<ZipEntry[]> {
  const zip = await openPromise(file, options);
  try {
    return await readEntries(zip);
  } finally {
    zip.close();
  }
}

/** The same, for ZIP bytes in memory. */
export async function readZipBuffer(zip: Buffer): Promise<ZipEntry[]> {
  return readEntries(await fromBufferPromise(zip, options));
}
