import { verifyChain } from '../src/audit/audit.service';
import type { Actor } from '../src/core/actor';
import type { Db } from '../src/db/database';
import { getUnitDossier, reviewEntry, saveFindings, setValue } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus, createInspection, getProgress, listInspections } from '../src/inspections/inspections.service';
import { updateTemplate } from '../src/templates/templates.service';
import { buildInspection, buildTemplate, buildUnit, buildUser, sampleItems } from './helpers/factories';
import { createTestDb } from './helpers/test-app';

let db: Db;
let admin: Actor;
beforeEach(async () => {
  ({ db, admin } = await createTestDb());
});
afterEach(() => db.destroy());

const statusOf = async (actor: Actor, code: string, unit: string, item: string) =>
  (await getUnitDossier(db, actor, code, unit)).entries.find((e) => e.itemCode === item)?.status;

describe('creating an inspection', () => {
  it('copies the template, so later template edits never reach it', async () => {
    const template = await buildTemplate(db, admin);
    const { code, units, lead } = await buildInspection(db, admin, { templateCode: template.code, units: 1 });
    await updateTemplate(db, admin, template.code, { title: 'Đã sửa', items: [{ ...sampleItems[0]!, title: 'Tiêu đề mới' }] });
    const dossier = await getUnitDossier(db, lead, code, units[0]!.code);
    expect(dossier.entries.map((e) => e.title)).toEqual(sampleItems.map((i) => i.title));
    expect(dossier.entries.every((e) => e.status === 'missing')).toBe(true);
  });

  it('refuses unknown units, unknown members, secretaries as members and two leads', async () => {
    const template = await buildTemplate(db, admin);
    const unit = await buildUnit(db, admin);
    const lead = await buildUser(db, admin);
    const secretary = await buildUser(db, admin, { role: 'secretary' });
    const base = { code: 'KT-X', title: 'Đợt thử', teamName: 'Đoàn 1', templateCode: template.code, unitCodes: [unit.code], members: [{ username: lead.username, role: 'lead' as const }] };
    await expect(createInspection(db, admin, { ...base, unitCodes: ['KHONGCO'] })).rejects.toMatchObject({ status: 404 });
    await expect(createInspection(db, admin, { ...base, members: [{ username: 'khongco', role: 'lead' }] })).rejects.toMatchObject({ status: 404 });
    await expect(createInspection(db, admin, { ...base, members: [{ username: secretary.username, role: 'lead' }] })).rejects.toMatchObject({ status: 400 });
    await expect(createInspection(db, admin, { ...base, members: [{ username: lead.username, role: 'member' }] })).rejects.toMatchObject({ status: 400 });
    await expect(createInspection(db, lead, base)).rejects.toMatchObject({ status: 403 });
    await createInspection(db, admin, base);
    await expect(createInspection(db, admin, base)).rejects.toMatchObject({ status: 409 });
  });
});

describe('the inspection lifecycle', () => {
  it('goes draft → open → closed by the lead, reopen by the admin only, and refuses the rest with 409', async () => {
    const { code, lead, member } = await buildInspection(db, admin, { open: false });
    await expect(changeInspectionStatus(db, member, code, 'open')).rejects.toMatchObject({ status: 403 });
    expect((await changeInspectionStatus(db, lead, code, 'open')).status).toBe('open');
    await expect(changeInspectionStatus(db, lead, code, 'open')).rejects.toMatchObject({ status: 409 });
    expect((await changeInspectionStatus(db, lead, code, 'close')).status).toBe('closed');
    await expect(changeInspectionStatus(db, lead, code, 'reopen')).rejects.toMatchObject({ status: 403 });
    expect((await changeInspectionStatus(db, admin, code, 'reopen')).status).toBe('open');
  });

  it('is visible to secretaries of units in scope only once it opens', async () => {
    const { code, secretaries, lead } = await buildInspection(db, admin, { open: false });
    const outsider = await buildUser(db, admin, { role: 'secretary' });
    const stranger = await buildUser(db, admin, { role: 'inspector' });
    expect(await listInspections(db, secretaries[0]!)).toEqual([]);
    await changeInspectionStatus(db, lead, code, 'open');
    expect((await listInspections(db, secretaries[0]!)).map((i) => i.code)).toEqual([code]);
    expect(await listInspections(db, outsider)).toEqual([]);
    expect(await listInspections(db, stranger)).toEqual([]);
    expect((await listInspections(db, lead)).map((i) => i.code)).toEqual([code]);
  });
});

