import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

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

/**
 * The text of each page as poppler's `pdftotext` reads it: `layout` keeps the physical layout (what
 * a user copying from the PDF sees, columns side by side); `raw` keeps the order the text was drawn
 * in, so a wrapped table cell or paragraph reads as one run of text.
 */
export function pdfPages(pdf: Buffer, mode: 'layout' | 'raw' = 'layout'): string[] {
  const text = withPdfFile(pdf, (file) =>
    execFileSync('pdftotext', [`-${mode}`, '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
  );
  const pages = text.split('\f');
  // pdftotext ends the last page with a form feed too.
  if (pages[pages.length - 1] === '') pages.pop();
  return pages;
}

export interface PdfInfo {
  pages: number;
  /** Page size of the first page in points. */
  width: number;
  height: number;
  raw: string;
}

export function pdfInfo(pdf: Buffer): PdfInfo {
  const raw = withPdfFile(pdf, (file) => execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  const pages = /^Pages:\s+(\d+)/m.exec(raw);
  const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(raw);
  if (!pages?.[1] || !size?.[1] || !size[2]) throw new Error(`unexpected pdfinfo output:\n${raw}`);
  return { pages: Number(pages[1]), width: Number(size[1]), height: Number(size[2]), raw };
}

/** Renders page 1 to a PNG at `dpi` (pdftoppm) and writes it to `target`. */
export function firstPageToPng(pdf: Buffer, target: string, dpi = 60): void {
  withPdfFile(pdf, (file) => {
    const prefix = path.join(path.dirname(file), 'page');
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(`${prefix}.png`, target);
  });
}

/** Collects what a renderer writes, as an HTTP response would receive it. */
export async function collectPdf(render: (out: NodeJS.WritableStream) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await render(out);
  return Buffer.concat(chunks);
}

/** Whitespace collapsed: table cells and wrapped lines reflow in `-layout` text. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ');
}
