import {
  CalendarDayParamsSchema,
  CalendarDaySchema,
  CalendarDaysQuerySchema,
  CalendarListSchema,
  CalendarSchema,
  CreateCalendarSchema,
  HolidaysQuerySchema,
  HolidaysReplySchema,
  ImportHolidaysReplySchema,
  ImportHolidaysSchema,
  OpeningSchema,
  SetCalendarDaySchema,
  SupportParamsSchema,
  UpdateCalendarSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, clientErrors, ErrorReply } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { CalendarService } from './calendar.service.js';

/** Business calendars and holidays (admins write, supervisors read); an inbox's opening (anyone signed in). */
export const calendarRoutes =
  (deps: { calendars: CalendarService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support business hours'];
    const security = bearer;
    const errors = { ...clientErrors, 422: ErrorReply };
    const { calendars } = deps;
    const one = (summary: string) => ({ tags, security, summary, params: SupportParamsSchema });

    r.get(
      '/api/v1/support/calendars',
      {
        schema: {
          tags,
          security,
          summary: 'Calendars: time zone, weekly hours, days from today, inboxes using each',
          response: { 200: CalendarListSchema, ...errors },
        },
      },
      async (request) => ({ items: await calendars.list(actorOf(request)) }),
    );
    r.post(
      '/api/v1/support/calendars',
      {
        schema: {
          tags,
          security,
          summary: 'Create a calendar from a template (given weekly hours win)',
          body: CreateCalendarSchema,
          response: { 201: CalendarSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await calendars.create(actorOf(request), request.body)),
    );
    r.get(
      '/api/v1/support/calendars/:id',
      { schema: { ...one('One calendar'), response: { 200: CalendarSchema, ...errors } } },
      async (request) => calendars.get(actorOf(request), request.params.id),
    );
    r.patch(
      '/api/v1/support/calendars/:id',
      {
        schema: {
          ...one('Rename a calendar, change its time zone or weekly hours'),
          body: UpdateCalendarSchema,
          response: { 200: CalendarSchema, ...errors },
        },
      },
      async (request) => calendars.update(actorOf(request), request.params.id, request.body),
    );
    r.delete(
      '/api/v1/support/calendars/:id',
      { schema: { ...one('Delete a calendar no inbox uses'), response: { 204: z.null(), ...errors } } },
      async (request, reply) => {
        await calendars.delete(actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    r.get(
      '/api/v1/support/calendars/:id/days',
      {
        schema: {
          ...one('Dated days (holidays, other hours) between two local dates'),
          querystring: CalendarDaysQuerySchema,
          response: { 200: z.object({ items: z.array(CalendarDaySchema) }), ...errors },
        },
      },
      async (request) => ({
        items: await calendars.days(actorOf(request), request.params.id, request.query),
      }),
    );
    r.put(
      '/api/v1/support/calendars/:id/days/:date',
      {
        schema: {
          tags,
          security,
          summary: 'Set a day by hand (closed, open as usual, or other hours): wins over every import',
          params: CalendarDayParamsSchema,
          body: SetCalendarDaySchema,
          response: { 200: CalendarDaySchema, ...errors },
        },
      },
      async (request) =>
        calendars.setDay(actorOf(request), request.params.id, request.params.date, request.body),
    );
    r.delete(
      '/api/v1/support/calendars/:id/days/:date',
      {
        schema: {
          tags,
          security,
          summary: 'Remove a day set by hand (an imported holiday of that date comes back)',
          params: CalendarDayParamsSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await calendars.clearDay(actorOf(request), request.params.id, request.params.date);
        return reply.status(204).send(null);
      },
    );
    r.post(
      '/api/v1/support/calendars/:id/holidays/import',
      {
        schema: {
          ...one('Import a Jalali year of Iranian holidays (days set by hand are kept)'),
          body: ImportHolidaysSchema,
          response: { 200: ImportHolidaysReplySchema, ...errors },
        },
      },
      async (request) => calendars.importYear(actorOf(request), request.params.id, request.body.year),
    );
    r.get(
      '/api/v1/support/holidays',
      {
        schema: {
          tags,
          security,
          summary: 'The bundled Iranian holidays of a Jalali year, and the years there are',
          querystring: HolidaysQuerySchema,
          response: { 200: HolidaysReplySchema, ...errors },
        },
      },
      async (request) => calendars.holidays(actorOf(request), request.query.year),
    );

    r.get(
      '/api/v1/support/inboxes/:id/opening',
      {
        schema: {
          ...one('Whether the inbox is open now, and when it opens next'),
          response: { 200: OpeningSchema, ...errors },
        },
      },
      // Anyone signed in: customers are told when support opens.
      async (request) => calendars.opening(request.params.id),
    );
  };
