import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../src/config';
import { ValidationError } from '../src/core/errors';
import { errorHandler } from '../src/http/error-handler';
import { chooseLanguage } from '../src/http/language';
import { requestLogger } from '../src/http/logger';
import {
  ABANDONED_STAGING_MS,
  type BlobStore,
  createBlobStore,
  LocalBlobStore,
  nodeStorageFs,
  receiveUploads,
  safeDisplayName,
  sendBlob,
  sniffMime,
  type StorageFs,
} from '../src/storage';
import { buildDocx, readSample, type Sample, samples } from './helpers/sample-files';

const MIME = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const VIETNAMESE_NAME = 'Sổ theo dõi BVCTNB 2023.pdf';
const MAX_BYTES = 64 * 1024;
const MAX_FILES = 3;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const workDirs: string[] = [];
afterAll(async () => {
  // A staging write still pending after its request was answered would show up here.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(workDirs.flatMap(openFilesUnder)).toEqual([]);
  for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh data directory with its store, optionally over a filesystem that fails on cue. */
function makeStore(faults: Partial<StorageFs> = {}): { store: LocalBlobStore; dataDir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-storage-'));
  workDirs.push(dataDir);
  return { store: new LocalBlobStore(path.join(dataDir, 'files'), path.join(dataDir, 'tmp'), { ...nodeStorageFs, ...faults }), dataDir };
}

function systemError(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code, errno: -1, syscall: 'injected' });
}

async function storedBlobs(store: BlobStore): Promise<string[]> {
  const all: string[] = [];
  for await (const sha of store.listBlobs()) all.push(sha);
  return all;
}

function stagingLeftovers(store: BlobStore): string[] {
  return fs.existsSync(store.stagingDir) ? fs.readdirSync(store.stagingDir) : [];
}

/** Files of this process still open under `dir` (Linux); none may outlive a request. */
function openFilesUnder(dir: string): string[] {
  const fdDir = '/proc/self/fd';
  if (!fs.existsSync(fdDir)) return [];
  return fs.readdirSync(fdDir).flatMap((fd) => {
    try {
      const target = fs.readlinkSync(path.join(fdDir, fd));
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return []; // the descriptor closed while we looked
    }
  });
}

