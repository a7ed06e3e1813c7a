import {
  AddMembersSchema,
  ConversationPageSchema,
  ConversationParamsSchema,
  ConversationSchema,
  CreateConversationSchema,
  EditMessageSchema,
  ListConversationsQuerySchema,
  ListMessagesQuerySchema,
  MarkReadSchema,
  MemberParamsSchema,
  MessagePageSchema,
  MessageParamsSchema,
  MessageSchema,
  MuteSchema,
  SendMessageSchema,
} from '@abrik/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ConversationService } from '../../services/conversation.service.js';
import type { MessageService } from '../../services/message.service.js';
import { actorOf } from '../context.js';
import { bearer, ErrorReply } from '../openapi.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

/** Conversations, their members and their messages. */
export async function conversationRoutes(
  app: FastifyInstance,
  deps: { conversations: ConversationService; messages: MessageService; onMessageStored: () => void },
) {
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

  r.get(
    '/api/v1/conversations/:id/messages',
    {
      schema: {
        tags,
        security,
        summary: 'A page of history: ?before=<seq> for older, ?after=<seq> for newer; limit ≤ 100',
        params: ConversationParamsSchema,
        querystring: ListMessagesQuerySchema,
        response: { 200: MessagePageSchema, ...errors },
      },
    },
    async (request) => deps.messages.history(actorOf(request), request.params.id, request.query),
  );

  r.post(
    '/api/v1/conversations/:id/messages',
    {
      schema: {
        tags,
        security,
        summary:
          'Send a message (the socket event message:send does the same); retries with the same clientMsgId are safe',
        params: ConversationParamsSchema,
        body: SendMessageSchema,
        response: { 200: MessageSchema, 201: MessageSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { message, duplicate } = await deps.messages.send(actorOf(request), {
        conversationId: request.params.id,
        ...request.body,
      });
      if (!duplicate) deps.onMessageStored();
      return reply.status(duplicate ? 200 : 201).send(message);
    },
  );

  r.patch(
    '/api/v1/conversations/:id/messages/:messageId',
    {
      schema: {
        tags,
        security,
        summary: 'Edit an own message',
        params: MessageParamsSchema,
        body: EditMessageSchema,
        response: { 200: MessageSchema, ...errors },
      },
    },
    async (request) =>
      deps.messages.edit(actorOf(request), request.params.id, request.params.messageId, request.body.body),
  );

  r.delete(
    '/api/v1/conversations/:id/messages/:messageId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete an own message (its body is erased; its place in the history stays)',
        params: MessageParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await deps.messages.delete(actorOf(request), request.params.id, request.params.messageId);
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
        response: { 200: z.object({ lastReadSeq: z.int() }), ...errors },
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
}
