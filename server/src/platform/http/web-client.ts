import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { placeholderPage } from './placeholder-page.js';

/**
 * What the app's pages may load: only this origin (scripts, styles, fonts, the socket), no inline
 * scripts, no CDN, not framed by other sites.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // The microphone for voice notes, asked only by this origin's pages (never by a frame or other site).
  'permissions-policy': 'camera=(), microphone=(self), geolocation=()',
};

/** Paths that belong to the server, never to the client's router. */
const SERVER_PATHS = /^\/(api|health|metrics|socket\.io)(\/|$)/;

/**
 * Serves the built web client (web/dist) at `/`: hashed assets cached for a year, index.html and
 * the service worker revalidated every time (so a deploy reaches everyone), and index.html for any
 * other page the client routes itself (`/c/<id>`). Without a build, the placeholder page.
 * Text files go out as the brotli or gzip copy the build wrote beside them (web/scripts/
 * precompress.ts) when the browser accepts it, with `Vary: Accept-Encoding` either way.
 */
export async function webClient(app: FastifyInstance, deps: { root: string }) {
  if (!existsSync(join(deps.root, 'index.html'))) {
    app.log.info({ root: deps.root }, 'web client not built: serving the placeholder page (npm run build)');
    await placeholderPage(app);
    return;
  }
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        if (!reply.hasHeader(name)) reply.header(name, value);
      }
      return payload;
    });
    await scope.register(fastifyStatic, {
      root: deps.root,
      // A route per built file; everything else reaches the client-side router below.
      wildcard: false,
      // `x.js.br` / `x.js.gz` are sent for `x.js`; they get no URL of their own.
      preCompressed: true,
      globIgnore: ['**/*.br', '**/*.gz'],
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', cacheControlFor(path));
      },
    });
    scope.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (SERVER_PATHS.test(path) || !acceptsHtml(request)) return reply.callNotFound();
      return sendIndex(reply);
    });
  });
}

function sendIndex(reply: FastifyReply) {
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}

function acceptsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

/** Hashed assets never change; the HTML and the service worker must be checked on every load. */
export function cacheControlFor(path: string): string {
  // The file sent may be the build's compressed copy (`index.html.br`): the policy is the original's.
  const normalized = path.replaceAll('\\', '/').replace(/\.(br|gz)$/, '');
  if (normalized.includes('/assets/')) return 'public, max-age=31536000, immutable';
  if (/\/(index\.html|sw\.js|manifest\.webmanifest)$/.test(normalized)) return 'no-cache';
  return 'public, max-age=3600';
}
