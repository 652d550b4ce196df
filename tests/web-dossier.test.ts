import { getUnitDossier } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus } from '../src/inspections/inspections.service';
import { updateUnit } from '../src/units/units.service';
import { buildInspection, buildUser } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { createTestApp, type TestContext } from './helpers/test-app';
import { type Agent, signIn } from './helpers/web';

type Who = { agent: Agent; csrf: string };
type Built = Awaited<ReturnType<typeof buildInspection>>;

let ctx: TestContext;
let built: Built;
let secretary: Who;
let lead: Who;
let page: string;

beforeEach(async () => {
  ctx = await createTestApp();
  built = await buildInspection(ctx.db, ctx.admin, { units: 2 });
  const [ownUnit] = built.units;
  const [bt] = built.secretaries;
  if (!ownUnit || !bt) throw new Error('factory built no unit');
  await updateUnit(ctx.db, ctx.admin, ownUnit.code, { name: 'Đảng uỷ phường Ỷ La', parentCode: null });
  secretary = await signIn(ctx.app, bt.username, bt.password);
  lead = await signIn(ctx.app, built.lead.username, built.lead.password);
  page = `/inspections/${built.code}/units/${ownUnit.code}`;
});
afterEach(async () => {
  await ctx.close();
});

const post = (who: Who, path: string, fields: Record<string, string>) => who.agent.post(path).type('form').send({ _csrf: who.csrf, ...fields });

const upload = (who: Who, item: string, files: [Buffer, string][]) => {
  const req = who.agent.post(`${page}/items/${item}/files?_csrf=${encodeURIComponent(who.csrf)}`);
  for (const [bytes, name] of files) req.attach('file', bytes, name);
  return req;
};

/** The page after following a form's redirect, as the browser shows it. */
async function follow(who: Who, res: { status: number; headers: Record<string, string> }): Promise<string> {
  expect(res.status).toBe(303);
  return (await who.agent.get(res.headers.location ?? '/')).text;
}

/** The HTML of one item's block on the dossier page. */
function itemBlock(html: string, item: string): string {
  const start = html.indexOf(`id="item-${item}"`);
  if (start < 0) throw new Error(`item ${item} is not on the page`);
  const end = html.indexOf('</article>', start);
  return html.slice(start, end);
}

async function entryStatus(item: string) {
  const dossier = await getUnitDossier(ctx.db, ctx.admin, built.code, built.units[0]?.code ?? '');
  return dossier.entries.find((e) => e.itemCode === item)?.status;
}

