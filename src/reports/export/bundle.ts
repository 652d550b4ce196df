import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, pipeline as pipeStreams } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReadStreamOptions, ZipFile } from 'yazl';
import { type Lang } from '../../core/vocabulary';
import { t } from '../../i18n/messages';
import { UTF8_BOM, csvRecord } from './csv';
import type { BundleFile, BundleInput } from './export.model';
import { claimName, safeEntryName } from './zip-names';

const MANIFEST_NAME = 'manifest.csv';
/**
 * UTF-8 bytes: each name well below the 255-byte limit of common file systems, and folder/file
 * together (about 200 Vietnamese characters) inside Windows' 260-character path limit.
 */
const FOLDER_NAME_BYTES = 120;
const FILE_NAME_BYTES = 160;
/** Deflating these again costs time and saves nothing. */
const ALREADY_COMPRESSED =
  /^(image\/(jpeg|png|gif|webp)|application\/(zip|gzip|x-7z-compressed|vnd\.openxmlformats-officedocument\..+|vnd\.oasis\.opendocument\..+))$/;

interface PlacedFile {
  path: string;
  file: BundleFile;
}

/**
 * Streams one unit's bundle to `out` as a ZIP: the report at the top level, `manifest.csv`
 * (UTF-8 with BOM: path, original name, item, size, SHA-256, type, uploader, time), and each
 * current file as `<item folder>/<itemCode> - <original name>`, names made safe and unique.
 * Files are opened one at a time as the ZIP reaches them, and each is checked against its
 * recorded size and SHA-256 on the way, so the manifest never vouches for bytes it did not see.
 * Ends `out` when done; on any failure (a file missing or altered in storage, `out` closed early)
 * it rejects and `out` is destroyed, so a client never takes a truncated ZIP for a whole one.
 */
export async function writeUnitBundle(input: BundleInput, out: NodeJS.WritableStream): Promise<void> {
  const { reportPath, files } = layOut(input);
  const zip = new ZipFile();
  const abort = new AbortController();
  let failure: unknown;
  let reading: Readable | undefined;
  const fail = (error: unknown) => {
    failure ??= error;
    reading?.destroy();
    abort.abort(error);
  };
  zip.on('error', fail);

  const addLazily = (path: string, options: Partial<ReadStreamOptions>, open: () => Promise<Readable>) => {
    zip.addReadStreamLazy(path, options, (done) => {
      // yazl goes on pumping entries after `out` fails; opening more files would only leak them.
      if (failure !== undefined) return;
      open().then((stream) => {
        reading = stream;
        // yazl does not listen for errors of the streams it reads.
        stream.on('error', fail);
        done(null, stream);
      }, fail);
    });
  };

  addLazily(reportPath, {}, async () => {
    const report = await input.report.open();
    return Buffer.isBuffer(report) ? Readable.from([report]) : owned(report, new PassThrough());
  });
  zip.addBuffer(manifestCsv(files, input.lang), MANIFEST_NAME);
  for (const placed of files) {
    const { file } = placed;
    const mtime = new Date(file.uploadedAt);
    addLazily(
      placed.path,
      { size: file.size, compress: !ALREADY_COMPRESSED.test(file.mime), ...(Number.isNaN(mtime.getTime()) ? {} : { mtime }) },
      () => Promise.resolve().then(() => owned(file.open(), sha256Check(file))),
    );
  }
  zip.end();

  try {
    await pipeline(zip.outputStream, out, { signal: abort.signal });
  } catch (error) {
    fail(error);
    throw failure;
  }
}

/** Where each entry goes: the manifest and report at the top, then one folder per item. */
function layOut(input: BundleInput): { reportPath: string; files: PlacedFile[] } {
  const topLevel = new Set<string>();
  claimName(topLevel, MANIFEST_NAME);
  const reportPath = claimName(topLevel, safeEntryName(input.report.name, FILE_NAME_BYTES));
  const folders = new Map<string, { name: string; taken: Set<string> }>();
  const files = input.files.map((file): PlacedFile => {
    let folder = folders.get(file.itemCode);
    if (!folder) {
      const name = claimName(topLevel, safeEntryName(`${file.itemCode} - ${file.itemTitle}`, FOLDER_NAME_BYTES));
      folder = { name, taken: new Set() };
      folders.set(file.itemCode, folder);
    }
    const name = claimName(folder.taken, safeEntryName(`${file.itemCode} - ${file.name}`, FILE_NAME_BYTES));
    return { path: `${folder.name}/${name}`, file };
  });
  return { reportPath, files };
}

function manifestCsv(files: PlacedFile[], lang: Lang): Buffer {
  const header = csvRecord([
    t(lang, 'export.manifest.path'),
    t(lang, 'export.manifest.originalName'),
    t(lang, 'export.manifest.item'),
    t(lang, 'export.manifest.itemTitle'),
    t(lang, 'export.manifest.size'),
    t(lang, 'export.manifest.sha256'),
    t(lang, 'export.manifest.mime'),
    t(lang, 'export.manifest.uploadedBy'),
    t(lang, 'export.manifest.uploadedAt'),
  ]);
  const rows = files.map(({ path, file }) =>
    csvRecord([path, file.name, file.itemCode, file.itemTitle, file.size, file.sha256, file.mime, file.uploadedBy, file.uploadedAt]),
  );
  return Buffer.from(UTF8_BOM + header + rows.join(''), 'utf8');
}

/**
 * `source` read through `through`, which the bundle can destroy to release `source` (an open file)
 * when the download fails; an error of `source` surfaces as an error of `through`.
 */
function owned(source: NodeJS.ReadableStream, through: Transform): Transform {
  // The bundle listens to `through` for errors; nothing more to do here.
  pipeStreams(source, through, () => undefined);
  return through;
}

/** Passes the bytes on and fails at the end if they are not the ones the manifest lists. */
function sha256Check(file: BundleFile): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest('hex');
      callback(actual === file.sha256.toLowerCase() ? null : new Error(`${file.name}: stored bytes have SHA-256 ${actual}, expected ${file.sha256}`));
    },
  });
}
