import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { type Lang } from '../../core/vocabulary';
import { t } from '../../i18n/messages';
import type { DocumentHeader } from '../report.model';
import { registerFonts } from './fonts';
import { Flow, PAGE, type TextStyle } from './layout';
import type { TableStyle } from './table';
import { formatPlaceAndDate, upper } from './wording';

/** The type sizes of every document, in one place. DejaVu Serif runs larger than Times, hence a point less. */
export const styles = {
  heading: { face: 'regular', size: 11, leading: 1.25 },
  headingBold: { face: 'bold', size: 11, leading: 1.25 },
  party: { face: 'bold', size: 12.5 },
  placeDate: { face: 'italic', size: 11.5 },
  title: { face: 'bold', size: 14 },
  subject: { face: 'bold', size: 12 },
  part: { face: 'bold', size: 11.5 },
  subpart: { face: 'boldItalic', size: 11.5 },
  body: { face: 'regular', size: 11.5 },
  bodyItalic: { face: 'italic', size: 11.5 },
  sign: { face: 'bold', size: 11.5 },
  recipientsLabel: { face: 'regular', size: 11 },
  recipients: { face: 'regular', size: 10 },
  small: { face: 'regular', size: 8 },
  smallItalic: { face: 'italic', size: 8 },
  pageNumber: { face: 'regular', size: 9 },
  cell: { face: 'regular', size: 9.5, leading: 1.25 },
  cellBold: { face: 'bold', size: 9.5, leading: 1.25 },
  cellHeader: { face: 'bold', size: 9, leading: 1.2 },
} as const satisfies Record<string, TextStyle>;

export const dataTable: TableStyle = { header: styles.cellHeader, body: styles.cell, padding: 3.5, ruled: true };

/** First-line indent of body paragraphs. */
const INDENT = 28;

export interface DocumentInfo {
  lang: Lang;
  title: string;
  author: string;
  subject: string;
  createdAt: Date;
  /** Written to the PDF's Keywords, e.g. the verification stamp (see reports/verify-report.ts). */
  keywords?: string;
}

/**
 * Renders a document laid out by `lay` into `out`. A measuring pass lays everything out without
 * drawing, to learn the page count for "Trang x/y"; the painting pass then writes each page to
 * `out` as soon as it is full, so only the page being drawn is held (no `bufferPages`), plus
 * whatever compressed bytes `out` has not taken yet. A layout error rejects before a byte is
 * written. Resolves once `out` has everything; rejects if `out` fails or closes early.
 */
export async function renderDocument(info: DocumentInfo, lay: (flow: Flow) => void, out: NodeJS.WritableStream): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    lang: info.lang === 'vi' ? 'vi-VN' : 'en-GB',
    displayTitle: true,
    info: {
      Title: info.title, Author: info.author, Subject: info.subject, Creator: 'Hồ sơ', CreationDate: info.createdAt,
      ...(info.keywords ? { Keywords: info.keywords } : {}),
    },
  });
  registerFonts(doc);

  const measuring = new Flow(doc, { painting: false, decorate: () => undefined });
  measuring.newPage();
  lay(measuring);
  const pages = measuring.pages;

  const painting = new Flow(doc, {
    painting: true,
    decorate: (flow, page) => drawPageNumber(flow, t(info.lang, 'report.page', { page, pages })),
  });
  const written = pipeline(doc, out);
  try {
    painting.newPage();
    lay(painting);
    if (painting.pages !== pages) throw new Error(`layout changed between passes: ${pages} then ${painting.pages} pages`);
    doc.end();
  } catch (error) {
    doc.destroy(error as Error);
  }
  await written;
}

function drawPageNumber(flow: Flow, text: string): void {
  flow.drawText(text, flow.left, PAGE.height - PAGE.bottom / 2 - 6, styles.pageNumber, 'center', flow.width);
}

/** Draws lines of `text` centred in [x, x + width] from `y`; returns the y below them. */
function centred(flow: Flow, text: string, style: TextStyle, x: number, width: number, y: number): number {
  let top = y;
  for (const line of flow.wrap(text, style, width)) {
    flow.drawLine(line, x, top, width, style, 'center');
    top += flow.lineHeight(style);
  }
  return top;
}

/**
 * The heading of a party document (Hướng dẫn 36-HD/VPTW): on the left the parent body, the
 * issuing body in bold, a star and the number; on the right "ĐẢNG CỘNG SẢN VIỆT NAM" underlined,
 * then place and date in italics, level with the number.
 */
