import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { verifyChain } from '../src/audit/audit.service';
import { PAGE_COOKIE_KEY, sharedSecret } from '../src/auth/app-secrets';
import { login } from '../src/auth/auth.service';
import type { Actor } from '../src/core/actor';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { getUnitDossier, reviewEntry, saveFindings, setValue, storeUploads } from '../src/dossiers/dossiers.service';
import { COPY_ORDER, copyData } from '../src/ops/copy-data';
import { LocalBlobStore } from '../src/storage';
import { listUnits, updateUnit } from '../src/units/units.service';
import { findUserByUsername } from '../src/users/users.repository';
import { ensureAdmin } from '../src/users/users.service';
import { buildInspection, buildUnit, PASSWORD } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { ADMIN_PASSWORD, createEmptyTestDb } from './helpers/test-db';

// The source is always a SQLite file (a city on one server); the target is the test database:
// PostgreSQL under `npm run test:pg`, SQLite otherwise.

let dir: string;
let source: Db;
let store: LocalBlobStore;
let city: Awaited<ReturnType<typeof buildCity>>;

async function buildCity(db: Db) {
  await ensureAdmin(db, ADMIN_PASSWORD);
  const row = await findUserByUsername(db, 'admin');
  const admin: Actor = { id: row!.id, username: 'admin', displayName: row!.display_name, role: 'admin', unitId: null };
  const inspection = await buildInspection(db, admin, { units: 2 });
  // The committee is created after its wards and they are moved under it: parents with larger ids.
  await buildUnit(db, admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
  for (const unit of inspection.units) await updateUnit(db, admin, unit.code, { parentCode: 'TU-TQ' });

  const [secretary] = inspection.secretaries;
  const unitCode = inspection.units[0]!.code;
  const upload = async (bytes: Buffer, name: string) => {
    const blob = await store.stage(Readable.from([bytes]));
    await storeUploads(db, store, secretary!, { code: inspection.code, unitCode, itemCode: '2.1' }, [{ ...blob, mime: 'application/pdf', originalName: name }]);
  };
  await upload(readSample('pdf'), 'Biên bản kiểm tra.pdf');
  await upload(Buffer.concat([readSample('pdf'), Buffer.from('\n% bản sao số 2\n')]), 'Danh sách đi nước ngoài.pdf');
  await setValue(db, secretary!, inspection.code, unitCode, '8.1', { value: 607 });
  await reviewEntry(db, inspection.lead, inspection.code, unitCode, '2.1', { decision: 'accept' });
  await reviewEntry(db, inspection.lead, inspection.code, unitCode, '8.1', { decision: 'return', note: 'Thiếu số liệu quý IV' });
  await saveFindings(db, inspection.lead, inspection.code, unitCode, {
    strengths: 'Lưu trữ hồ sơ đầy đủ', shortcomings: 'Sổ theo dõi chưa cập nhật', recommendations: 'Bổ sung trước 30/9', conclusion: 'Cơ bản đạt yêu cầu',
  });
  await sharedSecret(db, PAGE_COOKIE_KEY);
  const origin = { ip: '10.0.0.7', userAgent: 'Firefox', now: new Date() };
  await login(db, { username: secretary!.username, password: PASSWORD }, origin);
  await expect(login(db, { username: secretary!.username, password: 'sai-mat-khau' }, origin)).rejects.toMatchObject({ status: 401 });
  return { admin, inspection, unitCode };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-copy-'));
  store = new LocalBlobStore(path.join(dir, 'files'), path.join(dir, 'tmp'));
  source = openDatabase(`sqlite:${path.join(dir, 'hoso.db')}`);
  await migrateToLatest(source);
  city = await buildCity(source);
});

afterAll(async () => {
  await source.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Targets are destroyed (their schema dropped) after each test, passed or failed. */
const targets: Db[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((db) => db.destroy()));
});

async function newTarget(migrated: boolean) {
  const target = await createEmptyTestDb();
  targets.push(target.db);
  if (migrated) await migrateToLatest(target.db);
  return target;
}

