import ExcelJS from 'exceljs';
import { listAuditEvents } from '../src/audit/audit.service';
import { getTemplate } from '../src/templates/templates.service';
import { listUnits } from '../src/units/units.service';
import { listUsers } from '../src/users/users.service';
import { buildTemplate, buildUnit } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, type TestContext } from './helpers/test-app';
import { type Agent, inputValue, signIn } from './helpers/web';

let ctx: TestContext;
let admin: { agent: Agent; csrf: string };
beforeEach(async () => {
  ctx = await createTestApp();
  admin = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
});
afterEach(async () => {
  await ctx.close();
});

async function xlsx(rows: (string | number)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Danh sách');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const upload = (kind: string, file: Buffer, name: string, fields: Record<string, string> = {}) => {
  let req = admin.agent.post(`/admin/import/${kind}?_csrf=${encodeURIComponent(admin.csrf)}`);
  for (const [field, value] of Object.entries(fields)) req = req.field(field, value);
  return req.attach('file', file, name);
};

/** Presses the preview's confirm button. */
const confirm = (kind: string, preview: string) =>
  admin.agent.post(`/admin/import/${kind}/confirm`).type('form').send({
    _csrf: admin.csrf,
    rows: inputValue(preview, 'rows'),
    templateCode: inputValue(preview, 'templateCode'),
    templateTitle: inputValue(preview, 'templateTitle'),
  });

const unitsCsv = (lines: string[]) => Buffer.from(`\uFEFF${['Mã đơn vị;Tên đơn vị;Mã đơn vị cấp trên', ...lines].join('\r\n')}\r\n`, 'utf8');

describe('importing units', () => {
  it('writes nothing when one row of a CSV is bad, and shows that row’s error in Vietnamese', async () => {
    const file = unitsCsv([
      'TU-TQ;Thành uỷ Tuyên Quang;',
      'P-MX;Đảng uỷ phường Minh Xuân;TU-TQ',
      'P TÂN HÀ;Đảng uỷ phường Tân Hà;TU-TQ',
      'P-YLA;Đảng uỷ phường Ỷ La;TU-TQ',
    ]);
    const preview = await upload('units', file, 'don-vi.csv');
    expect(preview.status).toBe(400);
    expect(preview.text).toContain('1 trên 4 dòng có lỗi — chưa ghi gì vào hệ thống.');
    expect(preview.text).toMatch(/<td class="num">4<\/td>[\s\S]*?Mã đơn vị: chỉ gồm chữ không dấu, chữ số và các dấu \. _ - \(không có khoảng trắng\)/);
    expect(preview.text).not.toContain('/admin/import/units/confirm');
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);
    expect(await listAuditEvents(ctx.db, { limit: 100 })).toHaveLength(2); // admin bootstrap and sign-in only
  });

  it('imports every row of a valid XLSX in one go after the preview', async () => {
    const file = await xlsx([
      ['STT', 'Mã đơn vị', 'Tên đơn vị', 'Mã đơn vị cấp trên'],
      [1, 'TU-TQ', 'Thành uỷ Tuyên Quang', ''],
      [2, 'P-MX', 'Đảng uỷ phường Minh Xuân', 'TU-TQ'],
      [3, 'X-TD', 'Đảng uỷ xã Tràng Đà', 'TU-TQ'],
    ]);
    const preview = await upload('units', file, 'don-vi.xlsx');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Cả 3 dòng đều hợp lệ.');
    expect(preview.text).toContain('Đảng uỷ xã Tràng Đà');
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);

    const done = await confirm('units', preview.text);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/units');
    expect((await admin.agent.get('/admin/units')).text).toContain('Đã nhập 3 đơn vị.');
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([
      { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân', parentCode: 'TU-TQ' },
      { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang', parentCode: null },
      { code: 'X-TD', name: 'Đảng uỷ xã Tràng Đà', parentCode: 'TU-TQ' },
    ]);
    const events = await listAuditEvents(ctx.db, { limit: 100 });
    expect(events.filter((e) => e.action === 'unit.create').map((e) => e.objectId)).toEqual(['TU-TQ', 'P-MX', 'X-TD']);
  });

  it('reads English headers, commas, and checks codes against the file and the database', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    const file = Buffer.from([
      'code,name,parentCode',
      'TU-TQ,Thành uỷ khác,',
      'P-MX,"Đảng uỷ phường Minh Xuân, Tuyên Quang",TU-TQ',
      'P-MX,Đảng uỷ phường Minh Xuân (lần 2),TU-TQ',
      'CB-1,Chi bộ 1,P-NT',
      'P-NT,Đảng uỷ phường Nông Tiến,TU-TQ',
    ].join('\n'));
    const preview = await upload('units', file, 'units.csv');
    expect(preview.status).toBe(400);
    expect(preview.text).toContain('Mã đơn vị TU-TQ đã tồn tại');
    expect(preview.text).toContain('mã P-MX trùng với dòng 3');
    expect(preview.text).toContain('Không tìm thấy đơn vị cấp trên P-NT');
    expect(preview.text).toContain('Đảng uỷ phường Minh Xuân, Tuyên Quang');
    expect(await listUnits(ctx.db, ctx.admin)).toHaveLength(1);
  });

  it('revalidates the carried rows on confirm and writes none of them when one fails', async () => {
    const preview = await upload('units', unitsCsv(['P-MX;Đảng uỷ phường Minh Xuân;', 'P-TH;Đảng uỷ phường Tân Hà;']), 'don-vi.csv');
    const tampered = JSON.stringify([
      { line: 2, values: { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân', parentCode: '' } },
      { line: 3, values: { code: 'P-TH', name: '', parentCode: '' } },
    ]);
    const res = await admin.agent.post('/admin/import/units/confirm').type('form').send({ _csrf: admin.csrf, rows: tampered });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Tên đơn vị: không được để trống');
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);

    // Someone created one of the codes between preview and confirm: still nothing is written.
    await buildUnit(ctx.db, ctx.admin, { code: 'P-TH', name: 'Đảng uỷ phường Tân Hà' });
    const raced = await confirm('units', preview.text);
    expect(raced.status).toBe(400);
    expect(raced.text).toContain('Mã đơn vị P-TH đã tồn tại');
    expect((await listUnits(ctx.db, ctx.admin)).map((u) => u.code)).toEqual(['P-TH']);

    const garbage = await admin.agent.post('/admin/import/units/confirm').type('form').send({ _csrf: admin.csrf, rows: '{"not":"rows"}' });
    expect(garbage.status).toBe(400);
    expect(garbage.text).toContain('Dữ liệu xem trước không hợp lệ');
  });
});

