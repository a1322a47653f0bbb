import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Serves the web console (SPEC §8): the static files `npm run build` writes to lib/console (index.html and
 * content-hashed assets), read once at start. Every GET that is not the API's answers with index.html, so the
 * console's own paths (/stacks/{id}, the run links of SPEC §7.6) open the right page; paths of the API, the webhook
 * receiver and the module registry never do, and keep the API's JSON 404.
 */

/**
 * The console loads only its own script, stylesheet and icon and talks only to its own origin; no inline script or
 * style, no frames, no plugins. HTML is only ever made from text by DOMPurify's Trusted Types policy.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types dompurify',
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that are never the console: the REST API, the webhook receiver, and the module registry of SPEC §10. */
const NOT_CONSOLE = /^\/(api|webhooks|registry|\.well-known)(\/|$)/;

export function isConsolePath(path: string): boolean {
  return !NOT_CONSOLE.test(path);
}

interface Asset {
  body: Buffer;
  type: string;
}

export interface ConsoleAssets {
  index: Buffer;
  /** By file name under /assets/. */
  files: Map<string, Asset>;
}

/** The built console in `dir`, or null when it has not been built (no index.html). */
export function loadConsoleAssets(dir: string): ConsoleAssets | null {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const files = new Map<string, Asset>();
  const assetDir = join(dir, 'assets');
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    const type = CONTENT_TYPES[extname(name)];
    if (type !== undefined) files.set(name, { body: readFileSync(join(assetDir, name)), type });
  }
  return { index: readFileSync(indexFile), files };
}

function sendIndex(reply: FastifyReply, index: Buffer) {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .send(index);
}

export const consoleRoutes: FastifyPluginAsync<{ assets: ConsoleAssets }> = async (app, { assets }) => {
  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.files.get(request.params.name);
    if (asset === undefined) return reply.callNotFound();
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (!isConsolePath(request.url.split('?')[0] as string)) return reply.callNotFound();
    return sendIndex(reply, assets.index);
  });
};
