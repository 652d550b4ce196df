import request from 'supertest';
import { getTemplate } from '../src/templates/templates.service';
import { listUnits } from '../src/units/units.service';
import { getUser } from '../src/users/users.service';
import { buildTemplate, buildUnit, buildUser, PASSWORD } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, type TestContext } from './helpers/test-app';
import { type Agent, csrfOf, signIn } from './helpers/web';

let ctx: TestContext;
let admin: { agent: Agent; csrf: string };
beforeEach(async () => {
  ctx = await createTestApp();
  admin = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
});
afterEach(async () => {
  await ctx.close();
});

const post = (who: { agent: Agent; csrf: string }, path: string, fields: Record<string, string>) =>
  who.agent.post(path).type('form').send({ _csrf: who.csrf, ...fields });

describe('units page', () => {
  it('creates units through the form and shows them as a tree with a message', async () => {
    const created = await post(admin, '/admin/units', { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang', parentCode: '' });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/admin/units');
    await post(admin, '/admin/units', { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân', parentCode: 'TU-TQ' });

    const page = await admin.agent.get('/admin/units');
    expect(page.text).toContain('Đã thêm đơn vị P-MX — Đảng uỷ phường Minh Xuân.');
    // The ward sits in a nested list under the city committee.
    expect(page.text).toMatch(/Thành uỷ Tuyên Quang[\s\S]*<ul class="tree">[\s\S]*Đảng uỷ phường Minh Xuân/);
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([
      { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân', parentCode: 'TU-TQ' },
      { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang', parentCode: null },
    ]);
  });

  it('escapes every user-typed string', async () => {
    await post(admin, '/admin/units', { code: 'XSS-1', name: '<script>alert(1)</script>', parentCode: '' });
    const page = await admin.agent.get('/admin/units');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    const users = await admin.agent.get('/admin/users');
    expect(users.text).toContain('XSS-1 — &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(users.text).not.toContain('<script>');
  });

  it('explains a bad code in Vietnamese and keeps what was typed', async () => {
    const res = await post(admin, '/admin/units', { code: 'P MX', name: 'Đảng uỷ phường Minh Xuân', parentCode: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Chưa lưu được: hãy sửa các mục được đánh dấu bên dưới.');
    expect(res.text).toContain('chỉ gồm chữ không dấu, chữ số và các dấu . _ - (không có khoảng trắng)');
    expect(res.text).toContain('value="Đảng uỷ phường Minh Xuân"');
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);
  });

  it('says when a code is taken', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân' });
    const res = await post(admin, '/admin/units', { code: 'P-MX', name: 'Phường khác', parentCode: '' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Mã đơn vị P-MX đã tồn tại');
  });

  it('renames and moves a unit, never offering itself or a unit below it as parent', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    await buildUnit(ctx.db, ctx.admin, { code: 'DB-CQ', name: 'Đảng bộ Cơ quan', parentCode: 'TU-TQ' });
    await buildUnit(ctx.db, ctx.admin, { code: 'CB-VP', name: 'Chi bộ Văn phòng', parentCode: 'DB-CQ' });

    const edit = await admin.agent.get('/admin/units/DB-CQ');
    expect(edit.text).toContain('<option value="TU-TQ"');
    expect(edit.text).not.toContain('<option value="DB-CQ"');
    expect(edit.text).not.toContain('<option value="CB-VP"');

    const res = await post(admin, '/admin/units/CB-VP', { name: 'Chi bộ Văn phòng Thành uỷ', parentCode: 'TU-TQ' });
    expect(res.status).toBe(303);
    expect((await admin.agent.get('/admin/units')).text).toContain('Đã lưu đơn vị CB-VP — Chi bộ Văn phòng Thành uỷ.');
    expect((await listUnits(ctx.db, ctx.admin)).find((u) => u.code === 'CB-VP')).toEqual({ code: 'CB-VP', name: 'Chi bộ Văn phòng Thành uỷ', parentCode: 'TU-TQ' });
  });

  it('refuses a form without a valid CSRF token and writes nothing', async () => {
    const missing = await admin.agent.post('/admin/units').type('form').send({ code: 'P-1', name: 'Phường 1' });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Mã chống giả mạo (CSRF) không hợp lệ');
    const wrong = await admin.agent.post('/admin/units').type('form').send({ _csrf: 'x'.repeat(43), code: 'P-1', name: 'Phường 1' });
    expect(wrong.status).toBe(403);
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);
  });
});

describe('who may see the admin pages', () => {
  it('gives a unit secretary a 403 page on every admin page', async () => {
    const secretary = await buildUser(ctx.db, ctx.admin, { role: 'secretary' });
    const { agent, csrf } = await signIn(ctx.app, secretary.username, secretary.password);
    for (const path of ['/admin/units', '/admin/users', '/admin/templates', '/admin/import', '/admin/new-template']) {
      const res = await agent.get(path);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Không có quyền truy cập');
    }
    const write = await agent.post('/admin/units').type('form').send({ _csrf: csrf, code: 'P-2', name: 'Phường 2' });
    expect(write.status).toBe(403);
  });

  it('lets an inspector read the lists without any form to change them', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    const template = await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    const inspector = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
    const { agent, csrf } = await signIn(ctx.app, inspector.username, inspector.password);

    const units = await agent.get('/admin/units');
    expect(units.status).toBe(200);
    expect(units.text).toContain('Thành uỷ Tuyên Quang');
    expect(units.text).not.toContain('action="/admin/units"');
    const users = await agent.get('/admin/users');
    expect(users.text).not.toContain('action="/admin/users"');
    const tpl = await agent.get('/admin/templates/BVCTNB');
    expect(tpl.status).toBe(200);
    expect(tpl.text).toContain(template.items[0]?.title);
    expect(tpl.text).not.toContain('<form method="post" action="/admin/templates/BVCTNB"');
    expect((await agent.get('/admin/import')).status).toBe(403);

    const write = await agent.post('/admin/units').type('form').send({ _csrf: csrf, code: 'P-2', name: 'Phường 2', parentCode: '' });
    expect(write.status).toBe(403);
    expect(write.text).toContain('Không có quyền truy cập');
  });
});

describe('users pages', () => {
  it('creates a unit secretary, then deactivates, reactivates and resets the password', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La' });
    const created = await post(admin, '/admin/users', {
      username: 'bt.yla', displayName: 'Vũ Đức Anh', role: 'secretary', unitCode: 'P-YLA', password: PASSWORD,
    });
    expect(created.status).toBe(303);
    const list = await admin.agent.get('/admin/users');
    expect(list.text).toContain('Đã thêm tài khoản bt.yla.');
    expect(list.text).toContain('Đảng uỷ phường Ỷ La');

    const secretary = await signIn(ctx.app, 'bt.yla', PASSWORD);
    expect((await post(admin, '/admin/users/bt.yla/active', { active: 'false' })).status).toBe(303);
    expect((await admin.agent.get('/admin/users/bt.yla')).text).toContain('Đã khoá tài khoản bt.yla.');
    expect((await getUser(ctx.db, ctx.admin, 'bt.yla')).active).toBe(false);
    // Deactivation ends the open session.
    expect((await secretary.agent.get('/')).headers.location).toBe('/login');

    await post(admin, '/admin/users/bt.yla/active', { active: 'true' });
    await post(admin, '/admin/users/bt.yla/password', { password: 'Mat-khau-moi-2024' });
    expect((await admin.agent.get('/admin/users/bt.yla')).text).toContain('Đã đặt lại mật khẩu cho bt.yla.');
    await expect(signIn(ctx.app, 'bt.yla', PASSWORD)).rejects.toThrow();
    await expect(signIn(ctx.app, 'bt.yla', 'Mat-khau-moi-2024')).resolves.toBeDefined();
  });

  it('explains what a secretary without a unit needs', async () => {
    const res = await post(admin, '/admin/users', { username: 'bt.moi', displayName: 'Lê Thị Mai', role: 'secretary', unitCode: '', password: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Bí thư/văn phòng đơn vị phải thuộc một đơn vị');
    expect(res.text).toContain('value="bt.moi"');
    expect(res.text).not.toContain(PASSWORD);
  });

  it('refuses a short new password beside its form', async () => {
    await buildUser(ctx.db, ctx.admin, { username: 'thanhvien1' });
    const res = await post(admin, '/admin/users/thanhvien1/password', { password: 'ngan' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('cần ít nhất 8 ký tự');
  });

  it('does not offer an admin the button to deactivate their own account', async () => {
    const page = await admin.agent.get('/admin/users/admin');
    expect(page.text).toContain('Bạn không thể tự khoá tài khoản của mình.');
    expect(page.text).not.toContain('action="/admin/users/admin/active"');
  });
});

describe('templates pages', () => {
  it('creates a template from rows of a form, adding rows without saving first', async () => {
    const fields = {
      code: 'KT-2024', title: 'Kiểm tra năm 2024',
      'items.0.code': '1.1', 'items.0.section': 'I. Kết nạp đảng viên', 'items.0.title': 'Hồ sơ kết nạp đảng viên',
      'items.0.guidance': 'Lý lịch, đơn, nghị quyết', 'items.0.kind': 'file', 'items.0.required': '1', 'items.0.minFiles': '2',
      'items.1.code': '', 'items.1.title': '', 'items.1.kind': 'file', 'items.1.required': '1',
    };
    const more = await post(admin, '/admin/templates', { ...fields, action: 'add-rows' });
    expect(more.status).toBe(200);
    // The typed row is kept, the blank one dropped, and three blank rows are offered.
    expect(more.text).toContain('value="Kiểm tra năm 2024"');
    expect(more.text).toContain('Hồ sơ kết nạp đảng viên');
    expect(more.text).toContain('name="items.3.code"');
    expect(more.text).not.toContain('name="items.4.code"');

    const saved = await post(admin, '/admin/templates', {
      ...fields, action: 'save',
      'items.1.code': '8.1', 'items.1.section': 'VIII. Số liệu', 'items.1.title': 'Số lượt tập huấn', 'items.1.kind': 'number',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/admin/templates/KT-2024');
    expect((await admin.agent.get('/admin/templates/KT-2024')).text).toContain('Đã tạo mẫu danh mục KT-2024.');
    const template = await getTemplate(ctx.db, ctx.admin, 'KT-2024');
    expect(template.items).toEqual([
      { code: '1.1', section: 'I. Kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', guidance: 'Lý lịch, đơn, nghị quyết', kind: 'file', required: true, minFiles: 2 },
      { code: '8.1', section: 'VIII. Số liệu', title: 'Số lượt tập huấn', guidance: '', kind: 'number', required: true, minFiles: 0 },
    ]);
  });

  it('edits items: removes a row, makes one optional, and marks a row error beside it', async () => {
    await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    const page = await admin.agent.get('/admin/templates/BVCTNB');
    expect(page.text).toContain('value="1.1"');
    const csrf = csrfOf(page.text);
    const base = {
      _csrf: csrf, title: 'Kiểm tra công tác bảo vệ chính trị nội bộ', action: 'save',
      'items.0.code': '1.1', 'items.0.section': 'I', 'items.0.title': 'Hồ sơ kết nạp đảng viên', 'items.0.kind': 'file', 'items.0.required': '1',
      'items.1.code': '2.1', 'items.1.section': 'II', 'items.1.title': 'Hồ sơ đi nước ngoài', 'items.1.kind': 'file', 'items.1.remove': '1',
      'items.2.code': '9.1', 'items.2.section': 'IX', 'items.2.title': 'Tự đánh giá', 'items.2.kind': 'text',
    };
    const bad = await admin.agent.post('/admin/templates/BVCTNB').type('form').send({ ...base, 'items.2.title': '', 'items.2.guidance': 'còn thiếu nội dung' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<tr class="row-error">[\s\S]*?name="items\.1\.title"[\s\S]*?không được để trống/);

    const ok = await admin.agent.post('/admin/templates/BVCTNB').type('form').send(base);
    expect(ok.status).toBe(303);
    const template = await getTemplate(ctx.db, ctx.admin, 'BVCTNB');
    expect(template.items.map((i) => [i.code, i.required])).toEqual([['1.1', true], ['9.1', false]]);
  });

  it('says which item code appears twice', async () => {
    const res = await post(admin, '/admin/templates', {
      code: 'KT-TRUNG', title: 'Mẫu trùng mã', action: 'save',
      'items.0.code': '1.1', 'items.0.title': 'Mục một', 'items.0.kind': 'file',
      'items.1.code': '1.1', 'items.1.title': 'Mục hai', 'items.1.kind': 'file',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Mã mục 1.1 bị trùng trong mẫu danh mục');
  });

  it('lists templates with their number of items', async () => {
    await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    const res = await request.agent(ctx.app).get('/admin/templates');
    expect(res.status).toBe(303);
    const list = await admin.agent.get('/admin/templates');
    expect(list.text).toMatch(/BVCTNB[\s\S]*Kiểm tra công tác bảo vệ chính trị nội bộ[\s\S]*<td class="num">4<\/td>/);
  });
});
