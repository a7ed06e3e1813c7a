import {
  AddMembersSchema,
  ConversationPageSchema,
  ConversationParamsSchema,
  ConversationSchema,
  CreateConversationSchema,
  ListConversationsQuerySchema,
  MarkReadReplySchema,
  MarkReadSchema,
  MemberParamsSchema,
  MuteSchema,
  SetMemberRoleSchema,
  UpdateConversationSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { ConversationService } from './conversation.service.js';

/** Conversations, their members and read markers. */
export const conversationRoutes =
  (deps: { conversations: ConversationService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['conversations'];
    const security = bearer;

    r.post(
      '/api/v1/conversations',
      {
        schema: {
          tags,
          security,
          summary: 'Start a direct, group or support conversation (a direct one is returned if it exists)',
          body: CreateConversationSchema,
          response: { 200: ConversationSchema, 201: ConversationSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { conversation, created } = await deps.conversations.create(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(conversation);
      },
    );

    r.get(
      '/api/v1/conversations',
      {
        schema: {
          tags,
          security,
          summary: 'My conversations, most recently active first, with last message and unread count',
          querystring: ListConversationsQuerySchema,
          response: { 200: ConversationPageSchema, ...errors },
        },
      },
      async (request) => deps.conversations.list(actorOf(request), request.query),
    );

    r.get(
      '/api/v1/conversations/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One conversation with all its members',
          params: ConversationParamsSchema,
          response: { 200: ConversationSchema, ...errors },
        },
      },
      async (request) => deps.conversations.get(actorOf(request), request.params.id),
    );

    r.patch(
      '/api/v1/conversations/:id',
      {
        schema: {
          tags,
          security,
          summary:
            "A group's title and description (owner and admins); the group is told by a system message",
          params: ConversationParamsSchema,
          body: UpdateConversationSchema,
          response: { 200: ConversationSchema, ...errors },
        },
      },
      async (request) => deps.conversations.update(actorOf(request), request.params.id, request.body),
    );

    r.patch(
      '/api/v1/conversations/:id/members/:userId',
      {
        schema: {
          tags,
          security,
          summary: 'Make a group member an admin (owner and admins) or an admin a member again (owner)',
          params: MemberParamsSchema,
          body: SetMemberRoleSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deps.conversations.setRole(
          actorOf(request),
          request.params.id,
          request.params.userId,
          request.body.role,
        );
        return reply.status(204).send(null);
      },
    );

    r.post(
      '/api/v1/conversations/:id/members',
      {
        schema: {
          tags,
          security,
          summary: 'Add members to a group (owner and admins)',
          params: ConversationParamsSchema,
          body: AddMembersSchema,
          response: { 200: z.object({ added: z.array(z.uuid()) }), ...errors },
        },
      },
      async (request) => ({
        added: await deps.conversations.addMembers(actorOf(request), request.params.id, request.body.userIds),
      }),
    );

    r.delete(
      '/api/v1/conversations/:id/members/:userId',
      {
        schema: {
          tags,
          security,
          summary: 'Remove a member from a group, or leave it',
          params: MemberParamsSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deps.conversations.removeMember(actorOf(request), request.params.id, request.params.userId);
        return reply.status(204).send(null);
      },
    );

    r.post(
      '/api/v1/conversations/:id/read',
      {
        schema: {
          tags,
          security,
          summary: 'Mark messages up to seq as read (the marker never moves back)',
          params: ConversationParamsSchema,
          body: MarkReadSchema,
          response: { 200: MarkReadReplySchema, ...errors },
        },
      },
      async (request) => deps.conversations.markRead(actorOf(request), request.params.id, request.body.seq),
    );

    r.put(
      '/api/v1/conversations/:id/mute',
      {
        schema: {
          tags,
          security,
          summary: 'Mute or unmute push notifications of this conversation for me',
          params: ConversationParamsSchema,
          body: MuteSchema,
          response: { 200: MuteSchema, ...errors },
        },
      },
      async (request) => deps.conversations.setMuted(actorOf(request), request.params.id, request.body.muted),
    );
  };
