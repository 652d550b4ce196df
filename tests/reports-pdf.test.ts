import { Writable } from 'node:stream';
import { formatLongDate, formatNumber, formatShortDate } from '../src/core/format';
import { canonicalManifest, type ManifestInput, manifestHash } from '../src/reports/manifest';
import { renderRequestLetter } from '../src/reports/pdf/request-letter';
import { renderSummaryReport } from '../src/reports/pdf/summary-report';
import { renderUnitReport } from '../src/reports/pdf/unit-report';
import { formatPlaceAndDate } from '../src/reports/pdf/wording';
import type { UnitReportModel } from '../src/reports/report.model';
import { collectPdf, pdfInfo, pdfPages, squash } from './helpers/pdf-text';
import { checklistRows, letter, longChecklist, longNote, manifestOf, owedItems, reportDate, summary, summaryUnits, unitReport } from './helpers/report-models';

const render = (model: UnitReportModel) => collectPdf((out) => renderUnitReport(model, out));

describe('the unit inspection report', () => {
  let pdf: Buffer;
  let pages: string[];
  /** The text in drawing order: wrapped cells and paragraphs read as one run. */
  let text: string;

  beforeAll(async () => {
    pdf = await render(unitReport());
    pages = await pdfPages(pdf);
    text = squash((await pdfPages(pdf, 'raw')).join('\n'));
  });

  it('is an A4 portrait PDF', async () => {
    const info = await pdfInfo(pdf);
    expect(Math.round(info.width)).toBe(595);
    expect(Math.round(info.height)).toBe(842);
    expect(info.pages).toBe(pages.length);
  });

  it('carries the heading of a party document with its Vietnamese exactly as typed', () => {
    const first = pages[0] ?? '';
    expect(first).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(first).toContain('ĐOÀN KIỂM TRA SỐ 4');
    expect(text).toContain('TIỂU BAN BẢO VỆ CHÍNH TRỊ NỘI BỘ TRUNG ƯƠNG');
    expect(first).toContain('Số 12-BC/ĐKT');
    expect(first).toContain('Tuyên Quang, ngày 15 tháng 8 năm 2023');
    expect(first).toContain('BÁO CÁO KẾT QUẢ KIỂM TRA');
    expect(first).toContain('Kết quả kiểm tra công tác bảo vệ chính trị nội bộ tại Đảng uỷ phường Ỷ La');
  });

  it('puts the heading in two columns: issuing body left, party name right, on the same line', () => {
    const top = (pages[0] ?? '').split('\n').find((line) => line.includes('ĐẢNG CỘNG SẢN VIỆT NAM')) ?? '';
    expect(top.indexOf('TIỂU BAN')).toBeGreaterThanOrEqual(0);
    expect(top.indexOf('TIỂU BAN')).toBeLessThan(top.indexOf('ĐẢNG CỘNG SẢN VIỆT NAM'));
  });

  it('lists the checklist with Vietnamese status words, file counts and the inspector notes', () => {
    for (const word of ['STT', 'Nội dung', 'Trạng thái', 'Số tệp', 'Ghi chú', 'Chưa nộp', 'Đã nộp', 'Đạt', 'Trả lại', 'Miễn']) {
      expect(text).toContain(word);
    }
    expect(text).toContain('I. Công tác kết nạp đảng viên');
    expect(text).toContain('Biên bản thẩm tra lý lịch của người xin vào Đảng');
    expect(text).toContain('Thiếu biên bản thẩm tra lý lịch của 02 quần chúng; đề nghị bổ sung.');
    expect(text).toContain('Văn bản thẩm tra, xác minh đối với người có quan hệ nước ngoài (không bắt buộc)');
  });

  it('prints the unit figures in Vietnamese number format', () => {
    for (const figure of ['607', '519', '2.100', '1.200.000', '189.000']) expect(text).toContain(figure);
  });

  it('ends with findings, signature block, recipients and the verification code of the dossier', () => {
    for (const words of ['Ưu điểm', 'Hạn chế', 'Kiến nghị', 'Kết luận', 'T/M ĐOÀN KIỂM TRA', 'TRƯỞNG ĐOÀN', 'Nguyễn Văn Định', 'Nơi nhận:', '- Lưu: ĐKT.']) {
      expect(text).toContain(words);
    }
    const hash = manifestHash(manifestOf(checklistRows()));
    expect(text).toContain(`Mã kiểm chứng (SHA-256): ${hash}`);
  });

  it('keeps the signature and the recipients on one page', () => {
    const last = pages.find((page) => page.includes('TRƯỞNG ĐOÀN')) ?? '';
    expect(last).toContain('Nơi nhận:');
    expect(last).toContain('Nguyễn Văn Định');
  });

  it('numbers every page "Trang x/y"', () => {
    pages.forEach((page, i) => expect(page).toContain(`Trang ${i + 1}/${pages.length}`));
  });
});

