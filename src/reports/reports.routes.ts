import type { Response } from 'express';
import { type Lang } from '../core/vocabulary';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { type MessageKey, t } from '../i18n/messages';
import { writeUnitBundle } from './export/bundle';
import { writeProgressCsv } from './export/csv';
import { writeProgressXlsx } from './export/xlsx';
import { renderRequestLetter } from './pdf/request-letter';
import { renderSummaryReport } from './pdf/summary-report';
import { renderUnitReport } from './pdf/unit-report';
import { progressMatrix, requestLetterModel, summaryReportModel, unitBundle, unitReportModel } from './reports.service';

const PDF = 'application/pdf';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV = 'text/csv; charset=utf-8';
const ZIP = 'application/zip';

/** Starts a download: the type, an RFC 6266 file name (Unicode kept), and no caching of dossier data. */
function download(res: Response, contentType: string, name: string): Response {
  res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  return res.attachment(name).type(contentType);
}

function fileName(lang: Lang, key: MessageKey, code: string, ext: string): string {
  return `${t(lang, key)} ${code}.${ext}`;
}

export function reportRoutes({ db, store }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'reports';
  const unitPath = '/inspections/:code/units/:unit';

  api.get(`${unitPath}/report.pdf`, { tag, summary: 'The unit’s inspection report', response: { contentType: PDF } }, async (req, res, { actor, param }) => {
    const model = await unitReportModel(db, actor, param('code'), param('unit'), req.lang);
    await renderUnitReport(model, download(res, PDF, fileName(req.lang, 'report.fileName.unit', model.unit.code, 'pdf')));
  });

  api.get(`${unitPath}/request-letter.pdf`, { tag, summary: 'Letter listing what the unit still owes', response: { contentType: PDF } }, async (req, res, { actor, param }) => {
    const model = await requestLetterModel(db, actor, param('code'), param('unit'), req.lang);
    await renderRequestLetter(model, download(res, PDF, fileName(req.lang, 'report.fileName.request', model.unit.code, 'pdf')));
  });

  api.get('/inspections/:code/report.pdf', { tag, summary: 'The summary report over all units', response: { contentType: PDF } }, async (req, res, { actor, param }) => {
    const model = await summaryReportModel(db, actor, param('code'), req.lang);
    await renderSummaryReport(model, download(res, PDF, fileName(req.lang, 'report.fileName.summary', model.inspection.code, 'pdf')));
  });

  api.get('/inspections/:code/export.xlsx', { tag, summary: 'The progress matrix as XLSX', response: { contentType: XLSX } }, async (req, res, { actor, param }) => {
    const matrix = await progressMatrix(db, actor, param('code'), req.lang);
    await writeProgressXlsx(matrix, download(res, XLSX, fileName(req.lang, 'report.fileName.matrix', matrix.inspection.code, 'xlsx')));
  });

  api.get('/inspections/:code/export.csv', { tag, summary: 'The progress matrix as CSV (UTF-8 with BOM)', response: { contentType: CSV } }, async (req, res, { actor, param }) => {
    const matrix = await progressMatrix(db, actor, param('code'), req.lang);
    await writeProgressCsv(matrix, download(res, CSV, fileName(req.lang, 'report.fileName.matrix', matrix.inspection.code, 'csv')));
  });

  api.get(`${unitPath}/bundle.zip`, { tag, summary: 'All current files of the unit with manifest.csv and the report', response: { contentType: ZIP } }, async (req, res, { actor, param }) => {
    const bundle = await unitBundle(db, store, actor, param('code'), param('unit'), req.lang);
    await writeUnitBundle(bundle, download(res, ZIP, fileName(req.lang, 'report.fileName.bundle', bundle.unit.code, 'zip')));
  });
  return api;
}
