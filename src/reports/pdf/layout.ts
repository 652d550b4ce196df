import type PDFDocument from 'pdfkit';
import type { Face } from './fonts';

/** A pdfkit document (the package types its constructor and its instances alike). */
export type PdfDoc = typeof PDFDocument;

export interface TextStyle {
  face: Face;
  size: number;
  /** Line height as a multiple of the size; diacritics stacked on capitals need more than 1.2. */
  leading?: number;
}

export type Align = 'left' | 'center' | 'right' | 'justify';

/** A line of wrapped text: `first`/`last` mark the ends of a paragraph (indent, no justification). */
export interface Line {
  text: string;
  width: number;
  first: boolean;
  last: boolean;
}

export interface ParagraphOptions {
  x?: number;
  width?: number;
  align?: Align;
  /** Indent of each paragraph's first line. */
  indent?: number;
}

/** A4 portrait in points, with the margins of Hướng dẫn 36-HD/VPTW (top/bottom 20 mm, left 30 mm, right 15 mm). */
export const PAGE = { width: 595.28, height: 841.89, top: 57, bottom: 57, left: 85, right: 42.5 } as const;

const DEFAULT_LEADING = 1.3;
/** Ascent plus descent of DejaVu Serif as a multiple of the size: used to centre a line in its height. */
const FONT_BOX = 1.164;

const graphemes = new Intl.Segmenter('vi', { granularity: 'grapheme' });

/**
 * Printable text: NFC (one glyph per Vietnamese letter), line breaks unified, tabs as spaces, other
 * control characters dropped (they have no glyph). Nothing else is changed, so markup and SQL
 * print exactly as typed.
 */
export function printable(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
}

interface PageRepeat {
  height: number;
  draw: () => void;
}

export interface FlowOptions {
  /** False for the measuring pass: everything is laid out, nothing is drawn, no page is added. */
  painting: boolean;
  /** Page furniture drawn on each new page (the page number); must not move `y`. */
  decorate: (flow: Flow, pageNumber: number) => void;
}

/**
 * Lays content down the pages, top to bottom, and breaks pages by itself (pdfkit's own text flow
 * is never used: every line is measured and placed here). The same layout code runs twice: once
 * measuring only, to learn the page count for "Trang x/y", then painting, with pages flushed to
 * the output as soon as they are full.
 */
export class Flow {
  y: number = PAGE.top;
  pages = 0;
  readonly left = PAGE.left;
  readonly width = PAGE.width - PAGE.left - PAGE.right;
  readonly top = PAGE.top;
  readonly bottom = PAGE.height - PAGE.bottom;
  private readonly repeats: PageRepeat[] = [];
  private current: { face: Face; size: number } | null = null;
  private readonly spaceWidths = new Map<string, number>();

  constructor(
    readonly doc: PdfDoc,
    private readonly options: FlowOptions,
  ) {}

  get painting(): boolean {
    return this.options.painting;
  }

  get right(): number {
    return this.left + this.width;
  }

  /** Where content starts on a new page, below whatever repeats there (a table header). */
  private get pageStart(): number {
    return this.top + this.repeats.reduce((sum, r) => sum + r.height, 0);
  }

  /** Height available on a fresh page. */
  get pageRoom(): number {
    return this.bottom - this.pageStart;
  }

  get atPageStart(): boolean {
    return this.y <= this.pageStart + 0.01;
  }

  newPage(): void {
    this.pages += 1;
    if (this.painting) this.doc.addPage({ size: 'A4', margin: 0 });
    this.y = this.top;
    this.options.decorate(this, this.pages);
    for (const repeat of this.repeats) this.place(repeat);
  }

  /** Starts a new page unless `height` still fits on this one (or this page is still empty). */
  ensure(height: number): void {
    if (this.y + height > this.bottom && !this.atPageStart) this.newPage();
  }

  space(height: number): void {
    this.y = Math.min(this.y + height, this.bottom);
  }

  /** Draws `repeat` now and again at the top of every page `body` fills; each time `y` moves `height` down. */
  repeating(repeat: PageRepeat, body: () => void): void {
    this.ensure(repeat.height);
    this.place(repeat);
    this.repeats.push(repeat);
    try {
      body();
    } finally {
      this.repeats.pop();
    }
  }

  private place(repeat: PageRepeat): void {
    const y = this.y;
    repeat.draw();
    this.y = y + repeat.height;
  }

  /** Runs drawing code in the painting pass only. */
  paint(draw: (doc: PdfDoc) => void): void {
    if (this.painting) draw(this.doc);
  }

  lineHeight(style: TextStyle): number {
    return style.size * (style.leading ?? DEFAULT_LEADING);
  }

