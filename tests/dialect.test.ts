import { sql } from 'kysely';
import { recordEvent, verifyChain } from '../src/audit/audit.service';
import { recentFailures } from '../src/auth/auth.repository';
import type { Actor } from '../src/core/actor';
import type { Db } from '../src/db/database';
import { containsFolded, dialectOf, foldForSearch, resetIdentity } from '../src/db/dialect';
import { findFindings, insertBlobIfMissing, upsertFindings } from '../src/dossiers/dossiers.repository';
import { createUnit, getUnit, listUnits } from '../src/units/units.service';
import { buildInspection, buildUnit } from './helpers/factories';
import { createTestDb, onPostgres } from './helpers/test-db';

// Runs on SQLite under `npm test` and on PostgreSQL under `npm run test:pg`: the same assertions
// hold on both, which is the point of the seam.

let db: Db;
let admin: Actor;
beforeEach(async () => {
  ({ db, admin } = await createTestDb());
});
afterEach(() => db.destroy());

describe('the dialect seam', () => {
  it('knows which database it talks to, in a transaction as outside', async () => {
    const expected = onPostgres ? 'postgres' : 'sqlite';
    expect(dialectOf(db)).toBe(expected);
    expect(await db.transaction().execute((trx) => Promise.resolve(dialectOf(trx)))).toBe(expected);
  });

  it('folds Vietnamese text for search: no diacritics, no case, composed or decomposed alike', () => {
    expect(foldForSearch('Đảng uỷ phường Ỷ La')).toBe('dang uy phuong y la');
    expect(foldForSearch('THÀNH UỶ TUYÊN QUANG')).toBe('thanh uy tuyen quang');
    expect(foldForSearch('Nông Tiến'.normalize('NFD'))).toBe('nong tien');
    expect(foldForSearch('Hồ sơ 2023 (bản sao)')).toBe('ho so 2023 (ban sao)');
  });
});

