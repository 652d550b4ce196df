import { reviewEntry, setValue } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus, createInspection, getInspection, listInspections } from '../src/inspections/inspections.service';
import { buildInspection, buildTemplate, buildUnit, buildUser } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, type TestContext } from './helpers/test-app';
import { type Agent, signIn } from './helpers/web';

type Who = { agent: Agent; csrf: string };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestApp();
});
afterEach(async () => {
  await ctx.close();
});

/** The dashboard row of an inspection. */
function rowOf(html: string, code: string): string {
  const row = html.split('<tr').find((r) => r.includes(`<span class="code">${code}</span>`));
  if (!row) throw new Error(`no row for ${code}`);
  return row;
}

describe('the dashboard', () => {
  it('shows an inspector their inspections with status, due date, progress and what waits for review', async () => {
    const built = await buildInspection(ctx.db, ctx.admin, { units: 2 });
    const [a, b] = built.units.map((u) => u.code);
    const [sa] = built.secretaries;
    if (!a || !b || !sa) throw new Error('factory built too little');
    // 6 required items in all (3 per unit): one accepted, one waived, one waiting for review.
    await setValue(ctx.db, sa, built.code, a, '8.1', { value: 607 });
    await reviewEntry(ctx.db, built.lead, built.code, a, '8.1', { decision: 'accept' });
    await reviewEntry(ctx.db, built.lead, built.code, b, '1.1', { decision: 'waive', note: 'Không phát sinh trong kỳ.' });
    await setValue(ctx.db, sa, built.code, a, '9.1', { value: 'Cấp uỷ quan tâm lãnh đạo.' });
    // Another team's inspection stays out of sight; a late one is marked.
    await buildInspection(ctx.db, ctx.admin, { code: 'KT-KHAC' });
    const late = await createInspection(ctx.db, ctx.admin, {
      code: 'KT-2022', title: 'Kiểm tra năm 2022', teamName: 'Đoàn Kiểm tra số 2', templateCode: (await getInspection(ctx.db, ctx.admin, built.code)).templateCode,
      unitCodes: [a], members: [{ username: built.member.username, role: 'lead' }, { username: built.lead.username, role: 'member' }], dueAt: '2022-12-31',
    });
    await changeInspectionStatus(ctx.db, built.member, late.code, 'open');

    const lead = await signIn(ctx.app, built.lead.username, built.lead.password);
    const res = await lead.agent.get('/');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).not.toContain('KT-KHAC');
    const row = rowOf(html, built.code);
    expect(row).toContain(`href="/inspections/${built.code}">Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023</a>`);
    expect(row).toContain('<span class="badge istatus-open">Đang kiểm tra</span>');
    expect(row).toContain('15/08/2030');
    expect(row).not.toContain('Quá hạn');
    expect(row).toContain('aria-valuenow="33.3"');
    expect(row).toContain('2/6 mục bắt buộc đã xong');
    expect(row).toMatch(/<td class="num">1<\/td>/);
    const lateRow = rowOf(html, 'KT-2022');
    expect(lateRow).toContain('<span class="overdue">31/12/2022</span>');
    expect(lateRow).toContain('<span class="tag-overdue">Quá hạn</span>');
    // The tiles: two open, one item to review, one overdue.
    expect(html).toMatch(/<span class="stat-value">2<\/span>\s*<span class="stat-label">đợt đang kiểm tra/);
    expect(html).toMatch(/<span class="stat-value">1<\/span>\s*<span class="stat-label">mục chờ đánh giá/);
    expect(html).toMatch(/stat-alert">\s*<span class="stat-value">1<\/span>/);
    expect(html).not.toContain('/admin/inspections/new');
  });

  it('shows a secretary their unit’s progress and takes them straight to their dossier', async () => {
    const built = await buildInspection(ctx.db, ctx.admin, { units: 2 });
    const [unit] = built.units;
    const [bt] = built.secretaries;
    if (!unit || !bt) throw new Error('factory built too little');
    await setValue(ctx.db, bt, built.code, unit.code, '8.1', { value: 12 });
    await reviewEntry(ctx.db, built.lead, built.code, unit.code, '8.1', { decision: 'return', note: 'Số liệu chưa khớp.' });
    // A draft covering the unit is not shown to it yet.
    await buildInspection(ctx.db, ctx.admin, { code: 'KT-NHAP', open: false });

    const secretary = await signIn(ctx.app, bt.username, bt.password);
    const html = (await secretary.agent.get('/')).text;
    expect(html).toContain(`<strong>${unit.name}</strong>`);
    expect(html).not.toContain('KT-NHAP');
    const row = rowOf(html, built.code);
    expect(row).toContain(`href="/inspections/${built.code}/units/${unit.code}"`);
    expect(row).toContain('Mở hồ sơ đơn vị');
    expect(row).toContain('0/3 mục bắt buộc đã xong');
    expect(row).toContain('<span class="count-returned">1</span>');
    expect(html).toMatch(/<span class="stat-value">1<\/span>\s*<span class="stat-label">mục bị trả lại, cần bổ sung/);
    expect(html).toContain('Tiến độ của đơn vị');
    expect(html).not.toContain('/admin/');
  });

  it('says so when there is nothing to show', async () => {
    const inspector = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
    const who = await signIn(ctx.app, inspector.username, inspector.password);
    expect((await who.agent.get('/')).text).toContain('Bạn chưa là thành viên của đoàn kiểm tra nào.');
    const admin = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const html = (await admin.agent.get('/')).text;
    expect(html).toContain('Chưa có đợt kiểm tra nào.');
    expect(html).toContain('href="/admin/inspections/new"');
  });
});

