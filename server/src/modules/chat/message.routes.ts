import {
  ConversationParamsSchema,
  EditMessageSchema,
  ListMessagesQuerySchema,
  MessagePageSchema,
  MessageParamsSchema,
  MessageSchema,
  PinMessageSchema,
  PinParamsSchema,
  PinsReplySchema,
  ReactionsReplySchema,
  ReactSchema,
  SendMessageSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { MessageService } from './message.service.js';

/** A conversation's messages: history, sending (as `message:send` does), edits and deletes. */
export const messageRoutes =
  (deps: { messages: MessageService; onMessageStored: () => void }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['conversations'];
    const security = bearer;

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

    r.put(
      '/api/v1/conversations/:id/messages/:messageId/reaction',
      {
        schema: {
          tags,
          security,
          summary:
            'React to a message (one reaction per person: a new one replaces it); socket: message:react',
          params: MessageParamsSchema,
          body: ReactSchema,
          response: { 200: ReactionsReplySchema, ...errors },
        },
      },
      async (request) =>
        deps.messages.react(
          actorOf(request),
          request.params.id,
          request.params.messageId,
          request.body.emoji,
        ),
    );

    r.delete(
      '/api/v1/conversations/:id/messages/:messageId/reaction',
      {
        schema: {
          tags,
          security,
          summary: 'Take back your reaction',
          params: MessageParamsSchema,
          response: { 200: ReactionsReplySchema, ...errors },
        },
      },
      async (request) =>
        deps.messages.react(actorOf(request), request.params.id, request.params.messageId, null),
    );

    r.post(
      '/api/v1/conversations/:id/messages/:messageId/hide',
      {
        schema: {
          tags,
          security,
          summary:
            'Delete a message for yourself only: it leaves your history on every device (others keep it; its seq stays, answered with hidden: true)',
          params: MessageParamsSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deps.messages.hide(actorOf(request), request.params.id, request.params.messageId);
        return reply.status(204).send(null);
      },
    );

    r.get(
      '/api/v1/conversations/:id/pins',
      {
        schema: {
          tags,
          security,
          summary: 'The pinned messages, newest pin first',
          params: ConversationParamsSchema,
          response: { 200: PinsReplySchema, ...errors },
        },
      },
      async (request) => deps.messages.pins(actorOf(request), request.params.id),
    );

    r.post(
      '/api/v1/conversations/:id/pins',
      {
        schema: {
          tags,
          security,
          summary: "Pin a message for everyone (a direct conversation's members; a group's owner and admins)",
          params: ConversationParamsSchema,
          body: PinMessageSchema,
          response: { 200: PinsReplySchema, ...errors },
        },
      },
      async (request) => deps.messages.pin(actorOf(request), request.params.id, request.body.messageId),
    );

    r.delete(
      '/api/v1/conversations/:id/pins/:messageId',
      {
        schema: {
          tags,
          security,
          summary: 'Unpin a message',
          params: PinParamsSchema,
          response: { 200: PinsReplySchema, ...errors },
        },
      },
      async (request) => deps.messages.unpin(actorOf(request), request.params.id, request.params.messageId),
    );
  };
