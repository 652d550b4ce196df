import fsp from 'node:fs/promises';
import path from 'node:path';
import { UnsupportedMediaTypeError } from '../http/errors';
import { StorageError } from './blob-store';

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
 * reads 4 KiB.
 */
export async function sniffMime(stagingPath: string, originalName: string): Promise<string> {
  const { fileTypeFromFile } = await import('file-type');
  let detected: string | undefined;
  try {
    detected = (await fileTypeFromFile(stagingPath))?.mime;
  } catch (err) {
    // A system error is the disk's fault; anything else is a file too broken to recognise.
    if ((err as { syscall?: unknown }).syscall !== undefined) throw new StorageError(err);
    refuse(originalName);
  }
  const mime =
    detected === 'application/x-cfb' ? CFB_BY_EXTENSION[path.extname(originalName).toLowerCase()] : detected;
  if (mime === undefined || !ALLOWED.has(mime)) refuse(originalName);
  if (ACTIVE_CONTENT.test(await readHead(stagingPath))) {
    throw new UnsupportedMediaTypeError('upload.activeContent', { name: originalName });
  }
  return mime;
}

async function readHead(file: string): Promise<string> {
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
      return buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new StorageError(err);
  }
}
