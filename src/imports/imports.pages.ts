import { type Request, type Response, Router } from 'express';
import multer, { MulterError } from 'multer';
import { z } from 'zod';
import { authorize, DIRECTORY } from '../auth/policy';
import { AppError, NotFoundError, PayloadTooLargeError, ValidationError } from '../core/errors';
import { type Lang } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { redirectWithFlash } from '../http/flash';
import { formFields } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { type MessageKey, t } from '../i18n/messages';
import { csvRecord, UTF8_BOM } from '../reports/export/csv';
import { type ImportRecord, MAX_IMPORT_ROWS, readTable, toRecords } from './import-file';
import { IMPORT_KINDS, type ImportKind, type ImportReport, importColumns, importRecords } from './imports.service';

/*
 * Import pages: upload a .csv/.xlsx → a preview of every row with its errors (nothing written) →
 * confirm → every row written in one transaction. The preview carries the parsed rows to the
 * confirm step in a hidden field; confirming validates them all over again, so that field is
 * never trusted.
 *
 * The upload form is multipart, whose body is not parsed when the CSRF check runs, so its action
 * URL carries the session's token as `?_csrf=` (src/http/security.ts reads it there).
 */

const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const receiveFile = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: 16 * 1024 },
}).single('file');

/** The uploaded file, or a typed error a person can act on (too large, not a file, no file). */
function uploadedFile(req: Request, res: Response): Promise<Express.Multer.File> {
  return new Promise((resolve, reject) => {
    receiveFile(req, res, (err: unknown) => {
      if (err instanceof MulterError) {
        return reject(err.code === 'LIMIT_FILE_SIZE'
          ? new PayloadTooLargeError('import.fileTooLarge', { maxMb: MAX_IMPORT_BYTES / 1024 / 1024 })
          : new ValidationError([{ field: 'file', message: err.code }], 'import.badUpload'));
      }
      if (err) return reject(err instanceof Error ? err : new Error('upload failed'));
      if (!req.file) return reject(new ValidationError([{ field: 'file', message: 'missing' }], 'import.noFile'));
      resolve(req.file);
    });
  });
}

const KIND_TITLES: Record<ImportKind, MessageKey> = { units: 'import.kind.units', users: 'import.kind.users', items: 'import.kind.items' };
const DONE: Record<ImportKind, MessageKey> = { units: 'import.doneUnits', users: 'import.doneUsers', items: 'import.doneItems' };

/** Example rows for the sample files, in column order. */
const SAMPLES: Record<ImportKind, string[][]> = {
  units: [
    ['TU-TQ', 'Thành uỷ Tuyên Quang', ''],
    ['P-MX', 'Đảng uỷ phường Minh Xuân', 'TU-TQ'],
  ],
  users: [
    ['hoang.lan', 'Hoàng Thị Lan', 'thành viên đoàn', '', 'Doi-mat-khau-2023'],
    ['bt.minhxuan', 'Nguyễn Văn Minh', 'bí thư', 'P-MX', 'Doi-mat-khau-2023'],
  ],
  items: [
    ['1.1', 'I. Công tác kết nạp đảng viên', 'Hồ sơ kết nạp đảng viên', 'Lý lịch, đơn, nghị quyết', 'tệp', 'có', '1'],
    ['8.1', 'VIII. Số liệu', 'Số lượt cán bộ được tập huấn', '', 'số liệu', 'có', ''],
  ],
};

const KindSchema = z.enum(IMPORT_KINDS);

function kindOf(value: unknown): ImportKind {
  const parsed = KindSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/** What the preview carries to the confirm step; checked again like any other input. */
const CarriedRowsSchema = z
  .array(z.object({ line: z.number().int().min(1), values: z.record(z.string().max(64), z.string().max(10_000)) }))
  .min(1)
  .max(MAX_IMPORT_ROWS);

function carriedRows(raw: string | undefined): ImportRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    json = undefined;
  }
  const parsed = CarriedRowsSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError([{ field: 'rows', message: 'unreadable' }], 'import.badPayload');
  return parsed.data;
}

function columnsFor(kind: ImportKind, lang: Lang) {
  return importColumns[kind].map((c) => ({ field: c.field, label: t(lang, c.label), required: c.required }));
}

