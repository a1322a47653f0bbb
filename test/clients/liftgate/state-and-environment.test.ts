/**
 * The client's methods for stacks' environment variables and Terraform state, against a real control plane (the
 * embedded store): what they send and how they read every answer, 204 included.
 */
import { ApiNotFoundError, ApiUnprocessableError } from '../../../src/clients/errors';
import { LiftgateClient } from '../../../src/clients/liftgate';
import { TestControlPlane } from '../../server/harness';

describe('LiftgateClient: environment variables and state', () => {
  const server = new TestControlPlane('pglite');
  let client: LiftgateClient;
  let stackId: string;
  let baseUrl: string;

  beforeAll(async () => {
    await server.start();
    baseUrl = await server.listen();
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await server.stop();
  });
  beforeEach(async () => {
    await server.reset();
    client?.close();
    client = new LiftgateClient({ endpoint: baseUrl, apiKey: server.adminKey, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    await server.createIntegration({ name: 'default', isDefault: true });
    stackId = (await client.stacks.create({ name: 'network', vcs: { projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' }, manageState: false })).id;
  });

  it('creates and updates manageState', async () => {
    expect((await client.stacks.get(stackId)).manageState).toBe(false);
    expect((await client.stacks.update(stackId, { manageState: true })).manageState).toBe(true);
  });

  it('sets, lists and deletes variables; secret values come back as null; refusals are typed', async () => {
    expect(await client.environment.set(stackId, 'REGION', { value: 'eu-west-1' })).toMatchObject({ name: 'REGION', value: 'eu-west-1', secret: false });
    expect(await client.environment.set(stackId, 'TOKEN', { value: 's3cret', secret: true })).toMatchObject({ value: null, secret: true });
    expect((await client.environment.list(stackId)).map((variable) => [variable.name, variable.value])).toEqual([
      ['REGION', 'eu-west-1'],
      ['TOKEN', null],
    ]);
    const refused = await client.environment.set(stackId, 'TF_HTTP_PASSWORD', { value: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiUnprocessableError);
    expect((refused as ApiUnprocessableError).details).toEqual({ field: 'name' });
    await client.environment.delete(stackId, 'TOKEN');
    await expect(client.environment.delete(stackId, 'TOKEN')).rejects.toBeInstanceOf(ApiNotFoundError);
    expect((await client.environment.list(stackId)).map((variable) => variable.name)).toEqual(['REGION']);
  });

  it('reads the current state (null before the first write), its versions, one version, and force-unlocks', async () => {
    await client.stacks.update(stackId, { manageState: true });
    expect(await client.state.current(stackId)).toBeNull();
    expect(await client.state.versions(stackId).toArray()).toEqual([]);
    const state = { version: 4, serial: 2, lineage: 'l-1', outputs: {}, resources: [] };
    const auth = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
    expect((await fetch(`${baseUrl}/api/v1/stacks/${stackId}/state`, { method: 'POST', headers: auth, body: JSON.stringify(state) })).status).toBe(200);
    expect(await client.state.current(stackId)).toEqual(state);
    expect(await client.state.versions(stackId).toArray()).toMatchObject([{ serial: 2, lineage: 'l-1', createdBy: { kind: 'api-key' } }]);
    expect(await client.state.version(stackId, 2)).toEqual(state);
    await expect(client.state.version(stackId, 3)).rejects.toBeInstanceOf(ApiNotFoundError);
    expect(await client.state.forceUnlock(stackId)).toBeNull();
    await fetch(`${baseUrl}/api/v1/stacks/${stackId}/state/lock`, { method: 'POST', headers: auth, body: JSON.stringify({ ID: 'held' }) });
    expect(await client.state.forceUnlock(stackId)).toMatchObject({ ID: 'held' });
  });
});
