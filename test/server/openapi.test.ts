import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describeEachEngine } from './harness';

describeEachEngine('OpenAPI document and errors', (server) => {
  it('serves GET /healthz without authentication', async () => {
    const health = await server.request('GET', '/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', store: server.engine });
  });

  it('describes every route of the app, generated from the zod schemas', async () => {
    const document = await server.request('GET', '/api/v1/openapi.json', { key: null });
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries<Record<string, unknown>>(document.body.paths)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const routes = routeTable(server);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) expect(documented).toContain(route);
    for (const spec of [
      'POST /api/v1/spaces', 'GET /api/v1/spaces', 'GET /api/v1/spaces/{id}', 'PATCH /api/v1/spaces/{id}', 'DELETE /api/v1/spaces/{id}',
      'POST /api/v1/integrations/bitbucket-datacenter', 'GET /api/v1/integrations/bitbucket-datacenter',
      'GET /api/v1/integrations/bitbucket-datacenter/{id}', 'PATCH /api/v1/integrations/bitbucket-datacenter/{id}',
      'DELETE /api/v1/integrations/bitbucket-datacenter/{id}',
      'POST /api/v1/stacks', 'GET /api/v1/stacks', 'GET /api/v1/stacks/{id}', 'PATCH /api/v1/stacks/{id}', 'DELETE /api/v1/stacks/{id}',
      'POST /api/v1/api-keys', 'GET /api/v1/api-keys', 'DELETE /api/v1/api-keys/{id}', 'GET /healthz', 'GET /api/v1/openapi.json',
    ]) {
      expect(documented).toContain(spec);
    }
    // The request schema in the document is the one that validates: the integration body requires the token.
    const createIntegration = document.body.paths['/api/v1/integrations/bitbucket-datacenter'].post;
    const bodySchema = createIntegration.requestBody.content['application/json'].schema;
    expect(bodySchema.required).toEqual(expect.arrayContaining(['name', 'apiHost', 'username', 'accessToken']));
    expect(createIntegration.responses['201']).toBeDefined();
    expect(createIntegration.responses['422']).toBeDefined();
    expect(document.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('matches real responses against the documented response schemas', async () => {
    const document = (await server.request('GET', '/api/v1/openapi.json')).body;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: document.components }, 'openapi');
    const schemaFor = (path: string, method: string, status: number) => {
      const schema = document.paths[path][method].responses[String(status)].content['application/json'].schema;
      return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
    };
    const space = await server.request('POST', '/api/v1/spaces', { body: { name: 'documented' } });
    expect(ajv.validate(schemaFor('/api/v1/spaces', 'post', 201), space.body)).toBe(true);
    const integration = await server.request('POST', '/api/v1/integrations/bitbucket-datacenter', {
      body: { name: 'documented', apiHost: 'https://bb.example.com', username: 'u', accessToken: 't' },
    });
    expect(ajv.validate(schemaFor('/api/v1/integrations/bitbucket-datacenter', 'post', 201), integration.body)).toBe(true);
    const missing = await server.request('GET', '/api/v1/stacks/nope');
    expect(ajv.validate(schemaFor('/api/v1/stacks/{id}', 'get', 404), missing.body)).toBe(true);
  });

  it('treats an empty JSON body as no body, and refuses prototype poisoning', async () => {
    const stack = await server.request('POST', '/api/v1/spaces', { body: { name: 'to delete' } });
    const response = await server.request('DELETE', `/api/v1/spaces/${stack.body.id}`, { headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(204);
    const poisoned = await server.request('POST', '/api/v1/spaces', { body: '{"name":"x","__proto__":{"admin":true}}' });
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error.code).toBe('bad_request');
  });

  it('refuses NUL characters and unpaired surrogates with 400 before they reach SQL', async () => {
    for (const path of ['/api/v1/stacks/%00', '/api/v1/spaces/a%00b', '/api/v1/integrations/bitbucket-datacenter/%00', '/api/v1/stacks?integrationId=%00']) {
      const response = await server.request('GET', path);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('bad_request');
    }
    for (const name of ['nul\\u0000name', 'lone \\ud800 surrogate']) {
      const response = await server.request('POST', '/api/v1/spaces', { body: `{"name":"${name}"}` });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('body.name');
    }
    const paired = await server.request('POST', '/api/v1/spaces', { body: '{"name":"emoji \\ud83d\\ude80"}' });
    expect(paired.status).toBe(201);
    const badEscape = await server.request('GET', '/api/v1/stacks/%ED%A0%80');
    expect(badEscape.status).toBe(400);
    expect(badEscape.body.error.code).toBe('bad_request');
  });

  it('answers unknown routes with the error shape', async () => {
    const unknown = await server.request('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('/api/v1/nothing-here') } });
  });

  it('answers a store failure with a generic 500 body and logs it', async () => {
    const failing = await server.db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(failing[0]?.ok).toBe(1);
    // A table the store expects disappears: the route fails inside SQL.
    await server.db.query('ALTER TABLE stacks RENAME TO stacks_away');
    try {
      const response = await server.request('GET', '/api/v1/stacks');
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ error: { code: 'internal', message: 'internal server error' } });
      expect(server.logLines.join('')).toContain('request failed');
    } finally {
      await server.db.query('ALTER TABLE stacks_away RENAME TO stacks');
    }
  });
});

/**
 * Method + OpenAPI-style path of every route Fastify registered, read from printRoutes' tree (one node per line,
 * four characters of indentation per level; HEAD is Fastify's implicit twin of GET).
 */
function routeTable(server: { app: { printRoutes: (options: object) => string } }): string[] {
  const routes: string[] = [];
  const lines = server.app.printRoutes({ commonPrefix: false }).split('\n');
  let prefix: string[] = [];
  for (const line of lines) {
    const match = /^([│ ]*)(?:[└├]── )(.*?) \((.*)\)$/.exec(line) ?? /^([│ ]*)(?:[└├]── )(.*)$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    const segment = match[2] ?? '';
    prefix = [...prefix.slice(0, depth), segment];
    const methods = match[3];
    if (methods !== undefined) {
      for (const method of methods.split(', ')) {
        if (method === 'HEAD') continue;
        routes.push(`${method} ${prefix.join('').replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return routes;
}
