import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { type EntryStatus, type Lang } from '../src/core/vocabulary';
import { defaultTemplate } from '../src/demo/fixtures';
import { writeUnitBundle } from '../src/reports/export/bundle';
import { neutraliseFormula, sheetValue } from '../src/reports/export/cells';
import { writeProgressCsv } from '../src/reports/export/csv';
import type { BundleFile, BundleInput, MatrixCell, MatrixItem, MatrixUnit, ProgressMatrix } from '../src/reports/export/export.model';
import { writeProgressXlsx } from '../src/reports/export/xlsx';
import { readZip, type ZipEntry } from './helpers/zip';

const ITEMS: MatrixItem[] = defaultTemplate().items.map(({ code, section, title, kind, required }) => ({ code, section, title, kind, required }));
const INSPECTION = { code: 'KT-BVCTNB-2023', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023' };
const FORMULA_NAME = '=HYPERLINK("http://x","bấm")';
const TRICKY_NAME = 'Chi bộ "Công an", phường\nTân Hà';

type CellSpec = [EntryStatus, (number | string)?];

/** A unit row whose done/required/percent follow from its cells, as the service computes them. */
function unit(code: string, name: string, specs: Record<string, CellSpec>): MatrixUnit {
  const cells: MatrixCell[] = Object.entries(specs).map(([itemCode, [status, value]]) => ({
    itemCode,
    status,
    value: value ?? null,
    fileCount: ITEMS.find((item) => item.code === itemCode)?.kind === 'file' && status !== 'missing' ? 1 : 0,
  }));
  const required = ITEMS.filter((item) => item.required);
  const done = required.filter((item) => ['accepted', 'waived'].includes(specs[item.code]?.[0] ?? 'missing')).length;
  return { code, name, done, required: required.length, percent: (done / required.length) * 100, cells };
}

function matrix(lang: Lang = 'vi'): ProgressMatrix {
  return {
    inspection: INSPECTION,
    items: ITEMS,
    lang,
    units: [
      unit('TU-TQ', 'Thành uỷ Tuyên Quang', {
        '1.1': ['accepted'],
        '1.2': ['returned'],
        '1.4': ['waived'],
        '8.1': ['accepted', 607],
        '8.4': ['submitted', 1_200_000],
        '8.5': ['returned', 189_000],
        '9.1': ['submitted', 'Làm tốt công tác thẩm tra lý lịch người xin vào Đảng'],
      }),
      unit('DU-YLA', 'Đảng uỷ phường Ỷ La', {
        '1.1': ['submitted'],
        '8.2': ['submitted', 519],
        '9.2': ['submitted', '-Chưa cập nhật sổ theo dõi kịp thời'],
      }),
      unit('X-1', FORMULA_NAME, { '9.1': ['submitted', '@SUM(A1:A2)'] }),
      unit('CB-CA', TRICKY_NAME, { '8.3': ['accepted', 2.5] }),
    ],
  };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-exports-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function xlsxOf(data: ProgressMatrix): Promise<ExcelJS.Workbook> {
  const file = path.join(dir, `progress-${Math.random().toString(36).slice(2)}.xlsx`);
  await writeProgressXlsx(data, fs.createWriteStream(file));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

async function collect(write: (out: NodeJS.WritableStream) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await write(out);
  return Buffer.concat(chunks);
}

/** Row `n` (1-based) of the first sheet as displayed values. */
function rowValues(sheet: ExcelJS.Worksheet, n: number, columns: number): ExcelJS.CellValue[] {
  return Array.from({ length: columns }, (_, i) => sheet.getRow(n).getCell(i + 1).value);
}

/** CRLF records only: a bare line break inside a quoted field must stay part of the field. */
function csvRows(csv: Buffer): string[][] {
  return parse(csv, { bom: true, record_delimiter: '\r\n' });
}

function columnOf(itemCode: string): number {
  return 6 + ITEMS.findIndex((item) => item.code === itemCode);
}

describe('formula neutralisation', () => {
  it('prefixes text a spreadsheet would run with a quote, and leaves other text alone', () => {
    expect(neutraliseFormula('=1+1')).toBe("'=1+1");
    expect(neutraliseFormula('+84 912 345 678')).toBe("'+84 912 345 678");
    expect(neutraliseFormula('-5')).toBe("'-5");
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('\t=1')).toBe("'\t=1");
    expect(neutraliseFormula('\r=1')).toBe("'\r=1");
    expect(neutraliseFormula('Đảng uỷ phường Ỷ La')).toBe('Đảng uỷ phường Ỷ La');
    expect(neutraliseFormula('1 + 1 = 2')).toBe('1 + 1 = 2');
  });

  it('keeps numbers as numbers, negative ones included, and empties what no spreadsheet can hold', () => {
    expect(sheetValue(-5)).toBe(-5);
    expect(sheetValue(1_200_000)).toBe(1_200_000);
    expect(sheetValue(Number.NaN)).toBeNull();
    expect(sheetValue(Number.POSITIVE_INFINITY)).toBeNull();
    expect(sheetValue(null)).toBeNull();
  });

  it('never lets any text out starting with a formula character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const value = sheetValue(text);
        expect(typeof value).toBe('string');
        expect(String(value)).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });

  it('cuts text to what Excel accepts in a cell', () => {
    const value = sheetValue('Tự đánh giá '.repeat(5000));
    expect(typeof value === 'string' && value.length).toBeLessThanOrEqual(32_767);
  });
});

describe('progress XLSX', () => {
  it('has one row per unit under a bold, frozen, filtered header naming the items', async () => {
    const sheet = (await xlsxOf(matrix())).getWorksheet('Tiến độ');
    if (!sheet) throw new Error('no progress sheet');
    expect(rowValues(sheet, 1, 5)).toEqual(['Mã đơn vị', 'Tên đơn vị', 'Tỷ lệ (%)', 'Số mục hoàn thành', 'Số mục bắt buộc']);
    expect(sheet.getRow(1).getCell(columnOf('1.1')).value).toBe('1.1 - Danh sách quần chúng ưu tú được cấp uỷ xem xét kết nạp trong kỳ');
    expect(sheet.getRow(1).getCell(columnOf('1.4')).value).toMatch(/^1\.4 - .*\(không bắt buộc\)$/);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.actualColumnCount).toBe(5 + 40);
    expect(sheet.rowCount).toBe(5);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:AS5');
    expect(sheet.getColumn(2).width).toBeGreaterThanOrEqual(24);
  });

  it('shows status words, and submitted or accepted figures as numbers', async () => {
    const sheet = (await xlsxOf(matrix())).getWorksheet('Tiến độ');
    if (!sheet) throw new Error('no progress sheet');
    const tq = sheet.getRow(2);
    expect(rowValues(sheet, 2, 2)).toEqual(['TU-TQ', 'Thành uỷ Tuyên Quang']);
    expect(tq.getCell(columnOf('1.1')).value).toBe('Đạt');
    expect(tq.getCell(columnOf('1.2')).value).toBe('Trả lại');
    expect(tq.getCell(columnOf('1.3')).value).toBe('Chưa nộp');
    expect(tq.getCell(columnOf('1.4')).value).toBe('Miễn');
    expect(tq.getCell(columnOf('8.1')).value).toBe(607);
    expect(tq.getCell(columnOf('8.1')).type).toBe(ExcelJS.ValueType.Number);
    expect(tq.getCell(columnOf('8.4')).value).toBe(1_200_000);
    // a figure the team returned is not counted as if it stood
    expect(tq.getCell(columnOf('8.5')).value).toBe('Trả lại');
    expect(tq.getCell(columnOf('9.1')).value).toBe('Làm tốt công tác thẩm tra lý lịch người xin vào Đảng');
    expect(tq.getCell(3).value).toBeCloseTo((2 / 37) * 100);
    expect(tq.getCell(4).value).toBe(2);
    expect(tq.getCell(5).value).toBe(37);
    expect(sheet.getRow(3).getCell(columnOf('1.1')).value).toBe('Đã nộp');
    expect(sheet.getRow(3).getCell(columnOf('8.2')).value).toBe(519);
    expect(tq.getCell(columnOf('1.1')).fill).not.toEqual(tq.getCell(columnOf('1.2')).fill);
  });

  it('keeps formula-looking text as text, quoted, and holds no formula anywhere', async () => {
    const sheet = (await xlsxOf(matrix())).getWorksheet('Tiến độ');
    if (!sheet) throw new Error('no progress sheet');
    expect(sheet.getRow(4).getCell(2).value).toBe(`'${FORMULA_NAME}`);
    expect(sheet.getRow(4).getCell(columnOf('9.1')).value).toBe("'@SUM(A1:A2)");
    expect(sheet.getRow(3).getCell(columnOf('9.2')).value).toBe("'-Chưa cập nhật sổ theo dõi kịp thời");
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula).toBeUndefined();
      });
    });
  });

  it('explains the words and colours on a legend sheet', async () => {
    const legend = (await xlsxOf(matrix())).getWorksheet('Chú giải');
    if (!legend) throw new Error('no legend sheet');
    const terms: ExcelJS.CellValue[] = [];
    legend.eachRow((row) => terms.push(row.getCell(1).value));
    expect(terms).toEqual(expect.arrayContaining(['Chưa nộp', 'Đã nộp', 'Đạt', 'Trả lại', 'Miễn']));
    expect(legend.getRow(1).getCell(2).value).toBe('KT-BVCTNB-2023 - Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023');
  });

  it('speaks English when asked', async () => {
    const workbook = await xlsxOf(matrix('en'));
    const sheet = workbook.getWorksheet('Progress');
    if (!sheet) throw new Error('no progress sheet');
    expect(rowValues(sheet, 1, 3)).toEqual(['Unit code', 'Unit name', 'Progress (%)']);
    expect(sheet.getRow(2).getCell(columnOf('1.1')).value).toBe('Accepted');
    expect(sheet.getRow(2).getCell(columnOf('1.3')).value).toBe('Missing');
    expect(workbook.getWorksheet('Legend')).toBeDefined();
  });
});