interface UploadFailure {
  kind: ImportKind;
  message: string;
  /** What was typed beside the file, shown again. */
  template: TemplateFields;
}

interface TemplateFields {
  code: string;
  title: string;
}

function templateFields(req: Request): TemplateFields {
  const fields = formFields(req);
  return { code: fields.templateCode ?? '', title: fields.templateTitle ?? '' };
}

/** Units, users and template items from a spreadsheet (admins only). */
export function importPages({ db }: AppContext): Router {
  const router = Router();

  function showImportPage(req: Request, res: Response, failure?: UploadFailure, status = 200): void {
    render(req, res, 'imports/upload', {
      title: t(req.lang, 'import.title'),
      nav: 'import',
      kinds: IMPORT_KINDS.map((kind) => ({
        kind,
        title: t(req.lang, KIND_TITLES[kind]),
        hint: t(req.lang, `import.hint.${kind}`),
        columns: columnsFor(kind, req.lang),
        failure: failure?.kind === kind ? failure.message : undefined,
        template: failure?.kind === kind ? failure.template : { code: '', title: '' },
      })),
      langPath: '/admin/import',
    }, status);
  }

  function showPreview(req: Request, res: Response, report: ImportReport, records: ImportRecord[], template: TemplateFields): void {
    const columns = columnsFor(report.kind, req.lang);
    const bad = report.rows.filter((r) => r.errors.length > 0).length;
    render(req, res, 'imports/preview', {
      title: t(req.lang, 'import.previewTitle', { kind: t(req.lang, KIND_TITLES[report.kind]) }),
      nav: 'import',
      kind: report.kind,
      columns,
      rows: report.rows.map((row) => ({
        line: row.line,
        // Passwords are carried to the confirm step but never shown.
        cells: columns.map((c) => (c.field === 'password' && row.values[c.field] ? '••••••••' : (row.values[c.field] ?? ''))),
        errors: row.errors,
      })),
      total: report.rows.length,
      bad,
      fileErrors: report.errors,
      note: report.note,
      ok: report.ok,
      payload: JSON.stringify(records),
      template,
      langPath: '/admin/import',
    }, report.ok ? 200 : 400);
  }

  router.get('/admin/import', (req, res) => {
    authorize(pageActor(req), 'manage', DIRECTORY);
    showImportPage(req, res);
  });

  router.get('/admin/import/:kind/sample.csv', (req, res) => {
    authorize(pageActor(req), 'manage', DIRECTORY);
    const kind = kindOf(req.params.kind);
    const header = importColumns[kind].map((c) => t(req.lang, c.label));
    const body = UTF8_BOM + [header, ...SAMPLES[kind]].map((row) => csvRecord(row)).join('');
    res.attachment(`${t(req.lang, `import.sampleName.${kind}`)}.csv`).type('text/csv; charset=utf-8').send(body);
  });

  router.post('/admin/import/:kind', async (req, res) => {
    const actor = pageActor(req);
    authorize(actor, 'manage', DIRECTORY);
    const kind = kindOf(req.params.kind);
    let records: ImportRecord[];
    try {
      const file = await uploadedFile(req, res);
      records = toRecords(await readTable(file.buffer, file.originalname), importColumns[kind], req.lang);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        return showImportPage(req, res, { kind, message: t(req.lang, err.messageKey, err.params), template: templateFields(req) }, err.status);
      }
      throw err;
    }
    const template = templateFields(req);
    const report = await importRecords(db, actor, kind, records, { lang: req.lang, commit: false, template });
    showPreview(req, res, report, records, template);
  });

  router.post('/admin/import/:kind/confirm', async (req, res) => {
    const actor = pageActor(req);
    authorize(actor, 'manage', DIRECTORY);
    const kind = kindOf(req.params.kind);
    const records = carriedRows(formFields(req).rows);
    const template = templateFields(req);
    const report = await importRecords(db, actor, kind, records, { lang: req.lang, commit: true, template });
    if (!report.written) return showPreview(req, res, report, records, template);
    const to = kind === 'units' ? '/admin/units' : kind === 'users' ? '/admin/users' : `/admin/templates/${encodeURIComponent(template.code)}`;
    redirectWithFlash(req, res, to, { kind: 'success', key: DONE[kind], params: { count: report.rows.length, code: template.code } });
  });

  return router;
}