describe('searching text, ignoring case and diacritics', () => {
  const search = async (term: string) =>
    (
      await db
        .selectFrom('units')
        .select('code')
        .where((eb) => containsFolded(db, eb.ref('units.name'), term))
        .orderBy('code')
        .execute()
    ).map((u) => u.code);

  beforeEach(async () => {
    await buildUnit(db, admin, { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La' });
    await buildUnit(db, admin, { code: 'P-NT', name: 'Đảng uỷ phường Nông Tiến'.normalize('NFD') });
    await buildUnit(db, admin, { code: 'X-KP', name: 'Đảng uỷ xã Kim Phú' });
    await buildUnit(db, admin, { code: 'CT-50', name: 'Chi bộ Công ty 50% vốn nhà nước' });
  });

  it('finds a unit whatever diacritics and capitals the user types', async () => {
    for (const term of ['Ỷ La', 'ỷ la', 'Y LA', 'y la', 'phường ỷ', 'PHUONG Y LA']) expect(await search(term)).toEqual(['P-YLA']);
  });

  it('finds names stored in decomposed form, and Đ by d', async () => {
    expect(await search('nông tiến')).toEqual(['P-NT']);
    expect(await search('dang uy phuong')).toEqual(['P-NT', 'P-YLA']);
    expect(await search('ĐẢNG UỶ')).toEqual(['P-NT', 'P-YLA', 'X-KP']);
  });

  it('matches % and _ literally, not as wildcards', async () => {
    expect(await search('50%')).toEqual(['CT-50']);
    expect(await search('%')).toEqual(['CT-50']);
    expect(await search('_')).toEqual([]);
  });
});

describe('queries written once for both databases', () => {
  it('upsert: findings saved twice for a unit are one row holding the second text', async () => {
    const { inspection, units, lead } = await buildInspection(db, admin, { units: 1 });
    const unitId = (await db.selectFrom('units').select('id').where('code', '=', units[0]!.code).executeTakeFirstOrThrow()).id;
    const inspectionId = (await db.selectFrom('inspections').select('id').where('code', '=', inspection.code).executeTakeFirstOrThrow()).id;
    const row = { inspection_id: inspectionId, unit_id: unitId, strengths: 'Lưu trữ đầy đủ', shortcomings: '', recommendations: '', conclusion: '', updated_at: '2023-08-15T02:00:00.000Z', updated_by: lead.id };
    await upsertFindings(db, row);
    await upsertFindings(db, { ...row, conclusion: 'Đạt yêu cầu', updated_at: '2023-08-16T02:00:00.000Z' });
    expect(await findFindings(db, inspectionId, unitId)).toMatchObject({ strengths: 'Lưu trữ đầy đủ', conclusion: 'Đạt yêu cầu', updated_at: '2023-08-16T02:00:00.000Z' });
    const { n } = await db.selectFrom('findings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n).toBe(1);
  });

  it('insert-if-missing: the same blob recorded twice is one row, the first one', async () => {
    const blob = { sha256: 'a'.repeat(64), size: 5 * 1024 ** 3, mime: 'application/pdf', created_at: '2023-08-15T02:00:00.000Z' };
    await insertBlobIfMissing(db, blob);
    await insertBlobIfMissing(db, { ...blob, created_at: '2023-09-01T00:00:00.000Z' });
    expect(await db.selectFrom('blobs').selectAll().execute()).toEqual([blob]);
  });

  it('returns bigint sizes and counts as numbers, not strings', async () => {
    await insertBlobIfMissing(db, { sha256: 'b'.repeat(64), size: 6_000_000_000, mime: 'image/tiff', created_at: '2023-08-15T02:00:00.000Z' });
    const row = await db
      .selectFrom('blobs')
      .select((eb) => ['size', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('total')])
      .groupBy('size')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ size: 6_000_000_000, n: 1, total: 6_000_000_000 });
  });

  it('compares ISO times as text, the same on both', async () => {
    const at = (iso: string) => db.insertInto('login_attempts').values({ username: 'nguyenvana', ip: '10.0.0.7', at: iso }).execute();
    await at('2023-08-15T01:59:59.999Z');
    await at('2023-08-15T02:00:00.000Z');
    await at('2023-08-15T09:30:00.000Z');
    const failures = await recentFailures(db, 'nguyenvana', '10.0.0.7', '2023-08-15T02:00:00.000Z');
    expect(failures.byUser).toEqual({ n: 2, oldest: '2023-08-15T02:00:00.000Z' });
  });

  it('stores audit details byte for byte, so the chain verifies', async () => {
    await recordEvent(db, admin, {
      action: 'unit.note', objectType: 'unit', objectId: 'P-YLA',
      details: { note: 'Sổ theo dõi bảo vệ chính trị nội bộ — đủ 📒', quote: '"trích" \\ dẫn', figures: [607, 519, 2.1] },
    });
    const stored = await db.selectFrom('audit_events').select('details').where('action', '=', 'unit.note').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.details)).toEqual({ note: 'Sổ theo dõi bảo vệ chính trị nội bộ — đủ 📒', quote: '"trích" \\ dẫn', figures: [607, 519, 2.1] });
    expect(await verifyChain(db)).toMatchObject({ ok: true, events: 2 });
  });

  it('sorts codes the same way (by code point) on both', async () => {
    for (const code of ['p-2', 'P-10', 'P-2', 'P.1', 'P_1']) await buildUnit(db, admin, { code });
    expect((await listUnits(db, admin)).map((u) => u.code)).toEqual(['P-10', 'P-2', 'P.1', 'P_1', 'p-2']);
  });
});

describe('text holding U+0000 (PostgreSQL cannot store it)', () => {
  it('is refused as invalid input on both databases, in writes, lookups and raw SQL alike', async () => {
    await expect(createUnit(db, admin, { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La\u0000' })).rejects.toMatchObject({ status: 400 });
    await expect(getUnit(db, admin, 'P-YLA\u0000')).rejects.toMatchObject({ status: 400 });
    await expect(sql`select ${'Ỷ La\u0000'} as name`.execute(db)).rejects.toMatchObject({ status: 400 });
    expect(await listUnits(db, admin)).toEqual([]);
  });
});

describe('identity counters after a copy', () => {
  it('move past rows inserted with their ids, so the next unit gets a fresh id', async () => {
    await db.insertInto('units').values({ id: 41, code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang', parent_id: null, created_at: '2023-08-01T00:00:00.000Z' }).execute();
    await resetIdentity(db, 'units');
    const unit = await buildUnit(db, admin, { code: 'P-MOI', parentCode: 'TU-TQ' });
    const { id } = await db.selectFrom('units').select('id').where('code', '=', unit.code).executeTakeFirstOrThrow();
    expect(id).toBe(42);
    expect((await sql<{ n: number }>`select count(*) as n from units`.execute(db)).rows[0]?.n).toBe(2);
  });
});
