import type { Align, Flow, Line, TextStyle } from './layout';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A drawn cell (a bar of the chart, an axis): fixed height, never split across pages. */
export interface Graphic {
  height: number;
  /** Called in the painting pass only; draw through `flow` (its `paint` and `drawLine`). */
  draw: (flow: Flow, box: Box) => void;
}

export interface TextCell {
  text: string;
  style?: TextStyle;
  align?: Align;
}

export type Cell = string | TextCell | Graphic;

export interface Column {
  header: Cell;
  /** Points; one column may take `'rest'` of the table width. */
  width: number | 'rest';
  align?: Align;
}

export interface TableStyle {
  header: TextStyle;
  body: TextStyle;
  padding: number;
  /** Cell borders and a shaded header: true for data tables, false for the chart. */
  ruled: boolean;
}

export interface RowOptions {
  style?: TextStyle;
  fill?: string;
}

interface Slot {
  x: number;
  width: number;
  align: Align;
}

/** A cell ready to draw: wrapped lines (of which `from` are already drawn), or a graphic. */
type Prepared =
  | { kind: 'text'; lines: Line[]; from: number; style: TextStyle; lineHeight: number; align: Align }
  | { kind: 'graphic'; graphic: Graphic; drawn: boolean };

const HEADER_FILL = '#e8e8e8';
const RULE_WIDTH = 0.5;

function isGraphic(cell: Cell): cell is Graphic {
  return typeof cell === 'object' && 'draw' in cell;
}

/**
 * A table that runs over as many pages as it needs: the header row is repeated at the top of
 * each page, a row that does not fit moves to the next page, and a row taller than a page
 * (a 2,000-character note) is split between lines, so nothing is ever clipped.
 */
export class Table {
  private readonly slots: Slot[];
  private readonly fullWidth: Slot[];

  constructor(
    private readonly flow: Flow,
    private readonly columns: Column[],
    private readonly style: TableStyle,
  ) {
    const fixed = columns.reduce((sum, c) => sum + (c.width === 'rest' ? 0 : c.width), 0);
    let x = flow.left;
    this.slots = columns.map((column) => {
      const width = column.width === 'rest' ? flow.width - fixed : column.width;
      const slot = { x, width, align: column.align ?? 'left' };
      x += width;
      return slot;
    });
    this.fullWidth = [{ x: flow.left, width: flow.width, align: 'left' }];
  }

  /** Lays the header, then `body`'s rows; the header comes back on every page `body` spills onto. */
  run(body: (table: Table) => void): void {
    const header = this.columns.map((c) => (typeof c.header === 'string' ? { text: c.header, align: 'center' as const } : c.header));
    const prepared = this.prepare(header, this.slots, this.style.header);
    const height = this.heightOf(prepared);
    const fill = this.style.ruled ? HEADER_FILL : undefined;
    this.flow.ensure(height + this.minRowHeight());
    this.flow.repeating({ height, draw: () => this.drawChunk(prepared, this.slots, height, fill, true) }, () => body(this));
  }

  row(cells: Cell[], options: RowOptions = {}): void {
    this.layRow(this.prepare(cells, this.slots, options.style ?? this.style.body), this.slots, options.fill);
  }

  /** A row across the whole table (a section title), kept on the same page as the row after it. */
  spanningRow(text: string, style: TextStyle, fill?: string): void {
    const prepared = this.prepare([{ text }], this.fullWidth, style);
    this.flow.ensure(this.heightOf(prepared) + this.minRowHeight());
    this.layRow(prepared, this.fullWidth, fill);
  }

  private minRowHeight(): number {
    return this.flow.lineHeight(this.style.body) + 2 * this.style.padding;
  }

