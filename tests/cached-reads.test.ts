import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Actor } from '../src/core/actor';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { getUnitDossier, reviewEntry, setValue } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus, getProgress } from '../src/inspections/inspections.service';
import { updateUnit } from '../src/units/units.service';
import { findUserByUsername } from '../src/users/users.repository';
import { ensureAdmin } from '../src/users/users.service';
import { buildInspection, PASSWORD } from './helpers/factories';
import { createTestApp, loginToken } from './helpers/test-app';
import { ADMIN_PASSWORD, createTestDb, onPostgres } from './helpers/test-db';

// The progress view and the unit dossiers are kept between requests until the next write. These
// tests make writes the way users do and check that no answer is ever older than the data.

/** Two connections to one database, as two app servers behind a load balancer have. */
interface TwoServers {
  first: Db;
  second: Db;
  admin: Actor;
  close: () => Promise<void>;
}

async function twoServers(): Promise<TwoServers> {
  if (onPostgres) {
    const { db, url, admin } = await createTestDb();
    const second = openDatabase(url);
    return { first: db, second, admin, close: async () => { await second.destroy(); await db.destroy(); } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-cache-'));
  const file = `sqlite:${path.join(dir, 'hoso.db')}`;
  const first = openDatabase(file);
  await migrateToLatest(first);
  await ensureAdmin(first, ADMIN_PASSWORD);
  const second = openDatabase(file);
  const row = await findUserByUsername(first, 'admin');
  if (!row) throw new Error('admin was not created');
  return {
    first,
    second,
    admin: { id: row.id, username: row.username, displayName: row.display_name, role: 'admin', unitId: null },
    close: async () => {
      await second.destroy();
      await first.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('answers kept between requests', () => {
  let servers: TwoServers;
  beforeEach(async () => {
    servers = await twoServers();
  });
  afterEach(() => servers.close());

  it('show a figure entered and accepted through another app server at once', async () => {
    const { first, second, admin } = servers;
    const { code, units, secretaries, lead } = await buildInspection(first, admin, { units: 2 });
    const unit = units[0]!.code;
    const before = await getProgress(first, lead, code);
    expect(before.units.find((u) => u.unitCode === unit)?.counts.submitted).toBe(0);
    expect((await getUnitDossier(first, lead, code, unit)).entries.find((e) => e.itemCode === '8.1')?.value).toBeNull();

    await setValue(second, secretaries[0]!, code, unit, '8.1', { value: 607 });
    const dossier = await getUnitDossier(first, lead, code, unit);
    expect(dossier.entries.find((e) => e.itemCode === '8.1')).toMatchObject({ value: 607, status: 'submitted' });
    expect((await getProgress(first, lead, code)).units.find((u) => u.unitCode === unit)?.counts.submitted).toBe(1);

    await reviewEntry(second, lead, code, unit, '8.1', { decision: 'accept' });
    const after = await getProgress(first, lead, code);
    expect(after.units.find((u) => u.unitCode === unit)).toMatchObject({ done: 1, counts: { accepted: 1, submitted: 0 } });
    expect(after.totals.done).toBe(1);
    expect((await getUnitDossier(first, secretaries[0]!, code, unit)).entries.find((e) => e.itemCode === '8.1')?.review?.decision).toBe('accept');
  });

  it('show a renamed unit and a closed inspection by their new name and status', async () => {
    const { first, second, admin } = servers;
    const { code, units, lead } = await buildInspection(first, admin, { units: 1 });
    await getProgress(first, lead, code);
    await updateUnit(second, admin, units[0]!.code, { name: 'Đảng uỷ phường Ỷ La (mới)' });
    await changeInspectionStatus(second, lead, code, 'close');
    const progress = await getProgress(first, lead, code);
    expect(progress.units[0]?.unitName).toBe('Đảng uỷ phường Ỷ La (mới)');
    expect(progress.inspection).toMatchObject({ status: 'closed', overdue: false });
    expect((await getUnitDossier(first, lead, code, units[0]!.code)).inspection.status).toBe('closed');
  });

  it('are not changed by what a caller does with an earlier answer', async () => {
    const { first, admin } = servers;
    const { code, units, lead } = await buildInspection(first, admin, { units: 2 });
    const progress = await getProgress(first, lead, code);
    progress.units[0]!.counts.missing = 999;
    progress.inspection.unitCodes.pop();
    const dossier = await getUnitDossier(first, lead, code, units[0]!.code);
    dossier.entries[0]!.status = 'accepted';
    dossier.entries[0]!.files.push({ id: 1, name: 'giả.pdf', size: 1, sha256: 'a'.repeat(64), mime: 'application/pdf', uploadedAt: '', uploadedBy: '' });

    const again = await getProgress(first, lead, code);
    expect(again.units[0]?.counts.missing).toBe(4);
    expect(again.inspection.unitCodes).toHaveLength(2);
    const dossierAgain = await getUnitDossier(first, lead, code, units[0]!.code);
    expect(dossierAgain.entries[0]).toMatchObject({ status: 'missing', files: [] });
  });

  it('give a secretary their own unit only, from the same kept progress', async () => {
    const { first, admin } = servers;
    const { code, units, secretaries, lead } = await buildInspection(first, admin, { units: 3 });
    expect((await getProgress(first, lead, code)).units).toHaveLength(3);
    const own = await getProgress(first, secretaries[1]!, code);
    expect(own.units.map((u) => u.unitCode)).toEqual([units[1]!.code]);
    expect(own.totals.required).toBe(own.units[0]?.required);
  });
});

describe('GET /inspections/:code/progress', () => {
  it('answers what getProgress says, for the team and for a secretary, before and after a write', async () => {
    const ctx = await createTestApp();
    try {
      const { code, units, secretaries, lead } = await buildInspection(ctx.db, ctx.admin, { units: 2 });
      const asLead = await loginToken(ctx.app, lead.username, PASSWORD);
      const asSecretary = await loginToken(ctx.app, secretaries[1]!.username, PASSWORD);
      const progress = (token: string) => request(ctx.app).get(`/api/v1/inspections/${code}/progress`).set('Authorization', `Bearer ${token}`);

      const first = await progress(asLead);
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(first.body).toEqual(await getProgress(ctx.db, lead, code));
      await setValue(ctx.db, secretaries[1]!, code, units[1]!.code, '8.1', { value: 519 });
      const second = await progress(asLead);
      expect(second.body).toEqual(await getProgress(ctx.db, lead, code));
      expect(second.body.totals.counts.submitted).toBe(1);
      const own = await progress(asSecretary);
      expect(own.body.units).toEqual([expect.objectContaining({ unitCode: units[1]!.code, counts: expect.objectContaining({ submitted: 1 }) })]);
    } finally {
      await ctx.close();
    }
  });
});
