/**
 * The liftgate provider's planning rules driven on plain values through ProviderServer (the same code path
 * Terraform's RPCs take), against a real `liftgate serve` and the Bitbucket emulator: provider configuration
 * from the environment, the data sources, user_facing_host following api_host, and the plan-time check for a
 * second default integration that still lets the default integration be replaced.
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { isUnknown, ProviderServer, type ObjectValue } from '../../../src/plugin';
import { provider } from '../../../src/terraform/liftgate/provider';
import { ControlPlaneProcess } from './control-plane';

jest.setTimeout(120_000);

const integrationType = 'liftgate_bitbucket_datacenter_integration';

describe('liftgate provider planning rules', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;

  const configured = async (apiKey = controlPlane.adminKey): Promise<ProviderServer> => {
    const server = new ProviderServer(provider);
    expect(await server.configure({ endpoint: controlPlane.url, api_key: apiKey }, '1.11.4')).toEqual([]);
    return server;
  };
  const integrationConfig = (values: ObjectValue): ObjectValue => ({
    id: null,
    name: 'BB',
    is_default: null,
    space_id: null,
    api_host: bitbucket.url,
    user_facing_host: null,
    username: 'admin',
    access_token: bitbucket.adminToken,
    access_token_wo: null,
    access_token_wo_version: null,
    labels: null,
    description: null,
    webhook_url: null,
    webhook_secret: null,
    ...values,
  });
  /** Plans and applies a create the way Terraform does; answers the new state. */
  const create = async (server: ProviderServer, config: ObjectValue): Promise<ObjectValue> => {
    const plan = await server.planResourceChange(integrationType, null, config, config);
    expect(plan.diagnostics).toEqual([]);
    const applied = await server.applyResourceChange(integrationType, null, plan.planned, config);
    expect(applied.diagnostics).toEqual([]);
    return applied.state as ObjectValue;
  };

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
  });

  test('endpoint and api_key come from the configuration or LIFTGATE_ENDPOINT / LIFTGATE_API_KEY; missing ones are named', async () => {
    const saved = { endpoint: process.env.LIFTGATE_ENDPOINT, key: process.env.LIFTGATE_API_KEY };
    try {
      delete process.env.LIFTGATE_ENDPOINT;
      delete process.env.LIFTGATE_API_KEY;
      const missing = await new ProviderServer(provider).configure({ endpoint: null, api_key: null }, '1.11.4');
      expect(missing.map((diagnostic) => diagnostic.summary)).toEqual(['Missing endpoint', 'Missing api_key']);
      expect(missing[0]?.detail).toContain('LIFTGATE_ENDPOINT');
      expect(missing[1]?.detail).toContain('LIFTGATE_API_KEY');

      process.env.LIFTGATE_ENDPOINT = controlPlane.url;
      process.env.LIFTGATE_API_KEY = controlPlane.adminKey;
      const server = new ProviderServer(provider);
      expect(await server.configure({ endpoint: null, api_key: null }, '1.11.4')).toEqual([]);
      const root = await server.readDataSource('liftgate_space', { id: 'root', name: null, parent_space_id: null, inherit_entities: null, description: null, labels: null });
      expect(root.diagnostics).toEqual([]);
      expect(root.state).toMatchObject({ id: 'root', parent_space_id: null });

      const invalid = await new ProviderServer(provider).configure({ endpoint: 'ftp://nowhere', api_key: 'k' }, '1.11.4');
      expect(invalid.map((diagnostic) => diagnostic.summary)).toEqual(['Invalid endpoint']);
    } finally {
      if (saved.endpoint === undefined) delete process.env.LIFTGATE_ENDPOINT;
      else process.env.LIFTGATE_ENDPOINT = saved.endpoint;
      if (saved.key === undefined) delete process.env.LIFTGATE_API_KEY;
      else process.env.LIFTGATE_API_KEY = saved.key;
    }
  });

  test('user_facing_host left out follows api_host: unknown in the plan when api_host changes, then the new host', async () => {
    const server = await configured();
    const config = integrationConfig({ name: 'BB Follow', space_id: 'root' });
    const state = await create(server, config);
    expect(state.user_facing_host).toBe(bitbucket.url);

    const moved = bitbucket.url.replace('127.0.0.1', 'localhost');
    const changed = { ...config, api_host: moved };
    const plan = await server.planResourceChange(integrationType, state, { ...state, api_host: moved }, changed);
    expect(plan.diagnostics).toEqual([]);
    expect(isUnknown(plan.planned?.user_facing_host)).toBe(true);
    const applied = await server.applyResourceChange(integrationType, state, plan.planned, changed);
    expect(applied.diagnostics).toEqual([]);
    expect(applied.state).toMatchObject({ api_host: moved, user_facing_host: moved });

    // A host that was set and is then left out goes back to the derived one; after that the plan is stable.
    const custom = { ...changed, user_facing_host: 'https://bitbucket.example.com' };
    const withCustom = await server.planResourceChange(integrationType, applied.state, { ...(applied.state as ObjectValue), user_facing_host: 'https://bitbucket.example.com' }, custom);
    const customState = (await server.applyResourceChange(integrationType, applied.state, withCustom.planned, custom)).state as ObjectValue;
    expect(customState.user_facing_host).toBe('https://bitbucket.example.com');
    const reset = await server.planResourceChange(integrationType, customState, customState, changed);
    expect(isUnknown(reset.planned?.user_facing_host)).toBe(true);
    const resetState = (await server.applyResourceChange(integrationType, customState, reset.planned, changed)).state as ObjectValue;
    expect(resetState.user_facing_host).toBe(moved);
    const stable = await server.planResourceChange(integrationType, resetState, resetState, changed);
    expect(stable.planned).toEqual(resetState);
  });

  test('a new api_host or username carries the token again, a write-only one too (the control plane asks for it)', async () => {
    const server = await configured();
    for (const [name, tokens] of [
      ['BB Move Kept', { access_token: bitbucket.adminToken }],
      ['BB Move Write Only', { access_token: null, access_token_wo: bitbucket.adminToken, access_token_wo_version: 1 }],
    ] as const) {
      const config = integrationConfig({ name, space_id: 'root', ...tokens });
      const state = await create(server, config);
      const moved = { ...config, api_host: bitbucket.url.replace('127.0.0.1', 'localhost') };
      const plan = await server.planResourceChange(integrationType, state, { ...state, api_host: moved.api_host }, moved);
      expect(plan.diagnostics).toEqual([]);
      const applied = await server.applyResourceChange(integrationType, state, plan.planned, moved);
      expect([name, applied.diagnostics]).toEqual([name, []]);
      expect(applied.state).toMatchObject({ api_host: moved.api_host, access_token_wo: null });
    }
  });

  test('the root space cannot be imported (it cannot be managed), only read', async () => {
    const imported = await (await configured()).importResourceState('liftgate_space', 'root');
    expect(imported.state).toBeNull();
    expect(imported.diagnostics.map((diagnostic) => diagnostic.summary)).toEqual(['The root space cannot be managed']);
  });

  test('a second default integration fails at plan time, except for the create half of replacing the default itself', async () => {
    const server = await configured();
    const config = integrationConfig({ name: 'BB Default', is_default: true });
    const state = await create(server, config);

    // The default is renamed: first the change (replacement), then the create half with no prior state.
    const renamed = { ...config, name: 'BB Default Renamed' };
    const replace = await server.planResourceChange(integrationType, state, { ...state, name: 'BB Default Renamed' }, renamed);
    expect(replace.requiresReplace).toEqual([[{ attribute: 'name' }]]);
    expect(replace.diagnostics).toEqual([]);
    expect((await server.planResourceChange(integrationType, null, renamed, renamed)).diagnostics).toEqual([]);

    // Another provider process that is not replacing it: a second default is refused before anything is made.
    const other = await configured();
    const second = integrationConfig({ name: 'BB Second', is_default: true });
    const refused = await other.planResourceChange(integrationType, null, second, second);
    expect(refused.diagnostics.map((diagnostic) => diagnostic.summary)).toEqual(['A default integration already exists']);
    expect(refused.diagnostics[0]?.detail).toContain('"bb-default" already is it');
  });

  test('the integration data source reads the default integration without an id, by id otherwise, and leaves secrets out without admin', async () => {
    const server = await configured();
    const empty = { id: null, name: null, is_default: null, space_id: null, api_host: null, user_facing_host: null, username: null, labels: null, description: null, webhook_url: null, webhook_secret: null };
    const byDefault = await server.readDataSource(integrationType, empty);
    expect(byDefault.diagnostics).toEqual([]);
    const details = await controlPlane.ok('GET', '/api/v1/integrations/bitbucket-datacenter/bb-default');
    expect(byDefault.state).toMatchObject({ id: 'bb-default', is_default: true, space_id: 'root', username: 'admin', webhook_secret: details.webhookSecret, webhook_url: details.webhookUrl });

    const byId = await server.readDataSource(integrationType, { ...empty, id: 'bb-follow' });
    expect(byId.state).toMatchObject({ id: 'bb-follow', is_default: false });

    const reader = await controlPlane.ok('POST', '/api/v1/api-keys', { name: 'reader', roles: [{ spaceId: 'root', role: 'read' }] });
    const readOnly = await (await configured(reader.secret)).readDataSource(integrationType, empty);
    expect(readOnly.state).toMatchObject({ id: 'bb-default', username: null, webhook_secret: null });
    expect(readOnly.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.summary])).toEqual([
      ['warning', 'username and webhook_secret of integration "bb-default" are null'],
    ]);

    const missing = await server.readDataSource(integrationType, { ...empty, id: 'no-such-integration' });
    expect(missing.diagnostics.map((diagnostic) => diagnostic.summary)).toEqual(['Integration "no-such-integration" not found']);
  });
});