describe('a unit report of 150 items', () => {
  let pages: string[];

  beforeAll(async () => {
    pages = await pdfPages(await render(unitReport(longChecklist())));
  });

  it('runs over several pages, each numbered with the right total', () => {
    expect(pages.length).toBeGreaterThanOrEqual(4);
    pages.forEach((page, i) => expect(page).toContain(`Trang ${i + 1}/${pages.length}`));
  });

  it('repeats the table header on the next page', () => {
    const second = pages[1] ?? '';
    expect(second).toMatch(/STT\s+Nội dung\s+Trạng thái\s+Số tệp\s+Ghi chú/);
  });

  it('prints every row', () => {
    const text = squash(pages.join('\n'));
    for (const code of ['1.1.1', '2.9.3', '4.1.1']) expect(text).toContain(code);
  });
});

describe('what users typed', () => {
  it('is wrapped, never clipped: a 2,000-character note is present in full', async () => {
    expect(longNote.length).toBe(2000);
    const rows = checklistRows().map((row) => (row.code === '1.3' ? { ...row, note: longNote } : row));
    const pages = (await pdfPages(await render(unitReport(rows)), 'raw')).map(squash);
    // Between pages, only the page number and the repeated table header come in between.
    const text = squash(pages.join(' ')).replace(/ ?Trang \d+\/\d+ STT Nội dung Trạng thái Số tệp Ghi chú/g, '');
    expect(text).toContain(squash(longNote));
    // The note alone fills more than a page, so its row continues overleaf.
    const pageOf = (words: string) => pages.findIndex((page) => page.includes(words));
    expect(pageOf('lý lịch 150,')).toBeGreaterThan(pageOf('Thiếu biên bản thẩm tra lý lịch 1,'));
  });

  it('prints markup and SQL literally', async () => {
    const unit = { code: 'XSS-1', name: '<script>alert(1)</script>' };
    const rows = checklistRows().map((row) => (row.code === '1.1' ? { ...row, note: "'; DROP TABLE units;--" } : row));
    const pdf = await render(unitReport(rows, { unit, findings: { strengths: '<b>đậm</b> & "trích"', shortcomings: '', recommendations: '', conclusion: '' } }));
    const text = squash((await pdfPages(pdf, 'raw')).join('\n'));
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain("'; DROP TABLE units;--");
    expect(text).toContain('<b>đậm</b> & "trích"');
  });

  it('in English keeps the layout and uses English labels', async () => {
    const text = squash((await pdfPages(await render(unitReport(checklistRows(), { lang: 'en' })))).join('\n'));
    expect(text).toContain('COMMUNIST PARTY OF VIETNAM');
    expect(text).toContain('INSPECTION REPORT');
    expect(text).toContain('Tuyên Quang, 15 August 2023');
    expect(text).toContain('1,200,000');
    expect(text).toMatch(/Page 1\/\d/);
  });
});