/** What `promise` settles to, or 'still pending' if it hangs (a leak: nothing would ever close its file). */
async function settledOrPending<T>(promise: Promise<T>): Promise<T | 'still pending'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'still pending'>((resolve) => {
    timer = setTimeout(resolve, 5000, 'still pending');
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

interface FileRow {
  sha256: string;
  name: string;
  mime: string;
  size: number;
}

/**
 * A tiny app shaped like the dossier routes: receive into staging, commit every blob, then
 * "commit the row" (a Map here), and download through sendBlob; errors through the real handler.
 */
function uploadApp(store: BlobStore, maxBytes = MAX_BYTES): { app: Express; rows: Map<string, FileRow> } {
  const rows = new Map<string, FileRow>();
  const app = express();
  app.use(requestLogger(pino({ level: 'silent' })));
  app.use(cookieParser());
  app.use(chooseLanguage('vi'));
  app.post('/api/v1/test/files', async (req, res) => {
    const staged = await receiveUploads(req, res, { field: 'file', maxBytes, maxFiles: MAX_FILES, store });
    try {
      for (const file of staged) await store.commit(file);
    } catch (err) {
      await Promise.all(staged.map((file) => store.discard(file)));
      throw err;
    }
    const created = staged.map((f) => ({ sha256: f.sha256, name: f.originalName, mime: f.mime, size: f.size }));
    for (const row of created) rows.set(row.sha256, row);
    res.status(201).json(created);
  });
  app.get('/api/v1/test/files/:sha256', async (req, res) => {
    const row = rows.get(req.params.sha256) ?? { sha256: req.params.sha256, name: 'tệp.pdf', mime: MIME.pdf, size: 1 };
    await sendBlob(res, store, row);
  });
  app.use(errorHandler);
  return { app, rows };
}

function upload(app: Express, files: { content: Buffer | string; name: string }[], field = 'file') {
  let req = request(app).post('/api/v1/test/files');
  for (const f of files) req = req.attach(field, Buffer.from(f.content), { filename: f.name });
  return req;
}

const BOUNDARY = 'hoso-ranh-gioi-7f3a';

/** A multipart body written by hand, for what a well-behaved client library would never send. */
function multipartBody(parts: { name: string; disposition?: string; content: Buffer | string }[], { final = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${part.disposition ?? ''}\r\n`));
    if (part.disposition) chunks.push(Buffer.from('Content-Type: application/octet-stream\r\n'));
    chunks.push(Buffer.from('\r\n'), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  if (final) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function postRaw(app: Express, body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  return request(app).post('/api/v1/test/files').set('Content-Type', contentType).send(body);
}

describe('safeDisplayName', () => {
  it('keeps a Vietnamese name, composed (NFC)', () => {
    expect(safeDisplayName(VIETNAMESE_NAME)).toBe(VIETNAMESE_NAME);
    expect(safeDisplayName(VIETNAMESE_NAME.normalize('NFD'))).toBe(VIETNAMESE_NAME);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['C:\\Users\\Hồng\\Hồ sơ kết nạp.pdf', 'Hồ sơ kết nạp.pdf'],
    ['bien-ban.pdf\u0000.exe', 'bien-ban.pdf.exe'],
    ['hoa-don-\u202Efdp.exe', 'hoa-don-fdp.exe'],
    ['\u2067ảnh\u2069 \u200Fchụp\u200E.png', 'ảnh chụp.png'],
    ['dòng\r\nmới\t.docx', 'dòngmới.docx'],
    ['....', 'tep-tai-len'],
    ['.pdf', 'tep-tai-len.pdf'],
    ['../', 'tep-tai-len'],
    ['   ', 'tep-tai-len'],
    ['', 'tep-tai-len'],
  ])('makes %j safe as %j', (original, safe) => {
    expect(safeDisplayName(original)).toBe(safe);
  });

  it('caps a 1,000-character name at 255 characters and keeps the extension', () => {
    const name = safeDisplayName(`${'Biên bản kiểm tra '.repeat(56)}.pdf`);
    expect(Array.from(name)).toHaveLength(255);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(name.startsWith('Biên bản kiểm tra Biên bản')).toBe(true);
  });

  it('never splits a character outside the BMP when cutting', () => {
    const name = safeDisplayName(`${'📄'.repeat(400)}.pdf`);
    expect(name).toBe(`${'📄'.repeat(251)}.pdf`);
  });

  it('always yields a short, flat, printable name, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (original) => {
        const safe = safeDisplayName(original);
        expect(safe.length).toBeGreaterThan(0);
        expect(Array.from(safe).length).toBeLessThanOrEqual(255);
        expect(safe).not.toMatch(/[/\\\p{Cc}\u202A-\u202E\u2066-\u2069\u200E\u200F]/u);
        expect(safe).not.toMatch(/^\.*$/);
        expect(safe).not.toMatch(/\p{Cs}/u);
        expect(safeDisplayName(safe)).toBe(safe);
      }),
    );
  });
});

describe('sniffMime', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-sniff-'));
  workDirs.push(dir);
  const staged = (bytes: Buffer) => {
    const file = path.join(dir, randomUUID());
    fs.writeFileSync(file, bytes);
    return file;
  };
  // The OLE compound-file signature and an empty header sector: what an old .doc/.xls begins with.
  const cfb = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]);

  it.each([
    ['Quyết định kết nạp.doc', 'application/msword'],
    ['Danh sách đảng viên.XLS', 'application/vnd.ms-excel'],
  ])('types an old Office file %j by its extension', async (name, mime) => {
    await expect(sniffMime(staged(cfb), name)).resolves.toBe(mime);
  });

  it('refuses an OLE compound file that is not a .doc or .xls', async () => {
    await expect(sniffMime(staged(cfb), 'thư điện tử.msg')).rejects.toMatchObject({ status: 415, messageKey: 'upload.unsupportedType' });
  });

  it('accepts a TIFF scan', async () => {
    // A 1×1 little-endian TIFF: header, one IFD with width, height, bits, strip offset and count.
    const tiff = Buffer.from(
      '49492a0008000000050000010300010000000100000001010300010000000100000002010300010000000800000011010400010000004a0000001701040001000000010000000000000000',
      'hex',
    );
    await expect(sniffMime(staged(tiff), 'ban-chup.tif')).resolves.toBe('image/tiff');
  });
});

describe('uploads', () => {
  it('store the bytes once under their SHA-256 and give them back byte for byte', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const pdf = readSample('pdf');

    const res = await upload(app, [{ content: pdf, name: VIETNAMESE_NAME }]);

    expect(res.status).toBe(201);
    expect(res.body).toEqual([{ sha256: sha256(pdf), name: VIETNAMESE_NAME, mime: MIME.pdf, size: pdf.length }]);
    const blob = fs.readFileSync(store.blobPath(sha256(pdf)));
    expect(blob.equals(pdf)).toBe(true);
    expect(path.relative(store.filesDir, store.blobPath(sha256(pdf)))).toBe(path.join(sha256(pdf).slice(0, 2), sha256(pdf).slice(2, 4), sha256(pdf)));

    const download = await request(app).get(`/api/v1/test/files/${sha256(pdf)}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(download.status).toBe(200);
    expect((download.body as Buffer).equals(pdf)).toBe(true);
    expect(stagingLeftovers(store)).toEqual([]);
  });

  it('of the same content twice keep one blob', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const docx = readSample('docx');

    const first = await upload(app, [{ content: docx, name: 'Danh sách đảng viên.docx' }]);
    const second = await upload(app, [{ content: docx, name: 'Danh sách đảng viên (bản sao).docx' }]);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body[0]).toMatchObject({ sha256: sha256(docx), name: 'Danh sách đảng viên (bản sao).docx' });
    expect(await storedBlobs(store)).toEqual([sha256(docx)]);
    expect(stagingLeftovers(store)).toEqual([]);
  });

  it('type each file by its content, several at once', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const kinds: Sample[] = ['png', 'jpeg', 'xlsx'];

    // Names that lie: the content decides.
    const res = await upload(app, kinds.map((k) => ({ content: readSample(k), name: `tệp-${k}.pdf` })));

    expect(res.status).toBe(201);
    expect(res.body.map((f: FileRow) => f.mime)).toEqual([MIME.png, MIME.jpeg, MIME.xlsx]);
    expect((await storedBlobs(store)).sort()).toEqual(kinds.map((k) => sha256(readSample(k))).sort());
  });

  it.each([
    ['an HTML page named .pdf', 'htmlNamedPdf' as const, samples.htmlNamedPdf],
    ['an SVG drawing named .pdf', 'svg' as const, 'so-do-to-chuc.pdf'],
  ])('refuse %s with 415, keeping nothing', async (_what, sample, name) => {
    const { store } = makeStore();
    const { app } = uploadApp(store);

    const res = await upload(app, [{ content: readSample(sample), name }]);

    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toContain(`Tệp "${name}" không thuộc loại được phép`);
    expect(await storedBlobs(store)).toEqual([]);
    expect(stagingLeftovers(store)).toEqual([]);
  });

  it('refuse a PDF that carries an HTML page (a polyglot)', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const polyglot = `%PDF-1.4\n%<html><body><script>alert(document.cookie)</script></body></html>\n${readSample('pdf').subarray(9).toString('latin1')}`;

    const res = await upload(app, [{ content: Buffer.from(polyglot, 'latin1'), name: 'Biên bản.pdf' }]);

    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('có chứa mã trang web');
    expect(stagingLeftovers(store)).toEqual([]);
  });

  it.each([
    ['[Content_Types].xml', '[Content_Types].xml' as const],
    ['word/document.xml', 'word/document.xml' as const],
  ])('refuse a DOCX zip bomb in %s without inflating it', async (_where, entry) => {
    const { store } = makeStore();
    const { app } = uploadApp(store, 4 * 1024 * 1024);
    // 160 MiB of spaces deflate to about 160 KiB.
    const bomb = await buildDocx(['Danh sách đảng viên'], { entry, bytes: 160 * 1024 * 1024 });
    expect(bomb.length).toBeLessThan(1024 * 1024);

    const res = await upload(app, [{ content: bomb, name: 'Danh sách đảng viên.docx' }]);

    expect(res.status).toBe(415);
    expect(await storedBlobs(store)).toEqual([]);
    expect(stagingLeftovers(store)).toEqual([]);
  });

  it('refuse an archive with another file glued after it', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const glued = Buffer.concat([readSample('docx'), readSample('pdf')]);

    const res = await upload(app, [{ content: glued, name: 'Danh sách.docx' }]);

    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('cấu trúc nén bất thường');
  });

  it('over the size limit answer 413 and leave nothing behind', async () => {
    const { store, dataDir } = makeStore();
    const { app } = uploadApp(store);
    const big = Buffer.concat([readSample('pdf'), Buffer.alloc(MAX_BYTES)]);

    const res = await upload(app, [{ content: big, name: 'Sổ theo dõi (bản quét).pdf' }]);

    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'payload_too_large', message: 'Tệp quá lớn: mỗi tệp tối đa 0.06 MB' });
    expect(stagingLeftovers(store)).toEqual([]);
    expect(await storedBlobs(store)).toEqual([]);
    expect(openFilesUnder(dataDir)).toEqual([]);
  });

  it('declared far over the limit are refused before anything is written', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);

    const res = await upload(app, [{ content: Buffer.alloc(4 * 1024 * 1024, 1), name: 'Ảnh chụp.png' }]);

    expect(res.status).toBe(413);
    expect(fs.existsSync(store.stagingDir)).toBe(false);
  });

  it('answer 413 in English when asked', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const res = await request(app)
      .post('/api/v1/test/files?lang=en')
      .attach('file', Buffer.alloc(MAX_BYTES + 1), { filename: 'scan.pdf' });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('The file is too large: at most 0.06 MB per file');
  });

  it('keep names with path parts, NUL, bidi overrides and only dots as safe display names', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const png = readSample('png');
    const body = multipartBody([
      { name: 'file', disposition: '; filename="../../etc/ảnh chụp.png"', content: png },
      { name: 'file', disposition: "; filename*=UTF-8''..%5C..%5Cbao-cao%00%E2%80%AEgnp.exe", content: png },
      { name: 'file', disposition: '; filename="...."', content: png },
    ]);

    const res = await postRaw(app, body);

    expect(res.status).toBe(201);
    expect(res.body.map((f: FileRow) => f.name)).toEqual(['ảnh chụp.png', 'bao-caognp.exe', 'tep-tai-len']);
  });

  it('keep a 1,000-character Vietnamese name, cut to 255 characters', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const long = `${'Hồ sơ cán bộ đi nước ngoài '.repeat(37)}.pdf`;
    expect(long.length).toBeGreaterThan(1000);

    const res = await upload(app, [{ content: readSample('pdf'), name: long }]);

    expect(res.status).toBe(201);
    expect(res.body[0].name).toHaveLength(255);
    expect(res.body[0].name).toMatch(/^Hồ sơ cán bộ đi nước ngoài Hồ sơ.*\.pdf$/);
  });

  describe('that are malformed answer 400 and leak nothing', () => {
    let store: LocalBlobStore;
    let dataDir: string;
    let app: Express;
    beforeEach(() => {
      ({ store, dataDir } = makeStore());
      ({ app } = uploadApp(store));
    });
    afterEach(async () => {
      expect(stagingLeftovers(store)).toEqual([]);
      expect(await storedBlobs(store)).toEqual([]);
      expect(openFilesUnder(dataDir)).toEqual([]);
    });

    it('without a boundary', async () => {
      const res = await postRaw(app, multipartBody([{ name: 'file', disposition: '; filename="a.pdf"', content: readSample('pdf') }]), 'multipart/form-data');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Dữ liệu tải lên bị lỗi hoặc bị gián đoạn; hãy chọn lại tệp và thử lại');
    });

    it('cut off in the middle of a file', async () => {
      const whole = multipartBody([{ name: 'file', disposition: '; filename="Sổ theo dõi.pdf"', content: readSample('pdf') }], { final: false });
      const res = await postRaw(app, whole.subarray(0, whole.length - 2000));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('with a broken part header', async () => {
      const res = await postRaw(app, Buffer.from(`--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`));
      expect(res.status).toBe(400);
    });

    it('with 10,000 parts', async () => {
      // A size limit roomy enough that the part count, not the body size, is what refuses it.
      ({ app } = uploadApp(store, 4 * 1024 * 1024));
      const parts = Array.from({ length: 10_000 }, (_, i) => ({ name: `ghi_chu_${i}`, content: 'Đã kiểm tra' }));
      const res = await postRaw(app, multipartBody([{ name: 'file', disposition: '; filename="a.png"', content: readSample('png') }, ...parts]));
      expect(res.status).toBe(400);
    });

    it('with more files than allowed', async () => {
      const res = await upload(app, Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ content: readSample('png'), name: `ảnh ${i}.png` })));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(`Mỗi lần chỉ được tải lên tối đa ${MAX_FILES} tệp`);
    });

    it('with the file in another field', async () => {
      const res = await upload(app, [{ content: readSample('png'), name: 'ảnh.png' }], 'tep');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Tệp phải được gửi trong trường "file"');
    });

    it('without any file', async () => {
      const res = await request(app).post('/api/v1/test/files').field('ghi_chu', 'Chưa có tệp');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Chưa có tệp nào được gửi trong trường "file"');
    });

    it('with an empty file', async () => {
      const res = await upload(app, [{ content: Buffer.alloc(0), name: 'Trống.pdf' }]);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Tệp "Trống.pdf" không có nội dung');
    });
  });

  it('cut off while the staging file is still being opened settle and leave nothing open', async () => {
    // The disk is slow, so the request has failed before staging starts reading the part.
    const slowOpen: StorageFs['open'] = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return nodeStorageFs.open(...args);
    };
    const { store, dataDir } = makeStore({ open: slowOpen });
    const stages: Promise<unknown>[] = [];
    const stage = store.stage.bind(store);
    store.stage = (source) => {
      const staged = stage(source);
      stages.push(staged.then(() => 'staged', () => 'refused'));
      return staged;
    };
    const { app } = uploadApp(store);
    const whole = multipartBody([{ name: 'file', disposition: '; filename="Sổ theo dõi.pdf"', content: readSample('pdf') }], { final: false });

    const res = await postRaw(app, whole.subarray(0, whole.length - 2000));

    expect(res.status).toBe(400);
    expect(await settledOrPending(Promise.all(stages))).toEqual(['refused']);
    expect(stagingLeftovers(store)).toEqual([]);
    expect(openFilesUnder(dataDir)).toEqual([]);
  });

  it('that are not multipart answer 415', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const res = await request(app).post('/api/v1/test/files').send({ file: 'JVBERi0xLjQK' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toBe('Tệp phải được gửi dưới dạng multipart/form-data');
  });

  describe('when the disk fails', () => {
    it.each([
      ['runs out of space while writing', { write: () => Promise.reject(systemError('ENOSPC')) }, 507, 'insufficient_storage'],
      ['fails to fsync', { fsync: () => Promise.reject(systemError('EIO')) }, 500, 'storage_failed'],
      ['fails to rename into place', { rename: () => Promise.reject(systemError('EIO')) }, 500, 'storage_failed'],
    ])('%s: a clean error, no blob and no staging file', async (_what, faults: Partial<StorageFs>, status, code) => {
      const { store, dataDir } = makeStore(faults);
      const { app, rows } = uploadApp(store);

      const res = await upload(app, [{ content: readSample('pdf'), name: VIETNAMESE_NAME }]);

      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/ổ đĩa/iu);
      expect(rows.size).toBe(0);
      expect(await storedBlobs(store)).toEqual([]);
      expect(fs.existsSync(store.blobPath(sha256(readSample('pdf'))))).toBe(false);
      expect(stagingLeftovers(store)).toEqual([]);
      expect(openFilesUnder(dataDir)).toEqual([]);
    });
  });
});