describe('the admin inspection pages', () => {
  let admin: Who;
  beforeEach(async () => {
    admin = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
  });

  it('creates an inspection from a template with units and a team, then opens it after confirming', async () => {
    const template = await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    await buildUnit(ctx.db, ctx.admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    await buildUnit(ctx.db, ctx.admin, { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    await buildUnit(ctx.db, ctx.admin, { code: 'P-TANHA', name: 'Đảng uỷ phường Tân Hà', parentCode: 'TU-TQ' });
    await buildUser(ctx.db, ctx.admin, { username: 'truongdoan', displayName: 'Nguyễn Văn Thành' });
    await buildUser(ctx.db, ctx.admin, { username: 'thanhvien1', displayName: 'Trần Thị Hương' });
    await buildUser(ctx.db, ctx.admin, { role: 'secretary', username: 'bt.yla', unitCode: 'P-YLA' });

    const form = (await admin.agent.get('/admin/inspections/new')).text;
    expect(form).toContain(`<option value="BVCTNB"`);
    // Units as a tree of checkboxes, each carrying its folded name for the filter script.
    expect(form).toMatch(/<li class="depth-1" data-search="p-yla dang uy phuong y la">\s*<label><input type="checkbox" name="unitCodes" value="P-YLA">/);
    expect(form).toContain('name="role.truongdoan"');
    expect(form).not.toContain('name="role.bt.yla"');
    expect(form).toContain('<script src="/static/js/unit-picker.js" defer></script>');

    const res = await admin.agent.post('/admin/inspections').type('form').send({
      _csrf: admin.csrf, code: 'KT4-2023', templateCode: template.code, title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
      teamName: 'Đoàn Kiểm tra số 4', dueAt: '2023-08-15', parentBody: 'TIỂU BAN BẢO VỆ CHÍNH TRỊ NỘI BỘ TRUNG ƯƠNG', place: 'Tuyên Quang',
      reportNumber: '12-BC/ĐKT', unitCodes: ['P-YLA', 'P-TANHA'], 'role.truongdoan': 'lead', 'role.thanhvien1': 'member',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/inspections/KT4-2023');
    const matrix = (await admin.agent.get('/inspections/KT4-2023')).text;
    expect(matrix).toContain('Đã tạo đợt kiểm tra KT4-2023 với 2 đơn vị (dự thảo).');
    expect(matrix).toContain('<span class="badge istatus-draft">Dự thảo</span>');
    expect(await getInspection(ctx.db, ctx.admin, 'KT4-2023')).toMatchObject({
      status: 'draft', unitCodes: ['P-TANHA', 'P-YLA'], dueAt: '2023-08-15', place: 'Tuyên Quang', reportNumber: '12-BC/ĐKT',
      members: [{ username: 'truongdoan', role: 'lead' }, { username: 'thanhvien1', role: 'member' }],
    });

    const list = (await admin.agent.get('/admin/inspections')).text;
    expect(list).toContain('href="/inspections/KT4-2023/status/open?next=/admin/inspections">Mở đợt kiểm tra</a>');
    expect(list).toContain('Nguyễn Văn Thành');
    const confirm = (await admin.agent.get('/inspections/KT4-2023/status/open?next=/admin/inspections')).text;
    expect(confirm).toContain('Mở đợt kiểm tra KT4-2023?');
    expect(confirm).toContain('<input type="hidden" name="next" value="/admin/inspections">');
    const opened = await admin.agent.post('/inspections/KT4-2023/status/open').type('form').send({ _csrf: admin.csrf, next: '/admin/inspections' });
    expect(opened.headers.location).toBe('/admin/inspections');
    expect((await admin.agent.get('/admin/inspections')).text).toContain('Đã mở đợt kiểm tra KT4-2023.');
    expect((await getInspection(ctx.db, ctx.admin, 'KT4-2023')).status).toBe('open');
  });

  it('explains what is missing in Vietnamese and keeps what was chosen', async () => {
    await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    await buildUnit(ctx.db, ctx.admin, { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La' });
    await buildUser(ctx.db, ctx.admin, { username: 'truongdoan' });
    await buildUser(ctx.db, ctx.admin, { username: 'thanhvien1' });
    const base = { _csrf: admin.csrf, code: 'KT4-2023', templateCode: 'BVCTNB', title: 'Kiểm tra năm 2023', teamName: 'Đoàn Kiểm tra số 4' };

    const noUnits = await admin.agent.post('/admin/inspections').type('form').send({ ...base, 'role.truongdoan': 'lead' });
    expect(noUnits.status).toBe(400);
    expect(noUnits.text).toContain('Hãy chọn ít nhất một đơn vị.');
    expect(noUnits.text).toContain('value="Kiểm tra năm 2023"');
    expect(noUnits.text).toContain('<option value="lead" selected>');

    const twoLeads = await admin.agent.post('/admin/inspections').type('form')
      .send({ ...base, unitCodes: 'P-YLA', 'role.truongdoan': 'lead', 'role.thanhvien1': 'lead' });
    expect(twoLeads.status).toBe(400);
    expect(twoLeads.text).toContain('Đoàn kiểm tra phải có đúng một trưởng đoàn');
    expect(twoLeads.text).toContain('name="unitCodes" value="P-YLA" checked>');

    const badCode = await admin.agent.post('/admin/inspections').type('form')
      .send({ ...base, code: 'KT 4', unitCodes: 'P-YLA', 'role.truongdoan': 'lead' });
    expect(badCode.status).toBe(400);
    expect(badCode.text).toContain('chỉ gồm chữ không dấu, chữ số và các dấu . _ - (không có khoảng trắng)');
    expect(await listInspections(ctx.db, ctx.admin)).toEqual([]);
  });

  it('is for admins only, and refuses a form without the CSRF token', async () => {
    const inspector = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
    const who = await signIn(ctx.app, inspector.username, inspector.password);
    expect((await who.agent.get('/admin/inspections')).status).toBe(403);
    expect((await who.agent.get('/admin/inspections/new')).status).toBe(403);
    expect((await who.agent.get('/')).text).not.toContain('href="/admin/inspections"');
    expect((await admin.agent.get('/')).text).toContain('href="/admin/inspections"');
    const forged = await admin.agent.post('/admin/inspections').type('form').send({ _csrf: 'gia-mao', code: 'KT-1' });
    expect(forged.status).toBe(403);
  });
});
