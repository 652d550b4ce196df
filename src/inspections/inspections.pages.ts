import { type Request, type Response, Router } from 'express';
import { authorize, INSPECTIONS } from '../auth/policy';
import { searchKey } from '../core/search-text';
import { isOneOf, MEMBER_ROLES, type MemberRole } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { redirectWithFlash } from '../http/flash';
import { fieldValues, type FormFailure, formFields, submitForm } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import { listTemplates } from '../templates/templates.service';
import { flattenTree, unitTree } from '../units/unit-tree';
import { listUnits } from '../units/units.service';
import { listUsers } from '../users/users.service';
import { subjectOfVisible } from './inspection-access';
import { CreateInspectionSchema } from './inspections.schemas';
import { createInspection, listInspections, mayJoinTeam } from './inspections.service';
import { statusActionFor } from './matrix.model';
import { inspectionPath } from './page-paths';

/** The unit tree is indented up to this depth (CSS classes depth-0 … depth-5); deeper units stay at it. */
const MAX_INDENT = 5;

interface FormState {
  fields: Record<string, string>;
  unitCodes: Set<string>;
  roles: Map<string, MemberRole>;
  failure?: FormFailure;
}

const emptyForm = (): FormState => ({ fields: {}, unitCodes: new Set(), roles: new Map() });

/** The team as the form holds it: one `role.<username>` field per inspector, `lead`, `member` or empty. */
function rolesFromForm(fields: Record<string, string>): Map<string, MemberRole> {
  const roles = new Map<string, MemberRole>();
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith('role.')) continue;
    if (isOneOf(MEMBER_ROLES, value)) roles.set(name.slice('role.'.length), value);
  }
  return roles;
}

/** An optional text field: blank means "not given" (null), as the API takes it. */
function optional(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Inspections for admins: the list with open/close/reopen, and the form that creates one from a template. */
export function inspectionPages({ db }: AppContext): Router {
  const router = Router();

  async function showForm(req: Request, res: Response, state: FormState): Promise<void> {
    const actor = pageActor(req);
    const [units, users, templates] = await Promise.all([listUnits(db, actor), listUsers(db, actor), listTemplates(db, actor)]);
    const errors = state.failure?.errors ?? {};
    render(req, res, 'inspections/new', {
      title: t(req.lang, 'adminInspections.createTitle'),
      nav: 'inspections',
      form: state.fields,
      failure: state.failure,
      unitsError: errors.unitCodes ? t(req.lang, 'adminInspections.pickUnits') : undefined,
      membersError: errors.members ? t(req.lang, 'adminInspections.pickTeam') : undefined,
      templateOptions: templates.map((tpl) => ({ value: tpl.code, label: `${tpl.code} — ${tpl.title} (${t(req.lang, 'adminInspections.itemCount', { count: tpl.items.length })})` })),
      units: flattenTree(unitTree(units)).map((u) => ({
        code: u.code,
        name: u.name,
        depth: Math.min(u.depth, MAX_INDENT),
        checked: state.unitCodes.has(u.code),
        search: searchKey(`${u.code} ${u.name}`),
      })),
      selectedCount: state.unitCodes.size,
      inspectors: users
        .filter(mayJoinTeam)
        .map((u) => ({ username: u.username, displayName: u.displayName, role: state.roles.get(u.username) ?? '' })),
    }, state.failure?.status ?? 200);
  }

  router.get('/admin/inspections', async (req, res) => {
    const actor = pageActor(req);
    authorize(actor, 'manage', INSPECTIONS);
    const inspections = await listInspections(db, actor);
    render(req, res, 'inspections/list', {
      title: t(req.lang, 'adminInspections.title'),
      nav: 'inspections',
      inspections: inspections.map((i) => ({
        ...i,
        href: inspectionPath(i.code),
        unitCount: i.unitCodes.length,
        lead: i.members.find((m) => m.role === 'lead')?.displayName,
        action: statusActionFor(actor, subjectOfVisible(i, actor)),
      })),
    });
  });

  router.get('/admin/inspections/new', async (req, res) => {
    authorize(pageActor(req), 'manage', INSPECTIONS);
    await showForm(req, res, emptyForm());
  });

  router.post('/admin/inspections', async (req, res) => {
    const actor = pageActor(req);
    authorize(actor, 'manage', INSPECTIONS);
    const fields = formFields(req);
    const state: FormState = { fields, unitCodes: new Set(fieldValues(req, 'unitCodes')), roles: rolesFromForm(fields) };
    const input = {
      code: fields.code?.trim() ?? '',
      title: fields.title ?? '',
      teamName: fields.teamName ?? '',
      templateCode: fields.templateCode ?? '',
      unitCodes: [...state.unitCodes],
      members: [...state.roles].map(([username, role]) => ({ username, role })),
      dueAt: optional(fields.dueAt),
      parentBody: optional(fields.parentBody),
      place: optional(fields.place),
      reportNumber: optional(fields.reportNumber),
    };
    const outcome = await submitForm(req, CreateInspectionSchema, input, (valid) => createInspection(db, actor, valid));
    if (!outcome.ok) return showForm(req, res, { ...state, failure: outcome });
    redirectWithFlash(req, res, inspectionPath(outcome.value.code), {
      kind: 'success',
      key: 'adminInspections.created',
      params: { code: outcome.value.code, units: outcome.value.unitCodes.length },
    });
  });

  return router;
}
