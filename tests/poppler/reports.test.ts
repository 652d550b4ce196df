import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/paths';
import { renderRequestLetter } from '../../src/reports/pdf/request-letter';
import { renderSummaryReport } from '../../src/reports/pdf/summary-report';
import { renderUnitReport } from '../../src/reports/pdf/unit-report';
import type { UnitReportModel } from '../../src/reports/report.model';
import { collectPdf, pdfInfo, pdfPages, squash } from '../helpers/pdf-text';
import { checklistRows, letter, longChecklist, longNote, owedItems, summary, summaryUnits, unitReport } from '../helpers/report-models';
import { firstPageToPng, pdffonts, pdfinfo, pdftotextPages } from './poppler';

/**
 * Cross-checks with Debian's poppler-utils (`npm run test:poppler`; .ci/run installs them). `npm test`
 * reads the reports with pdfjs-dist; these tests prove that poppler reads the same words from every
 * report the suite asserts on, that the Vietnamese survives `pdftotext` exactly (PRODUCT.md §6), and
 * that every font is embedded with a Unicode map.
 */

const unitPdf = (model: UnitReportModel) => collectPdf((out) => renderUnitReport(model, out));

const reports: [string, () => Promise<Buffer>][] = [
  ['the unit report', () => unitPdf(unitReport())],
  ['the unit report in English', () => unitPdf(unitReport(checklistRows(), { lang: 'en' }))],
  ['a unit report of 150 items', () => unitPdf(unitReport(longChecklist()))],
  ['a unit report with a 2,000-character note', () => unitPdf(unitReport(checklistRows().map((row) => (row.code === '1.3' ? { ...row, note: longNote } : row))))],
  ['the summary report of 14 units', () => collectPdf((out) => renderSummaryReport(summary(summaryUnits(14)), out))],
  ['the summary report of 1,000 units', () => collectPdf((out) => renderSummaryReport(summary(summaryUnits(1000)), out))],
  ['the request letter', () => collectPdf((out) => renderRequestLetter(letter(owedItems(checklistRows())), out))],
  ['the request letter when nothing is owed', () => collectPdf((out) => renderRequestLetter(letter([]), out))],
];

/** A page's lines with their spacing collapsed: the two readers space columns differently, not words. */
const lines = (page: string) => page.split('\n').map((line) => squash(line).trim()).filter((line) => line !== '');

describe.each(reports)('%s', (_name, make) => {
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = await make();
  });

  it.each(['layout', 'raw'] as const)('reads the same lines with pdfjs-dist as with pdftotext -%s', async (mode) => {
    expect((await pdfPages(pdf, mode)).map(lines)).toEqual(pdftotextPages(pdf, mode).map(lines));
  });

  it('has the page count and page size pdfinfo reports', async () => {
    const poppler = pdfinfo(pdf);
    const ours = await pdfInfo(pdf);
    expect(ours.pages).toBe(poppler.pages);
    expect(ours.width).toBeCloseTo(poppler.width, 1);
    expect(ours.height).toBeCloseTo(poppler.height, 1);
  });

  it('embeds every font, DejaVu Serif, as a subset with a Unicode map (pdffonts)', () => {
    const fonts = pdffonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font).toEqual({ name: expect.stringMatching(/^[A-Z]{6}\+DejaVuSerif/), type: 'CID TrueType', embedded: true, subset: true, unicode: true });
    }
  });
});

describe('the unit report read by pdftotext', () => {
  it('gives back every Vietnamese text of the dossier exactly as typed', async () => {
    const model = unitReport();
    const text = squash(pdftotextPages(await unitPdf(model), 'raw').join('\n'));
    const typed = [
      // The heading prints the bodies in capitals.
      model.header.parentBody?.toUpperCase() ?? '',
      model.header.issuingBody.toUpperCase(),
      model.unit.name,
      model.leadName ?? '',
      ...model.sections.flatMap((section) => [section.title, ...section.rows.flatMap((row) => [row.title, row.note ?? '', typeof row.value === 'string' ? row.value : ''])]),
      ...[model.findings.strengths, model.findings.shortcomings, model.findings.recommendations, model.findings.conclusion].flatMap((paragraphs) => paragraphs.split('\n')),
      ...model.recipients,
    ].filter((words) => words !== '');
    for (const words of typed) expect(text).toContain(squash(words));
    // Precomposed letters, as typed: no decomposed accents and nothing pdftotext could not map.
    expect(text).toBe(text.normalize('NFC'));
    expect(text).not.toContain('\uFFFD');
  });
});

describe('page 1 drawn by pdftoppm', () => {
  it('is an A4 page at 60 dpi, written to docs/report-page1.png (the README) when HOSO_WRITE_DOCS=1', async () => {
    const png = firstPageToPng(await unitPdf(unitReport()), 60);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Width and height from the IHDR chunk: 595.28 x 841.89 pt at 60 dpi, rounded up.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([497, 702]);
    if (process.env.HOSO_WRITE_DOCS === '1') fs.writeFileSync(path.join(projectRoot, 'docs', 'report-page1.png'), png);
  });
});
