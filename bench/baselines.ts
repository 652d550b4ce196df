import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { formatNumber } from '../src/core/format';
import { t } from '../src/i18n/messages';
import { registerFonts } from '../src/reports/pdf/fonts';
import { PAGE } from '../src/reports/pdf/layout';
import { formatPlaceAndDate, upper } from '../src/reports/pdf/wording';
import type { UnitReportModel } from '../src/reports/report.model';

/**
 * What the figures are compared with, measured in the same run on the same machine: the least
 * work each operation has to do, done by the plainest code that does it.
 */

/** Milliseconds of a number of runs, sorted. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The bytes of `source` hashed with SHA-256 and written to `target` by a plain Node stream, then fsynced. MB/s (MiB). */
export async function hashAndWrite(source: string, target: string): Promise<{ ms: number; mbPerSecond: number }> {
  const size = (await fsp.stat(source)).size;
  const hash = createHash('sha256');
  const started = performance.now();
  await pipeline(
    fs.createReadStream(source),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    fs.createWriteStream(target),
  );
  const handle = await fsp.open(target, 'r+');
  await handle.sync();
  await handle.close();
  hash.digest('hex');
  const ms = performance.now() - started;
  await fsp.rm(target);
  return { ms, mbPerSecond: size / 2 ** 20 / (ms / 1000) };
}

/** Every string a unit's report prints, in reading order (headings, checklist rows, findings, closing). */
export function reportText(model: UnitReportModel): string[] {
  const { lang, header } = model;
  const lines = [
    ...(header.parentBody ? [upper(header.parentBody)] : []),
    upper(header.issuingBody), '*', ...(header.reportNumber ? [t(lang, 'report.number', { number: header.reportNumber })] : []),
    t(lang, 'report.partyName'), formatPlaceAndDate(header.place, header.date, lang),
    t(lang, 'report.unit.title'), `${model.unit.name} — ${model.inspection.title}`,
    t(lang, 'report.unit.checklist'),
    [t(lang, 'report.col.no'), t(lang, 'report.col.content'), t(lang, 'report.col.status'), t(lang, 'report.col.files'), t(lang, 'report.col.note')].join(' '),
  ];
  for (const section of model.sections) {
    lines.push(section.title);
    for (const row of section.rows) {
      const value = typeof row.value === 'number' ? formatNumber(row.value, lang) : (row.value ?? '');
      lines.push(`${row.code} ${row.title} ${t(lang, `status.${row.status}`)} ${row.kind === 'file' ? row.fileCount : value} ${row.note ?? ''}`);
    }
  }
  const { strengths, shortcomings, recommendations, conclusion } = model.findings;
  lines.push(strengths, shortcomings, recommendations, conclusion, t(lang, 'report.recipients'), ...model.recipients);
  lines.push(t(lang, 'report.sign.onBehalf'), t(lang, 'report.sign.lead'), model.leadName ?? '', t(lang, 'report.unit.verification', { hash: model.manifestHash }));
  return lines;
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** pdfkit writing `lines` with the report's embedded font, one line after another: no measuring, wrapping or tables. */
async function writeRawPdf(lines: string[]): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false });
  registerFonts(doc);
  const lineHeight = 14;
  let y: number = PAGE.height;
  const written = pipeline(doc, discard());
  for (const line of lines) {
    if (y + lineHeight > PAGE.height - PAGE.bottom) {
      doc.addPage({ size: 'A4', margin: 0 });
      doc.font('regular').fontSize(10);
      y = PAGE.top;
    }
    doc.text(line, PAGE.left, y, { lineBreak: false });
    y += lineHeight;
  }
  doc.end();
  await written;
}

/** Median milliseconds of pdfkit writing the report's text with no layout, after a warm-up. */
export async function rawPdfkit(lines: string[], runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await writeRawPdf(lines);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await writeRawPdf(lines);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Files a second that one process can keep when all it does is what an upload must: hash each file
 * with SHA-256, write it to a new file and fsync it, one file after another. `make` gives the
 * next file's bytes (made outside the timing); runs for `seconds` of timed work, at least 5 files.
 */
export async function hashWriteFsyncFiles(dir: string, make: () => Buffer, seconds: number): Promise<{ files: number; filesPerSecond: number }> {
  await fsp.mkdir(dir, { recursive: true });
  let timed = 0;
  let files = 0;
  while (files < 5 || timed < seconds * 1000) {
    const bytes = make();
    const file = `${dir}/${files}.pdf`;
    const started = performance.now();
    createHash('sha256').update(bytes).digest('hex');
    const handle = await fsp.open(file, 'wx');
    for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset, bytes.length - offset, null)).bytesWritten;
    await handle.sync();
    await handle.close();
    timed += performance.now() - started;
    files += 1;
    await fsp.rm(file);
  }
  return { files, filesPerSecond: files / (timed / 1000) };
}