  widthOf(text: string, style: TextStyle): number {
    this.use(style);
    return this.doc.widthOfString(text);
  }

  /** Word-wraps `text` to `width`; a word wider than the line is cut between letters, never clipped. */
  wrap(text: string, style: TextStyle, width: number, indent = 0): Line[] {
    const lines: Line[] = [];
    const space = this.spaceWidth(style);
    for (const paragraph of printable(text).split('\n')) {
      const start = lines.length;
      let current: string[] = [];
      let currentWidth = 0;
      const room = () => width - (lines.length === start ? indent : 0);
      const flush = () => {
        lines.push({ text: current.join(' '), width: currentWidth, first: lines.length === start, last: false });
        current = [];
        currentWidth = 0;
      };
      for (const word of paragraph.split(' ').filter((w) => w !== '')) {
        const wordWidth = this.widthOf(word, style);
        if (current.length > 0 && currentWidth + space + wordWidth <= room()) {
          current.push(word);
          currentWidth += space + wordWidth;
          continue;
        }
        if (current.length > 0) flush();
        const pieces = wordWidth <= room() ? [{ text: word, width: wordWidth }] : this.cutWord(word, style, room(), width);
        for (const piece of pieces) {
          if (current.length > 0) flush();
          current = [piece.text];
          currentWidth = piece.width;
        }
      }
      if (current.length > 0 || lines.length === start) flush();
      const lastLine = lines[lines.length - 1];
      if (lastLine) lastLine.last = true;
    }
    return lines;
  }

  /** Draws one wrapped line at (x, y) within `width`. */
  drawLine(line: Line, x: number, y: number, width: number, style: TextStyle, align: Align = 'left', indent = 0): void {
    if (!this.painting || line.text === '') return;
    this.use(style);
    const lineX = x + (line.first ? indent : 0);
    const room = width - (line.first ? indent : 0);
    const top = y + (this.lineHeight(style) - style.size * FONT_BOX) / 2;
    const gaps = line.text.split(' ').length - 1;
    if (align === 'justify' && !line.last && gaps > 0) {
      this.doc.text(line.text, lineX, top, { lineBreak: false, wordSpacing: (room - line.width) / gaps });
      return;
    }
    const offset = align === 'center' ? (room - line.width) / 2 : align === 'right' ? room - line.width : 0;
    this.doc.text(line.text, lineX + offset, top, { lineBreak: false });
  }

  /** Draws `text` as a single line (no wrapping) at (x, y), aligned within `width` when given. */
  drawText(text: string, x: number, y: number, style: TextStyle, align: Align = 'left', width?: number): void {
    const textWidth = this.widthOf(text, style);
    this.drawLine({ text, width: textWidth, first: false, last: true }, x, y, width ?? textWidth, style, align);
  }

  /** Flows wrapped text down the page, breaking pages between lines. */
  paragraph(text: string, style: TextStyle, options: ParagraphOptions = {}): void {
    const { x = this.left, width = this.width, align = 'left', indent = 0 } = options;
    const height = this.lineHeight(style);
    for (const line of this.wrap(text, style, width, indent)) {
      this.ensure(height);
      this.drawLine(line, x, this.y, width, style, align, indent);
      this.y += height;
    }
  }

  /** A short horizontal rule, e.g. under a heading. */
  rule(x1: number, x2: number, y: number, lineWidth = 0.6): void {
    this.paint((doc) => doc.save().lineWidth(lineWidth).moveTo(x1, y).lineTo(x2, y).stroke().restore());
  }

  private use(style: TextStyle): void {
    if (this.current?.face === style.face && this.current.size === style.size) return;
    this.doc.font(style.face).fontSize(style.size);
    this.current = { face: style.face, size: style.size };
  }

  private spaceWidth(style: TextStyle): number {
    const key = `${style.face}/${style.size}`;
    let width = this.spaceWidths.get(key);
    if (width === undefined) {
      width = this.widthOf(' ', style);
      this.spaceWidths.set(key, width);
    }
    return width;
  }

  /** Pieces of an over-long word (a URL, a hash, a run without spaces): the first fits `firstRoom`, the rest `room`. */
  private cutWord(word: string, style: TextStyle, firstRoom: number, room: number): { text: string; width: number }[] {
    const pieces: { text: string; width: number }[] = [];
    let text = '';
    for (const { segment } of graphemes.segment(word)) {
      const limit = pieces.length === 0 ? firstRoom : room;
      if (text !== '' && this.widthOf(text + segment, style) > limit) {
        pieces.push({ text, width: this.widthOf(text, style) });
        text = segment;
      } else {
        text += segment;
      }
    }
    pieces.push({ text, width: this.widthOf(text, style) });
    return pieces;
  }
}
