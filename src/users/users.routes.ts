import { z } from 'zod';
import { UserSchema } from '../auth/auth.schemas';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { CreateUserSchema, UpdateUserSchema } from './users.schemas';
import { createUser, getUser, listUsers, updateUser } from './users.service';

export function userRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'users';
  api.post('/users', { tag, summary: 'Create a user', body: CreateUserSchema, response: UserSchema, status: 201 }, async (_req, res, { actor, body }) => {
    res.status(201).json(await createUser(db, actor, body));
  });
  api.get('/users', { tag, summary: 'List users', response: z.array(UserSchema) }, async (_req, res, { actor }) => {
    res.json(await listUsers(db, actor));
  });
  api.get('/users/:username', { tag, summary: 'One user', response: UserSchema }, async (_req, res, { actor, param }) => {
    res.json(await getUser(db, actor, param('username')));
  });
  api.patch('/users/:username', { tag, summary: 'Rename, reset password, (de)activate', body: UpdateUserSchema, response: UserSchema }, async (_req, res, { actor, param, body }) => {
    res.json(await updateUser(db, actor, param('username'), body));
  });
  return api;
}
