import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { getUnitDossier, reviewEntry, saveFindings, setValue } from '../src/dossiers/dossiers.service';
import { readReportStamp } from '../src/reports/report-stamp';
import { dossierManifestHash } from '../src/reports/reports.service';
import { verifyReport } from '../src/reports/verify-report';
import { createBlobStore } from '../src/storage';
import { buildInspection } from './helpers/factories';
import { pdfPages, squash } from './helpers/pdf-text';
import { readSample } from './helpers/sample-files';
import { createTestApp, loginToken, type TestContext } from './helpers/test-app';
import { readZipBuffer } from './helpers/zip';

let ctx: TestContext;
let built: Awaited<ReturnType<typeof buildInspection>>;
let lead = '';
let unit = '';
let base = '';

/** Collects a binary response body (PDF, XLSX, ZIP) as a Buffer. */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const get = (path: string, token = lead) => request(ctx.app).get(path).auth(token, { type: 'bearer' }).buffer(true).parse(binary);

beforeAll(async () => {
  ctx = await createTestApp();
  built = await buildInspection(ctx.db, ctx.admin, { units: 2 });
  unit = built.units[0]!.code;
  base = `/api/v1/inspections/${built.code}`;
  lead = await loginToken(ctx.app, built.lead.username, built.lead.password);
  const secretary = built.secretaries[0]!;
  const secToken = await loginToken(ctx.app, secretary.username, secretary.password);
  await request(ctx.app).post(`${base}/units/${unit}/items/1.1/files`).auth(secToken, { type: 'bearer' }).attach('file', readSample('pdf'), 'Biên bản thẩm tra lý lịch.pdf').expect(201);
  await setValue(ctx.db, secretary, built.code, unit, '8.1', { value: 1_200_000 });
  await setValue(ctx.db, built.secretaries[1]!, built.code, built.units[1]!.code, '8.1', { value: 607 });
  await reviewEntry(ctx.db, built.lead, built.code, unit, '1.1', { decision: 'return', note: 'Thiếu biên bản thẩm tra lý lịch của quần chúng Nguyễn Văn Ánh' });
  await reviewEntry(ctx.db, built.lead, built.code, unit, '8.1', { decision: 'accept' });
  await saveFindings(ctx.db, built.lead, built.code, unit, {
    strengths: 'Cấp uỷ quan tâm lãnh đạo công tác bảo vệ chính trị nội bộ.',
    shortcomings: 'Sổ theo dõi chưa cập nhật thường xuyên.',
    recommendations: 'Bổ sung hồ sơ thẩm tra lý lịch trước ngày 15/8.',
    conclusion: 'Đơn vị cơ bản thực hiện tốt công tác bảo vệ chính trị nội bộ.',
  });
});
afterAll(() => ctx.close());

