import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyChain } from '../src/audit/audit.service';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { backupData, type BackupManifest } from '../src/ops/backup';
import type { OpsProgress } from '../src/ops/blobs';
import { OpsError } from '../src/ops/ops-error';
import { restoreData } from '../src/ops/restore';
import { sqliteProblems, withSqliteReadOnly } from '../src/ops/sqlite';
import { findUserByUsername } from '../src/users/users.repository';
import { ensureAdmin } from '../src/users/users.service';
import { buildInspection, buildTemplate, PASSWORD } from './helpers/factories';
import { callApi, download, type ServerProcess, signIn, startServer, uploadFile } from './helpers/server-process';
import { ADMIN_PASSWORD } from './helpers/test-db';

// `npm run backup` is taken from a running server that keeps taking uploads and reviews; what it
// restores must be one consistent moment that holds everything committed before the backup began.

jest.setTimeout(120_000);

const NUMBER_ITEMS = 3;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workDirs: string[] = [];
function workDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hoso-${name}-`));
  workDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A scanned page: a PDF header, then bytes of its own (each scan has its own SHA-256). */
const scan = (kib: number) => Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(kib * 1024)]);

/** A data directory with an open inspection: unit secretaries, a lead, file items and number items. */
async function seedDataDir(dataDir: string) {
  const db = openDatabase(`sqlite:${path.join(dataDir, 'hoso.db')}`);
  await migrateToLatest(db);
  await ensureAdmin(db, ADMIN_PASSWORD);
  const row = await findUserByUsername(db, 'admin');
  if (!row) throw new Error('no admin');
  const admin = { id: row.id, username: row.username, displayName: row.display_name, role: 'admin' as const, unitId: null };
  const template = await buildTemplate(db, admin, {
    items: [
      { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', guidance: '', kind: 'file', required: true, minFiles: 1 },
      { code: '3.1', section: 'III. Sổ theo dõi', title: 'Sổ theo dõi bảo vệ chính trị nội bộ', guidance: '', kind: 'file', required: true, minFiles: 1 },
      ...Array.from({ length: NUMBER_ITEMS }, (_, i) => ({
        code: `8.${i + 1}`, section: 'VIII. Số liệu', title: `Số lượt tập huấn đợt ${i + 1}`, guidance: '', kind: 'number' as const, required: true, minFiles: 1,
      })),
    ],
  });
  const seeded = await buildInspection(db, admin, { units: 2, templateCode: template.code });
  await db.destroy();
  return seeded;
}

describe('npm run backup on a server that keeps writing, then npm run restore', () => {
  let server: ServerProcess;
  afterAll(async () => {
    await server?.stop();
  });

  it('restores one consistent moment holding everything committed before the backup began', async () => {
    const dataDir = workDir('live');
    const { code, units, secretaries, lead } = await seedDataDir(dataDir);
    server = await startServer({ dataDir });
    const unit = units[0]?.code as string;
    const [secretaryToken, leadToken] = await Promise.all([
      signIn(server.baseUrl, secretaries[0]?.username as string, PASSWORD),
      signIn(server.baseUrl, lead.username, PASSWORD),
    ]);
    const itemPath = (item: string) => `/api/v1/inspections/${code}/units/${unit}/items/${item}`;
    for (let i = 1; i <= NUMBER_ITEMS; i++) {
      expect((await callApi(server.baseUrl, 'PUT', `${itemPath(`8.${i}`)}/value`, { token: secretaryToken, body: { value: 100 + i } })).status).toBe(200);
    }

    // What the server acknowledged, and whether it did so before the backup began.
    let backupBegan = false;
    let stop = false;
    const uploads: { id: number; sha256: string; bytes: Buffer; before: boolean }[] = [];
    const reviews: { item: string; to: string; at: string; before: boolean }[] = [];
    const uploadLoop = async (item: string) => {
      for (let n = 1; !stop; n++) {
        const bytes = scan(256 + n);
        const res = await uploadFile<{ id: number; sha256: string }>(server.baseUrl, secretaryToken, `${itemPath(item)}/files`, `Biên bản kiểm tra số ${n}.pdf`, bytes);
        const before = !backupBegan;
        expect(res.status).toBe(201);
        uploads.push({ id: res.body.id, sha256: res.body.sha256, bytes, before });
      }
    };
    const reviewLoop = async (item: string) => {
      let status = 'submitted';
      while (!stop) {
        const res = await callApi<{ to: string; at: string }>(server.baseUrl, 'POST', `${itemPath(item)}/review`, {
          token: leadToken,
          body: { decision: status === 'submitted' ? 'accept' : 'reopen' },
        });
        const before = !backupBegan;
        expect(res.status).toBe(200);
        reviews.push({ item, to: res.body.to, at: res.body.at, before });
        status = res.body.to;
      }
    };
    const loops = [uploadLoop('1.1'), uploadLoop('3.1'), ...Array.from({ length: NUMBER_ITEMS }, (_, i) => reviewLoop(`8.${i + 1}`))];
    while (uploads.length < 4 || reviews.length < 12) await delay(10);
    const backupDir = path.join(workDir('backups'), 'hoso-2023-08-15');
    const progress: OpsProgress[] = [];
    backupBegan = true;
    const manifest = await backupData(loadConfig({ HOSO_DATA_DIR: dataDir }), backupDir, { onProgress: (p) => progress.push(p) });
    // The writes go on while the backup runs, and a little after it.
    const afterBackup = uploads.length;
    while (uploads.length < afterBackup + 3) await delay(10);
    stop = true;
    await Promise.all(loops);
    expect(progress.at(-1)).toEqual({ done: manifest.blobs.count, total: manifest.blobs.count, bytesDone: manifest.blobs.bytes, bytesTotal: manifest.blobs.bytes });
    const restoreDir = path.join(workDir('restore'), 'data');
    const restored = await restoreData(backupDir, loadConfig({ HOSO_DATA_DIR: restoreDir }));
    expect(restored).toEqual(manifest);

    const live = await withSqliteReadOnly(path.join(dataDir, 'hoso.db'), async (db) => db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id').execute());
    await withSqliteReadOnly(path.join(restoreDir, 'hoso.db'), async (db) => {
      expect(await sqliteProblems(db)).toEqual([]);
      expect(await verifyChain(db)).toMatchObject({ ok: true, events: manifest.audit.events, head: manifest.audit.head });
      // One moment of the live history: its audit log is a beginning of the live one.
      const audit = await db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id').execute();
      expect(audit.length).toBeLessThan(live.length);
      expect(audit).toEqual(live.slice(0, audit.length));

      for (const [table, rows] of Object.entries(manifest.counts)) {
        const { n } = await db.selectFrom(table as keyof Database).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect({ table, rows: Number(n) }).toEqual({ table, rows });
      }

      // Every file row has its blob, whole, with the bytes that were uploaded.
      const files = await db.selectFrom('files').select(['id', 'sha256']).orderBy('id').execute();
      const sent = new Map(uploads.map((u) => [u.sha256, u.bytes]));
      for (const file of files) {
        const blob = fs.readFileSync(path.join(restoreDir, 'files', file.sha256.slice(0, 2), file.sha256.slice(2, 4), file.sha256));
        expect(sha256(blob)).toBe(file.sha256);
        expect(sent.get(file.sha256)?.equals(blob)).toBe(true);
      }
      const restoredIds = new Set(files.map((f) => f.id));
      for (const upload of uploads.filter((u) => u.before)) expect(restoredIds.has(upload.id)).toBe(true);

      // Every review acknowledged before the backup is there; each entry agrees with its last review.
      const history = await db
        .selectFrom('reviews as r')
        .innerJoin('entries as e', 'e.id', 'r.entry_id')
        .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
        .select(['ii.code as item', 'r.from_status', 'r.to_status', 'r.at', 'e.status'])
        .orderBy('r.id')
        .execute();
      for (const review of reviews.filter((r) => r.before)) {
        expect(history).toContainEqual(expect.objectContaining({ item: review.item, to_status: review.to, at: review.at }));
      }
      for (let i = 1; i <= NUMBER_ITEMS; i++) {
        const ofItem = history.filter((h) => h.item === `8.${i}`);
        ofItem.forEach((h, k) => expect(h.from_status).toBe(k === 0 ? 'submitted' : ofItem[k - 1]?.to_status));
        expect(ofItem.at(-1)?.status).toBe(ofItem.at(-1)?.to_status);
      }
    });

    // The restored data directory is a working instance.
    await server.stop();
    server = await startServer({ dataDir: restoreDir });
    const token = await signIn(server.baseUrl, secretaries[0]?.username as string, PASSWORD);
    const first = uploads[0] as (typeof uploads)[number];
    const back = await download(server.baseUrl, token, `/api/v1/files/${first.id}`);
    expect(back.status).toBe(200);
    expect(back.bytes.equals(first.bytes)).toBe(true);
  });
});

describe('backup and restore refuse what would lose or mix data', () => {
  let dataDir: string;
  let backupDir: string;
  let manifest: BackupManifest;

  beforeAll(async () => {
    dataDir = workDir('small');
    const { code, units, secretaries } = await seedDataDir(dataDir);
    // One uploaded file, so that the backup holds a blob.
    const server = await startServer({ dataDir });
    try {
      const token = await signIn(server.baseUrl, secretaries[0]?.username as string, PASSWORD);
      const res = await uploadFile(server.baseUrl, token, `/api/v1/inspections/${code}/units/${units[0]?.code}/items/1.1/files`, 'Quyết định kết nạp.pdf', scan(64));
      expect(res.status).toBe(201);
    } finally {
      await server.stop();
    }
    backupDir = path.join(workDir('backups'), 'first');
    manifest = await backupData(loadConfig({ HOSO_DATA_DIR: dataDir }), backupDir);
  });

  const config = (dir: string, env: Record<string, string> = {}) => loadConfig({ HOSO_DATA_DIR: dir, ...env });

  it('backs up into a new or empty folder only', async () => {
    await expect(backupData(config(dataDir), backupDir)).rejects.toThrow(/is not empty \(backup\.json, files, hoso\.db\)/);
  });

  it('restores into an empty data directory only, never over data', async () => {
    await expect(restoreData(backupDir, config(dataDir))).rejects.toThrow(/The data directory .* is not empty .*move this folder aside/);
  });

  it('sends a PostgreSQL database to pg_dump and pg_restore', async () => {
    const postgres = { DATABASE_URL: 'postgres://hoso@db.example/hoso' };
    await expect(backupData(config(dataDir, postgres), path.join(workDir('pg'), 'b'))).rejects.toThrow(/PostgreSQL.*pg_dump/);
    await expect(restoreData(backupDir, config(path.join(workDir('pg'), 'd'), postgres))).rejects.toThrow(/PostgreSQL.*pg_restore/);
  });

  it('refuses an unfinished backup (no backup.json)', async () => {
    const unfinished = workDir('unfinished');
    fs.copyFileSync(path.join(backupDir, 'hoso.db'), path.join(unfinished, 'hoso.db'));
    await expect(restoreData(unfinished, config(path.join(workDir('r'), 'data')))).rejects.toThrow(OpsError);
    await expect(restoreData(unfinished, config(path.join(workDir('r'), 'data')))).rejects.toThrow(/holds no backup\.json/);
  });

  it('refuses a backup whose file was damaged, and puts no database in place', async () => {
    const damaged = path.join(workDir('damaged'), 'copy');
    fs.cpSync(backupDir, damaged, { recursive: true });
    const [blob] = fs.readdirSync(path.join(damaged, 'files'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    if (!blob) throw new Error('the backup holds no file');
    fs.appendFileSync(path.join(blob.parentPath, blob.name), 'sửa trái phép');
    const target = path.join(workDir('r'), 'data');
    await expect(restoreData(damaged, config(target))).rejects.toThrow(new RegExp(`${blob.name} \\(corrupt\\)`));
    expect(fs.existsSync(path.join(target, 'hoso.db'))).toBe(false);
  });

  it('hard-links the files with --link, still checking each one', async () => {
    const linked = path.join(workDir('linked'), 'b');
    const withLinks = await backupData(config(dataDir), linked, { link: true });
    expect(withLinks.blobs).toEqual({ ...manifest.blobs, hardLinked: true });
    const [blob] = fs.readdirSync(path.join(linked, 'files'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    if (!blob) throw new Error('the backup holds no file');
    expect(fs.statSync(path.join(blob.parentPath, blob.name)).nlink).toBe(2);
  });
});
