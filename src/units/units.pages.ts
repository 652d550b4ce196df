import { type Request, type Response, Router } from 'express';
import { can, DIRECTORY } from '../auth/policy';
import type { AppContext } from '../http/app-context';
import { redirectWithFlash } from '../http/flash';
import { type FormFailure, formFields, submitForm } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import { CreateUnitSchema, UpdateUnitSchema } from '../units/units.schemas';
import { createUnit, getUnit, listUnits, updateUnit } from '../units/units.service';
import { findNode, subtreeCodes, unitOptions, unitTree } from './unit-tree';

/** An empty select means "no parent": the schemas take null for that. */
function parentCodeOf(fields: Record<string, string>): string | null {
  return fields.parentCode ? fields.parentCode : null;
}

interface FormState {
  form?: Record<string, string>;
  failure?: FormFailure;
}

/** Units as a tree (admins and inspectors); admins create, rename and move them. */
export function unitPages({ db }: AppContext): Router {
  const router = Router();

  async function showUnits(req: Request, res: Response, state: FormState = {}): Promise<void> {
    const actor = pageActor(req);
    const units = await listUnits(db, actor);
    const tree = unitTree(units);
    render(req, res, 'units/list', {
      title: t(req.lang, 'units.title'),
      nav: 'units',
      canManage: can(actor, 'manage', DIRECTORY),
      tree,
      count: units.length,
      parentOptions: unitOptions(tree, t(req.lang, 'units.noParent')),
      form: state.form ?? { code: '', name: '', parentCode: '' },
      failure: state.failure,
      langPath: '/admin/units',
    }, state.failure?.status ?? 200);
  }

  async function showUnit(req: Request, res: Response, code: string, state: FormState = {}): Promise<void> {
    const actor = pageActor(req);
    const unit = await getUnit(db, actor, code);
    const tree = unitTree(await listUnits(db, actor));
    render(req, res, 'units/unit', {
      title: t(req.lang, 'units.editTitle', { code: unit.code }),
      nav: 'units',
      canManage: can(actor, 'manage', DIRECTORY),
      unit,
      children: findNode(tree, unit.code)?.children ?? [],
      parentOptions: unitOptions(tree, t(req.lang, 'units.noParent'), subtreeCodes(tree, unit.code)),
      form: state.form ?? { name: unit.name, parentCode: unit.parentCode ?? '' },
      failure: state.failure,
      langPath: `/admin/units/${encodeURIComponent(unit.code)}`,
    }, state.failure?.status ?? 200);
  }

  router.get('/admin/units', (req, res) => showUnits(req, res));

  router.post('/admin/units', async (req, res) => {
    const fields = formFields(req);
    const input = { code: fields.code ?? '', name: fields.name ?? '', parentCode: parentCodeOf(fields) };
    const outcome = await submitForm(req, CreateUnitSchema, input, (valid) => createUnit(db, pageActor(req), valid));
    if (!outcome.ok) return showUnits(req, res, { form: fields, failure: outcome });
    redirectWithFlash(req, res, '/admin/units', { kind: 'success', key: 'units.created', params: { code: outcome.value.code, name: outcome.value.name } });
  });

  router.get('/admin/units/:code', (req, res) => showUnit(req, res, req.params.code));

  router.post('/admin/units/:code', async (req, res) => {
    const code = req.params.code;
    const fields = formFields(req);
    const input = { name: fields.name ?? '', parentCode: parentCodeOf(fields) };
    const outcome = await submitForm(req, UpdateUnitSchema, input, (valid) => updateUnit(db, pageActor(req), code, valid));
    if (!outcome.ok) return showUnit(req, res, code, { form: fields, failure: outcome });
    redirectWithFlash(req, res, '/admin/units', { kind: 'success', key: 'units.updated', params: { code: outcome.value.code, name: outcome.value.name } });
  });

  return router;
}