describe('importing users', () => {
  it('maps Vietnamese role words, never shows passwords, and the accounts can sign in', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân' });
    const file = await xlsx([
      ['Tên đăng nhập', 'Họ và tên', 'Vai trò', 'Mã đơn vị', 'Mật khẩu'],
      ['truongdoan', 'Nguyễn Văn Thành', 'Thành viên đoàn', '', 'Truong-doan-2023'],
      ['bt.minhxuan', 'Hoàng Văn Nam', 'bí thư', 'P-MX', 'Bi-thu-minh-xuan-1'],
      ['quantri2', 'Trần Thị Hương', 'Quản trị', '', 'Quan-tri-so-hai-2'],
    ]);
    const preview = await upload('users', file, 'nguoi-dung.xlsx');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Cả 3 dòng đều hợp lệ.');
    expect(preview.text).toContain('••••••••');
    expect(preview.text).not.toMatch(/<td>Truong-doan-2023<\/td>/);
    expect((await listUsers(ctx.db, ctx.admin)).map((u) => u.username)).toEqual(['admin']);

    expect((await confirm('users', preview.text)).status).toBe(303);
    const users = await listUsers(ctx.db, ctx.admin);
    expect(users.map((u) => [u.username, u.role, u.unitCode])).toEqual([
      ['admin', 'admin', null],
      ['bt.minhxuan', 'secretary', 'P-MX'],
      ['quantri2', 'admin', null],
      ['truongdoan', 'inspector', null],
    ]);
    await expect(signIn(ctx.app, 'bt.minhxuan', 'Bi-thu-minh-xuan-1')).resolves.toBeDefined();
  });

  it('explains a wrong role and a secretary without a unit, row by row', async () => {
    const file = Buffer.from('username,displayName,role,unitCode,password\nthu.ky,Lê Thị Thu,thư ký,,Mat-khau-dai-1\nbt.x,Phạm Văn X,secretary,,Mat-khau-dai-2\n');
    const preview = await upload('users', file, 'users.csv');
    expect(preview.status).toBe(400);
    expect(preview.text).toContain('Vai trò: phải là quản trị, thành viên đoàn hoặc bí thư');
    expect(preview.text).toContain('Bí thư/văn phòng đơn vị phải thuộc một đơn vị');
    expect((await listUsers(ctx.db, ctx.admin))).toHaveLength(1);
  });
});

