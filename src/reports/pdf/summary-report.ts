import { formatNumber, formatPercent } from '../../core/format';
import { ENTRY_STATUSES, type Lang } from '../../core/vocabulary';
import { t } from '../../i18n/messages';
import { emptyCounts, type StatusCounts } from '../../inspections/progress';
import type { SummaryReportModel, SummaryUnitRow } from '../report.model';
import type { Align, Flow, TextStyle } from './layout';
import { dataTable, drawBody, drawClosing, drawHeading, drawPart, drawTitle, renderDocument, roman, styles } from './party-document';
import { type Box, type Column, type Graphic, Table, type TableStyle } from './table';
import { inSentence } from './wording';

const TOTAL_FILL = '#f0f0f0';
const BAR_FILL = '#4d4d4d';
const TRACK_FILL = '#e6e6e6';
const chartLabel: TextStyle = { face: 'regular', size: 8.5, leading: 1.2 };
const tickLabel: TextStyle = { face: 'regular', size: 7.5, leading: 1.2 };

/**
 * The summary report over all units of an inspection: progress table with totals, the number
 * items summed over the units, a completion chart and each unit's conclusion. Works for
 * thousands of units: every part breaks across pages, and pages go out as they are filled.
 */
export function renderSummaryReport(model: SummaryReportModel, out: NodeJS.WritableStream): Promise<void> {
  const { lang } = model;
  return renderDocument(
    { lang, title: t(lang, 'report.summary.title'), author: model.header.issuingBody, subject: subjectOf(model), createdAt: model.generatedAt },
    (flow) => laySummary(flow, model),
    out,
  );
}

function subjectOf(model: SummaryReportModel): string {
  return t(model.lang, 'report.summary.subject', { inspection: inSentence(model.inspection.title), count: formatNumber(model.units.length, model.lang) });
}

interface Totals {
  required: number;
  done: number;
  percent: number;
  counts: StatusCounts;
}

function totalsOf(units: SummaryUnitRow[]): Totals {
  const counts = emptyCounts();
  let required = 0;
  let done = 0;
  for (const unit of units) {
    required += unit.required;
    done += unit.done;
    for (const status of ENTRY_STATUSES) counts[status] += unit.counts[status];
  }
  return { required, done, percent: required > 0 ? (done / required) * 100 : 0, counts };
}

function laySummary(flow: Flow, model: SummaryReportModel): void {
  const { lang } = model;
  const totals = totalsOf(model.units);
  drawHeading(flow, model.header, lang);
  drawTitle(flow, t(lang, 'report.summary.title'), subjectOf(model));
  drawBody(
    flow,
    t(lang, 'report.summary.intro', {
      inspection: inSentence(model.inspection.title),
      team: model.header.issuingBody,
      count: formatNumber(model.units.length, lang),
      done: formatNumber(totals.done, lang),
      required: formatNumber(totals.required, lang),
      percent: formatPercent(totals.percent, lang),
    }),
  );

  let part = 0;
  drawPart(flow, `${roman(++part)}. ${t(lang, 'report.summary.progress')}`);
  layProgress(flow, lang, model.units, totals);

  if (model.numberTotals.length > 0) {
    drawPart(flow, `${roman(++part)}. ${t(lang, 'report.summary.figures')}`);
    layFigures(flow, model);
  }

  drawPart(flow, `${roman(++part)}. ${t(lang, 'report.summary.chart')}`);
  layChart(flow, lang, model.units);

  drawPart(flow, `${roman(++part)}. ${t(lang, 'report.summary.conclusions')}`);
  for (const [i, unit] of model.units.entries()) {
    drawPart(flow, `${i + 1}. ${unit.name}`, styles.subpart);
    drawBody(flow, unit.conclusion ?? '', t(lang, 'report.summary.noConclusion'));
  }

  drawClosing(flow, lang, model.recipients, model.leadName);
}

/** The progress table has nine columns: its header is set smaller so that each column fits its longest word. */
const progressTable: TableStyle = { ...dataTable, header: { face: 'bold', size: 8, leading: 1.2 } };

