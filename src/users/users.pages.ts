import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { can, DIRECTORY } from '../auth/policy';
import { type Lang } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { redirectWithFlash } from '../http/flash';
import { type FormFailure, formFields, submitForm } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import { unitOptions, unitTree } from '../units/unit-tree';
import { listUnits } from '../units/units.service';
import { CreateUserSchema, PasswordSchema, RoleSchema, type UpdateUserInput, UpdateUserSchema } from '../users/users.schemas';
import { createUser, getUser, listUsers, updateUser } from '../users/users.service';

interface FormState {
  form?: Record<string, string>;
  failure?: FormFailure;
  /** Which form on the user's page the failure belongs to. */
  failed?: 'profile' | 'password' | 'active';
}

function roleOptions(lang: Lang) {
  return RoleSchema.options.map((role) => ({ value: role, label: t(lang, `role.${role}`) }));
}

// The user page's three forms, each one part of the API's update (a checkbox-free "true"/"false" for active).
const ProfileFormSchema = UpdateUserSchema.pick({ displayName: true }).required();
const PasswordFormSchema = z.object({ password: PasswordSchema });
const ActiveFormSchema = z.object({ active: z.enum(['true', 'false']).transform((v) => v === 'true') });

/** Users (admins and inspectors see them): admins create, rename, reset passwords, (de)activate. */
export function userPages({ db }: AppContext): Router {
  const router = Router();

  async function showUsers(req: Request, res: Response, state: FormState = {}): Promise<void> {
    const actor = pageActor(req);
    const [users, units] = [await listUsers(db, actor), await listUnits(db, actor)];
    const unitNames = new Map(units.map((u) => [u.code, u.name]));
    render(req, res, 'users/list', {
      title: t(req.lang, 'users.title'),
      nav: 'users',
      canManage: can(actor, 'manage', DIRECTORY),
      users: users.map((u) => ({ ...u, unitName: u.unitCode ? unitNames.get(u.unitCode) : undefined })),
      roleOptions: roleOptions(req.lang),
      unitOptions: unitOptions(unitTree(units), t(req.lang, 'users.noUnit')),
      form: state.form ?? { role: 'inspector' },
      failure: state.failure,
      langPath: '/admin/users',
    }, state.failure?.status ?? 200);
  }

  async function showUser(req: Request, res: Response, username: string, state: FormState = {}): Promise<void> {
    const actor = pageActor(req);
    const shown = await getUser(db, actor, username);
    const unit = shown.unitCode ? (await listUnits(db, actor)).find((u) => u.code === shown.unitCode) : undefined;
    render(req, res, 'users/user', {
      title: shown.displayName,
      nav: 'users',
      canManage: can(actor, 'manage', DIRECTORY),
      shown: { ...shown, unitName: unit?.name },
      isSelf: shown.username === actor.username,
      form: state.form ?? { displayName: shown.displayName },
      failure: state.failure,
      failed: state.failed,
      langPath: `/admin/users/${encodeURIComponent(shown.username)}`,
    }, state.failure?.status ?? 200);
  }

  router.get('/admin/users', (req, res) => showUsers(req, res));

  router.post('/admin/users', async (req, res) => {
    const fields = formFields(req);
    const input = {
      username: fields.username ?? '',
      displayName: fields.displayName ?? '',
      password: fields.password ?? '',
      role: fields.role ?? '',
      unitCode: fields.unitCode ? fields.unitCode : null,
    };
    const outcome = await submitForm(req, CreateUserSchema, input, (valid) => createUser(db, pageActor(req), valid));
    if (!outcome.ok) return showUsers(req, res, { form: fields, failure: outcome });
    redirectWithFlash(req, res, '/admin/users', { kind: 'success', key: 'users.created', params: { username: outcome.value.username } });
  });

  router.get('/admin/users/:username', (req, res) => showUser(req, res, req.params.username));

  /** One of the user page's forms: validate it, update the user, and come back to the page with a message. */
  async function changeUser(req: Request, res: Response, username: string, form: NonNullable<FormState['failed']>, schema: z.ZodType<UpdateUserInput>, raw: unknown) {
    const outcome = await submitForm(req, schema, raw, (valid) => updateUser(db, pageActor(req), username, valid));
    if (!outcome.ok) return showUser(req, res, username, { form: formFields(req), failure: outcome, failed: form });
    const key = form === 'password' ? 'users.passwordReset' : form === 'active' ? (outcome.value.active ? 'users.reactivated' : 'users.deactivated') : 'users.updated';
    redirectWithFlash(req, res, `/admin/users/${encodeURIComponent(username)}`, { kind: 'success', key, params: { username } });
  }

  router.post('/admin/users/:username', (req, res) =>
    changeUser(req, res, req.params.username, 'profile', ProfileFormSchema, { displayName: formFields(req).displayName ?? '' }));

  router.post('/admin/users/:username/password', (req, res) =>
    changeUser(req, res, req.params.username, 'password', PasswordFormSchema, { password: formFields(req).password ?? '' }));

  router.post('/admin/users/:username/active', (req, res) =>
    changeUser(req, res, req.params.username, 'active', ActiveFormSchema, formFields(req)));

  return router;
}
