import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Routes } from '../../platform/module.js';
import type { WidgetRepository } from './widget.repository.js';

/**
 * The chat frame's own policy: its scripts, styles and connections from our origin only, nothing
 * inline, and embeddable only by the widget's allowed origins (`frame-ancestors`), so a page that
 * is not on the list gets no chat frame from the browser at all.
 */
export function framePolicy(allowedOrigins: readonly string[]): string {
  // The origins were validated as exact origins (WidgetOriginSchema): no spaces or semicolons.
  const ancestors = allowedOrigins.length > 0 ? allowedOrigins.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

const refused = (reply: FastifyReply, status: number, text: string) =>
  reply
    .status(status)
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(text);

/** `GET /widget/frame?widgetId=…`: the chat frame's page, with the widget's `frame-ancestors`. */
export const frameRoutes =
  (deps: { widgets: WidgetRepository; webDistDir: string | false }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    let page: string | undefined;
    const framePage = async () => {
      if (page === undefined && deps.webDistDir) {
        page = await readFile(join(deps.webDistDir, 'widget', 'frame', 'index.html'), 'utf8').catch(
          () => undefined,
        );
      }
      return page;
    };

    r.get(
      '/widget/frame',
      {
        schema: {
          hide: true,
          querystring: z.object({ widgetId: z.uuid().optional(), locale: z.string().max(10).optional() }),
        },
        // A bad query is answered as a refusal page, not an API error body.
        attachValidation: true,
      },
      async (request, reply) => {
        const widgetId = request.validationError ? undefined : request.query.widgetId;
        const widget = widgetId ? await deps.widgets.getById(widgetId) : undefined;
        if (!widget) return refused(reply, 404, 'widget not found');
        if (!widget.enabled) return refused(reply, 403, 'widget disabled');
        const html = await framePage();
        if (!html) return refused(reply, 503, 'the chat frame is not built: npm run build');
        return reply
          .header('content-security-policy', framePolicy(widget.allowedOrigins))
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(html);
      },
    );
  };