describe('progress CSV', () => {
  it('starts with a UTF-8 BOM and ends records with CRLF', async () => {
    const csv = await collect((out) => writeProgressCsv(matrix(), out));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    expect(text.slice(1, text.indexOf('\r\n'))).toMatch(/^Mã đơn vị,Tên đơn vị,Tỷ lệ \(%\),/);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('parses back to the same rows as the XLSX, Vietnamese, quotes and line breaks intact', async () => {
    const data = matrix();
    const csv = await collect((out) => writeProgressCsv(data, out));
    const records = csvRows(csv);
    const sheet = (await xlsxOf(data)).getWorksheet('Tiến độ');
    if (!sheet) throw new Error('no progress sheet');
    const fromXlsx = Array.from({ length: 5 }, (_, i) =>
      rowValues(sheet, i + 1, 45).map((value) => (value === null ? '' : String(value as string | number))),
    );
    expect(records).toEqual(fromXlsx);
    expect(records[2]?.[1]).toBe('Đảng uỷ phường Ỷ La');
    expect(records[3]?.[1]).toBe(`'${FORMULA_NAME}`);
    expect(records[4]?.[1]).toBe(TRICKY_NAME);
    expect(records[4]?.[columnOf('8.3') - 1]).toBe('2.5');
  });
});

describe('unit bundle ZIP', () => {
  function bundleFile(itemCode: string, name: string, bytes: Buffer, overrides: Partial<BundleFile> = {}): BundleFile & { bytes: Buffer } {
    const item = ITEMS.find((candidate) => candidate.code === itemCode);
    return {
      itemCode,
      itemTitle: item?.title ?? itemCode,
      name,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      mime: 'application/pdf',
      uploadedBy: 'Nguyễn Thị Hồng',
      uploadedAt: '2023-08-10T02:15:00.000Z',
      open: () => Readable.from([bytes]),
      bytes,
      ...overrides,
    };
  }

  const pdf = (text: string) => Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`, 'utf8');
  const report = pdf('Báo cáo kết quả kiểm tra Đảng uỷ phường Ỷ La');
  const scan = randomBytes(300_000);
  const files = [
    bundleFile('1.1', 'Danh sách quần chúng ưu tú 2023.pdf', pdf('danh sách 1')),
    bundleFile('1.1', 'Danh sách quần chúng ưu tú 2023.pdf', pdf('danh sách 2')),
    bundleFile('1.1', 'DANH SÁCH QUẦN CHÚNG ƯU TÚ 2023.pdf', pdf('danh sách 3')),
    bundleFile('1.3', '../../etc/passwd', pdf('thẩm tra')),
    bundleFile('1.3', '/tmp/tuyệt mật.pdf', pdf('tuyệt mật')),
    bundleFile('2.1', `${'Báo cáo đi nước ngoài'.normalize('NFD')}.pdf`, pdf('nước ngoài')),
    bundleFile('4.1', `${FORMULA_NAME}.jpg`, scan, { mime: 'image/jpeg', uploadedBy: '@Trần Văn Bình' }),
  ];

  function input(overrides: Partial<BundleInput> = {}): BundleInput {
    return {
      unit: { code: 'DU-YLA', name: 'Đảng uỷ phường Ỷ La' },
      inspection: INSPECTION,
      files,
      report: { name: 'Báo cáo kết quả kiểm tra - DU-YLA.pdf', open: () => Promise.resolve(report) },
      lang: 'vi',
      ...overrides,
    };
  }

  async function bundleOf(data: BundleInput): Promise<ZipEntry[]> {
    const file = path.join(dir, `bundle-${Math.random().toString(36).slice(2)}.zip`);
    await writeUnitBundle(data, fs.createWriteStream(file));
    return readZip(file);
  }

  it('holds the report and manifest at the top and each file in its item folder under a readable, safe name', async () => {
    const entries = await bundleOf(input());
    const folder11 = '1.1 - Danh sách quần chúng ưu tú được cấp uỷ xem xét kết nạp trong kỳ';
    expect(entries.map((entry) => entry.name)).toEqual([
      'Báo cáo kết quả kiểm tra - DU-YLA.pdf',
      'manifest.csv',
      `${folder11}/1.1 - Danh sách quần chúng ưu tú 2023.pdf`,
      `${folder11}/1.1 - Danh sách quần chúng ưu tú 2023 (2).pdf`,
      `${folder11}/1.1 - DANH SÁCH QUẦN CHÚNG ƯU TÚ 2023 (3).pdf`,
      '1.3 - Biên bản thẩm tra lý lịch của người xin vào Đảng/1.3 - .._.._etc_passwd',
      '1.3 - Biên bản thẩm tra lý lịch của người xin vào Đảng/1.3 - _tmp_tuyệt mật.pdf',
      expect.stringMatching(/^2\.1 - .*\/2\.1 - Báo cáo đi nước ngoài\.pdf$/),
      '4.1 - Sổ đăng ký công văn đến về bảo vệ chính trị nội bộ/4.1 - =HYPERLINK(_http___x_,_bấm_).jpg',
    ]);
    for (const entry of entries) {
      expect(entry.utf8).toBe(true);
      expect(entry.name.startsWith('/')).toBe(false);
      expect(entry.name.split('/')).not.toContain('..');
      expect(entry.name).toBe(entry.name.normalize('NFC'));
    }
  });

  it('carries every file and the report byte for byte', async () => {
    const entries = await bundleOf(input());
    const content = (name: string) => Buffer.from(entries.find((entry) => entry.name.endsWith(name))?.base64 ?? '', 'base64');
    expect(content('Báo cáo kết quả kiểm tra - DU-YLA.pdf').equals(report)).toBe(true);
    expect(content('_bấm_).jpg').equals(scan)).toBe(true);
    expect(content('1.1 - Danh sách quần chúng ưu tú 2023 (2).pdf').equals(pdf('danh sách 2'))).toBe(true);
  });

  it('lists each file in manifest.csv with its SHA-256, item, uploader and time, formula-safe', async () => {
    const entries = await bundleOf(input());
    const manifest = Buffer.from(entries.find((entry) => entry.name === 'manifest.csv')?.base64 ?? '', 'base64');
    expect([...manifest.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = csvRows(manifest);
    expect(header).toEqual([
      'Tệp trong gói', 'Tên tệp gốc', 'Mã mục', 'Tên mục', 'Kích thước (byte)', 'SHA-256', 'Loại tệp', 'Người tải lên', 'Thời điểm tải lên',
    ]);
    expect(rows).toHaveLength(files.length);
    for (const row of rows) {
      const entry = entries.find((candidate) => candidate.name === row[0]);
      expect(entry?.sha256).toBe(row[5]);
    }
    const scanRow = rows.find((row) => row[2] === '4.1');
    expect(scanRow).toEqual([
      expect.stringMatching(/\.jpg$/),
      `'${FORMULA_NAME}.jpg`,
      '4.1',
      'Sổ đăng ký công văn đến về bảo vệ chính trị nội bộ',
      '300000',
      createHash('sha256').update(scan).digest('hex'),
      'image/jpeg',
      "'@Trần Văn Bình",
      '2023-08-10T02:15:00.000Z',
    ]);
  });

  it('takes the report as a stream too, and holds just it and the manifest when the unit sent nothing', async () => {
    const entries = await bundleOf(input({ files: [], report: { name: 'bao-cao.pdf', open: () => Readable.from([report]) } }));
    expect(entries.map((entry) => entry.name)).toEqual(['bao-cao.pdf', 'manifest.csv']);
    expect(Buffer.from(entries[0]?.base64 ?? '', 'base64').equals(report)).toBe(true);
  });

  it('fails, and destroys the download, when stored bytes no longer match their SHA-256', async () => {
    const altered = bundleFile('1.1', 'Danh sách.pdf', pdf('bản ký ngày 10'), { open: () => Readable.from([pdf('bản ký ngày 19')]) });
    const out = new PassThrough();
    out.resume();
    await expect(writeUnitBundle(input({ files: [altered] }), out)).rejects.toThrow(/SHA-256/);
    expect(out.destroyed).toBe(true);
  });

  it('fails when a stored file cannot be read, and opens no further file', async () => {
    let opened = 0;
    const broken = bundleFile('1.1', 'Danh sách.pdf', pdf('x'), {
      open: () => {
        opened += 1;
        return new Readable({ read() { this.destroy(new Error('ENOENT: blob missing')); } });
      },
    });
    const later = bundleFile('1.2', 'Đơn.pdf', pdf('y'), { open: () => { opened += 1; return Readable.from([pdf('y')]); } });
    const out = new PassThrough();
    out.resume();
    await expect(writeUnitBundle(input({ files: [broken, later] }), out)).rejects.toThrow(/blob missing/);
    expect(opened).toBe(1);
  });

  it('stops when the client goes away mid-download', async () => {
    let written = 0;
    const client = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(written > 100_000 ? new Error('socket hang up') : null);
      },
    });
    await expect(writeUnitBundle(input(), client)).rejects.toThrow(/socket hang up/);
  });
});

describe('a large inspection', () => {
  it('exports 1,000 units × 40 items to XLSX and CSV', async () => {
    const statuses: EntryStatus[] = ['missing', 'submitted', 'accepted', 'returned', 'waived'];
    const units = Array.from({ length: 1000 }, (_, u) =>
      unit(`DV-${u}`, `Đảng uỷ xã Tân Tiến ${u}`, Object.fromEntries(
        ITEMS.map((item, i): [string, CellSpec] => {
          const status = statuses[(u + i) % statuses.length] ?? 'missing';
          return [item.code, item.kind === 'number' && status === 'accepted' ? [status, u * i] : [status]];
        }),
      )),
    );
    const big: ProgressMatrix = { inspection: INSPECTION, items: ITEMS, units, lang: 'vi' };

    const file = path.join(dir, 'big.xlsx');
    await writeProgressXlsx(big, fs.createWriteStream(file));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.getWorksheet('Tiến độ')?.rowCount).toBe(1001);

    const csv = await collect((out) => writeProgressCsv(big, out));
    expect(csvRows(csv)).toHaveLength(1001);
  });
});
