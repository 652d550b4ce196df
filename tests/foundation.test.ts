import path from 'node:path';
import { Migrator } from 'kysely';
import { migrations } from '../migrations';
import { verifyChain } from '../src/audit/audit.service';
import { PAGE_COOKIE_KEY, sharedSecret } from '../src/auth/app-secrets';
import { ConfigError, loadConfig } from '../src/config';
import { migrateToLatest } from '../src/db/migrate';
import { defaultTemplate } from '../src/demo/fixtures';
import { seedDemo } from '../src/demo/seed-demo';
import { listUnits } from '../src/units/units.service';
import { ensureAdmin } from '../src/users/users.service';
import { buildUnit } from './helpers/factories';
import { createTestDb } from './helpers/test-app';
import { createEmptyTestDb } from './helpers/test-db';

describe('migrations', () => {
  it('run twice are a no-op', async () => {
    const { db } = await createEmptyTestDb();
    expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(db)).toEqual([]);
    await db.destroy();
  });

  it('that fail half-way leave the database as it was', async () => {
    const { db } = await createEmptyTestDb();
    const migrator = new Migrator({
      db,
      provider: {
        getMigrations: () =>
          Promise.resolve({
            '0001_half': {
              up: async (d) => {
                await d.schema.createTable('half_done').addColumn('id', 'integer').execute();
                throw new Error('boom');
              },
            },
          }),
      },
    });
    expect((await migrator.migrateToLatest()).error).toBeDefined();
    expect((await db.introspection.getTables()).map((t) => t.name)).not.toContain('half_done');
    await db.destroy();
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.maxUploadBytes).toBe(50 * 1024 * 1024);
    expect(config.databaseUrl).toBe(`sqlite:${path.join(config.dataDir, 'hoso.db')}`);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('stops with one line per bad variable', () => {
    try {
      loadConfig({ PORT: 'abc', HOSO_MAX_UPLOAD_MB: '-1', HOSO_LANG: 'fr', DATABASE_URL: 'mysql://x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'HOSO_MAX_UPLOAD_MB', 'HOSO_LANG', 'DATABASE_URL']) expect(problems).toContain(name);
    }
  });
});

describe('audit chain', () => {
  it('verifies after writes and names the first edited event', async () => {
    const { db, admin } = await createTestDb();
    for (let i = 0; i < 3; i++) await buildUnit(db, admin);
    const good = await verifyChain(db);
    expect(good).toMatchObject({ ok: true, events: 4 });
    const second = await db.selectFrom('audit_events').select('id').orderBy('id').offset(2).limit(1).executeTakeFirstOrThrow();
    await db.updateTable('audit_events').set({ details: '{"code":"GIA-MAO"}' }).where('id', '=', second.id).execute();
    expect(await verifyChain(db)).toMatchObject({ ok: false, firstBroken: { id: second.id, reason: 'hash_mismatch' } });
    await db.destroy();
  });
});

describe('fixtures', () => {
  it('ship the default 40-item template with file, number and text items', () => {
    const template = defaultTemplate();
    expect(template.title).toBe('Kiểm tra công tác bảo vệ chính trị nội bộ');
    expect(template.items).toHaveLength(40);
    expect(new Set(template.items.map((i) => i.kind))).toEqual(new Set(['file', 'number', 'text']));
    expect(template.items.map((i) => i.title)).toContain('Sổ theo dõi bảo vệ chính trị nội bộ');
  });

  it('load the demo city once, and a second run changes nothing', async () => {
    const { db, admin } = await createTestDb();
    const first = await seedDemo(db, admin);
    expect(first.units).toBeGreaterThanOrEqual(12);
    expect(first.templates).toBe(1);
    expect(first.inspections).toBe(1);
    expect(await seedDemo(db, admin)).toEqual({ units: 0, users: 0, templates: 0, inspections: 0 });
    const units = await listUnits(db, admin);
    expect(units.find((u) => u.code === 'P-YLA')).toEqual({ code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    await db.destroy();
  });
});

describe('shared secrets', () => {
  it('are created once and read back the same by every server, even when two start together', async () => {
    const { db } = await createTestDb();
    const [a, b] = await Promise.all([sharedSecret(db, PAGE_COOKIE_KEY), sharedSecret(db, PAGE_COOKIE_KEY)]);
    expect(a.length).toBe(32);
    expect(b.equals(a)).toBe(true);
    expect((await sharedSecret(db, PAGE_COOKIE_KEY)).equals(a)).toBe(true);
    expect((await sharedSecret(db, 'another')).equals(a)).toBe(false);
    await db.destroy();
  });
});

describe('the first admin', () => {
  it('is created once when two servers start together on an empty database', async () => {
    const { db } = await createEmptyTestDb();
    await migrateToLatest(db);
    const results = await Promise.all([ensureAdmin(db, 'Mat-khau-quan-tri-1'), ensureAdmin(db, 'Mat-khau-quan-tri-1')]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.selectFrom('users').select('username').execute()).toEqual([{ username: 'admin' }]);
    await db.destroy();
  });
});