describe('the manifest hash', () => {
  const rows = checklistRows();

  it('is the SHA-256 of a canonical JSON text with sorted keys and entries', () => {
    const input = manifestOf(rows);
    const text = canonicalManifest(input);
    expect(text.startsWith('{"entries":[{"files":[')).toBe(true);
    expect(text.endsWith(`"format":"hoso-manifest/1","inspection":"KT-2023-04","unit":"P-YLA"}`)).toBe(true);
    expect(manifestHash(input)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order entries and files come in', () => {
    const input = manifestOf(rows);
    const shuffled: ManifestInput = {
      ...input,
      entries: [...input.entries].reverse().map((e) => ({ ...e, files: [...e.files].reverse() })),
    };
    expect(manifestHash(shuffled)).toBe(manifestHash(input));
  });

  it('changes with a status, a value or a file, and ignores withdrawn files', () => {
    const input = manifestOf(rows);
    const base = manifestHash(input);
    const change = (fn: (entry: ManifestInput['entries'][number]) => void) => {
      const copy = structuredClone(input);
      const entry = copy.entries[0];
      if (entry) fn(entry);
      return manifestHash(copy);
    };
    expect(change((e) => (e.status = 'returned'))).not.toBe(base);
    expect(change((e) => (e.value = 1))).not.toBe(base);
    expect(change((e) => e.files.push({ sha256: 'b'.repeat(64), size: 1, name: 'Biên bản.pdf' }))).not.toBe(base);
    expect(change((e) => e.files.push({ sha256: 'b'.repeat(64), size: 1, name: 'Biên bản.pdf', withdrawnAt: '2023-08-10T00:00:00Z' }))).toBe(base);
    expect(manifestHash({ ...input, unitCode: 'P-MINHXUAN' })).not.toBe(base);
  });

  it('matches a serialization written by hand from the documented format', () => {
    const input: ManifestInput = {
      inspectionCode: 'KT-2023-04',
      unitCode: 'P-YLA',
      entries: [
        { itemCode: '8.4', status: 'accepted', value: 1_200_000, files: [] },
        {
          itemCode: '1.3',
          status: 'returned',
          value: null,
          files: [
            { sha256: 'F'.repeat(64), size: 2048, name: 'Biên bản "thẩm tra".pdf' },
            { sha256: '0'.repeat(64), size: 1024, name: 'Lý lịch\n2-KNĐ.pdf' },
          ],
        },
      ],
    };
    const expected =
      '{"entries":[{"files":[{"name":"Lý lịch\\n2-KNĐ.pdf","sha256":"' + '0'.repeat(64) + '","size":1024},' +
      '{"name":"Biên bản \\"thẩm tra\\".pdf","sha256":"' + 'f'.repeat(64) + '","size":2048}],"itemCode":"1.3","status":"returned","value":null},' +
      '{"files":[],"itemCode":"8.4","status":"accepted","value":1200000}],"format":"hoso-manifest/1","inspection":"KT-2023-04","unit":"P-YLA"}';
    expect(canonicalManifest(input)).toBe(expected);
  });
});

describe('dates and numbers', () => {
  it('are written the Vietnamese way, in Vietnam time', () => {
    expect(formatLongDate(reportDate, 'vi')).toBe('ngày 15 tháng 8 năm 2023');
    expect(formatLongDate(new Date('2024-02-05T00:30:00+07:00'), 'vi')).toBe('ngày 05 tháng 02 năm 2024');
    // 23:30 UTC on the 14th is already the 15th in Tuyên Quang.
    expect(formatShortDate(new Date('2023-08-14T23:30:00Z'))).toBe('15/8/2023');
    expect(formatPlaceAndDate(null, reportDate, 'vi')).toBe('Ngày 15 tháng 8 năm 2023');
    expect(formatNumber(1_200_000, 'vi')).toBe('1.200.000');
    expect(formatLongDate(reportDate, 'en')).toBe('15 August 2023');
    expect(formatNumber(1_200_000, 'en')).toBe('1,200,000');
  });
});

describe('the summary report', () => {
  it('tabulates the units, sums the figures, charts completion and closes with the signature', async () => {
    const pages = await pdfPages(await collectPdf((out) => renderSummaryReport(summary(summaryUnits(14)), out)));
    const text = squash(pages.join('\n'));
    expect(pages[0]).toContain('BÁO CÁO TỔNG HỢP KẾT QUẢ KIỂM TRA');
    expect(pages[0]).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    for (const figure of ['607', '519', '2.100', '1.200.000', '189.000']) expect(text).toContain(figure);
    expect(text).toContain('Đảng uỷ phường Ỷ La');
    expect(text).toContain('Tổng cộng');
    expect(text).toContain('Chưa có kết luận.');
    expect(text).toContain('TRƯỞNG ĐOÀN');
    pages.forEach((page, i) => expect(page).toContain(`Trang ${i + 1}/${pages.length}`));
  });

  it('renders 1,000 units over many pages with the unit table header repeated', async () => {
    const units = summaryUnits(1000);
    const pdf = await collectPdf((out) => renderSummaryReport(summary(units), out));
    const pages = await pdfPages(pdf);
    expect((await pdfInfo(pdf)).pages).toBe(pages.length);
    expect(pages.length).toBeGreaterThan(40);
    pages.forEach((page, i) => expect(page).toContain(`Trang ${i + 1}/${pages.length}`));
    const text = squash(pages.join('\n'));
    expect(text).toContain('1.200.000');
    expect(text).toContain(units[999]?.name);
    expect(pages.filter((page) => /STT\s+Đơn vị/.test(page)).length).toBeGreaterThan(10);
  });
});

describe('the request letter', () => {
  it('lists exactly the missing and returned items, with the return notes and the due date', async () => {
    const rows = checklistRows();
    const owed = owedItems(rows);
    expect(owed.length).toBeGreaterThan(3);
    const pdf = await collectPdf((out) => renderRequestLetter(letter(owed), out));
    const pages = await pdfPages(pdf);
    const text = squash((await pdfPages(pdf, 'raw')).join('\n'));
    expect(text).toContain('GIẤY ĐỀ NGHỊ');
    expect(text).toContain('Kính gửi: Đảng uỷ phường Ỷ La');
    expect(text).toContain('trước ngày 15/8/2023');
    expect(text).toContain('Thiếu biên bản thẩm tra lý lịch của 02 quần chúng; đề nghị bổ sung.');
    for (const row of rows) {
      const owes = row.status === 'missing' || row.status === 'returned';
      expect([row.code, text.includes(`${row.code} ${row.title}`)]).toEqual([row.code, owes]);
    }
    expect(text).toContain('TRƯỞNG ĐOÀN');
    pages.forEach((page, i) => expect(page).toContain(`Trang ${i + 1}/${pages.length}`));
  });

  it('says so when nothing is owed', async () => {
    const text = squash((await pdfPages(await collectPdf((out) => renderRequestLetter(letter([]), out)))).join('\n'));
    expect(text).toContain('không có nội dung cần bổ sung');
  });
});

describe('sparse data', () => {
  it('still makes a complete document when nothing optional is filled in', async () => {
    const model = unitReport([], {
      header: { parentBody: null, issuingBody: 'Đoàn Kiểm tra số 4', reportNumber: null, place: null, date: reportDate },
      findings: { strengths: '', shortcomings: ' ', recommendations: '', conclusion: '' },
      leadName: null,
      recipients: [],
    });
    const text = squash((await pdfPages(await render(model), 'raw')).join('\n'));
    expect(text).toContain('Ngày 15 tháng 8 năm 2023');
    expect(text).not.toMatch(/Số \d/);
    expect(text).toContain('Không có.');
    expect(text).toContain('- Lưu hồ sơ đoàn kiểm tra.');
    expect(text).toContain('TRƯỞNG ĐOÀN');
  });

  it('summarises an inspection without units', async () => {
    const text = squash((await pdfPages(await collectPdf((out) => renderSummaryReport({ ...summary([]), numberTotals: [] }, out)))).join('\n'));
    expect(text).toContain('Kết quả kiểm tra công tác bảo vệ chính trị nội bộ tại 0 đơn vị');
    expect(text).toContain('Tổng cộng 0 0 0 0 0 0');
  });

  it('rejects when the output stream fails', async () => {
    const out = new Writable({ write: (_chunk, _encoding, done) => done(new Error('kết nối bị đóng')) });
    await expect(renderUnitReport(unitReport(), out)).rejects.toThrow('kết nối bị đóng');
  });
});
