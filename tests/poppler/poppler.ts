// Debian's poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm) run on a PDF in memory. Only the
// poppler suite uses them: `npm test` reads PDFs with pdfjs-dist (tests/helpers/pdf-text.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `fn` with the PDF written to a temporary file, which is removed afterwards. */
function withPdfFile<T>(pdf: Buffer, fn: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    fs.writeFileSync(file, pdf);
    return fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of each page as `pdftotext -layout` or `-raw` reads it. */
export function pdftotextPages(pdf: Buffer, mode: 'layout' | 'raw'): string[] {
  const text = withPdfFile(pdf, (file) =>
    execFileSync('pdftotext', [`-${mode}`, '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
  );
  const pages = text.split('\f');
  // pdftotext ends the last page with a form feed too.
  if (pages[pages.length - 1] === '') pages.pop();
  return pages;
}

/** The page count and the first page's size in points, as `pdfinfo` reports them. */
export function pdfinfo(pdf: Buffer): { pages: number; width: number; height: number } {
  const raw = withPdfFile(pdf, (file) => execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  const pages = /^Pages:\s+(\d+)/m.exec(raw);
  const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(raw);
  if (!pages?.[1] || !size?.[1] || !size[2]) throw new Error(`unexpected pdfinfo output:\n${raw}`);
  return { pages: Number(pages[1]), width: Number(size[1]), height: Number(size[2]) };
}

export interface PdfFont {
  name: string;
  type: string;
  embedded: boolean;
  subset: boolean;
  /** Has a ToUnicode map, which is what lets text be copied out of the PDF. */
  unicode: boolean;
}

/** The fonts `pdffonts` lists; its columns are as wide as the dashes under their headings. */
export function pdffonts(pdf: Buffer): PdfFont[] {
  const raw = withPdfFile(pdf, (file) => execFileSync('pdffonts', [file], { encoding: 'utf8' }));
  const [, dashes, ...rows] = raw.trimEnd().split('\n');
  if (!dashes?.startsWith('---')) throw new Error(`unexpected pdffonts output:\n${raw}`);
  const columns = dashes.split(' ').reduce<[number, number][]>((spans, dash) => {
    const start = spans.length === 0 ? 0 : (spans[spans.length - 1]?.[1] ?? 0) + 1;
    return [...spans, [start, start + dash.length]];
  }, []);
  return rows.map((row) => {
    const [name = '', type = '', , emb, sub, uni] = columns.map(([start, end]) => row.slice(start, end).trim());
    return { name, type, embedded: emb === 'yes', subset: sub === 'yes', unicode: uni === 'yes' };
  });
}

/** Renders page 1 to a PNG at `dpi` (pdftoppm) and returns its bytes. */
export function firstPageToPng(pdf: Buffer, dpi: number): Buffer {
  return withPdfFile(pdf, (file) => {
    const prefix = path.join(path.dirname(file), 'page');
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    return fs.readFileSync(`${prefix}.png`);
  });
}
