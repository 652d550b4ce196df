import fs from 'node:fs';
import path from 'node:path';
import type { PdfDoc } from './layout';

export type Face = 'regular' | 'bold' | 'italic' | 'boldItalic';

/**
 * DejaVu Serif: a Times-like serif that carries every Vietnamese letter and survives `pdftotext`
 * exactly. TTF, because pdfkit cannot read WOFF2. Resolved through the package so it works from
 * `src/` and from `dist/` alike.
 */
const files: Record<Face, string> = {
  regular: 'DejaVuSerif.ttf',
  bold: 'DejaVuSerif-Bold.ttf',
  italic: 'DejaVuSerif-Italic.ttf',
  boldItalic: 'DejaVuSerif-BoldItalic.ttf',
};

let loaded: Record<Face, Buffer> | null = null;

/** The font files are read once per process; each document embeds only the glyphs it uses. */
function fontData(): Record<Face, Buffer> {
  if (!loaded) {
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    const read = (face: Face) => fs.readFileSync(path.join(dir, files[face]));
    loaded = { regular: read('regular'), bold: read('bold'), italic: read('italic'), boldItalic: read('boldItalic') };
  }
  return loaded;
}

export function registerFonts(doc: PdfDoc): void {
  const data = fontData();
  for (const face of Object.keys(files) as Face[]) doc.registerFont(face, data[face]);
}
