import { createHash } from 'node:crypto';
import request from 'supertest';
import { PASSWORD } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { ADMIN_PASSWORD, createTestApp, loginToken, type TestContext } from './helpers/test-app';

let ctx: TestContext;
afterAll(() => ctx.close());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Four items of each kind, as a real checklist mixes them. */
const items = [
  { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', kind: 'file' },
  { code: '1.2', section: 'I. Công tác kết nạp đảng viên', title: 'Biên bản thẩm tra lý lịch', kind: 'file', minFiles: 2 },
  { code: '4.1', section: 'IV. Công văn bảo vệ chính trị nội bộ', title: 'Sổ đăng ký công văn đến', kind: 'file' },
  { code: '5.1', section: 'V. Sổ theo dõi', title: 'Sổ theo dõi bảo vệ chính trị nội bộ', kind: 'file' },
  { code: '8.1', section: 'VIII. Số liệu', title: 'Số lượt tập huấn', kind: 'number' },
  { code: '8.2', section: 'VIII. Số liệu', title: 'Số bài viết tham gia cuộc thi', kind: 'number' },
  { code: '8.3', section: 'VIII. Số liệu', title: 'Số tin, bài trên fanpage', kind: 'number' },
  { code: '8.4', section: 'VIII. Số liệu', title: 'Số lượt tiếp cận', kind: 'number', required: false },
  { code: '9.1', section: 'IX. Tự đánh giá', title: 'Tự đánh giá ưu điểm', kind: 'text' },
  { code: '9.2', section: 'IX. Tự đánh giá', title: 'Tự đánh giá hạn chế', kind: 'text' },
  { code: '9.3', section: 'IX. Tự đánh giá', title: 'Đề xuất, kiến nghị', kind: 'text', required: false },
  { code: '9.4', section: 'IX. Tự đánh giá', title: 'Ghi chú khác', kind: 'text', required: false },
];

describe('a whole inspection through the API', () => {
  const tokens: Record<string, string> = {};
  const I = '/api/v1/inspections/KT4-2023';
  const A = `${I}/units/P-YLA`;

  beforeAll(async () => {
    ctx = await createTestApp();
    tokens.admin = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    const post = (path: string, body: object) => request(ctx.app).post(`/api/v1${path}`).set(bearer(tokens.admin!)).send(body).expect(201);
    await post('/units', { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    await post('/units', { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    await post('/units', { code: 'P-TANHA', name: 'Đảng uỷ phường Tân Hà', parentCode: 'TU-TQ' });
    await post('/users', { username: 'truongdoan', displayName: 'Nguyễn Văn Thành', password: PASSWORD, role: 'inspector' });
    await post('/users', { username: 'bt.yla', displayName: 'Phạm Thị Lan', password: PASSWORD, role: 'secretary', unitCode: 'P-YLA' });
    await post('/users', { username: 'bt.tanha', displayName: 'Hoàng Văn Nam', password: PASSWORD, role: 'secretary', unitCode: 'P-TANHA' });
    await post('/templates', { code: 'BVCTNB', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ', items });
    const created = await post('/inspections', {
      code: 'KT4-2023', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023', teamName: 'Đoàn Kiểm tra số 4', templateCode: 'BVCTNB',
      unitCodes: ['P-YLA', 'P-TANHA'], members: [{ username: 'truongdoan', role: 'lead' }], dueAt: '2030-08-15',
      parentBody: 'TIỂU BAN BẢO VỆ CHÍNH TRỊ NỘI BỘ TRUNG ƯƠNG', place: 'Tuyên Quang', reportNumber: '12-BC/ĐKT',
    });
    expect(created.body).toMatchObject({ code: 'KT4-2023', status: 'draft', itemCount: 12, unitCodes: ['P-TANHA', 'P-YLA'] });
    tokens.lead = await loginToken(ctx.app, 'truongdoan', PASSWORD);
    tokens.yla = await loginToken(ctx.app, 'bt.yla', PASSWORD);
    tokens.tanha = await loginToken(ctx.app, 'bt.tanha', PASSWORD);
  });

  const upload = (token: string, item: string, file: Buffer, name: string) =>
    request(ctx.app).post(`${A}/items/${item}/files`).set(bearer(token)).attach('file', file, name);

  it('accepts no uploads before the inspection opens, then the lead opens it', async () => {
    expect((await upload(tokens.yla!, '1.1', readSample('pdf'), 'a.pdf')).status).toBe(404);
    expect((await request(ctx.app).post(`${I}/open`).set(bearer(tokens.lead!))).body.status).toBe('open');
  });

  it('stores uploads and gives them back byte for byte under their Vietnamese names', async () => {
    const pdf = readSample('pdf');
    const res = await upload(tokens.yla!, '1.1', pdf, 'Sổ theo dõi BVCTNB 2023.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Sổ theo dõi BVCTNB 2023.pdf', size: pdf.length, sha256: sha(pdf), mime: 'application/pdf' });
    const back = await request(ctx.app).get(`/api/v1/files/${res.body.id}`).set(bearer(tokens.yla!)).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(back.status).toBe(200);
    expect(Buffer.compare(back.body as Buffer, pdf)).toBe(0);
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    expect(back.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('Sổ theo dõi BVCTNB 2023.pdf')}`);
  });

  it('keeps an item with too few files missing, and stores the same content once', async () => {
    const docx = readSample('docx');
    expect((await upload(tokens.yla!, '1.2', docx, 'Biên bản 1.docx')).status).toBe(201);
    let entry = (await request(ctx.app).get(A).set(bearer(tokens.yla!))).body.entries.find((e: { itemCode: string }) => e.itemCode === '1.2');
    expect(entry.status).toBe('missing');
    expect((await upload(tokens.yla!, '1.2', docx, 'Biên bản 1 (bản sao).docx')).status).toBe(201);
    entry = (await request(ctx.app).get(A).set(bearer(tokens.yla!))).body.entries.find((e: { itemCode: string }) => e.itemCode === '1.2');
    expect(entry.status).toBe('submitted');
    expect(entry.files).toHaveLength(2);
    const blobs = await ctx.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha(docx)).execute();
    expect(blobs).toHaveLength(1);
  });

  it('refuses a file whose content is not an allowed type, whatever its name', async () => {
    const res = await upload(tokens.yla!, '4.1', readSample('htmlNamedPdf'), 'bao-cao.pdf');
    expect(res.status).toBe(415);
  });

  it('takes figures and text, and refuses a file on a number item', async () => {
    for (const [item, value] of [['8.1', 607], ['8.2', 519], ['8.3', 2100], ['9.1', 'Thực hiện nghiêm túc các quy định'], ['9.2', 'Còn chậm cập nhật sổ theo dõi']] as const) {
      const res = await request(ctx.app).put(`${A}/items/${item}/value`).set(bearer(tokens.yla!)).send({ value });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('submitted');
    }
    expect((await upload(tokens.yla!, '8.1', readSample('pdf'), 'x.pdf')).status).toBe(400);
  });

  it('lets the lead return an item with a note the secretary then sees, and re-upload makes it submitted', async () => {
    const noNote = await request(ctx.app).post(`${A}/items/1.1/review`).set(bearer(tokens.lead!)).send({ decision: 'return' });
    expect(noNote.status).toBe(400);
    const returned = await request(ctx.app).post(`${A}/items/1.1/review`).set(bearer(tokens.lead!)).send({ decision: 'return', note: 'Thiếu chữ ký của bí thư chi bộ' });
    expect(returned.body).toMatchObject({ from: 'submitted', to: 'returned', by: 'truongdoan' });
    const seen = (await request(ctx.app).get(A).set(bearer(tokens.yla!))).body.entries.find((e: { itemCode: string }) => e.itemCode === '1.1');
    expect(seen).toMatchObject({ status: 'returned', review: { decision: 'return', note: 'Thiếu chữ ký của bí thư chi bộ' } });
    expect((await upload(tokens.yla!, '1.1', readSample('png'), 'Trang có chữ ký.png')).status).toBe(201);
    const after = (await request(ctx.app).get(A).set(bearer(tokens.yla!))).body.entries.find((e: { itemCode: string }) => e.itemCode === '1.1');
    expect(after.status).toBe('submitted');
  });

  it('accepts, refuses an upload to an accepted item with 409, and lets the secretary withdraw from others', async () => {
    expect((await request(ctx.app).post(`${A}/items/1.1/review`).set(bearer(tokens.lead!)).send({ decision: 'accept' })).body.to).toBe('accepted');
    const refused = await upload(tokens.yla!, '1.1', readSample('jpeg'), 'Ảnh.jpg');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('Đạt');
    const dossier = (await request(ctx.app).get(A).set(bearer(tokens.yla!))).body;
    const acceptedFile = dossier.entries.find((e: { itemCode: string }) => e.itemCode === '1.1').files[0];
    expect((await request(ctx.app).delete(`/api/v1/files/${acceptedFile.id}`).set(bearer(tokens.yla!))).status).toBe(409);
    const other = dossier.entries.find((e: { itemCode: string }) => e.itemCode === '1.2').files[1];
    const withdrawn = await request(ctx.app).delete(`/api/v1/files/${other.id}`).set(bearer(tokens.yla!));
    expect(withdrawn.body.status).toBe('missing');
    expect((await request(ctx.app).get(`/api/v1/files/${other.id}`).set(bearer(tokens.yla!))).status).toBe(404);
    const row = await ctx.db.selectFrom('files').select('withdrawn_at').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(row.withdrawn_at).not.toBeNull();
  });

  it('waives with a note, records findings and shows progress', async () => {
    await request(ctx.app).post(`${A}/items/5.1/review`).set(bearer(tokens.lead!)).send({ decision: 'waive', note: 'Đơn vị mới thành lập' }).expect(200);
    for (const item of ['8.1', '8.2', '9.1']) await request(ctx.app).post(`${A}/items/${item}/review`).set(bearer(tokens.lead!)).send({ decision: 'accept' }).expect(200);
    await request(ctx.app)
      .put(`${A}/findings`)
      .set(bearer(tokens.lead!))
      .send({ strengths: 'Hồ sơ lưu trữ đầy đủ', shortcomings: 'Sổ theo dõi chưa cập nhật', recommendations: 'Bổ sung sổ theo dõi', conclusion: 'Cơ bản thực hiện tốt' })
      .expect(200);
    const progress = (await request(ctx.app).get(`${I}/progress`).set(bearer(tokens.lead!))).body;
    const yla = progress.units.find((u: { unitCode: string }) => u.unitCode === 'P-YLA');
    expect(yla).toMatchObject({ unitName: 'Đảng uỷ phường Ỷ La', required: 9, done: 5, counts: { accepted: 4, waived: 1, submitted: 2, missing: 5, returned: 0 } });
    const own = (await request(ctx.app).get(`${I}/progress`).set(bearer(tokens.tanha!))).body;
    expect(own.units.map((u: { unitCode: string }) => u.unitCode)).toEqual(['P-TANHA']);
  });

  it('is read-only once closed; the secretary may then print the unit report', async () => {
    expect((await request(ctx.app).get(`${A}/report.pdf`).set(bearer(tokens.yla!))).status).toBe(403);
    expect((await request(ctx.app).post(`${I}/close`).set(bearer(tokens.lead!))).body.status).toBe('closed');
    expect((await upload(tokens.yla!, '4.1', readSample('pdf'), 'x.pdf')).status).toBe(409);
    expect((await request(ctx.app).put(`${A}/items/8.3/value`).set(bearer(tokens.yla!)).send({ value: 1 })).status).toBe(409);
    expect((await request(ctx.app).post(`${A}/items/8.3/review`).set(bearer(tokens.lead!)).send({ decision: 'accept' })).status).toBe(409);
    const pdf = await request(ctx.app).get(`${A}/report.pdf`).set(bearer(tokens.yla!));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((await request(ctx.app).get(`/api/v1/inspections/KT4-2023/units/P-TANHA/report.pdf`).set(bearer(tokens.yla!))).status).toBe(404);
  });

  it('leaves an audit trail for the team whose chain verifies', async () => {
    const events = (await request(ctx.app).get('/api/v1/audit?inspection=KT4-2023').set(bearer(tokens.lead!))).body.events;
    const actions = events.map((e: { action: string }) => e.action);
    for (const a of ['inspection.create', 'inspection.open', 'file.upload', 'entry.return', 'entry.accept', 'file.withdraw', 'findings.save', 'inspection.close']) {
      expect(actions).toContain(a);
    }
    expect((await request(ctx.app).get('/api/v1/audit?inspection=KT4-2023').set(bearer(tokens.yla!))).status).toBe(403);
    const verify = await request(ctx.app).get('/api/v1/audit/verify').set(bearer(tokens.admin!));
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.events).toBeGreaterThan(20);
  });
});