describe('the unit dossier page', () => {
  it('shows the checklist by section with guidance, status badges and the unit’s forms to its secretary', async () => {
    const res = await secretary.agent.get(page);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<h1>Đảng uỷ phường Ỷ La</h1>');
    expect(res.text).toMatch(/I\. Công tác kết nạp đảng viên[\s\S]*Hồ sơ kết nạp đảng viên[\s\S]*Lý lịch, đơn, nghị quyết/);
    expect(res.text).toMatch(/II\. Đi nước ngoài[\s\S]*VIII\. Số liệu[\s\S]*IX\. Tự đánh giá/);
    expect(itemBlock(res.text, '1.1')).toContain('<span class="badge status-missing">Chưa nộp</span>');
    expect(itemBlock(res.text, '1.1')).toContain('<input type="file" id="item-1.1-file" name="file" multiple required');
    expect(itemBlock(res.text, '8.1')).toContain('<input type="number" id="item-8.1-value" name="value"');
    // The secretary neither reviews nor gets the team's reports before the close.
    expect(res.text).not.toContain('name="decision"');
    expect(res.text).not.toContain('report.pdf');
    expect(res.text).not.toContain('bundle.zip');
  });

  it('uploads several files at once through the form and lists them with download links', async () => {
    const res = await upload(secretary, '2.1', [
      [readSample('pdf'), 'Danh sách cán bộ đi nước ngoài.pdf'],
      [readSample('png'), 'Ảnh sổ theo dõi.png'],
    ]);
    expect(res.headers.location).toBe(`${page}#item-2.1`);
    const html = await follow(secretary, res);
    expect(html).toContain('Đã tải lên 2 tệp cho mục 2.1.');
    const block = itemBlock(html, '2.1');
    expect(block).toContain('Danh sách cán bộ đi nước ngoài.pdf');
    expect(block).toContain('Ảnh sổ theo dõi.png');
    expect(block).toMatch(/href="\/api\/v1\/files\/\d+" download>Danh sách cán bộ đi nước ngoài\.pdf/);
    expect(block).toContain('<span class="badge status-submitted">Đã nộp</span>');

    const fileId = /href="\/api\/v1\/files\/(\d+)"/.exec(block)?.[1];
    const download = await secretary.agent.get(`/api/v1/files/${fileId}`);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('answers the progress script with where to go, and keeps the message for that page', async () => {
    const res = await upload(secretary, '1.1', [[readSample('docx'), 'Danh sách đảng viên.docx']]).set('X-Upload-Progress', '1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ next: `${page}#item-1.1` });
    expect((await secretary.agent.get(page)).text).toContain('Đã tải lên 1 tệp cho mục 1.1.');
  });

  it('refuses a file of a forbidden type with a message on the page, keeping nothing', async () => {
    const html = await follow(secretary, await upload(secretary, '1.1', [[readSample('htmlNamedPdf'), 'Báo cáo kết quả.pdf']]));
    expect(html).toContain('class="flash flash-error"');
    expect(html).toMatch(/Báo cáo kết quả\.pdf[^<]*(không thuộc loại được phép|mã trang web)/);
    expect(itemBlock(html, '1.1')).toContain('Chưa có tệp nào.');
  });

  it('sets a figure and shows it in Vietnamese number format', async () => {
    const html = await follow(secretary, await post(secretary, `${page}/items/8.1/value`, { kind: 'number', value: '1200000' }));
    expect(html).toContain('Đã lưu nội dung mục 8.1.');
    const block = itemBlock(html, '8.1');
    expect(block).toContain('<p class="entry-value">1.200.000</p>');
    expect(block).toContain('<span class="badge status-submitted">Đã nộp</span>');
    const wrong = await follow(secretary, await post(secretary, `${page}/items/8.1/value`, { kind: 'number', value: '0x10' }));
    expect(wrong).toContain('Giá trị phải là một số');
    const comma = await follow(secretary, await post(secretary, `${page}/items/8.1/value`, { kind: 'number', value: '2,5' }));
    expect(itemBlock(comma, '8.1')).toContain('<p class="entry-value">2,5</p>');
    const text = await follow(secretary, await post(secretary, `${page}/items/9.1/value`, { kind: 'text', value: 'Cấp uỷ quan tâm lãnh đạo.' }));
    expect(itemBlock(text, '9.1')).toContain('>Cấp uỷ quan tâm lãnh đạo.</textarea>');
  });

  it('lets the secretary withdraw a file of an item not yet accepted', async () => {
    const html = await follow(secretary, await upload(secretary, '1.1', [[readSample('pdf'), 'Biên bản kiểm tra.pdf']]));
    const action = /action="([^"]*\/files\/\d+\/withdraw)"/.exec(itemBlock(html, '1.1'))?.[1];
    expect(action).toBeDefined();
    const after = await follow(secretary, await post(secretary, action ?? '', { item: '1.1' }));
    expect(after).toContain('Đã rút tệp.');
    expect(itemBlock(after, '1.1')).toContain('Chưa có tệp nào.');
    expect(await entryStatus('1.1')).toBe('missing');
  });

  it('lets an inspector return an item only with a note, which the secretary then reads', async () => {
    await upload(secretary, '1.1', [[readSample('pdf'), 'Biên bản kiểm tra.pdf']]);
    const teamPage = (await lead.agent.get(page)).text;
    const block = itemBlock(teamPage, '1.1');
    expect(block).toContain('value="accept"');
    expect(block).toContain('value="return"');
    expect(block).toContain('value="waive"');
    expect(block).not.toContain('value="reopen"');

    const refused = await follow(lead, await post(lead, `${page}/items/1.1/review`, { decision: 'return', note: '   ' }));
    expect(refused).toContain('<div class="flash flash-error" role="alert">Cần ghi chú khi trả lại hoặc miễn</div>');
    expect(await entryStatus('1.1')).toBe('submitted');

    const note = 'Biên bản thiếu chữ ký của bí thư chi bộ; đề nghị bổ sung.';
    const returned = await follow(lead, await post(lead, `${page}/items/1.1/review`, { decision: 'return', note }));
    expect(returned).toContain('Mục 1.1: đã trả lại đơn vị kèm ghi chú.');

    const seen = itemBlock((await secretary.agent.get(page)).text, '1.1');
    expect(seen).toContain('<span class="badge status-returned">Trả lại</span>');
    expect(seen).toContain('Ghi chú của đoàn kiểm tra');
    expect(seen).toContain(note);
    // The history names the reviewer and the decision; the unit may upload again.
    expect(seen).toMatch(/Lịch sử đánh giá \(1\)[\s\S]*Nguyễn Văn Thành[\s\S]*Trả lại[\s\S]*Đã nộp → Trả lại/);
    expect(seen).toContain('name="file"');

    await upload(secretary, '1.1', [[readSample('docx'), 'Biên bản có chữ ký.docx']]);
    expect(await entryStatus('1.1')).toBe('submitted');
    const accepted = await follow(lead, await post(lead, `${page}/items/1.1/review`, { decision: 'accept' }));
    expect(itemBlock(accepted, '1.1')).toContain('<span class="badge status-accepted">Đạt</span>');
    expect(itemBlock(accepted, '1.1')).toContain('value="reopen"');
    // An accepted item is locked for the unit: no upload form, no withdrawal.
    const locked = itemBlock((await secretary.agent.get(page)).text, '1.1');
    expect(locked).not.toContain('name="file"');
    expect(locked).not.toContain('withdraw');
  });

  it('waives an item with a note and saves the team’s findings', async () => {
    const waived = await follow(lead, await post(lead, `${page}/items/9.1/review`, { decision: 'waive', note: 'Đơn vị mới thành lập, chưa phát sinh.' }));
    expect(itemBlock(waived, '9.1')).toContain('<span class="badge status-waived">Miễn</span>');

    const findings = {
      strengths: 'Cấp uỷ quan tâm lãnh đạo công tác bảo vệ chính trị nội bộ.',
      shortcomings: 'Sổ theo dõi cập nhật chưa kịp thời.',
      recommendations: 'Bổ sung hồ sơ thẩm tra lý lịch.',
      conclusion: 'Đơn vị thực hiện cơ bản đầy đủ.',
    };
    const res = await post(lead, `${page}/findings`, findings);
    expect(res.headers.location).toBe(`${page}#findings`);
    const html = await follow(lead, res);
    expect(html).toContain('Đã lưu nhận xét của đoàn kiểm tra.');
    expect(html).toContain('>Sổ theo dõi cập nhật chưa kịp thời.</textarea>');
  });

  it('gives the team the report, request letter and bundle; the secretary the report once closed, read-only', async () => {
    const teamPage = (await lead.agent.get(page)).text;
    expect(teamPage).toContain(`href="/api/v1${page}/report.pdf"`);
    expect(teamPage).toContain(`href="/api/v1${page}/request-letter.pdf"`);
    expect(teamPage).toContain(`href="/api/v1${page}/bundle.zip"`);

    await changeInspectionStatus(ctx.db, built.lead, built.code, 'close');
    const closed = (await secretary.agent.get(page)).text;
    expect(closed).toContain('Đợt kiểm tra đã kết thúc: hồ sơ chỉ còn để xem.');
    expect(closed).toContain(`href="/api/v1${page}/report.pdf"`);
    expect(closed).not.toContain('request-letter.pdf');
    expect(closed).not.toContain('name="file"');
    expect(closed).not.toContain('name="value"');
    const report = await secretary.agent.get(`/api/v1${page}/report.pdf`);
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toBe('application/pdf');
  });

  it('escapes what users typed: unit names, file names, notes', async () => {
    const unitCode = built.units[0]?.code ?? '';
    await updateUnit(ctx.db, ctx.admin, unitCode, { name: '<script>alert(1)</script>', parentCode: null });
    await upload(secretary, '1.1', [[readSample('pdf'), '<img src=x onerror=alert(2)>.pdf']]);
    await post(lead, `${page}/items/1.1/review`, { decision: 'return', note: '<b onmouseover="alert(3)">thiếu</b>' });
    const html = (await secretary.agent.get(page)).text;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;.pdf');
    expect(html).toContain('&lt;b onmouseover&#x3D;&quot;alert(3)&quot;&gt;thiếu&lt;/b&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b onmouseover');
  });

  it('refuses every form without the session’s CSRF token', async () => {
    const forged = await secretary.agent.post(`${page}/items/8.1/value`).type('form').send({ _csrf: 'gia-mao', kind: 'number', value: '5' });
    expect(forged.status).toBe(403);
    const missing = await lead.agent.post(`${page}/items/1.1/review`).type('form').send({ decision: 'waive', note: 'Miễn' });
    expect(missing.status).toBe(403);
    const noToken = await secretary.agent.post(`${page}/items/1.1/files`).attach('file', readSample('pdf'), 'Biên bản.pdf');
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('Mã chống giả mạo (CSRF) không hợp lệ');
    expect(await entryStatus('8.1')).toBe('missing');
    expect(await entryStatus('1.1')).toBe('missing');
  });

  it('shows a secretary another unit’s page as not found, and an inspector outside the team too', async () => {
    const other = `/inspections/${built.code}/units/${built.units[1]?.code}`;
    const res = await secretary.agent.get(other);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Không tìm thấy trang');
    expect(res.text).not.toContain(built.units[1]?.name ?? '—');
    const posted = await secretary.agent
      .post(`${other}/items/1.1/files?_csrf=${encodeURIComponent(secretary.csrf)}`)
      .attach('file', readSample('pdf'), 'Biên bản.pdf');
    expect(posted.status).toBe(404);

    const outsider = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
    const stranger = await signIn(ctx.app, outsider.username, outsider.password);
    expect((await stranger.agent.get(page)).status).toBe(404);
  });

  it('speaks English with ?lang=en', async () => {
    const html = (await lead.agent.get(`${page}?lang=en`)).text;
    expect(html).toContain('<span class="badge status-missing">Missing</span>');
    expect(html).toContain('Waive this item…');
    expect(html).toContain('Inspection report (PDF)');
  });
});
