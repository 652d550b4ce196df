import path from 'node:path';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';

/** A run of text as pdfjs-dist reports it: its baseline origin, width and height (the font size) in points. */
interface TextItem {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PdfPage {
  width: number;
  height: number;
  items: TextItem[];
}

type Answer = { id: number; pages: PdfPage[]; error?: undefined } | { id: number; error: string };

/**
 * One reader per test file, started on first use (loading pdfjs-dist takes about a quarter of a
 * second, reading a report a few milliseconds) and stopped with the file's tests.
 */
let reader: Worker | undefined;
const waiting = new Map<number, { resolve: (pages: PdfPage[]) => void; reject: (error: Error) => void }>();
let lastId = 0;

function startReader(): Worker {
  const worker = new Worker(path.join(__dirname, 'pdf-text.worker.mjs'));
  worker.on('message', (answer: Answer) => {
    const caller = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error === undefined) caller?.resolve(answer.pages);
    else caller?.reject(new Error(`pdfjs-dist could not read the PDF:\n${answer.error}`));
  });
  worker.on('error', (error) => {
    for (const caller of waiting.values()) caller.reject(error);
    waiting.clear();
    reader = undefined;
  });
  // An idle reader must not keep the process alive.
  worker.unref();
  return worker;
}
afterAll(async () => {
  await reader?.terminate();
  reader = undefined;
});

function readPdf(pdf: Buffer): Promise<PdfPage[]> {
  reader ??= startReader();
  const id = ++lastId;
  const answer = new Promise<PdfPage[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
  // Copied once, to exactly the PDF's bytes (a Buffer may be a slice of a larger pool), and handed over.
  const data = new Uint8Array(pdf);
  reader.postMessage({ id, data }, [data.buffer]);
  return answer;
}

/** Two items sit on one line when their baselines are closer than half the smaller font size. */
const sameLine = (a: TextItem, b: TextItem) => Math.abs(a.y - b.y) < 0.5 * Math.min(a.height, b.height);
/** A space between two items on a line: more room between them than a tenth of the font size. */
const gapBetween = (before: TextItem, after: TextItem) => after.x - (before.x + before.width) > 0.1 * Math.min(before.height, after.height);

/**
 * The page's lines from top to bottom, each item at the column its x position gives in the page's
 * average character width (so columns stand side by side, as in `pdftotext -layout`), with at
 * least one space wherever there is a gap.
 */
function layoutText(items: TextItem[]): string {
  const lines: TextItem[][] = [];
  for (const item of [...items].sort((a, b) => b.y - a.y)) {
    const line = lines[lines.length - 1];
    if (line?.[0] && sameLine(line[0], item)) line.push(item);
    else lines.push([item]);
  }
  const charWidth = items.reduce((sum, item) => sum + item.width, 0) / items.reduce((sum, item) => sum + item.str.length, 0);
  const left = Math.min(...items.map((item) => item.x));
  const column = (item: TextItem) => Math.round((item.x - left) / charWidth);
  return lines
    .map((line) => {
      line.sort((a, b) => a.x - b.x);
      return line.reduce((text, item, i) => {
        const before = line[i - 1];
        const spaces = Math.max(before && gapBetween(before, item) ? 1 : 0, column(item) - text.length);
        return text + ' '.repeat(spaces) + item.str;
      }, '');
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** The items in the order they were drawn, a new line wherever the baseline moves, a space at each gap. */
function rawText(items: TextItem[]): string {
  return items
    .map((item, i) => {
      const before = items[i - 1];
      if (!before) return item.str;
      if (!sameLine(before, item)) return `\n${item.str}`;
      // Back to the left on the same line (the next cell's text) is a gap too.
      return (gapBetween(before, item) || item.x < before.x ? ' ' : '') + item.str;
    })
    .join('')
    .concat(items.length > 0 ? '\n' : '');
}

/**
 * The text of each page, read with pdfjs-dist: `layout` keeps the physical layout (what a user
 * copying from the PDF sees, columns side by side); `raw` keeps the order the text was drawn in,
 * so a wrapped table cell or paragraph reads as one run of text. Both give, line for line, the
 * words `pdftotext -layout` / `-raw` give (tests/poppler/ checks that against poppler itself).
 */
export async function pdfPages(pdf: Buffer, mode: 'layout' | 'raw' = 'layout'): Promise<string[]> {
  const pages = await readPdf(pdf);
  return pages.map((page) => {
    // pdfjs-dist adds whitespace-only items for the gaps and line ends it sees; both texts place words by position instead.
    const words = page.items.filter((item) => item.str.trim() !== '');
    return mode === 'layout' ? layoutText(words) : rawText(words);
  });
}

export interface PdfInfo {
  pages: number;
  /** Page size of the first page in points. */
  width: number;
  height: number;
}

export async function pdfInfo(pdf: Buffer): Promise<PdfInfo> {
  const pages = await readPdf(pdf);
  const first = pages[0];
  if (!first) throw new Error('the PDF has no pages');
  return { pages: pages.length, width: first.width, height: first.height };
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

/** Whitespace collapsed: table cells and wrapped lines reflow in `layout` text. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ');
}