describe('downloads', () => {
  it('send an attachment with the Unicode name, the recorded type, nosniff and no-store', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const pdf = readSample('pdf');
    await upload(app, [{ content: pdf, name: VIETNAMESE_NAME }]).expect(201);

    const res = await request(app).get(`/api/v1/test/files/${sha256(pdf)}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-length']).toBe(String(pdf.length));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+"; /);
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(VIETNAMESE_NAME)}`);
  });

  it('of a blob missing from the store answer 404, not a crash', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const res = await request(app).get(`/api/v1/test/files/${'ab'.repeat(32)}`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Nội dung của tệp không còn trong kho lưu trữ; hãy báo quản trị viên');
  });

  it('never build a path from something that is not a SHA-256', async () => {
    const { store } = makeStore();
    const { app } = uploadApp(store);
    const res = await request(app).get(`/api/v1/test/files/${encodeURIComponent('../../hoso.db')}`);
    expect(res.status).toBe(400);
  });
});

describe('the blob store', () => {
  it('is built from the configuration, staging inside the data directory', () => {
    const config = loadConfig({ HOSO_DATA_DIR: '/srv/hoso' });
    const store = createBlobStore(config);
    expect(store.filesDir).toBe(path.join('/srv/hoso', 'files'));
    expect(store.stagingDir).toBe(path.join('/srv/hoso', 'tmp', `${os.hostname()}-3000`));
  });

  it('leaves alone what another server on the shared volume is staging, unless it was abandoned', async () => {
    const { dataDir } = makeStore();
    const store = new LocalBlobStore(path.join(dataDir, 'files'), path.join(dataDir, 'tmp', 'may-chu-1-3000'));
    const other = path.join(dataDir, 'tmp', 'may-chu-2-3000');
    fs.mkdirSync(other, { recursive: true });
    const inFlight = path.join(other, `${randomUUID()}.upload`);
    const abandoned = path.join(other, `${randomUUID()}.upload`);
    fs.writeFileSync(inFlight, 'đang tải lên');
    fs.writeFileSync(abandoned, 'bỏ dở');
    const longAgo = new Date(Date.now() - ABANDONED_STAGING_MS - 60_000);
    fs.utimesSync(abandoned, longAgo, longAgo);

    expect(await store.cleanStaging()).toBe(1);
    expect(fs.existsSync(inFlight)).toBe(true);
    expect(fs.existsSync(abandoned)).toBe(false);
  });

  it('removes staging leftovers at start and nothing else', async () => {
    const { store } = makeStore();
    fs.mkdirSync(store.stagingDir, { recursive: true });
    fs.writeFileSync(path.join(store.stagingDir, `${randomUUID()}.upload`), 'nửa tệp');
    fs.writeFileSync(path.join(store.stagingDir, `${randomUUID()}.upload`), '');
    fs.writeFileSync(path.join(store.stagingDir, 'bao-cao-tam.pdf'), 'của ai đó khác');

    expect(await store.cleanStaging()).toBe(2);
    expect(fs.readdirSync(store.stagingDir)).toEqual(['bao-cao-tam.pdf']);
    expect(await store.cleanStaging()).toBe(0);
  });

  it('stages from a stream, commits durably, lists and reports what it holds', async () => {
    const { store } = makeStore();
    const content = Buffer.from('Sổ theo dõi bảo vệ chính trị nội bộ năm 2023\n'.repeat(5000));

    const staged = await store.stage(Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
    expect(staged).toMatchObject({ sha256: sha256(content), size: content.length });
    expect(await store.has(staged.sha256)).toBe(false);

    await store.commit(staged);

    expect(await store.has(staged.sha256)).toBe(true);
    expect(await storedBlobs(store)).toEqual([sha256(content)]);
    expect(fs.existsSync(staged.stagingPath)).toBe(false);
    // Something that is not a blob in the tree is not listed.
    fs.writeFileSync(path.join(store.filesDir, 'ghi-chu.txt'), 'không phải tệp lưu trữ');
    expect(await storedBlobs(store)).toEqual([sha256(content)]);
  });

  it('refuses a hash that is not 64 lowercase hex digits before touching the disk', async () => {
    const { store } = makeStore();
    expect(() => store.blobPath('../../../etc/passwd')).toThrow(ValidationError);
    await expect(store.has('AB'.repeat(32))).rejects.toThrow(ValidationError);
    await expect(store.createReadStream('ab'.repeat(31))).rejects.toThrow(ValidationError);
  });

  it('removes the staging file when the source stream fails', async () => {
    const { store } = makeStore();
    const failing = new Readable({
      read() {
        this.push(Buffer.from('Hồ sơ kết nạp đảng viên'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.stage(failing)).rejects.toThrow('client went away');
    expect(stagingLeftovers(store)).toEqual([]);
  });
});
