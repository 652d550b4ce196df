import { type Request, type Response, Router } from 'express';
import { authorize, can, DIRECTORY } from '../auth/policy';
import { type ItemKind, type Lang } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { redirectWithFlash } from '../http/flash';
import { type FieldErrors, type FormFailure, formFields, submitForm } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import { CreateTemplateSchema, ItemSchema, type TemplateView, UpdateTemplateSchema } from '../templates/templates.schemas';
import { createTemplate, getTemplate, listTemplates, updateTemplate } from '../templates/templates.service';

/** One row of the items table as the form holds it: text as typed. */
interface ItemRow {
  code: string;
  section: string;
  title: string;
  guidance: string;
  kind: ItemKind;
  required: boolean;
  minFiles: string;
}

const KINDS = ItemSchema.shape.kind.options;
const ROW_FIELD = /^items\.(\d+)\.(code|section|title|guidance|kind|required|minFiles|remove)$/;
/** Blank rows offered under the items: for a new template, and each time "add rows" is pressed. */
const NEW_ROWS = 3;

const blankRow = (): ItemRow => ({ code: '', section: '', title: '', guidance: '', kind: 'file', required: true, minFiles: '' });
const isBlank = (row: ItemRow) => [row.code, row.section, row.title, row.guidance, row.minFiles].every((v) => v.trim() === '');

/**
 * The item rows of a submitted form (`items.<n>.<field>`), in order. Rows ticked "remove" and rows
 * left blank are dropped, so spare blank rows never fail validation.
 */
function rowsFromForm(fields: Record<string, string>): ItemRow[] {
  const rows = new Map<number, Record<string, string>>();
  for (const [name, value] of Object.entries(fields)) {
    const m = ROW_FIELD.exec(name);
    if (!m) continue;
    const index = Number(m[1]);
    const row = rows.get(index) ?? {};
    row[m[2] ?? ''] = value;
    rows.set(index, row);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, f]) => !f.remove)
    .map(([, f]) => ({
      code: f.code ?? '',
      section: f.section ?? '',
      title: f.title ?? '',
      guidance: f.guidance ?? '',
      kind: KINDS.find((k) => k === f.kind) ?? 'file',
      required: Boolean(f.required),
      minFiles: f.minFiles ?? '',
    }))
    .filter((row) => !isBlank(row));
}

/** A row as the API's item schema takes it; an unreadable number stays NaN so validation names it. */
function itemInput(row: ItemRow) {
  return { ...row, minFiles: row.minFiles.trim() === '' ? undefined : Number(row.minFiles) };
}

function rowsOf(template: TemplateView): ItemRow[] {
  return template.items.map((item) => ({ ...item, minFiles: item.kind === 'file' ? String(item.minFiles) : '' }));
}

/** Rows for the view, each with its own field errors (`items.<i>.<field>` → `errors.<field>`). */
function rowViews(rows: ItemRow[], errors: FieldErrors) {
  return rows.map((row, i) => {
    const prefix = `items.${i}.`;
    const own = Object.fromEntries(
      Object.entries(errors).filter(([field]) => field.startsWith(prefix)).map(([field, message]) => [field.slice(prefix.length), message]),
    );
    return { ...row, index: i, errors: own, hasErrors: Object.keys(own).length > 0 };
  });
}

interface FormState {
  code?: string;
  title: string;
  rows: ItemRow[];
  failure?: FormFailure;
}

/** Checklist templates: a list, a page per template; admins create and edit items as rows of a form. */
export function templatePages({ db }: AppContext): Router {
  const router = Router();

  function kindOptions(lang: Lang) {
    return KINDS.map((kind) => ({ value: kind, label: t(lang, `kind.${kind}`) }));
  }

  /** The create form (no `existing`) or the edit form of `existing`. */
  function showForm(req: Request, res: Response, state: FormState, existing?: TemplateView): void {
    const errors = state.failure?.errors ?? {};
    render(req, res, 'templates/form', {
      title: existing ? existing.title : t(req.lang, 'templates.createTitle'),
      nav: 'templates',
      isNew: !existing,
      action: existing ? `/admin/templates/${encodeURIComponent(existing.code)}` : '/admin/templates',
      form: { code: state.code ?? existing?.code ?? '', title: state.title },
      rows: rowViews(state.rows, errors),
      kindOptions: kindOptions(req.lang),
      failure: state.failure,
      itemsError: errors.items,
      langPath: existing ? `/admin/templates/${encodeURIComponent(existing.code)}` : '/admin/templates',
    }, state.failure?.status ?? 200);
  }

  router.get('/admin/templates', async (req, res) => {
    const actor = pageActor(req);
    const templates = await listTemplates(db, actor);
    render(req, res, 'templates/list', {
      title: t(req.lang, 'templates.title'),
      nav: 'templates',
      canManage: can(actor, 'manage', DIRECTORY),
      templates: templates.map((tpl) => ({ code: tpl.code, title: tpl.title, itemCount: tpl.items.length })),
    });
  });

  router.get('/admin/new-template', (req, res) => {
    authorize(pageActor(req), 'manage', DIRECTORY);
    showForm(req, res, { title: '', rows: Array.from({ length: NEW_ROWS }, blankRow) });
  });

  router.get('/admin/templates/:code', async (req, res) => {
    const actor = pageActor(req);
    const template = await getTemplate(db, actor, req.params.code);
    if (can(actor, 'manage', DIRECTORY)) return showForm(req, res, { title: template.title, rows: [...rowsOf(template), blankRow()] }, template);
    render(req, res, 'templates/template', {
      title: template.title,
      nav: 'templates',
      template,
      sections: sectionsOf(template),
    });
  });

  /** Save, or ("add rows") show the same form again with blank rows added and nothing saved. */
  async function submit(req: Request, res: Response, existing?: TemplateView): Promise<void> {
    const actor = pageActor(req);
    authorize(actor, 'manage', DIRECTORY);
    const fields = formFields(req);
    const rows = rowsFromForm(fields);
    const state: FormState = { code: fields.code, title: fields.title ?? '', rows };
    if (fields.action === 'add-rows') {
      return showForm(req, res, { ...state, rows: [...rows, ...Array.from({ length: NEW_ROWS }, blankRow)] }, existing);
    }
    const items = rows.map(itemInput);
    const outcome = existing
      ? await submitForm(req, UpdateTemplateSchema, { title: state.title, items }, (input) => updateTemplate(db, actor, existing.code, input))
      : await submitForm(req, CreateTemplateSchema, { code: state.code ?? '', title: state.title, items }, (input) => createTemplate(db, actor, input));
    if (!outcome.ok) return showForm(req, res, { ...state, rows: [...rows, blankRow()], failure: outcome }, existing);
    const key = existing ? 'templates.updated' : 'templates.created';
    redirectWithFlash(req, res, `/admin/templates/${encodeURIComponent(outcome.value.code)}`, { kind: 'success', key, params: { code: outcome.value.code } });
  }

  router.post('/admin/templates', (req, res) => submit(req, res));

  router.post('/admin/templates/:code', async (req, res) => {
    const actor = pageActor(req);
    authorize(actor, 'manage', DIRECTORY);
    await submit(req, res, await getTemplate(db, actor, req.params.code));
  });

  return router;
}

/** Items grouped under their section headings, in order (for the read-only view). */
function sectionsOf(template: TemplateView) {
  const sections: { name: string; items: TemplateView['items'] }[] = [];
  for (const item of template.items) {
    const last = sections.at(-1);
    if (last && last.name === item.section) last.items.push(item);
    else sections.push({ name: item.section, items: [item] });
  }
  return sections;
}
