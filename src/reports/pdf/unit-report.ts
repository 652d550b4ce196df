import { formatMoment, formatNumber } from '../../core/format';
import { t } from '../../i18n/messages';
import { reportStamp } from '../report-stamp';
import type { UnitReportModel, UnitReportRow } from '../report.model';
import type { Flow } from './layout';
import { dataTable, drawBody, drawClosing, drawHeading, drawPart, drawTitle, renderDocument, roman, styles } from './party-document';
import { Table } from './table';
import { inSentence } from './wording';

/**
 * The inspection report of one unit (báo cáo kết quả kiểm tra) as a party document: heading,
 * title, the checklist by section, the unit's figures, the team's findings, signature and
 * "Nơi nhận", "Trang x/y" on each page and the verification code of the unit's dossier.
 */
export function renderUnitReport(model: UnitReportModel, out: NodeJS.WritableStream): Promise<void> {
  const { lang } = model;
  return renderDocument(
    {
      lang, title: t(lang, 'report.unit.title'), author: model.header.issuingBody, subject: subjectOf(model), createdAt: model.generatedAt,
      keywords: reportStamp({ inspectionCode: model.inspection.code, unitCode: model.unit.code, hash: model.manifestHash }),
    },
    (flow) => layUnitReport(flow, model),
    out,
  );
}

function subjectOf(model: UnitReportModel): string {
  return t(model.lang, 'report.unit.subject', { inspection: inSentence(model.inspection.title), unit: model.unit.name });
}

function layUnitReport(flow: Flow, model: UnitReportModel): void {
  const { lang } = model;
  drawHeading(flow, model.header, lang);
  drawTitle(flow, t(lang, 'report.unit.title'), subjectOf(model));
  drawBody(
    flow,
    t(lang, 'report.unit.intro', {
      inspection: inSentence(model.inspection.title),
      team: model.header.issuingBody,
      unit: model.unit.name,
      code: model.unit.code,
    }),
  );

  let part = 0;
  drawPart(flow, `${roman(++part)}. ${t(lang, 'report.unit.checklist')}`);
  layChecklist(flow, model);

  const rows = model.sections.flatMap((s) => s.rows);
  const numbers = rows.filter((r) => r.kind === 'number');
  const texts = rows.filter((r) => r.kind === 'text');
  if (numbers.length + texts.length > 0) {
    drawPart(flow, `${roman(++part)}. ${t(lang, 'report.unit.figures')}`);
    layFigures(flow, model, numbers, texts);
  }

  drawPart(flow, `${roman(++part)}. ${t(lang, 'report.unit.findings')}`);
  const findings = [
    ['report.findings.strengths', model.findings.strengths],
    ['report.findings.shortcomings', model.findings.shortcomings],
    ['report.findings.recommendations', model.findings.recommendations],
    ['report.findings.conclusion', model.findings.conclusion],
  ] as const;
  for (const [n, [label, text]] of findings.entries()) {
    drawPart(flow, `${n + 1}. ${t(lang, label)}`, styles.subpart);
    drawBody(flow, text, t(lang, 'report.none'));
  }

  const verification = [
    { text: t(lang, 'report.unit.verification', { hash: model.manifestHash }), style: styles.small },
    { text: t(lang, 'report.unit.verificationNote', { time: formatMoment(model.generatedAt, lang) }), style: styles.smallItalic },
  ];
  const verificationHeight = 10 + verification.reduce((sum, v) => sum + flow.wrap(v.text, v.style, flow.width).length * flow.lineHeight(v.style), 0);
  drawClosing(flow, lang, model.recipients, model.leadName, verificationHeight);
  flow.space(10);
  for (const v of verification) flow.paragraph(v.text, v.style);
}

function layChecklist(flow: Flow, model: UnitReportModel): void {
  const { lang } = model;
  const table = new Table(
    flow,
    [
      { header: t(lang, 'report.col.no'), width: 34, align: 'center' },
      { header: t(lang, 'report.col.content'), width: 'rest' },
      { header: t(lang, 'report.col.status'), width: 62, align: 'center' },
      { header: t(lang, 'report.col.files'), width: 42, align: 'center' },
      { header: t(lang, 'report.col.note'), width: 140 },
    ],
    dataTable,
  );
  table.run(() => {
    for (const section of model.sections) {
      if (section.title.trim() !== '') table.spanningRow(section.title, styles.cellBold);
      for (const row of section.rows) {
        table.row([
          row.code,
          row.required ? row.title : `${row.title} ${t(lang, 'report.unit.optional')}`,
          t(lang, `status.${row.status}`),
          row.kind === 'file' ? String(row.fileCount) : '–',
          row.note ?? '',
        ]);
      }
    }
  });
}

function layFigures(flow: Flow, model: UnitReportModel, numbers: UnitReportRow[], texts: UnitReportRow[]): void {
  const { lang } = model;
  const notReported = t(lang, 'report.unit.notReported');
  if (numbers.length > 0) {
    const table = new Table(
      flow,
      [
        { header: t(lang, 'report.col.no'), width: 34, align: 'center' },
        { header: t(lang, 'report.col.content'), width: 'rest' },
        { header: t(lang, 'report.col.value'), width: 100, align: 'right' },
      ],
      dataTable,
    );
    table.run(() => {
      for (const row of numbers) {
        const value = typeof row.value === 'number' ? formatNumber(row.value, lang) : (row.value ?? notReported);
        table.row([row.code, row.title, value]);
      }
    });
    flow.space(8);
  }
  for (const row of texts) {
    drawPart(flow, `${row.code}. ${row.title}`, styles.subpart);
    const text = typeof row.value === 'number' ? formatNumber(row.value, lang) : (row.value ?? '');
    drawBody(flow, text, notReported);
  }
}
