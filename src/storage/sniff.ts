import fsp from 'node:fs/promises';
import path from 'node:path';
import { UnsupportedMediaTypeError } from '../core/errors';
import { StorageError } from './blob-store';
import { zipIsWithinBounds } from './zip-guard';

/**
 * Old Word and Excel files are OLE compound files (CFB), which file-type cannot tell apart; the
 * extension decides, and a CFB with any other extension (.msg, .ppt, .msi…) is refused.
 */
const CFB_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.doc': 'application/msword',
  '.xls': 'application/vnd.ms-excel',
};

/** The types a dossier may hold, as file-type names them. */
const ALLOWED = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'image/jpeg',
  'image/png',
  'image/tiff',
  ...Object.values(CFB_BY_EXTENSION),
]);

/** The allowed types that are ZIP archives underneath. */
const ZIP_BASED = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

/**
 * A browser that ignored our headers would run these as a web page. A polyglot (a PDF or image
 * whose first bytes also carry HTML/SVG/script) is refused. Only the head is read: it is what
 * browsers sniff, and in the formats we accept text there is binary, escaped XML or compressed.
 */
const ACTIVE_CONTENT = /<(?:script|html|body|svg|iframe|object|embed|!doctype\s+html)[\s/>]/i;
const HEAD_BYTES = 4096;

function refuse(name: string): never {
  throw new UnsupportedMediaTypeError('upload.unsupportedType', { name });
}

/**
 * The MIME type of a staged upload, from its content and never from its name or the client's
 * Content-Type. Anything outside the allowed list is a 415 naming the file. The work is bounded:
 * file-type reads headers only and caps what it inflates of a ZIP (DOCX/XLSX/ODF) at 1 MiB per
 * entry and 1,024 entries, so a zip bomb is never decompressed in full; the active-content check
 * reads 4 KiB; an archive's declared unpacked size is checked from its index (see zip-guard).
 */
export async function sniffMime(stagingPath: string, originalName: string): Promise<string> {
  // The `node` entry point (the package's main one for Node), named explicitly because jest
  // resolves packages with the `require` condition, which the bare specifier does not offer.
  const { fileTypeFromFile } = await import('file-type/node');
  let detected: string | undefined;
  try {
    detected = (await fileTypeFromFile(stagingPath))?.mime;
  } catch (err) {
    // A system error is the disk's fault; anything else is a file too broken to recognise.
    if ((err as { syscall?: unknown } | null)?.syscall !== undefined) throw new StorageError(err);
    refuse(originalName);
  }
  const mime =
    detected === 'application/x-cfb' ? CFB_BY_EXTENSION[path.extname(originalName).toLowerCase()] : detected;
  if (mime === undefined || !ALLOWED.has(mime)) refuse(originalName);
  if (ACTIVE_CONTENT.test(await onDisk(readHead(stagingPath)))) {
    throw new UnsupportedMediaTypeError('upload.activeContent', { name: originalName });
  }
  if (ZIP_BASED.has(mime) && !(await onDisk(zipIsWithinBounds(stagingPath)))) {
    throw new UnsupportedMediaTypeError('upload.suspiciousArchive', { name: originalName });
  }
  return mime;
}

/** A read of the staged file failing is the disk's fault, not the upload's. */
async function onDisk<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    throw new StorageError(err);
  }
}

async function readHead(file: string): Promise<string> {
  const handle = await fsp.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}
