import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app';
import { CONSOLE_CSP } from '../../src/server/console';
import { openDatabase, type Database } from '../../src/server/store/database';

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: () => any;
}

/** One request over HTTP to an app listening on a loopback port. */
async function call(app: FastifyInstance, method: string, url: string): Promise<Answer> {
  const { port } = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}${url}`, { method, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) });
  const body = await response.text();
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body, json: () => JSON.parse(body) };
}

async function listening(options: Parameters<typeof buildApp>[0]): Promise<FastifyInstance> {
  const app = await buildApp(options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

/** How `liftgate serve` serves the built console: index.html for its paths, hashed assets, never for the API. */
describe('the web console served by the control plane', () => {
  let dir: string;
  let db: Database;
  let app: FastifyInstance;
  const get = (url: string) => call(app, 'GET', url);
  const index = '<!doctype html><title>Liftgate</title><script type="module" src="/assets/main-ABC.js"></script>';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liftgate-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), index);
    writeFileSync(join(dir, 'assets', 'main-ABC.js'), 'console.log("console")');
    writeFileSync(join(dir, 'assets', 'main-DEF.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'notes.exe'), 'not served');
    db = await openDatabase({ dataDir: 'memory://' });
    app = await listening({ db, publicUrl: 'https://liftgate.example.com', encryptionKey: Buffer.alloc(32, 1), consoleDir: dir });
  });

  afterAll(async () => {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/source-code', '/stacks/web-1a2b3c', '/stacks/web-1a2b3c/runs/0b6f?x=1', '/spaces/'])(
    'answers %s with index.html under a strict Content-Security-Policy',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(index);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('allows nothing but its own origin: no inline script or style, no frames, Trusted Types for HTML', () => {
    const directives = Object.fromEntries(CONSOLE_CSP.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    for (const kind of ['script-src', 'style-src', 'img-src', 'connect-src']) expect(directives[kind]).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['require-trusted-types-for']).toEqual(["'script'"]);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('serves hashed assets with their type for a year, and nothing else from the folder', async () => {
    const script = await get('/assets/main-ABC.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log("console")');
    expect((await get('/assets/main-DEF.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const url of ['/assets/notes.exe', '/assets/missing.js', '/assets/..%2Findex.html']) {
      const missing = await get(url);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it.each(['/api', '/api/v1/nothing-here', '/api/v2/stacks', '/webhooks/bitbucket-datacenter/x', '/registry/modules/v1/x', '/.well-known/x'])(
    'never answers %s with the console: the API keeps its JSON 404',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
      expect(response.headers['content-security-policy']).toBeUndefined();
    },
  );

  it('leaves the API as it was: a call without a key is 401, and other methods on console paths are 404', async () => {
    expect((await get('/api/v1/stacks')).statusCode).toBe(401);
    expect((await get('/healthz')).json()).toMatchObject({ status: 'ok' });
    const post = await call(app, 'POST', '/stacks');
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('keeps its routes out of the OpenAPI document', async () => {
    const paths = Object.keys((await get('/api/v1/openapi.json')).json().paths);
    // The API's own prefixes, and Terraform's module registry protocol (discovery and /registry/modules/v1/).
    const apiPath = (path: string) =>
      ['/api/', '/webhooks/', '/registry/'].some((prefix) => path.startsWith(prefix)) || ['/healthz', '/.well-known/terraform.json'].includes(path);
    expect(paths.filter((path) => !apiPath(path))).toEqual([]);
  });

  it('serves the API only when the console is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'liftgate-console-empty-'));
    const apiOnly = await listening({ db, publicUrl: 'https://liftgate.example.com', encryptionKey: Buffer.alloc(32, 1), consoleDir: empty });
    try {
      expect((await call(apiOnly, 'GET', '/')).statusCode).toBe(404);
      expect((await call(apiOnly, 'GET', '/healthz')).statusCode).toBe(200);
    } finally {
      await apiOnly.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