describe('importing template items', () => {
  it('creates a template from an XLSX, and a second import replaces its items', async () => {
    const file = await xlsx([
      ['Mã mục', 'Phần', 'Nội dung', 'Hướng dẫn', 'Loại', 'Bắt buộc', 'Số tệp tối thiểu'],
      ['1.1', 'I. Công tác kết nạp đảng viên', 'Hồ sơ kết nạp đảng viên', 'Lý lịch, đơn, nghị quyết', 'Tệp', 'có', 2],
      ['8.1', 'VIII. Số liệu', 'Số lượt cán bộ được tập huấn', '', 'số liệu', 'có', ''],
      ['9.1', 'IX. Tự đánh giá', 'Tự đánh giá ưu điểm', '', 'văn bản', 'không', ''],
    ]);
    const fields = { templateCode: 'KT-2024', templateTitle: 'Kiểm tra công tác bảo vệ chính trị nội bộ 2024' };
    const preview = await upload('items', file, 'danh-muc.xlsx', fields);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Sẽ tạo mẫu danh mục mới KT-2024.');
    const done = await confirm('items', preview.text);
    expect(done.headers.location).toBe('/admin/templates/KT-2024');
    const template = await getTemplate(ctx.db, ctx.admin, 'KT-2024');
    expect(template.title).toBe('Kiểm tra công tác bảo vệ chính trị nội bộ 2024');
    expect(template.items.map((i) => [i.code, i.kind, i.required, i.minFiles])).toEqual([
      ['1.1', 'file', true, 2], ['8.1', 'number', true, 0], ['9.1', 'text', false, 0],
    ]);

    const again = await upload('items', await xlsx([['code', 'title', 'kind'], ['1.1', 'Hồ sơ kết nạp', 'file']]), 'items.xlsx', fields);
    expect(again.text).toContain('Mẫu danh mục KT-2024 đã có 3 mục; các mục này sẽ được thay bằng các dòng trong tệp.');
    await confirm('items', again.text);
    expect((await getTemplate(ctx.db, ctx.admin, 'KT-2024')).items.map((i) => i.code)).toEqual(['1.1']);
  });

  it('needs the template code and title, and explains wrong kinds', async () => {
    await buildTemplate(ctx.db, ctx.admin, { code: 'BVCTNB' });
    const file = Buffer.from('Mã mục;Nội dung;Loại\n1.1;Hồ sơ kết nạp;ảnh\n', 'utf8');
    const preview = await upload('items', file, 'muc.csv', { templateCode: 'KT 2024', templateTitle: '' });
    expect(preview.status).toBe(400);
    expect(preview.text).toContain('Mã mẫu danh mục: chỉ gồm chữ không dấu');
    expect(preview.text).toContain('Tên mẫu danh mục: không được để trống');
    expect(preview.text).toContain('Loại: phải là tệp, số liệu hoặc văn bản');
  });
});

describe('uploads that cannot be read', () => {
  it('are explained on the import page: wrong type, missing column, legacy encoding', async () => {
    const pdf = await upload('units', Buffer.from('%PDF-1.7 not a list'), 'danh-sach.pdf');
    expect(pdf.status).toBe(415);
    expect(pdf.text).toContain('Chỉ nhận tệp .xlsx hoặc .csv');
    const noName = await upload('units', Buffer.from('Mã đơn vị\nP-MX\n'), 'don-vi.csv');
    expect(noName.status).toBe(400);
    expect(noName.text).toContain('Thiếu cột: Tên đơn vị');
    const latin1 = await upload('units', Buffer.from('Mã đơn vị;Tên đơn vị\nP-MX;Phường Minh Xuân\n', 'latin1'), 'don-vi.csv');
    expect(latin1.text).toContain('Tệp CSV không ở dạng UTF-8');
    const keeps = await upload('items', Buffer.from('%PDF-1.7'), 'danh-muc.pdf', { templateCode: 'KT-2024', templateTitle: 'Kiểm tra năm 2024' });
    expect(keeps.text).toContain('value="KT-2024"');
    expect(keeps.text).toContain('value="Kiểm tra năm 2024"');
    const empty = await admin.agent.post(`/admin/import/units?_csrf=${encodeURIComponent(admin.csrf)}`).field('x', 'y');
    expect(empty.text).toContain('Hãy chọn một tệp để tải lên');
  });

  it('are refused without the CSRF token in the form’s address', async () => {
    const res = await admin.agent.post('/admin/import/units').attach('file', unitsCsv(['P-MX;Phường Minh Xuân;']), 'don-vi.csv');
    expect(res.status).toBe(403);
    expect(await listUnits(ctx.db, ctx.admin)).toEqual([]);
  });

  it('offer a sample file with Vietnamese headers that imports as it is', async () => {
    const sample = await admin.agent.get('/admin/import/units/sample.csv');
    expect(sample.headers['content-type']).toMatch(/text\/csv/);
    expect(sample.headers['content-disposition']).toContain('mau-don-vi.csv');
    expect(sample.text).toContain('Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên');
    const preview = await upload('units', Buffer.from(sample.text), 'mau-don-vi.csv');
    expect(preview.text).toContain('Cả 2 dòng đều hợp lệ.');
  });
});
