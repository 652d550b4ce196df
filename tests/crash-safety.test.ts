import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { verifyChain } from '../src/audit/audit.service';
import type { Db } from '../src/db/database';
import { sqliteProblems, withSqliteReadOnly } from '../src/ops/sqlite';
import { pdfInfo, pdfPages } from './helpers/pdf-text';
import { readSample } from './helpers/sample-files';
import { callApi, download, type ServerProcess, signIn, startServer, uploadFile } from './helpers/server-process';
import { ADMIN_PASSWORD } from './helpers/test-db';

// The real server as a child process, killed with SIGKILL in the middle of an upload, of a storm
// of reviews and of report downloads, then started again on the same data directory. After each
// crash the data on disk must be whole, and the app must carry on as if nothing happened.

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const INSPECTION = 'KT4-2023';
const UNIT = 'P-001';
const UNITS = 100;
const NUMBER_ITEMS = 20;
const PASSWORD = 'Mat-khau-rat-dai-2023';
const I = `/api/v1/inspections/${INSPECTION}`;
const itemPath = (item: string) => `${I}/units/${UNIT}/items/${item}`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 40 MiB scan: a PDF header (what the type sniffer looks at) followed by page data. */
const bigScan = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(40 * MiB)]);
const BIG_NAME = 'Hồ sơ kết nạp đảng viên - bản quét.pdf';

/** Waits (bounded, without timing anything) until `ready()` holds. */
async function until(what: string, ready: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await delay(20);
  }
}

/**
 * Starts a multipart upload of `bytes` over a raw connection and sends only the first `sendBytes`
 * of the file, then holds the connection open: the server is left mid-stream. `sent` resolves
 * once those bytes are written; `closed` once the connection is gone (the server died).
 */
