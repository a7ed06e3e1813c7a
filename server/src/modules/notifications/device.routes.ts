import { DeviceSchema, RegisterDeviceSchema, UnregisterDeviceSchema, VapidKeySchema } from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, ErrorReply } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { DeviceService } from './device.service.js';

/** Devices that receive push notifications. */
export const deviceRoutes =
  (deps: { devices: DeviceService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['devices'];
    const errors = { 400: ErrorReply, 401: ErrorReply, 404: ErrorReply, 409: ErrorReply };

    r.post(
      '/api/v1/devices',
      {
        schema: {
          tags,
          security: bearer,
          summary:
            'Register this phone (FCM token) or browser (Web Push subscription); registering again moves it to you and refreshes it',
          body: RegisterDeviceSchema,
          response: { 201: DeviceSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await deps.devices.register(actorOf(request), request.body, request.locale)),
    );

    r.get(
      '/api/v1/devices',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'My devices',
          response: { 200: z.array(DeviceSchema), 401: ErrorReply },
        },
      },
      async (request) => deps.devices.list(actorOf(request)),
    );

    r.delete(
      '/api/v1/devices',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Stop notifications to a device, named by id, token or endpoint (e.g. at sign-out)',
          body: UnregisterDeviceSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deps.devices.unregister(actorOf(request), request.body);
        return reply.status(204).send(null);
      },
    );
  };

/** The VAPID public key browsers subscribe with (public). */
export const vapidRoutes =
  (deps: { publicKey: string | undefined }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/v1/push/vapid-public-key',
      {
        schema: {
          tags: ['devices'],
          summary: 'The VAPID public key for PushManager.subscribe({applicationServerKey})',
          response: { 200: VapidKeySchema, 409: ErrorReply },
        },
      },
      async () => {
        if (!deps.publicKey) {
          throw new AppError(409, 'push/not_configured');
        }
        return { publicKey: deps.publicKey };
      },
    );
  };
