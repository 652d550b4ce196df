import type { Actor } from '../src/core/actor';
import { defaultTemplate } from '../src/demo/fixtures';
import { reviewEntry, setValue } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus, createInspection, getInspection } from '../src/inspections/inspections.service';
import { createTemplate } from '../src/templates/templates.service';
import { createUnit, updateUnit } from '../src/units/units.service';
import { buildInspection, buildUser } from './helpers/factories';
import { createTestApp, type TestContext } from './helpers/test-app';
import { type Agent, signIn } from './helpers/web';

type Who = { agent: Agent; csrf: string };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestApp();
});
afterEach(async () => {
  await ctx.close();
});

/** The unit names in the matrix's rows, in order. */
function rowNames(html: string): string[] {
  return [...html.matchAll(/<tr><th scope="row"><a href="[^"]*">([^<]*)<\/a><\/th>/g)].map((m) => m[1] ?? '');
}

/** The cell classes of a unit's row. */
function rowCells(html: string, unitName: string): string[] {
  const row = html.split('<tr>').find((r) => r.includes(`>${unitName}</a></th>`));
  if (!row) throw new Error(`no row for ${unitName}`);
  return [...row.matchAll(/<td class="c-(\w)"><\/td>/g)].map((m) => m[1] ?? '');
}

describe('the inspection matrix', () => {
  let built: Awaited<ReturnType<typeof buildInspection>>;
  let lead: Who;
  const names = ['Thành uỷ Tuyên Quang', 'Đảng uỷ phường Ỷ La', 'Đảng uỷ phường Tân Hà', 'Đảng uỷ xã Tràng Đà'];

  beforeEach(async () => {
    built = await buildInspection(ctx.db, ctx.admin, { units: 4 });
    for (const [i, unit] of built.units.entries()) await updateUnit(ctx.db, ctx.admin, unit.code, { name: names[i] ?? unit.name, parentCode: null });
    lead = await signIn(ctx.app, built.lead.username, built.lead.password);
  });

  const secretaryOf = (i: number): Actor => {
    const s = built.secretaries[i];
    if (!s) throw new Error('no such secretary');
    return s;
  };
  const unitCode = (i: number) => built.units[i]?.code ?? '';

  it('shows units × items as coloured cells with a legend, each unit’s percent and a link to its dossier', async () => {
    // Tân Hà: the figure accepted, the text submitted; Ỷ La: the figure returned.
    await setValue(ctx.db, secretaryOf(2), built.code, unitCode(2), '8.1', { value: 607 });
    await reviewEntry(ctx.db, built.lead, built.code, unitCode(2), '8.1', { decision: 'accept' });
    await setValue(ctx.db, secretaryOf(2), built.code, unitCode(2), '9.1', { value: 'Cấp uỷ quan tâm lãnh đạo.' });
    await setValue(ctx.db, secretaryOf(1), built.code, unitCode(1), '8.1', { value: 12 });
    await reviewEntry(ctx.db, built.lead, built.code, unitCode(1), '8.1', { decision: 'return', note: 'Số liệu chưa khớp báo cáo.' });
    await reviewEntry(ctx.db, built.lead, built.code, unitCode(0), '2.1', { decision: 'waive', note: 'Không phát sinh.' });

    const res = await lead.agent.get(`/inspections/${built.code}`);
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('<h1>Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023</h1>');
    expect(html).toContain('15/08/2030');
    // The header names every item, in checklist order, with its title on hover.
    expect(html).toMatch(/<th scope="col" title="I\. Công tác kết nạp đảng viên — Hồ sơ kết nạp đảng viên">1\.1<\/th>.*>2\.1<\/th>.*>8\.1<\/th>.*>9\.1<\/th>/);
    expect(rowNames(html).sort()).toEqual([...names].sort());
    expect(rowCells(html, 'Đảng uỷ phường Tân Hà')).toEqual(['m', 'm', 'a', 's']);
    expect(rowCells(html, 'Đảng uỷ phường Ỷ La')).toEqual(['m', 'm', 'r', 'm']);
    expect(rowCells(html, 'Thành uỷ Tuyên Quang')).toEqual(['m', 'w', 'm', 'm']);
    // Percent per unit: done (accepted + waived) over the 3 required items.
    expect(html).toContain(`<a href="/inspections/${built.code}/units/${unitCode(2)}">Đảng uỷ phường Tân Hà</a></th><td class="mx-pct">33,3</td>`);
    for (const status of ['Chưa nộp', 'Đã nộp', 'Đạt', 'Trả lại', 'Miễn']) expect(html).toContain(`${status} <span class="muted">`);
    expect(html).toContain('<span class="swatch c-r" aria-hidden="true"></span>Trả lại <span class="muted">1</span>');
    // Exports and the summary report for the team; the lead may close.
    expect(html).toContain(`href="/api/v1/inspections/${built.code}/report.pdf"`);
    expect(html).toContain(`href="/api/v1/inspections/${built.code}/export.xlsx"`);
    expect(html).toContain(`href="/api/v1/inspections/${built.code}/export.csv"`);
    expect(html).toContain(`href="/inspections/${built.code}/status/close">Kết thúc đợt kiểm tra</a>`);
  });

  it('filters units by name without regard to diacritics or case', async () => {
    const search = async (q: string) => rowNames((await lead.agent.get(`/inspections/${built.code}?q=${encodeURIComponent(q)}`)).text);
    expect(await search('tuyen quang')).toEqual(['Thành uỷ Tuyên Quang']);
    expect(await search('ỷ la')).toEqual(['Đảng uỷ phường Ỷ La']);
    expect(await search('y la')).toEqual(['Đảng uỷ phường Ỷ La']);
    expect(await search('  TRANG   DA ')).toEqual(['Đảng uỷ xã Tràng Đà']);
    expect(await search('dang uy phuong')).toHaveLength(2);
    const none = (await lead.agent.get(`/inspections/${built.code}?q=Hà%20Giang`)).text;
    expect(rowNames(none)).toEqual([]);
    expect(none).toContain('Không có đơn vị nào khớp với bộ lọc.');
    expect(none).toContain('value="Hà Giang"');
  });

  it('filters units by the status of their items', async () => {
    await setValue(ctx.db, secretaryOf(3), built.code, unitCode(3), '8.1', { value: 5 });
    await reviewEntry(ctx.db, built.lead, built.code, unitCode(3), '8.1', { decision: 'return', note: 'Thiếu số liệu quý IV.' });
    const html = (await lead.agent.get(`/inspections/${built.code}?status=returned`)).text;
    expect(rowNames(html)).toEqual(['Đảng uỷ xã Tràng Đà']);
    expect(html).toContain('<option value="returned" selected>Trả lại</option>');
    expect(html).toContain('(lọc từ 4 đơn vị)');
    // An unknown status is no filter at all.
    expect(rowNames((await lead.agent.get(`/inspections/${built.code}?status=bogus`)).text)).toHaveLength(4);
  });

  it('escapes unit names', async () => {
    await updateUnit(ctx.db, ctx.admin, unitCode(0), { name: '<script>alert(1)</script>', parentCode: null });
    const html = (await lead.agent.get(`/inspections/${built.code}`)).text;
    expect(html).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;</a></th>');
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('sends a secretary to their own unit’s page, and shows a member no status button', async () => {
    const bt = built.secretaries[1];
    const secretary = await signIn(ctx.app, bt?.username ?? '', bt?.password ?? '');
    const res = await secretary.agent.get(`/inspections/${built.code}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/inspections/${built.code}/units/${unitCode(1)}`);

    const member = await signIn(ctx.app, built.member.username, built.member.password);
    const html = (await member.agent.get(`/inspections/${built.code}`)).text;
    expect(html).toContain('Báo cáo tổng hợp (PDF)');
    expect(html).not.toContain('/status/');
    expect((await member.agent.get(`/inspections/${built.code}/status/close`)).status).toBe(403);
  });

  it('closes the inspection after a confirm step, with a message', async () => {
    const confirm = await lead.agent.get(`/inspections/${built.code}/status/close`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`Kết thúc đợt kiểm tra ${built.code}?`);
    expect(confirm.text).toContain('hồ sơ chỉ còn để xem');
    expect((await getInspection(ctx.db, ctx.admin, built.code)).status).toBe('open');

    const forged = await lead.agent.post(`/inspections/${built.code}/status/close`).type('form').send({ _csrf: 'gia-mao' });
    expect(forged.status).toBe(403);
    expect((await getInspection(ctx.db, ctx.admin, built.code)).status).toBe('open');

    const done = await lead.agent.post(`/inspections/${built.code}/status/close`).type('form').send({ _csrf: lead.csrf, next: `/inspections/${built.code}` });
    expect(done.status).toBe(303);
    const html = (await lead.agent.get(done.headers.location ?? '')).text;
    expect(html).toContain(`Đã kết thúc đợt kiểm tra ${built.code}.`);
    expect(html).toContain('<span class="badge istatus-closed">Đã kết thúc</span>');
    // Only an admin reopens.
    expect(html).not.toContain('/status/reopen');
    expect((await lead.agent.post(`/inspections/${built.code}/status/reopen`).type('form').send({ _csrf: lead.csrf })).status).toBe(403);
    const again = await lead.agent.post(`/inspections/${built.code}/status/close`).type('form').send({ _csrf: lead.csrf });
    expect((await lead.agent.get(again.headers.location ?? '')).text).toContain('đang ở trạng thái &quot;Đã kết thúc&quot;, không thể kết thúc');
  });

  it('answers an unknown inspection or status action with the 404 page', async () => {
    expect((await lead.agent.get('/inspections/KHONG-CO')).status).toBe(404);
    expect((await lead.agent.get(`/inspections/${built.code}/status/delete`)).status).toBe(404);
  });
});

describe('a matrix of 1,000 units × 40 items', () => {
  it('shows 200 units a page, from a light page with links to the others', async () => {
    const template = defaultTemplate();
    await createTemplate(ctx.db, ctx.admin, template);
    const codes: string[] = [];
    for (let i = 1; i <= 1000; i++) {
      const code = `X-${String(i).padStart(4, '0')}`;
      await createUnit(ctx.db, ctx.admin, { code, name: `Đảng uỷ xã Thái Long ${i}` });
      codes.push(code);
    }
    const lead = await buildUser(ctx.db, ctx.admin, { role: 'inspector', displayName: 'Nguyễn Văn Thành' });
    await createInspection(ctx.db, ctx.admin, {
      code: 'KT-TINH', title: 'Kiểm tra toàn tỉnh', teamName: 'Đoàn Kiểm tra số 4', templateCode: template.code,
      unitCodes: codes, members: [{ username: lead.username, role: 'lead' }], dueAt: '2020-01-31',
    });
    await changeInspectionStatus(ctx.db, lead, 'KT-TINH', 'open');
    const who = await signIn(ctx.app, lead.username, lead.password);

    const first = await who.agent.get('/inspections/KT-TINH');
    expect(first.status).toBe(200);
    expect(rowNames(first.text)).toHaveLength(200);
    expect(first.text.match(/<td class="c-m"><\/td>/g)).toHaveLength(200 * 40);
    expect(Buffer.byteLength(first.text)).toBeLessThan(600 * 1024);
    expect(first.text).toContain('Đơn vị 1–200 trong 1.000');
    expect(first.text).toContain('<span class="tag-overdue">Quá hạn</span>');
    expect(first.text).toContain('href="/inspections/KT-TINH?page&#x3D;5"');

    const last = await who.agent.get('/inspections/KT-TINH?page=5');
    expect(rowNames(last.text)[199]).toBe('Đảng uỷ xã Thái Long 1000');
    expect(last.text).toContain('<span class="pager-current" aria-current="page">5</span>');
    // A page past the end shows the last one; a filter pages on its own.
    expect(rowNames((await who.agent.get('/inspections/KT-TINH?page=99')).text)[199]).toBe('Đảng uỷ xã Thái Long 1000');
    const filtered = await who.agent.get(`/inspections/KT-TINH?q=${encodeURIComponent('thai long 99')}`);
    expect(rowNames(filtered.text)).toEqual(['Đảng uỷ xã Thái Long 99', ...Array.from({ length: 10 }, (_, i) => `Đảng uỷ xã Thái Long ${990 + i}`)]);
    expect(filtered.text).not.toContain('class="pager"');
  }, 120_000);
});
