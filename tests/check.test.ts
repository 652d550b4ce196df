import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { progressPrinter } from '../scripts/progress';
import type { Actor } from '../src/core/actor';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { storeUploads } from '../src/dossiers/dossiers.service';
import { checkData, formatCheckReport } from '../src/ops/check';
import { createBlobStore, type LocalBlobStore } from '../src/storage';
import { findUserByUsername } from '../src/users/users.repository';
import { ensureAdmin } from '../src/users/users.service';
import { buildInspection } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { ADMIN_PASSWORD, createTestDb, onPostgres } from './helpers/test-db';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '..');
const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-check-'));
  workDirs.push(dir);
  return dir;
}

const uploads = [
  { name: 'Quyết định kết nạp đảng viên Nguyễn Văn An.pdf', bytes: readSample('pdf'), mime: 'application/pdf' },
  { name: 'Danh sách đảng viên đi nước ngoài.docx', bytes: readSample('docx'), mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
];

/** An open inspection whose first unit's item 1.1 holds the two uploads, stored as the app stores them. */
async function populate(db: Db, admin: Actor, store: LocalBlobStore) {
  const { code, units, secretaries } = await buildInspection(db, admin, { units: 1 });
  const secretary = secretaries[0] as Actor;
  const unitCode = units[0]?.code as string;
  const files = [];
  for (const upload of uploads) {
    const staged = await store.stage(Readable.from([upload.bytes]));
    files.push(...(await storeUploads(db, store, secretary, { code, unitCode, itemCode: '1.1' }, [{ ...staged, mime: upload.mime, originalName: upload.name }])));
  }
  return { code, unitCode, files };
}

describe('checkData and its report', () => {
  let db: Db;
  let store: LocalBlobStore;
  let instance: Awaited<ReturnType<typeof populate>>;

  beforeEach(async () => {
    const created = await createTestDb();
    db = created.db;
    const dataDir = tempDataDir();
    store = createBlobStore({ dataDir, filesDir: path.join(dataDir, 'files') });
    instance = await populate(db, created.admin, store);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('passes a clean instance, having read every stored file', async () => {
    const progress: { done: number; bytesDone: number }[] = [];
    const report = await checkData(db, store, { onProgress: (p) => progress.push(p) });
    const bytes = uploads.reduce((sum, u) => sum + u.bytes.length, 0);
    expect(report).toMatchObject({
      ok: true,
      database: { engine: onPostgres ? 'postgres' : 'sqlite', problems: onPostgres ? null : [] },
      audit: { ok: true },
      blobs: { stored: 2, referenced: 2, bytes },
      damaged: [],
      unreferenced: [],
    });
    expect(progress.at(-1)).toMatchObject({ done: 2, bytesDone: bytes });
    const text = formatCheckReport(report);
    expect(text).toContain('Files: 2 stored');
    expect(text).toContain(`Audit log: ${report.audit.events} events, the hash chain verifies`);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: OK');
  });

  it('reports a damaged file with the dossier that holds it, and an audit event edited in the database', async () => {
    const [damaged] = instance.files;
    if (!damaged) throw new Error('no file');
    fs.writeFileSync(store.blobPath(damaged.sha256), Buffer.from('%PDF-1.4\n% trang đã bị thay thế\n'));
    const event = await db.selectFrom('audit_events').select('id').where('action', '=', 'file.upload').orderBy('id').executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ details: JSON.stringify({ name: 'Biên bản đã sửa.pdf' }) }).where('id', '=', event.id).execute();

    const report = await checkData(db, store);
    expect(report.ok).toBe(false);
    expect(report.damaged).toEqual([
      {
        sha256: damaged.sha256,
        problem: 'corrupt',
        files: [{ id: damaged.id, name: uploads[0]?.name, inspection: instance.code, unit: instance.unitCode, item: '1.1', withdrawn: false }],
      },
    ]);
    expect(report.audit).toMatchObject({ ok: false, firstBroken: { id: event.id, reason: 'hash_mismatch' } });
    const text = formatCheckReport(report);
    expect(text).toContain(`DAMAGED ${damaged.sha256}`);
    expect(text).toContain(`used by file #${damaged.id} "${uploads[0]?.name}" in ${instance.code} / unit ${instance.unitCode} / item 1.1`);
    expect(text).toContain(`event #${event.id} was changed after it was written`);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: FAILED (2 problem(s))');
  });

  it('reports a file row whose blob is gone, and notes a stored blob no row names without failing for it', async () => {
    const [, lost] = instance.files;
    if (!lost) throw new Error('no file');
    fs.rmSync(store.blobPath(lost.sha256));
    const stray = await store.stage(Readable.from([Buffer.from('%PDF-1.4\n% lưu xong nhưng chưa ghi vào cơ sở dữ liệu\n')]));
    await store.commit(stray);

    const missing = await checkData(db, store);
    expect(missing.damaged).toEqual([expect.objectContaining({ sha256: lost.sha256, problem: 'missing', files: [expect.objectContaining({ id: lost.id })] })]);
    expect(missing.unreferenced).toEqual([stray.sha256]);
    expect(formatCheckReport(missing)).toContain(`MISSING ${lost.sha256}: the database names it, the store does not have it`);

    fs.writeFileSync(store.blobPath(lost.sha256), uploads[1]?.bytes as Buffer);
    const repaired = await checkData(db, store);
    expect(repaired).toMatchObject({ ok: true, damaged: [], unreferenced: [stray.sha256] });
    expect(formatCheckReport(repaired)).toContain('1 stored file(s) named by no row, harmless');
  });
});

describe('npm run check', () => {
  const run = promisify(execFile);
  /** The script as an operator runs it (here without a terminal, as under cron or CI): exit code and output. */
  async function check(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, HOSO_DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'hoso.db')}` };
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/check.ts'], { cwd: root, env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('exits 0 on a clean SQLite instance and 1 once SQLite finds a row pointing nowhere, printing no progress off a terminal', async () => {
    const dataDir = tempDataDir();
    const config = { dataDir, filesDir: path.join(dataDir, 'files') };
    const db = openDatabase(`sqlite:${path.join(dataDir, 'hoso.db')}`);
    await migrateToLatest(db);
    await ensureAdmin(db, ADMIN_PASSWORD);
    const row = await findUserByUsername(db, 'admin');
    const admin: Actor = { id: row?.id as number, username: 'admin', displayName: 'Quản trị viên', role: 'admin', unitId: null };
    await populate(db, admin, createBlobStore(config));

    const clean = await check(dataDir);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toContain('Database (SQLite): integrity check ok, foreign keys ok.');
    expect(clean.stdout).toContain('Result: OK');

    // A review of an entry that does not exist, written past the foreign keys.
    await sql`pragma foreign_keys = off`.execute(db);
    await db
      .insertInto('reviews')
      .values({ entry_id: 999_999, decision: 'accept', note: null, from_status: 'submitted', to_status: 'accepted', reviewer_id: admin.id, at: '2023-08-15T08:00:00.000Z' })
      .execute();
    await db.destroy();

    const broken = await check(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('Database (SQLite): 1 problem(s):');
    expect(broken.stdout).toContain('reviews row');
    expect(broken.stdout).toContain('Result: FAILED (1 problem(s))');
  });
});

describe('progress of backup, restore and check', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  function terminal(): { stream: NodeJS.WriteStream; written: string[] } {
    const written: string[] = [];
    const stream = { isTTY: true, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
    return { stream, written };
  }

  it('shows files and bytes done of total on a terminal, and ends the line', () => {
    delete process.env.CI;
    const { stream, written } = terminal();
    const progress = progressPrinter('check', stream);
    progress.update(0, 2, 'files', { done: 0, total: 3 * 1024 * 1024 });
    progress.update(2, 2, 'files', { done: 3 * 1024 * 1024, total: 3 * 1024 * 1024 });
    progress.finish();
    expect(written.at(-2)).toMatch(/^\rcheck: 2\/2 files · 3\.0 MiB of 3\.0 MiB · \d+ s · ~0 s left/);
    expect(written.at(-1)).toBe('\n');
  });

  it('stays quiet in CI logs, even on a terminal', () => {
    process.env.CI = 'true';
    const { stream, written } = terminal();
    const progress = progressPrinter('backup', stream);
    progress.update(1, 2, 'files', { done: 1, total: 2 });
    progress.finish();
    expect(written).toEqual([]);
  });
});
