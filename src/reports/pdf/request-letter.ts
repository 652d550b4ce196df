import { formatShortDate } from '../../core/format';
import { t } from '../../i18n/messages';
import type { OwedItem, RequestLetterModel } from '../report.model';
import type { Flow } from './layout';
import { dataTable, drawBody, drawClosing, drawHeading, drawTitle, renderDocument, styles } from './party-document';
import { Table } from './table';
import { inSentence } from './wording';

/**
 * The letter asking a unit to complete its dossier (giấy đề nghị bổ sung hồ sơ): addressed to
 * the unit, listing by section every item still missing or returned (with the inspector's
 * note), and the date it is due.
 */
export function renderRequestLetter(model: RequestLetterModel, out: NodeJS.WritableStream): Promise<void> {
  const { lang } = model;
  return renderDocument(
    { lang, title: t(lang, 'report.letter.title'), author: model.header.issuingBody, subject: subjectOf(model), createdAt: model.generatedAt },
    (flow) => layLetter(flow, model),
    out,
  );
}

function subjectOf(model: RequestLetterModel): string {
  return t(model.lang, 'report.letter.subject', { inspection: inSentence(model.inspection.title) });
}

/** Consecutive items of the same section, in the order given. */
function bySection(items: OwedItem[]): { title: string; items: OwedItem[] }[] {
  const sections: { title: string; items: OwedItem[] }[] = [];
  for (const item of items) {
    const last = sections[sections.length - 1];
    if (last?.title === item.section) last.items.push(item);
    else sections.push({ title: item.section, items: [item] });
  }
  return sections;
}

function layLetter(flow: Flow, model: RequestLetterModel): void {
  const { lang } = model;
  drawHeading(flow, model.header, lang);
  drawTitle(flow, t(lang, 'report.letter.title'), subjectOf(model));
  flow.paragraph(`${t(lang, 'report.letter.to')} ${model.unit.name}`, styles.body, { align: 'center', x: flow.left + 30, width: flow.width - 60 });
  flow.space(10);

  const params = { inspection: inSentence(model.inspection.title), team: model.header.issuingBody, unit: model.unit.name };
  drawBody(flow, model.dueAt ? t(lang, 'report.letter.introDue', { ...params, date: formatShortDate(model.dueAt) }) : t(lang, 'report.letter.intro', params));
  flow.space(6);

  if (model.items.length === 0) {
    drawBody(flow, t(lang, 'report.letter.nothingOwed'));
  } else {
    const table = new Table(
      flow,
      [
        { header: t(lang, 'report.col.no'), width: 34, align: 'center' },
        { header: t(lang, 'report.col.content'), width: 'rest' },
        { header: t(lang, 'report.col.status'), width: 62, align: 'center' },
        { header: t(lang, 'report.col.teamNote'), width: 160 },
      ],
      dataTable,
    );
    table.run(() => {
      for (const section of bySection(model.items)) {
        if (section.title.trim() !== '') table.spanningRow(section.title, styles.cellBold);
        for (const item of section.items) table.row([item.code, item.title, t(lang, `status.${item.status}`), item.note ?? '']);
      }
    });
  }

  flow.space(8);
  drawBody(flow, t(lang, 'report.letter.closing', { unit: model.unit.name }));
  drawClosing(flow, lang, model.recipients, model.leadName);
}
