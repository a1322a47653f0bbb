/**
 * The state server and the environment API under hostile input, on both store engines: generated state documents,
 * LockInfo bodies, lock IDs, credentials and variable names never get a 5xx, and what is stored stays readable.
 */
import fc from 'fast-check';
import { hostileStrings, hostileValues, objectsWith, percentEncoded } from '../helpers/hostile';
import { describeEachEngine } from './harness';

const hostileString = hostileStrings(["'; DROP TABLE terraform_states; --", 'lgr_', 'lgk_']);
const hostileValue = hostileValues(hostileString);
const bodyWith = (fields: string[]) => objectsWith(fields, hostileValue);

describeEachEngine('state and environment under hostile input', (server) => {
  it('never answers 5xx, and the state stays readable', async () => {
    await server.createIntegration({ name: 'default', isDefault: true });
    const stackId = (await server.createStack({ name: 'fuzz' })).id;
    const statePath = `/api/v1/stacks/${stackId}/state`;
    const auth = `Basic ${Buffer.from(`x:${server.adminKey}`).toString('base64')}`;
    const send = async (method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) => {
      const response = await server.app.inject({ method: method as 'GET', url: path, headers: { authorization: auth, 'content-type': 'application/json', ...headers }, payload: body });
      return response.statusCode;
    };

    const stateBody = fc.oneof(hostileValue, bodyWith(['version', 'serial', 'lineage', 'terraform_version', 'resources']));
    const lockBody = fc.oneof(hostileValue, bodyWith(['ID', 'Operation', 'Info', 'Who', 'Version', 'Created', 'Path']));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('state', 'lock', 'unlock'),
        fc.oneof(stateBody, lockBody),
        fc.option(hostileString),
        async (target, payload, lockId) => {
          const query = lockId === null ? '' : `?ID=${percentEncoded(lockId)}`;
          const body = JSON.stringify(payload) ?? 'null';
          const status =
            target === 'state'
              ? await send('POST', `${statePath}${query}`, body)
              : await send(target === 'lock' ? 'POST' : 'DELETE', `${statePath}/lock${query}`, body);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, fc.constantFrom('Basic', 'Bearer'), async (secret, scheme) => {
        const credentials = scheme === 'Basic' ? Buffer.from(`u:${secret}`).toString('base64') : percentEncoded(secret);
        const response = await server.app.inject({ method: 'GET', url: statePath, headers: { authorization: `${scheme} ${credentials}` } });
        expect(response.statusCode).toBe(401);
      }),
      { numRuns: 100 },
    );
    for (const path of [statePath, `${statePath}/versions`]) {
      expect([200, 204]).toContain(await send('GET', path, undefined));
    }
  }, 180_000);

  it('never answers 5xx to hostile variable names and bodies', async () => {
    await server.createIntegration({ name: 'default', isDefault: true });
    const stackId = (await server.createStack({ name: 'fuzz' })).id;
    await fc.assert(
      fc.asyncProperty(hostileString, fc.oneof(hostileValue, bodyWith(['value', 'secret'])), fc.constantFrom('PUT', 'DELETE'), async (name, payload, method) => {
        const response = await server.request(method, `/api/v1/stacks/${stackId}/environment/${percentEncoded(name)}`, {
          body: method === 'PUT' ? (JSON.stringify(payload) ?? 'null') : undefined,
        });
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect((await server.request('GET', `/api/v1/stacks/${stackId}/environment`)).status).toBe(200);
  }, 180_000);
});