export function drawHeading(flow: Flow, header: DocumentHeader, lang: Lang): void {
  const leftWidth = flow.width * 0.45;
  const rightWidth = flow.width * 0.55;
  const rightX = flow.right - rightWidth;
  const top = flow.y;

  let left = top;
  if (header.parentBody) left = centred(flow, upper(header.parentBody), styles.heading, flow.left, leftWidth, left);
  left = centred(flow, upper(header.issuingBody), styles.headingBold, flow.left, leftWidth, left);
  left = centred(flow, '*', styles.heading, flow.left, leftWidth, left);

  const party = t(lang, 'report.partyName');
  let right = centred(flow, party, styles.party, rightX, rightWidth, top);
  const partyWidth = Math.min(flow.widthOf(party, styles.party), rightWidth);
  const ruleX = rightX + (rightWidth - partyWidth) / 2;
  flow.rule(ruleX, ruleX + partyWidth, right + 1);
  right += 8;

  const numberY = Math.max(left, right);
  if (header.reportNumber) left = centred(flow, t(lang, 'report.number', { number: header.reportNumber }), styles.heading, flow.left, leftWidth, numberY);
  right = centred(flow, formatPlaceAndDate(header.place, header.date, lang), styles.placeDate, rightX, rightWidth, numberY);
  flow.y = Math.max(left, right);
}

const SUBJECT_SIZES = [12, 11.5, 11, 10.5];

/** The document's name in bold capitals, its subject (trích yếu) under it, and the short rule party documents put below. */
export function drawTitle(flow: Flow, title: string, subject: string): void {
  flow.space(22);
  flow.y = centred(flow, title, styles.title, flow.left, flow.width, flow.y);
  // The subject is meant to be one line: set it a little smaller if that does it, else wrap it.
  const oneLine = SUBJECT_SIZES.map((size) => ({ ...styles.subject, size })).find((style) => flow.widthOf(subject, style) <= flow.width);
  flow.y = oneLine
    ? centred(flow, subject, oneLine, flow.left, flow.width, flow.y + 2)
    : centred(flow, subject, styles.subject, flow.left + 30, flow.width - 60, flow.y + 2);
  flow.rule(flow.left + flow.width / 2 - 25, flow.left + flow.width / 2 + 25, flow.y + 6);
  flow.space(18);
}

/** A numbered part of the body ("I. KẾT QUẢ …"), kept on the page of what follows it. */
export function drawPart(flow: Flow, text: string, style: TextStyle = styles.part): void {
  const lines = flow.wrap(text, style, flow.width);
  const height = lines.length * flow.lineHeight(style);
  flow.space(6);
  flow.ensure(height + 3 * flow.lineHeight(styles.body));
  for (const line of lines) {
    flow.drawLine(line, flow.left, flow.y, flow.width, style);
    flow.y += flow.lineHeight(style);
  }
  flow.space(3);
}

/** Body text: justified paragraphs, each first line indented; `empty` stands in for blank text. */
export function drawBody(flow: Flow, text: string, empty?: string): void {
  const blank = text.trim() === '';
  if (blank && empty === undefined) return;
  flow.paragraph(blank ? (empty ?? '') : text.trim(), blank ? styles.bodyItalic : styles.body, { align: 'justify', indent: INDENT });
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];
export function roman(n: number): string {
  return ROMAN[n - 1] ?? String(n);
}

/**
 * "Nơi nhận:" and its list at the bottom left, the signature block ("T/M ĐOÀN KIỂM TRA",
 * "TRƯỞNG ĐOÀN", room to sign, the lead's name) at the bottom right, kept together on one page
 * with `reserve` points more of what follows (the verification code).
 */
export function drawClosing(flow: Flow, lang: Lang, recipients: string[], leadName: string | null, reserve = 0): void {
  const leftWidth = flow.width * 0.45;
  const rightWidth = flow.width * 0.5;
  const rightX = flow.right - rightWidth;
  const list = (recipients.length > 0 ? recipients : [t(lang, 'report.recipients.default')]).map((r) => `- ${r}`);
  const listLines = list.flatMap((r) => flow.wrap(r, styles.recipients, leftWidth));
  const signLines = [t(lang, 'report.sign.onBehalf'), t(lang, 'report.sign.lead')];
  const signSpace = 62;
  const nameLines = leadName ? flow.wrap(leadName, styles.sign, rightWidth) : [];

  const leftHeight = flow.lineHeight(styles.recipientsLabel) + listLines.length * flow.lineHeight(styles.recipients);
  const rightHeight = signLines.length * flow.lineHeight(styles.sign) + signSpace + nameLines.length * flow.lineHeight(styles.sign);
  flow.ensure(14 + Math.max(leftHeight, rightHeight) + reserve);
  flow.space(14);
  const top = flow.y;

  let right = top;
  for (const text of signLines) right = centred(flow, text, styles.sign, rightX, rightWidth, right);
  right += signSpace;
  for (const line of nameLines) {
    flow.drawLine(line, rightX, right, rightWidth, styles.sign, 'center');
    right += flow.lineHeight(styles.sign);
  }

  let left = top;
  const label = t(lang, 'report.recipients');
  flow.drawText(label, flow.left, left, styles.recipientsLabel);
  left += flow.lineHeight(styles.recipientsLabel);
  flow.rule(flow.left, flow.left + flow.widthOf(label, styles.recipientsLabel), left - 2, 0.5);
  for (const line of listLines) {
    flow.drawLine(line, flow.left, left, leftWidth, styles.recipients);
    left += flow.lineHeight(styles.recipients);
  }
  flow.y = Math.max(left, right);
}
