import request from 'supertest';
import { can, DIRECTORY, type InspectionSubject, type UnitSubject } from '../src/auth/policy';
import type { Actor } from '../src/core/actor';
import { getUnitDossier, reviewEntry, withdrawFile } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus } from '../src/inspections/inspections.service';
import { buildInspection } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { createTestApp, loginToken, type TestContext } from './helpers/test-app';
import { signIn } from './helpers/web';

/**
 * The rules of the one access policy that the permission matrix does not reach route by route,
 * and the two places where a copy of a rule had drifted: withdrawing from a waived item, and the
 * team's findings shown to the unit before the inspection closes.
 */

const person = (role: Actor['role'], unitId: number | null = null): Actor => ({ id: 1, username: 'u', displayName: 'U', role, unitId });
const inspection = (over: Partial<InspectionSubject> = {}): InspectionSubject => ({ kind: 'inspection', code: 'KT', status: 'open', teamRole: null, coversOwnUnit: false, ...over });
const unit = (over: Partial<InspectionSubject>, ownUnit: boolean): UnitSubject => ({ kind: 'unit', inspection: inspection(over), unitCode: 'A', ownUnit });

describe('the access policy', () => {
  it('lets inspectors read the directory and only administrators keep it', () => {
    expect(can(person('inspector'), 'read', DIRECTORY)).toBe(true);
    expect(can(person('inspector'), 'manage', DIRECTORY)).toBe(false);
    expect(can(person('secretary', 5), 'read', DIRECTORY)).toBe(false);
    expect(can(person('admin'), 'manage', DIRECTORY)).toBe(true);
  });

  it('lets the lead open and close, an administrator also reopen, and a member none of them', () => {
    const lead = person('inspector');
    expect(can(lead, 'close', inspection({ teamRole: 'lead' }))).toBe(true);
    expect(can(lead, 'reopen', inspection({ teamRole: 'lead', status: 'closed' }))).toBe(false);
    expect(can(lead, 'close', inspection({ teamRole: 'member' }))).toBe(false);
    expect(can(person('admin'), 'reopen', inspection({ status: 'closed' }))).toBe(true);
  });

  it('shows a unit its inspection only from the moment it opens, and only its own unit', () => {
    const secretary = person('secretary', 5);
    expect(can(secretary, 'view', inspection({ status: 'draft', coversOwnUnit: true }))).toBe(false);
    expect(can(secretary, 'view', inspection({ coversOwnUnit: true }))).toBe(true);
    expect(can(secretary, 'view', unit({ coversOwnUnit: true }, false))).toBe(false);
    expect(can(secretary, 'submit', unit({ coversOwnUnit: true }, true))).toBe(true);
    expect(can(secretary, 'review', unit({ coversOwnUnit: true }, true))).toBe(false);
  });

  it('gives the unit its report and the team’s findings once the inspection is closed, the team always', () => {
    const secretary = person('secretary', 5);
    for (const action of ['readFindings', 'readReport'] as const) {
      expect(can(secretary, action, unit({ coversOwnUnit: true }, true))).toBe(false);
      expect(can(secretary, action, unit({ coversOwnUnit: true, status: 'closed' }, true))).toBe(true);
      expect(can(person('inspector'), action, unit({ teamRole: 'member' }, false))).toBe(true);
    }
  });

  it('never lets an inspector outside the team see an inspection, whatever its state', () => {
    expect(can(person('inspector'), 'view', inspection({ teamRole: null }))).toBe(false);
  });
});

describe('withdrawing a file', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.close());

  async function uploaded(built: Awaited<ReturnType<typeof buildInspection>>) {
    const token = await loginToken(ctx.app, built.secretaries[0]!.username, built.secretaries[0]!.password);
    const res = await request(ctx.app)
      .post(`/api/v1/inspections/${built.code}/units/${built.units[0]!.code}/items/1.1/files`)
      .auth(token, { type: 'bearer' })
      .attach('file', readSample('pdf'), 'Biên bản kết nạp.pdf')
      .expect(201);
    return res.body.id as number;
  }

  it('is allowed from a waived item, which stays waived, as §2 says (an item not accepted)', async () => {
    const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
    const fileId = await uploaded(built);
    await reviewEntry(ctx.db, built.lead, built.code, built.units[0]!.code, '1.1', { decision: 'waive', note: 'Đơn vị mới thành lập, chưa có đảng viên mới' });
    const page = await signIn(ctx.app, built.secretaries[0]!.username, built.secretaries[0]!.password);
    const html = (await page.agent.get(`/inspections/${built.code}/units/${built.units[0]!.code}`)).text;
    expect(html).toContain(`/files/${fileId}/withdraw`);
    expect(await withdrawFile(ctx.db, built.secretaries[0]!, fileId)).toBe('waived');
  });

  it('is refused from an accepted item with 409', async () => {
    const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
    const fileId = await uploaded(built);
    await reviewEntry(ctx.db, built.lead, built.code, built.units[0]!.code, '1.1', { decision: 'accept' });
    await expect(withdrawFile(ctx.db, built.secretaries[0]!, fileId)).rejects.toMatchObject({ status: 409, messageKey: 'file.withdrawAccepted' });
  });
});

describe('the team’s findings', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.close());

  it('reach the unit’s secretary through the API only once the inspection is closed, as on the page', async () => {
    const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
    const unitCode = built.units[0]!.code;
    const lead = await loginToken(ctx.app, built.lead.username, built.lead.password);
    const findings = { strengths: 'Lưu trữ đầy đủ', shortcomings: 'Sổ theo dõi ghi chưa kịp thời', recommendations: 'Cập nhật sổ hằng tháng', conclusion: 'Hoàn thành tốt nhiệm vụ' };
    await request(ctx.app).put(`/api/v1/inspections/${built.code}/units/${unitCode}/findings`).auth(lead, { type: 'bearer' }).send(findings).expect(200);

    const secretary = await loginToken(ctx.app, built.secretaries[0]!.username, built.secretaries[0]!.password);
    const whileOpen = await request(ctx.app).get(`/api/v1/inspections/${built.code}/units/${unitCode}`).auth(secretary, { type: 'bearer' }).expect(200);
    expect(whileOpen.text).not.toContain('Sổ theo dõi ghi chưa kịp thời');
    expect(whileOpen.body.findings).toMatchObject({ strengths: '', shortcomings: '', recommendations: '', conclusion: '' });
    expect((await getUnitDossier(ctx.db, built.lead, built.code, unitCode)).findings).toMatchObject(findings);

    await changeInspectionStatus(ctx.db, built.lead, built.code, 'close');
    const closed = await request(ctx.app).get(`/api/v1/inspections/${built.code}/units/${unitCode}`).auth(secretary, { type: 'bearer' }).expect(200);
    expect(closed.body.findings).toMatchObject(findings);
  });
});