function startPartialUpload(baseUrl: string, token: string, urlPath: string, name: string, bytes: Buffer, sendBytes: number) {
  const boundary = `----hoso${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(urlPath, baseUrl);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + bytes.length + tail.length },
  });
  const closed = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('close', () => resolve());
  });
  const sent = (async () => {
    const write = (chunk: Buffer) => (req.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => req.once('drain', () => resolve())));
    await write(head);
    for (let offset = 0; offset < sendBytes; offset += MiB) await write(bytes.subarray(offset, Math.min(offset + MiB, sendBytes)));
  })();
  return { sent, closed };
}

describe('the server survives SIGKILL at the worst moments', () => {
  let dataDir: string;
  let server: ServerProcess;
  let admin: string;
  let secretary: string;
  let lead: string;

  const databaseFile = () => path.join(dataDir, 'hoso.db');
  /** Unfinished uploads, as paths under the data directory's staging area (one folder per server). */
  const stagingLeftovers = () => {
    const tmp = path.join(dataDir, 'tmp');
    if (!fs.existsSync(tmp)) return [];
    return fs.readdirSync(tmp, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.upload')).map((n) => path.join(tmp, n));
  };

  /** Starts the server (again) on the same data directory and signs everyone in. */
  async function restart(): Promise<void> {
    // The same port: a server restarted in place owns (and cleans) the staging folder it left.
    server = await startServer({ dataDir, port: server?.port, env: { HOSO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    [admin, secretary, lead] = await Promise.all([
      signIn(server.baseUrl, 'admin', ADMIN_PASSWORD),
      signIn(server.baseUrl, 'bt.p001', PASSWORD),
      signIn(server.baseUrl, 'truongdoan', PASSWORD),
    ]);
  }

  /** Looks at the data directory the way the next start will find it, without changing a byte. */
  const onDisk = <T>(look: (db: Db) => Promise<T>) => withSqliteReadOnly(databaseFile(), look);

  /**
   * What must hold after any crash: SQLite finds the file sound, the audit chain verifies, every
   * file row has its blob, whole (its bytes hash to the row's SHA-256 and size), and everything
   * under files/ is a complete blob at its own address: nothing partial is visible.
   */
  async function expectWholeAfterCrash(): Promise<void> {
    await onDisk(async (db) => {
      expect(await sqliteProblems(db)).toEqual([]);
      expect(await verifyChain(db)).toMatchObject({ ok: true });
      const rows = await db.selectFrom('files').select(['id', 'sha256', 'size']).execute();
      for (const row of rows) {
        const blob = path.join(dataDir, 'files', row.sha256.slice(0, 2), row.sha256.slice(2, 4), row.sha256);
        expect(fs.existsSync(blob)).toBe(true);
        const bytes = fs.readFileSync(blob);
        expect({ id: row.id, sha256: sha256(bytes), size: bytes.length }).toEqual({ id: row.id, sha256: row.sha256, size: Number(row.size) });
      }
    });
    const filesDir = path.join(dataDir, 'files');
    const stored = fs.existsSync(filesDir) ? fs.readdirSync(filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
    for (const entry of stored) {
      const relative = path.relative(filesDir, path.join(entry.parentPath, entry.name));
      expect(relative).toMatch(/^([0-9a-f]{2})\/([0-9a-f]{2})\/\1\2[0-9a-f]{60}$/);
      expect(sha256(fs.readFileSync(path.join(filesDir, relative)))).toBe(entry.name);
    }
  }

  /** Each number item's status, and its reviews in order, as the database holds them. */
  function reviewHistory(db: Db) {
    return Promise.all([
      db
        .selectFrom('entries as e')
        .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
        .innerJoin('units as u', 'u.id', 'e.unit_id')
        .select(['ii.code', 'e.status'])
        .where('u.code', '=', UNIT)
        .where('ii.kind', '=', 'number')
        .execute(),
      db
        .selectFrom('reviews as r')
        .innerJoin('entries as e', 'e.id', 'r.entry_id')
        .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
        .select(['ii.code', 'r.from_status', 'r.to_status', 'r.at'])
        .orderBy('r.id')
        .execute(),
    ]);
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-crash-'));
    // The same port: a server restarted in place owns (and cleans) the staging folder it left.
    server = await startServer({ dataDir, port: server?.port, env: { HOSO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    admin = await signIn(server.baseUrl, 'admin', ADMIN_PASSWORD);
    const post = async (urlPath: string, body?: unknown) => {
      const res = await callApi(server.baseUrl, 'POST', urlPath, { token: admin, body });
      if (res.status >= 300) throw new Error(`${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const units = Array.from({ length: UNITS }, (_, i) => `P-${String(i + 1).padStart(3, '0')}`);
    for (const [i, code] of units.entries()) await post('/api/v1/units', { code, name: `Đảng uỷ phường ${['Phan Thiết', 'Minh Xuân', 'Tân Quang', 'Ỷ La'][i % 4]} ${i + 1}` });
    await post('/api/v1/users', { username: 'bt.p001', displayName: 'Hoàng Thị Lan', password: PASSWORD, role: 'secretary', unitCode: UNIT });
    await post('/api/v1/users', { username: 'truongdoan', displayName: 'Nguyễn Văn Thành', password: PASSWORD, role: 'inspector' });
    await post('/api/v1/templates', {
      code: 'BVCTNB',
      title: 'Kiểm tra công tác bảo vệ chính trị nội bộ',
      items: [
        { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', kind: 'file' },
        { code: '3.1', section: 'III. Sổ theo dõi', title: 'Sổ theo dõi bảo vệ chính trị nội bộ', kind: 'file' },
        ...Array.from({ length: NUMBER_ITEMS }, (_, i) => ({ code: `8.${i + 1}`, section: 'VIII. Số liệu', title: `Số lượt tập huấn quý ${(i % 4) + 1}, đợt ${i + 1}`, kind: 'number' })),
      ],
    });
    await post('/api/v1/inspections', {
      code: INSPECTION,
      title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
      teamName: 'Đoàn Kiểm tra số 4',
      templateCode: 'BVCTNB',
      unitCodes: units,
      members: [{ username: 'truongdoan', role: 'lead' }],
      parentBody: 'TIỂU BAN BẢO VỆ CHÍNH TRỊ NỘI BỘ TRUNG ƯƠNG',
      place: 'Tuyên Quang',
      reportNumber: '12-BC/ĐKT',
    });
    await post(`${I}/open`);
    [secretary, lead] = await Promise.all([signIn(server.baseUrl, 'bt.p001', PASSWORD), signIn(server.baseUrl, 'truongdoan', PASSWORD)]);
    expect((await uploadFile(server.baseUrl, secretary, `${itemPath('3.1')}/files`, 'Sổ theo dõi BVCTNB 2023.pdf', readSample('pdf'))).status).toBe(201);
    for (let i = 1; i <= NUMBER_ITEMS; i++) {
      const res = await callApi(server.baseUrl, 'PUT', `${itemPath(`8.${i}`)}/value`, { token: secretary, body: { value: 600 + i } });
      expect(res.status).toBe(200);
    }
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing when killed in the middle of a 40 MiB upload, and takes the same upload again', async () => {
    const upload = startPartialUpload(server.baseUrl, secretary, `${itemPath('1.1')}/files`, BIG_NAME, bigScan, 24 * MiB);
    await upload.sent;
    // The server has been writing the file into staging for a while when it dies.
    await until('the upload is being staged', () =>
      stagingLeftovers().some((file) => fs.statSync(file).size >= 8 * MiB),
    );
    await server.kill('SIGKILL');
    await upload.closed;

    expect(stagingLeftovers()).toHaveLength(1);
    await expectWholeAfterCrash();
    const bigRows = await onDisk((db) => db.selectFrom('files').select('id').where('sha256', '=', sha256(bigScan)).execute());
    expect(bigRows).toEqual([]);

    await restart();
    expect(stagingLeftovers()).toEqual([]);
    const redo = await uploadFile<{ id: number; sha256: string; size: number; name: string }>(server.baseUrl, secretary, `${itemPath('1.1')}/files`, BIG_NAME, bigScan);
    expect(redo.status).toBe(201);
    expect(redo.body).toMatchObject({ sha256: sha256(bigScan), size: bigScan.length, name: BIG_NAME });
    const back = await download(server.baseUrl, secretary, `/api/v1/files/${redo.body.id}`);
    expect(back.status).toBe(200);
    expect(back.bytes.equals(bigScan)).toBe(true);
  });

  it('keeps every acknowledged review, and each entry agrees with its last review, when killed amid a storm of reviews and uploads', async () => {
    const acknowledged: { code: string; to: string; at: string }[] = [];
    let dead = false;
    const reviewLoop = async (code: string) => {
      let status = 'submitted';
      while (!dead) {
        const decision = status === 'submitted' ? 'accept' : 'reopen';
        const res = await callApi<{ to: string; at: string }>(server.baseUrl, 'POST', `${itemPath(code)}/review`, { token: lead, body: { decision } }).catch(() => null);
        if (!res) return;
        expect(res.status).toBe(200);
        acknowledged.push({ code, to: res.body.to, at: res.body.at });
        status = res.body.to;
      }
    };
    const uploadLoop = async () => {
      for (let n = 1; !dead; n++) {
        const copy = Buffer.concat([readSample('pdf'), Buffer.from(`\n% bản sao số ${n}\n`)]);
        const res = await uploadFile(server.baseUrl, secretary, `${itemPath('3.1')}/files`, `Sổ theo dõi - trang ${n}.pdf`, copy).catch(() => null);
        if (!res) return;
        expect(res.status).toBe(201);
      }
    };
    const loops = [...Array.from({ length: NUMBER_ITEMS }, (_, i) => reviewLoop(`8.${i + 1}`)), uploadLoop(), uploadLoop()];
    await until('reviews are flowing', () => acknowledged.length >= 60);
    await server.kill('SIGKILL');
    dead = true;
    await Promise.all(loops);

    await expectWholeAfterCrash();
    const [entries, reviews] = await onDisk(reviewHistory);
    expect(entries).toHaveLength(NUMBER_ITEMS);
    for (const entry of entries) {
      const history = reviews.filter((r) => r.code === entry.code);
      // Each review starts where the one before it left the entry, and the entry is where the last one left it.
      history.forEach((r, i) => expect(r.from_status).toBe(i === 0 ? 'submitted' : history[i - 1]?.to_status));
      expect(entry.status).toBe(history.at(-1)?.to_status ?? 'submitted');
    }
    for (const ack of acknowledged) expect(reviews).toContainEqual(expect.objectContaining({ code: ack.code, to_status: ack.to, at: ack.at }));

    await restart();
    expect(stagingLeftovers()).toEqual([]);
    const dossier = await callApi<{ entries: { itemCode: string; status: string }[] }>(server.baseUrl, 'GET', `${I}/units/${UNIT}`, { token: lead });
    for (const entry of entries) expect(dossier.body.entries).toContainEqual(expect.objectContaining({ itemCode: entry.code, status: entry.status }));
    expect((await callApi(server.baseUrl, 'GET', '/api/v1/audit/verify', { token: admin })).body).toMatchObject({ ok: true });
  });

  it('changes nothing when killed while summary reports are streaming, and the report then downloads whole', async () => {
    // Everything a report could have changed; signing in again after the restart adds session events only.
    const fingerprint = async () => ({
      ...(await onDisk(async (db) => ({
        entries: await db.selectFrom('entries').selectAll().orderBy('id').execute(),
        files: await db.selectFrom('files').selectAll().orderBy('id').execute(),
        reviews: await db.selectFrom('reviews').selectAll().orderBy('id').execute(),
        audit: await db.selectFrom('audit_events').select(['id', 'hash']).where('action', 'not like', 'session.%').orderBy('id').execute(),
      }))),
      blobs: fs.readdirSync(path.join(dataDir, 'files'), { recursive: true }).sort(),
    });
    const before = await fingerprint();

    let completed = 0;
    let streaming: () => void = () => undefined;
    const firstBytes = new Promise<void>((resolve) => (streaming = resolve));
    const downloads = Array.from(
      { length: 8 },
      () =>
        new Promise<void>((resolve) => {
          const req = http.get(`${server.baseUrl}${I}/report.pdf`, { headers: { Authorization: `Bearer ${lead}` } }, (res) => {
            res.on('data', streaming);
            res.on('end', () => {
              if (res.complete) completed += 1;
              resolve();
            });
            res.on('error', () => resolve());
            res.on('close', () => resolve());
          });
          req.on('error', () => resolve());
        }),
    );
    // Killed as soon as the first bytes of a report arrive, while the others are still being made.
    await firstBytes;
    await server.kill('SIGKILL');
    await Promise.all(downloads);
    expect(completed).toBeLessThan(downloads.length);

    await expectWholeAfterCrash();
    await restart();
    expect(await fingerprint()).toEqual(before);
    const report = await download(server.baseUrl, lead, `${I}/report.pdf`);
    expect(report.status).toBe(200);
    expect((await pdfInfo(report.bytes)).pages).toBeGreaterThanOrEqual(1);
    expect((await pdfPages(report.bytes)).join('\n')).toContain('BÁO CÁO TỔNG HỢP KẾT QUẢ KIỂM TRA');
  });
});
