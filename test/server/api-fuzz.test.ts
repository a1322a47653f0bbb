import fc from 'fast-check';
import { describeEachEngine } from './harness';

/** Strings as hostile clients send them: any code point, plus NUL, lone surrogates and SQL/URL-ish text. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00', "'; DROP TABLE spaces; --", '../../etc', 'root', '%00', 'private://', 'https://'),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on lone surrogates; Buffer makes them U+FFFD). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** Objects with the API's own field names, each given a hostile value (more likely to pass the shape check). */
function bodyWith(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((field) => [field, hostileValue])), { requiredKeys: [] });
}

const spaceFields = ['name', 'parentSpaceId', 'inheritEntities', 'description', 'labels'];
const integrationFields = ['name', 'isDefault', 'spaceId', 'apiHost', 'userFacingHost', 'username', 'accessToken', 'labels', 'description'];
const stackFields = ['name', 'spaceId', 'vcs', 'autodeploy', 'labels'];

describeEachEngine('API under hostile input', (server) => {
  it('never answers 5xx to generated bodies, ids and query strings', async () => {
    const team = await server.createSpace({ name: 'fuzz team' });
    const integration = await server.createIntegration({ name: 'fuzz bb', spaceId: team.id });
    const stack = await server.createStack({ name: 'fuzz stack', spaceId: team.id, vcs: { integrationId: integration.id } });
    const targets: [string, string, string[]][] = [
      ['POST', '/api/v1/spaces', spaceFields],
      ['PATCH', `/api/v1/spaces/${team.id}`, spaceFields],
      ['POST', '/api/v1/integrations/bitbucket-datacenter', integrationFields],
      ['PATCH', `/api/v1/integrations/bitbucket-datacenter/${integration.id}`, integrationFields],
      ['POST', '/api/v1/stacks', stackFields],
      ['PATCH', `/api/v1/stacks/${stack.id}`, stackFields],
      ['POST', '/api/v1/api-keys', ['name', 'roles']],
    ];
    const body = fc.oneof(hostileValue, ...targets.map(([, , fields]) => bodyWith(fields)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, async ([method, path], payload) => {
        const response = await server.request(method, path, { body: JSON.stringify(payload) ?? 'null' });
        expect(response.status).toBeLessThan(500);
        expect(response.body.error === undefined || typeof response.body.error.message === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('spaces', 'stacks', 'integrations/bitbucket-datacenter', 'api-keys'),
        fc.constantFrom('GET', 'PATCH', 'DELETE'),
        hostileString,
        async (collection, method, id) => {
          const response = await server.request(method, `/api/v1/${collection}/${percentEncoded(id)}`, {
            body: method === 'PATCH' ? {} : undefined,
          });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, async (integrationId) => {
        const response = await server.request('GET', `/api/v1/stacks?integrationId=${percentEncoded(integrationId)}`);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
