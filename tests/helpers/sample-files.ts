/**
 * Real sample files for upload tests, committed under fixtures/files/, and builders for the
 * hostile ones made at test time (zip bombs are too large to keep). To regenerate the committed
 * files: `npx tsx tests/helpers/sample-files.ts` (needs Chromium at /usr/bin/chromium for the
 * PNG and JPEG).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { ZipFile } from 'yazl';
import { fixturesDir } from '../../src/paths';

export const sampleFilesDir = path.join(fixturesDir, 'files');

/** The committed samples, by what they are. */
export const samples = {
  pdf: 'bien-ban-kiem-tra.pdf',
  png: 'anh-so-theo-doi.png',
  jpeg: 'anh-so-theo-doi.jpg',
  docx: 'danh-sach-dang-vien.docx',
  xlsx: 'so-lieu-tap-huan.xlsx',
  /** An HTML page (with a script) whose name claims it is a PDF. */
  htmlNamedPdf: 'bao-cao-ket-qua.pdf',
  /** An SVG drawing with a script. */
  svg: 'so-do-to-chuc.svg',
} as const;

export type Sample = keyof typeof samples;

export function samplePath(sample: Sample): string {
  return path.join(sampleFilesDir, samples[sample]);
}

export function readSample(sample: Sample): Buffer {
  return fs.readFileSync(samplePath(sample));
}

const fontPath = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSerif.ttf');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function buildPdf(lines: string[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: lines[0] ?? '', CreationDate: new Date('2023-08-15T08:00:00Z') } });
  doc.font(fontPath).fontSize(13);
  for (const line of lines) doc.text(line).moveDown(0.5);
  doc.end();
  return collect(doc);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CONTENT_TYPES_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>';
const CONTENT_TYPES_TAIL =
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '</Types>';
const PACKAGE_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
  '</Relationships>';
const DOCUMENT_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
const DOCUMENT_TAIL = '</w:body></w:document>';

function paragraphs(lines: string[]): string {
  return lines.map((l) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(l)}</w:t></w:r></w:p>`).join('');
}

/** `head`, then `fillBytes` spaces, then `tail`, produced lazily so a huge entry never sits in memory. */
function padded(head: string, fillBytes: number, tail: string): Readable {
  const block = Buffer.alloc(1024 * 1024, 0x20);
  let left = fillBytes;
  return Readable.from(
    (function* () {
      yield Buffer.from(head);
      for (; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
      yield Buffer.from(tail);
    })(),
  );
}

/**
 * A minimal valid Word document ([Content_Types].xml, _rels/.rels, word/document.xml).
 * `bombIn` pads one entry with that many bytes of spaces: deflate packs them about 1,000 to 1,
 * which makes the document a zip bomb.
 */
export async function buildDocx(lines: string[], bombIn?: { entry: '[Content_Types].xml' | 'word/document.xml'; bytes: number }): Promise<Buffer> {
  const zip = new ZipFile();
  const mtime = new Date('2023-08-15T08:00:00Z');
  const fill = (entry: string) => (bombIn?.entry === entry ? bombIn.bytes : 0);
  zip.addReadStream(padded(CONTENT_TYPES_HEAD, fill('[Content_Types].xml'), CONTENT_TYPES_TAIL), '[Content_Types].xml', { mtime });
  zip.addBuffer(Buffer.from(PACKAGE_RELS), '_rels/.rels', { mtime });
  zip.addReadStream(padded(DOCUMENT_HEAD + paragraphs(lines), fill('word/document.xml'), DOCUMENT_TAIL), 'word/document.xml', { mtime });
  zip.end();
  return collect(zip.outputStream);
}

export async function buildXlsx(rows: (string | number)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Hồ sơ';
  workbook.created = new Date('2023-08-15T08:00:00Z');
  workbook.modified = workbook.created;
  const sheet = workbook.addWorksheet('Số liệu');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A page of the tracking logbook, rendered by Chromium, as PNG or JPEG. */
async function screenshots(): Promise<{ png: Buffer; jpeg: Buffer }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 100 } });
    await page.setContent(
      '<body style="margin:0;padding:12px;font:15px serif;background:#fffdf5">' +
        '<b>SỔ THEO DÕI BẢO VỆ CHÍNH TRỊ NỘI BỘ</b><br>Đảng uỷ phường Phan Thiết — năm 2023<br>' +
        '<span style="color:#a00">Trang 1</span></body>',
    );
    return { png: await page.screenshot({ type: 'png' }), jpeg: await page.screenshot({ type: 'jpeg', quality: 70 }) };
  } finally {
    await browser.close();
  }
}

const HTML_PAGE =
  '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo kết quả kiểm tra</title></head>\n' +
  '<body><h1>Báo cáo kết quả kiểm tra</h1><script>fetch("/api/v1/me").then((r) => r.text()).then(alert)</script></body></html>\n';

const SVG_DRAWING =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">' +
  '<rect x="4" y="4" width="232" height="72" fill="#fff" stroke="#a00"/>' +
  '<text x="16" y="46" font-size="16">Sơ đồ tổ chức Đảng uỷ</text>' +
  '<script>alert(document.cookie)</script></svg>\n';

export async function writeSampleFiles(dir = sampleFilesDir): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const { png, jpeg } = await screenshots();
  const contents: Record<Sample, Buffer | string> = {
    pdf: await buildPdf([
      'BIÊN BẢN KIỂM TRA',
      'Công tác bảo vệ chính trị nội bộ năm 2023',
      'Đoàn Kiểm tra số 4 đã kiểm tra sổ theo dõi bảo vệ chính trị nội bộ, hồ sơ kết nạp đảng viên và hồ sơ cán bộ, đảng viên đi nước ngoài của Đảng uỷ phường Phan Thiết.',
      'Tuyên Quang, ngày 15 tháng 8 năm 2023',
    ]),
    png,
    jpeg,
    docx: await buildDocx([
      'DANH SÁCH ĐẢNG VIÊN ĐƯỢC KẾT NẠP NĂM 2023',
      '1. Nguyễn Thị Hồng — Chi bộ khu dân cư số 3',
      '2. Trần Văn Đức — Chi bộ Trường THCS Phan Thiết',
    ]),
    xlsx: await buildXlsx([
      ['Nội dung', 'Số lượng'],
      ['Số người được tập huấn', 607],
      ['Số bài dự thi viết', 519],
      ['Lượt tương tác trên trang', 189000],
    ]),
    htmlNamedPdf: HTML_PAGE,
    svg: SVG_DRAWING,
  };
  for (const [sample, content] of Object.entries(contents) as [Sample, Buffer | string][]) {
    fs.writeFileSync(path.join(dir, samples[sample]), content);
  }
}

if (require.main === module) {
  writeSampleFiles().then(
    () => process.stdout.write(`sample files written to ${sampleFilesDir}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
