import {
  LookupQuerySchema,
  MeSchema,
  SetRoleByPhoneSchema,
  SetRoleSchema,
  UpdateMeSchema,
  UserParamsSchema,
  UserSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, ErrorReply } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { UserService } from './user.service.js';

export const userRoutes =
  (deps: { users: UserService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['users'];

    r.get(
      '/api/v1/users/me',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'The signed-in user',
          response: { 200: MeSchema, 401: ErrorReply },
        },
      },
      async (request) => deps.users.me(actorOf(request).id),
    );

    r.patch(
      '/api/v1/users/me',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Change the display name',
          body: UpdateMeSchema,
          response: { 200: MeSchema, 400: ErrorReply, 401: ErrorReply },
        },
      },
      async (request) => deps.users.rename(actorOf(request).id, request.body.name),
    );

    r.post(
      '/api/v1/users',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Admins: give the person with this phone a role (created if new)',
          body: SetRoleByPhoneSchema,
          response: { 200: UserSchema, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply },
        },
      },
      async (request) => {
        const { phone, role, name } = request.body;
        const me = await deps.users.createWithRole(phone, role, name, actorOf(request));
        return { id: me.id, name: me.name, role: me.role, lastSeenAt: me.lastSeenAt };
      },
    );

    r.put(
      '/api/v1/users/:id/role',
      {
        schema: {
          tags,
          security: bearer,
          summary: "Admins: change a user's role (not their own)",
          params: UserParamsSchema,
          body: SetRoleSchema,
          response: { 200: UserSchema, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply },
        },
      },
      async (request) => deps.users.setRole(actorOf(request), request.params.id, request.body.role),
    );

    r.get(
      '/api/v1/users/lookup',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Find a user by phone number (rate-limited)',
          querystring: LookupQuerySchema,
          response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, 429: ErrorReply },
        },
      },
      async (request) => deps.users.lookup(actorOf(request).id, request.query.phone),
    );
  };