describe('copying a city to another database', () => {
  it('knows every table the migrations create, parents before children', async () => {
    const db = openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(COPY_ORDER.map((t) => t.table).sort()).toEqual(tables.sort());
    const { rows } = await sql<{ table: string; parent: string }>`
      select m.name as "table", f."table" as parent from sqlite_master m, pragma_foreign_key_list(m.name) f where m.type = 'table'`.execute(db);
    const position = (table: string) => COPY_ORDER.findIndex((t) => t.table === table);
    for (const { table, parent } of rows) if (table !== parent) expect([table, position(parent) < position(table)]).toEqual([table, true]);
    await db.destroy();
  });

  it('copies every table, row for row, so the city reads the same and the audit chain verifies', async () => {
    const { db: target } = await newTarget(true);
    const report = await copyData(source, target, { batchSize: 7 });

    const rows = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    expect(rows).toMatchObject({ app_secrets: 1, units: 3, files: 2, blobs: 2, reviews: 2, findings: 1, sessions: 1, login_attempts: 1 });
    for (const { table, key } of COPY_ORDER) {
      const all = (db: Db) => key.reduce((q, column) => q.orderBy(sql.ref(column)), db.selectFrom(table).selectAll()).execute();
      expect(await all(target)).toEqual(await all(source));
    }
    expect(report.chain).toEqual(await verifyChain(source));
    expect(report.chain.ok).toBe(true);

    const { admin, inspection, unitCode } = city;
    expect(await getUnitDossier(target, inspection.lead, inspection.code, unitCode)).toEqual(await getUnitDossier(source, inspection.lead, inspection.code, unitCode));
    expect(await listUnits(target, admin)).toEqual(await listUnits(source, admin));
  });

  it('leaves the city writable: new rows take fresh ids and the chain goes on', async () => {
    const { db: target } = await newTarget(true);
    await copyData(source, target);
    const unit = await buildUnit(target, city.admin, { code: 'X-KP', name: 'Đảng uỷ xã Kim Phú', parentCode: 'TU-TQ' });
    expect((await listUnits(target, city.admin)).find((u) => u.code === unit.code)).toEqual({ code: 'X-KP', name: 'Đảng uỷ xã Kim Phú', parentCode: 'TU-TQ' });
    const before = await verifyChain(source);
    expect(await verifyChain(target)).toMatchObject({ ok: true, events: before.events + 1 });
  });

  it('refuses a target that already holds data, and writes nothing to it', async () => {
    const { db: target } = await newTarget(true);
    await ensureAdmin(target, 'Mat-khau-khac-2024');
    await expect(copyData(source, target)).rejects.toThrow(/not empty: table users/);
    expect(await target.selectFrom('units').selectAll().execute()).toEqual([]);
  });

  it('refuses a target that is not migrated', async () => {
    const { db: target } = await newTarget(false);
    // Matched by message: better-sqlite3's errors may come from another test file's realm, where toThrow() misses them.
    await expect(copyData(source, target)).rejects.toMatchObject({ message: expect.stringMatching(/kysely_migration/) });
  });
});

describe('npm run migrate-data', () => {
  const run = (args: string[]) =>
    promisify(execFile)(path.join('node_modules', '.bin', 'tsx'), ['scripts/migrate-data.ts', ...args], { cwd: path.resolve(__dirname, '..') });

  it('copies the city, checks the files and says so', async () => {
    const { url } = await newTarget(false);
    const to = url === 'sqlite::memory:' ? `sqlite:${path.join(dir, 'target.db')}` : url;
    const { stdout } = await run(['--from', `sqlite:${path.join(dir, 'hoso.db')}`, '--to', to, '--files', path.join(dir, 'files')]);
    expect(stdout).toContain('row counts and the audit chain match the source');
    expect(stdout).toMatch(/Files: 2 stored .*the database names 2/);
    expect(stdout).toContain('Result: OK');
  });

  it('fails, naming the file, when the store lacks one', async () => {
    const { url } = await newTarget(false);
    const to = url === 'sqlite::memory:' ? `sqlite:${path.join(dir, 'target-2.db')}` : url;
    const empty = path.join(dir, 'no-files');
    fs.mkdirSync(empty);
    const failure = run(['--from', `sqlite:${path.join(dir, 'hoso.db')}`, '--to', to, '--files', empty]);
    const hashes = (await source.selectFrom('blobs').select('sha256').execute()).map((b) => b.sha256);
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining(`MISSING ${hashes[0]}`),
      stderr: expect.stringContaining('The data is copied, but the check above found problems'),
    });
  });

  it('will not create an empty source when the path is wrong', async () => {
    const failure = run(['--from', `sqlite:${path.join(dir, 'khong-co.db')}`, '--to', `sqlite:${path.join(dir, 'target-3.db')}`]);
    await expect(failure).rejects.toMatchObject({ code: 1 });
    expect(fs.existsSync(path.join(dir, 'khong-co.db'))).toBe(false);
  });
});