describe('the unit report', () => {
  it('prints the unit, the statuses in Vietnamese, the note, the findings and the lead', async () => {
    const res = await get(`${base}/units/${unit}/report.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('filename*=UTF-8');
    const text = squash((await pdfPages(res.body as Buffer)).join('\n'));
    for (const expected of [
      'ĐẢNG CỘNG SẢN VIỆT NAM', 'BÁO CÁO KẾT QUẢ KIỂM TRA', 'ĐOÀN KIỂM TRA SỐ 4', 'Số 12-BC/ĐKT', built.units[0]!.name,
      'Trả lại', 'Đạt', 'Chưa nộp', 'Thiếu biên bản thẩm tra lý lịch của quần chúng Nguyễn Văn Ánh',
      'Sổ theo dõi chưa cập nhật thường xuyên.', 'TRƯỞNG ĐOÀN', 'Nguyễn Văn Thành', '1.200.000',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('ends with the SHA-256 of the dossier’s manifest, which changes when the dossier does', async () => {
    const dossier = await getUnitDossier(ctx.db, built.lead, built.code, unit);
    const hash = dossierManifestHash(built.code, dossier);
    const text = (await pdfPages((await get(`${base}/units/${unit}/report.pdf`)).body as Buffer)).join('\n');
    expect(text.replace(/\s+/g, '')).toContain(hash);
    await setValue(ctx.db, built.secretaries[0]!, built.code, unit, '9.1', { value: 'Đã bổ sung' });
    expect(dossierManifestHash(built.code, await getUnitDossier(ctx.db, built.lead, built.code, unit))).not.toBe(hash);
  });
});

describe('the summary report', () => {
  it('lists every unit and sums the figures across units', async () => {
    const res = await get(`${base}/report.pdf`);
    expect(res.status).toBe(200);
    const text = squash((await pdfPages(res.body as Buffer)).join('\n'));
    for (const u of built.units) expect(text).toContain(u.name);
    // 1,200,000 from one unit (accepted) plus 607 from the other (submitted).
    expect(text).toContain('1.200.607');
    expect(text).toContain('Đơn vị cơ bản thực hiện tốt công tác bảo vệ chính trị nội bộ.');
  });
});

describe('the request letter', () => {
  it('lists what the unit still owes with the return note and the due date', async () => {
    const text = squash((await pdfPages((await get(`${base}/units/${unit}/request-letter.pdf`)).body as Buffer)).join('\n'));
    expect(text).toContain('Hồ sơ cán bộ, đảng viên đi nước ngoài');
    expect(text).toContain('Thiếu biên bản thẩm tra lý lịch của quần chúng Nguyễn Văn Ánh');
    expect(text).toContain('15/8/2030');
    // Accepted and optional items are not owed.
    expect(text).not.toContain('Số lượt tập huấn');
    expect(text).not.toContain('Tự đánh giá ưu điểm');
  });
});

describe('the exports', () => {
  it('give the progress matrix as XLSX with one row per unit', async () => {
    const res = await get(`${base}/export.xlsx`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    const body = res.body as Buffer;
    await book.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const names: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(2).value);
    });
    expect(names).toEqual(expect.arrayContaining(built.units.map((u) => u.name)));
  });

  it('give the same matrix as CSV with a BOM', async () => {
    const res = await get(`${base}/export.csv`);
    const body = res.body as Buffer;
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows: string[][] = parse(body, { bom: true, record_delimiter: '\r\n' });
    expect(rows).toHaveLength(1 + built.units.length);
    expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining(built.units.map((u) => u.name)));
  });

  it('bundle the unit’s current files with manifest.csv and the report', async () => {
    const res = await get(`${base}/units/${unit}/bundle.zip`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const entries = await readZipBuffer(res.body as Buffer);
    const names = entries.map((e) => e.name);
    expect(names).toContain('manifest.csv');
    expect(names.some((n) => n.endsWith('.pdf') && n.includes('Biên bản thẩm tra lý lịch'))).toBe(true);
    const file = entries.find((e) => e.name.includes('Biên bản thẩm tra lý lịch'))!;
    expect(Buffer.from(file.base64, 'base64')).toEqual(readSample('pdf'));
    expect(names.some((n) => !n.includes('/') && n.endsWith('.pdf'))).toBe(true);
  });
});

describe('verifying a printed report', () => {
  it('matches the archive until a file’s bytes or an entry change', async () => {
    const pdf = (await get(`${base}/units/${unit}/report.pdf`)).body as Buffer;
    const stamp = readReportStamp(pdf);
    expect(stamp).toMatchObject({ inspectionCode: built.code, unitCode: unit });
    const store = createBlobStore(ctx.config);
    expect(await verifyReport(ctx.db, store, ctx.admin, stamp!)).toMatchObject({ matches: true, damagedFiles: [] });

    const file = (await getUnitDossier(ctx.db, ctx.admin, built.code, unit)).entries.flatMap((e) => e.files)[0]!;
    const blob = `${ctx.config.filesDir}/${file.sha256.slice(0, 2)}/${file.sha256.slice(2, 4)}/${file.sha256}`;
    const original = fs.readFileSync(blob);
    fs.writeFileSync(blob, Buffer.concat([original, Buffer.from('sửa trái phép')]));
    expect(await verifyReport(ctx.db, store, ctx.admin, stamp!)).toMatchObject({ matches: false, damagedFiles: [{ sha256: file.sha256, problem: 'corrupt' }] });
    fs.writeFileSync(blob, original);

    await setValue(ctx.db, built.secretaries[0]!, built.code, unit, '9.1', { value: 'Nội dung đã thay đổi sau khi in' });
    const after = await verifyReport(ctx.db, store, ctx.admin, stamp!);
    expect(after.matches).toBe(false);
    expect(after.currentHash).not.toBe(stamp!.hash);
  });
});