describe('entries', () => {
  it('follow the state machine for values and reviews, with 409 naming the current status', async () => {
    const { code, units, secretaries, lead } = await buildInspection(db, admin, { units: 1 });
    const [unit, sec] = [units[0]!.code, secretaries[0]!];
    expect(await setValue(db, sec, code, unit, '8.1', { value: 607 })).toBe('submitted');
    await expect(reviewEntry(db, lead, code, unit, '8.1', { decision: 'return' })).rejects.toMatchObject({ status: 400 });
    expect((await reviewEntry(db, lead, code, unit, '8.1', { decision: 'return', note: 'Số liệu chưa khớp với báo cáo' })).to).toBe('returned');
    expect(await setValue(db, sec, code, unit, '8.1', { value: 519 })).toBe('submitted');
    expect((await reviewEntry(db, lead, code, unit, '8.1', { decision: 'accept' })).to).toBe('accepted');
    const locked = setValue(db, sec, code, unit, '8.1', { value: 1 });
    await expect(locked).rejects.toMatchObject({ status: 409 });
    await expect(reviewEntry(db, lead, code, unit, '8.1', { decision: 'accept' })).rejects.toMatchObject({ status: 409, params: { status: { key: 'status.accepted' } } });
    expect((await reviewEntry(db, lead, code, unit, '8.1', { decision: 'reopen' })).to).toBe('submitted');
    expect((await reviewEntry(db, lead, code, unit, '1.1', { decision: 'waive', note: 'Đơn vị chưa có đảng viên mới' })).to).toBe('waived');
    expect((await reviewEntry(db, lead, code, unit, '1.1', { decision: 'reopen' })).to).toBe('missing');
    const history = (await getUnitDossier(db, lead, code, unit)).entries.find((e) => e.itemCode === '8.1')!.history;
    expect(history.map((h) => h.decision)).toEqual(['return', 'accept', 'reopen']);
    expect(history[0]).toMatchObject({ note: 'Số liệu chưa khớp với báo cáo', by: lead.username });
  });

  it('take only the right kind of value, and clearing a value makes the entry missing again', async () => {
    const { code, units, secretaries } = await buildInspection(db, admin, { units: 1 });
    const [unit, sec] = [units[0]!.code, secretaries[0]!];
    await expect(setValue(db, sec, code, unit, '8.1', { value: 'nhiều' })).rejects.toMatchObject({ status: 400 });
    await expect(setValue(db, sec, code, unit, '1.1', { value: 3 })).rejects.toMatchObject({ status: 400 });
    expect(await setValue(db, sec, code, unit, '9.1', { value: 'Thực hiện nghiêm túc' })).toBe('submitted');
    expect(await setValue(db, sec, code, unit, '9.1', { value: '  ' })).toBe('missing');
    expect(await statusOf(sec, code, unit, '9.1')).toBe('missing');
  });

  it('cannot be written by anyone but the unit’s own secretary, nor reviewed by a secretary', async () => {
    const { code, units, secretaries, lead } = await buildInspection(db, admin, { units: 2 });
    await expect(setValue(db, secretaries[1]!, code, units[0]!.code, '8.1', { value: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(setValue(db, lead, code, units[0]!.code, '8.1', { value: 1 })).rejects.toMatchObject({ status: 403 });
    await expect(reviewEntry(db, secretaries[0]!, code, units[0]!.code, '8.1', { decision: 'waive', note: 'x' })).rejects.toMatchObject({ status: 403 });
    await expect(getUnitDossier(db, secretaries[1]!, code, units[0]!.code)).rejects.toMatchObject({ status: 404 });
  });

  it('are read-only once the inspection is closed', async () => {
    const { code, units, secretaries, lead } = await buildInspection(db, admin, { units: 1 });
    await changeInspectionStatus(db, lead, code, 'close');
    await expect(setValue(db, secretaries[0]!, code, units[0]!.code, '8.1', { value: 1 })).rejects.toMatchObject({ status: 409 });
    await expect(reviewEntry(db, lead, code, units[0]!.code, '1.1', { decision: 'waive', note: 'x' })).rejects.toMatchObject({ status: 409 });
    await expect(saveFindings(db, lead, code, units[0]!.code, { strengths: 'a', shortcomings: '', recommendations: '', conclusion: '' })).rejects.toMatchObject({ status: 409 });
  });
});

describe('progress', () => {
  it('counts by status, done over required items, and shows a secretary only their unit', async () => {
    const { code, units, secretaries, lead } = await buildInspection(db, admin, { units: 2 });
    const unit = units[0]!.code;
    await setValue(db, secretaries[0]!, code, unit, '8.1', { value: 607 });
    await reviewEntry(db, lead, code, unit, '8.1', { decision: 'accept' });
    await reviewEntry(db, lead, code, unit, '2.1', { decision: 'waive', note: 'Không có cán bộ đi nước ngoài' });
    const progress = await getProgress(db, lead, code);
    const row = progress.units.find((u) => u.unitCode === unit)!;
    expect(row).toMatchObject({ required: 3, done: 2, percent: 66.7, counts: { missing: 2, submitted: 0, accepted: 1, returned: 0, waived: 1 } });
    expect(progress.totals).toMatchObject({ required: 6, done: 2, percent: 33.3 });
    const own = await getProgress(db, secretaries[1]!, code);
    expect(own.units.map((u) => u.unitCode)).toEqual([units[1]!.code]);
    expect(own.totals.done).toBe(0);
  });

  it('leaves an audit chain that verifies', async () => {
    const { code, units, secretaries, lead } = await buildInspection(db, admin, { units: 1 });
    await setValue(db, secretaries[0]!, code, units[0]!.code, '8.1', { value: 2100 });
    await reviewEntry(db, lead, code, units[0]!.code, '8.1', { decision: 'accept' });
    expect((await verifyChain(db)).ok).toBe(true);
  });
});