  private prepare(cells: Cell[], slots: Slot[], style: TextStyle): Prepared[] {
    const inner = (slot: Slot) => slot.width - 2 * this.style.padding;
    return slots.map((slot, i) => {
      const cell = cells[i] ?? '';
      if (isGraphic(cell)) return { kind: 'graphic', graphic: cell, drawn: false };
      const text = typeof cell === 'string' ? { text: cell } : cell;
      const cellStyle = text.style ?? style;
      return {
        kind: 'text',
        lines: text.text === '' ? [] : this.flow.wrap(text.text, cellStyle, inner(slot)),
        from: 0,
        style: cellStyle,
        lineHeight: this.flow.lineHeight(cellStyle),
        align: text.align ?? slot.align,
      };
    });
  }

  /** Height of what is still to be drawn of a row. */
  private heightOf(cells: Prepared[]): number {
    const content = Math.max(
      0,
      ...cells.map((c) => (c.kind === 'graphic' ? (c.drawn ? 0 : c.graphic.height) : (c.lines.length - c.from) * c.lineHeight)),
    );
    return content + 2 * this.style.padding;
  }

  private layRow(cells: Prepared[], slots: Slot[], fill?: string): void {
    const { flow } = this;
    for (;;) {
      const height = this.heightOf(cells);
      if (flow.y + height <= flow.bottom) {
        this.drawChunk(cells, slots, height, fill);
        return;
      }
      if (height <= flow.pageRoom && !flow.atPageStart) {
        flow.newPage();
        continue;
      }
      // Taller than a page: fill this page with as many lines of each cell as fit, go on overleaf.
      // At least two lines of each cell (or what is left of it) must fit, else the row starts overleaf.
      const room = flow.bottom - flow.y - 2 * this.style.padding;
      const fits = cells.every((c) =>
        c.kind === 'text' ? Math.min(2, c.lines.length - c.from) * c.lineHeight <= room : c.drawn || c.graphic.height <= room,
      );
      if (!fits && !flow.atPageStart) {
        flow.newPage();
        continue;
      }
      const take = (c: { lineHeight: number }) => Math.max(1, Math.floor(room / c.lineHeight));
      const chunk = cells.map((c): Prepared => (c.kind === 'text' ? { ...c, lines: c.lines.slice(0, c.from + take(c)) } : c));
      this.drawChunk(chunk, slots, flow.bottom - flow.y, fill);
      for (const [i, c] of cells.entries()) {
        const drawnPart = chunk[i];
        if (c.kind === 'text' && drawnPart?.kind === 'text') c.from = drawnPart.lines.length;
        if (c.kind === 'graphic') c.drawn = true;
      }
      flow.newPage();
    }
  }

  /** Draws what remains of each cell in a band of `height` at the current `y`, and moves below it. */
  private drawChunk(cells: Prepared[], slots: Slot[], height: number, fill?: string, middle = false): void {
    if (this.flow.painting) this.paintChunk(cells, slots, height, fill, middle);
    this.flow.y += height;
  }

  private paintChunk(cells: Prepared[], slots: Slot[], height: number, fill: string | undefined, middle: boolean): void {
    const { flow } = this;
    const { doc, y } = flow;
    const { padding } = this.style;
    const left = slots[0]?.x ?? flow.left;
    const right = slots.reduce((end, slot) => Math.max(end, slot.x + slot.width), left);
    if (fill) doc.save().rect(left, y, right - left, height).fill(fill).restore();
    if (this.style.ruled) {
      doc.save().lineWidth(RULE_WIDTH);
      for (const slot of slots) doc.rect(slot.x, y, slot.width, height);
      doc.stroke().restore();
    }
    for (const [i, slot] of slots.entries()) {
      const cell = cells[i];
      const box = { x: slot.x + padding, y: y + padding, width: slot.width - 2 * padding, height: height - 2 * padding };
      if (cell?.kind === 'graphic') {
        if (!cell.drawn) cell.graphic.draw(flow, box);
      } else if (cell) {
        const lines = cell.lines.slice(cell.from);
        const offset = middle ? (box.height - lines.length * cell.lineHeight) / 2 : 0;
        for (const [n, line] of lines.entries()) {
          flow.drawLine(line, box.x, box.y + offset + n * cell.lineHeight, box.width, cell.style, cell.align);
        }
      }
    }
  }
}