function layProgress(flow: Flow, lang: Lang, units: SummaryUnitRow[], totals: Totals): void {
  const count = (n: number) => formatNumber(n, lang);
  // A number column is as wide as the longest word of its header and as the totals row needs
  // (its figures are the largest), so neither a figure nor a word is ever cut.
  const column = (header: string, widest: string, align: Align): Column => ({
    header,
    width:
      Math.max(flow.widthOf(widest, styles.cellBold), ...header.split(' ').map((word) => flow.widthOf(word, progressTable.header))) +
      2 * progressTable.padding +
      1,
    align,
  });
  const table = new Table(
    flow,
    [
      column(t(lang, 'report.col.no'), count(units.length), 'center'),
      { header: t(lang, 'report.col.unit'), width: 'rest' },
      column(t(lang, 'report.col.percent'), formatPercent(99.9, lang), 'right'),
      // Room for four digits at least, so that the status columns come out about even.
      ...ENTRY_STATUSES.map((status) => column(t(lang, `status.${status}`), count(Math.max(totals.counts[status], 1000)), 'right')),
    ],
    progressTable,
  );
  table.run(() => {
    for (const [i, unit] of units.entries()) {
      table.row([count(i + 1), unit.name, formatPercent(unit.percent, lang), ...ENTRY_STATUSES.map((status) => count(unit.counts[status]))]);
    }
    const totalRow = [t(lang, 'report.summary.totalRow'), formatPercent(totals.percent, lang), ...ENTRY_STATUSES.map((status) => count(totals.counts[status]))];
    table.row(['', ...totalRow], { style: styles.cellBold, fill: TOTAL_FILL });
  });
}

function layFigures(flow: Flow, model: SummaryReportModel): void {
  const { lang } = model;
  const table = new Table(
    flow,
    [
      { header: t(lang, 'report.col.no'), width: 34, align: 'center' },
      { header: t(lang, 'report.col.content'), width: 'rest' },
      { header: t(lang, 'report.col.total'), width: 90, align: 'right' },
      { header: t(lang, 'report.col.unitsReporting'), width: 64, align: 'center' },
    ],
    dataTable,
  );
  table.run(() => {
    for (const item of model.numberTotals) {
      table.row([item.itemCode, item.title, formatNumber(item.total, lang), formatNumber(item.unitsReporting, lang)]);
    }
  });
}

/** Room kept right of each bar for its percentage. */
const PERCENT_ROOM = 34;
const TICKS = [0, 25, 50, 75, 100];

function trackOf(box: Box): { x: number; width: number } {
  return { x: box.x, width: box.width - PERCENT_ROOM };
}

/** The scale above the bars, repeated on every page of the chart. */
const axis: Graphic = {
  height: 12,
  draw: (flow, box) => {
    const track = trackOf(box);
    for (const tick of TICKS) {
      const x = track.x + (track.width * tick) / 100;
      const label = `${tick}%`;
      flow.drawText(label, x - flow.widthOf(label, tickLabel) / 2, box.y, tickLabel);
      flow.paint((doc) => doc.save().lineWidth(0.4).moveTo(x, box.y + box.height - 3).lineTo(x, box.y + box.height + 1).stroke().restore());
    }
  },
};

function bar(percent: number, lang: Lang): Graphic {
  const share = Math.min(Math.max(percent, 0), 100) / 100;
  return {
    height: 9,
    draw: (flow, box) => {
      const track = trackOf(box);
      flow.paint((doc) => {
        doc.save().rect(track.x, box.y, track.width, box.height).fill(TRACK_FILL).restore();
        if (share > 0) doc.save().rect(track.x, box.y, track.width * share, box.height).fill(BAR_FILL).restore();
      });
      flow.drawText(`${formatPercent(percent, lang)}%`, track.x + track.width + 4, box.y + (box.height - flow.lineHeight(chartLabel)) / 2, chartLabel);
    },
  };
}

/** A horizontal bar per unit, drawn with vector shapes; the scale repeats at the top of each page. */
function layChart(flow: Flow, lang: Lang, units: SummaryUnitRow[]): void {
  const table = new Table(
    flow,
    [
      { header: '', width: 30, align: 'right' },
      { header: '', width: 170 },
      { header: axis, width: 'rest' },
    ],
    { header: chartLabel, body: chartLabel, padding: 2, ruled: false },
  );
  table.run(() => {
    for (const [i, unit] of units.entries()) table.row([formatNumber(i + 1, lang), unit.name, bar(unit.percent, lang)]);
  });
}
