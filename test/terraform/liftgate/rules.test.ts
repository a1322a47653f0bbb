/**
 * The control plane's rules as the liftgate provider shows them, with the real terraform binary against a real
 * `liftgate serve` and the Bitbucket emulator: the destroy warning naming the stacks to be detached, a stack
 * detached out of band planned for re-attachment, the write-only access token, permission errors that name
 * key, role and space, and configurations the control plane would refuse failing at plan time (or at apply,
 * with the control plane's message, where the provider cannot know).
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';
import { ControlPlaneProcess, liftgateProviderBlock } from './control-plane';

jest.setTimeout(300_000);

describe('liftgate provider rules with real terraform', () => {
  let controlPlane: ControlPlaneProcess;
  let bitbucket: RunningEmulator;
  /** A Bitbucket user administering project PLAT, with an HTTP access token. */
  let serviceToken: string;
  const sandboxes: TerraformSandbox[] = [];

  const newSandbox = async (name: string, hcl: string): Promise<TerraformSandbox> => {
    const sandbox = new TerraformSandbox(`liftgate-${name}`);
    sandboxes.push(sandbox);
    sandbox.writeConfig(hcl);
    expectSuccess(await sandbox.terraform(['init', '-no-color', '-input=false']));
    return sandbox;
  };
  const terraform = (sandbox: TerraformSandbox, command: string, ...rest: string[]): Promise<TerraformResult> =>
    sandbox.terraform([command, '-no-color', '-input=false', ...rest]);
  const apply = async (sandbox: TerraformSandbox) => {
    const result = await terraform(sandbox, 'apply', '-auto-approve');
    expectSuccess(result);
    return result;
  };
  /** Terraform wraps long diagnostics; compare text with the line breaks and indentation taken out. */
  const flat = (result: TerraformResult) => `${result.stdout}\n${result.stderr}`.replace(/\s*\n[│\s]*/g, ' ');
  const integrationHcl = (address: string, name: string, spaceId: string, extra = '') => `
resource "liftgate_bitbucket_datacenter_integration" ${JSON.stringify(address)} {
  name         = ${JSON.stringify(name)}
  space_id     = ${spaceId}
  api_host     = ${JSON.stringify(bitbucket.url)}
  username     = "svc"
${extra || `  access_token = ${JSON.stringify(serviceToken)}`}
}
`;
  const stackHcl = (address: string, spaceId: string, integrationId: string) => `
resource "liftgate_stack" ${JSON.stringify(address)} {
  name            = ${JSON.stringify(address)}
  space_id        = ${spaceId}
  integration_id  = ${integrationId}
  project_key     = "PLAT"
  repository_slug = "network"
  branch          = "main"
}
`;
  const createSpace = async (name: string, parentSpaceId = 'root', inheritEntities = false): Promise<string> =>
    (await controlPlane.ok('POST', '/api/v1/spaces', { name, parentSpaceId, inheritEntities })).id;
  const createIntegrationByApi = async (name: string, spaceId: string, isDefault = false) =>
    controlPlane.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
      name,
      isDefault,
      spaceId,
      apiHost: bitbucket.url,
      username: 'svc',
      accessToken: serviceToken,
    });

  beforeAll(async () => {
    [controlPlane, bitbucket] = await Promise.all([ControlPlaneProcess.start(), startEmulator({ port: 0 })]);
    bitbucket.createProject('PLAT', { name: 'Platform' });
    bitbucket.createRepository('PLAT', 'network');
    serviceToken = bitbucket.createUser({ name: 'svc', projectPermissions: { PLAT: 'PROJECT_ADMIN' } }).token as string;
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.stop(), bitbucket?.close()]);
    for (const sandbox of sandboxes) sandbox.remove();
  });

  test('planning the destruction of an integration warns with the names of the stacks it detaches, not those it deletes; a stack detached out of band plans its re-attachment', async () => {
    const sandbox = await newSandbox(
      'detach',
      `${liftgateProviderBlock(controlPlane)}${integrationHcl('ops', 'BB Ops', '"root"')}${stackHcl('app', '"root"', 'liftgate_bitbucket_datacenter_integration.ops.id')}`,
    );
    await apply(sandbox);
    for (const name of ['ops-reporting', 'ops-billing']) {
      await controlPlane.ok('POST', '/api/v1/stacks', { name, vcs: { integrationId: 'bb-ops', projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } });
    }
    const destroyPlan = await terraform(sandbox, 'plan', '-destroy');
    expectSuccess(destroyPlan);
    // The destroy deletes "app" before the integration: only the stacks made outside Terraform are left detached.
    expect(flat(destroyPlan)).toMatch(/Warning: Deleting integration "BB Ops" detaches stacks "ops-(billing|reporting)" and "ops-(billing|reporting)" /);
    expect(flat(destroyPlan)).toMatch(/"ops-(billing|reporting)" and "ops-(billing|reporting)" use this integration, and this plan neither deletes them nor points them at another integration/);
    expect(flat(destroyPlan)).not.toMatch(/detaches stacks[^.]*"app"/);

    // Out of band: the integration is deleted (its stacks become detached) and made again with the same name.
    const deleted = await controlPlane.ok('DELETE', '/api/v1/integrations/bitbucket-datacenter/bb-ops');
    expect(deleted.detachedStacks.map((stack: { name: string }) => stack.name).sort()).toEqual(['app', 'ops-billing', 'ops-reporting']);
    await createIntegrationByApi('BB Ops', 'root');
    const plan = await terraform(sandbox, 'plan', '-detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('# liftgate_stack.app will be updated in-place');
    expect(plan.stdout).toMatch(/~ detached += true -> false/);
    expect(plan.stdout).toMatch(/\+ integration_id += "bb-ops"/);
    expect(plan.stdout).toContain('0 to add, 1 to change, 0 to destroy');
    await apply(sandbox);
    const stacks = await controlPlane.ok('GET', '/api/v1/stacks');
    expect(stacks.find((stack: { name: string }) => stack.name === 'app')).toMatchObject({ detached: false, vcs: { integrationId: 'bb-ops' } });
    expect((await terraform(sandbox, 'plan', '-detailed-exitcode')).code).toBe(0);
    // Re-attach one stack made outside Terraform: deleting the integration detaches it, and the apply says so.
    const reporting = stacks.find((stack: { name: string }) => stack.name === 'ops-reporting');
    await controlPlane.ok('PATCH', `/api/v1/stacks/${reporting.id}`, { vcs: { integrationId: 'bb-ops' } });
    const destroy = await terraform(sandbox, 'destroy', '-auto-approve');
    expectSuccess(destroy);
    expect(flat(destroy)).toContain('Warning: Deleting integration "BB Ops" detaches stack "ops-reporting"');
    expect(flat(destroy)).toContain('Warning: Integration "BB Ops" was deleted; stack "ops-reporting" is now detached');
    expect((await controlPlane.ok('GET', `/api/v1/stacks/${reporting.id}`)).detached).toBe(true);
  });

  test('access_token_wo never reaches the state file; only a new access_token_wo_version sends it again', async () => {
    const config = (token: string, version: number) =>
      `${liftgateProviderBlock(controlPlane)}${integrationHcl('wo', 'BB Write Only', '"root"', `  access_token_wo         = ${JSON.stringify(token)}\n  access_token_wo_version = ${version}`)}`;
    const sandbox = await newSandbox('write-only', config(serviceToken, 1));
    const created = await apply(sandbox);
    expect(created.stdout).not.toContain(serviceToken);
    const state = sandbox.readState();
    expect(state).not.toContain(serviceToken);
    const stored = JSON.parse(state).resources[0].instances[0].attributes;
    expect(stored).toMatchObject({ access_token: null, access_token_wo: null, access_token_wo_version: 1 });

    // A new value under the same version is invisible to Terraform by design: nothing is planned or sent.
    sandbox.writeConfig(config('not-a-valid-token', 1));
    expect((await terraform(sandbox, 'plan', '-detailed-exitcode')).code).toBe(0);

    // A new version sends it: the control plane verifies it against Bitbucket and refuses this one.
    sandbox.writeConfig(config('not-a-valid-token', 2));
    const refused = await terraform(sandbox, 'apply', '-auto-approve');
    expect(refused.code).toBe(1);
    expect(flat(refused)).toContain('Bitbucket rejected the credentials (401');
    expect(flat(refused)).not.toContain('not-a-valid-token');

    // Rotating to another valid token of the same user succeeds and stays out of the state too.
    const rotated = bitbucket.createAccessToken({ user: 'svc' }, ['PROJECT_ADMIN'], { name: 'rotated' });
    sandbox.writeConfig(config(rotated, 3));
    await apply(sandbox);
    expect(sandbox.readState()).not.toContain(rotated);
    expect(JSON.parse(sandbox.readState()).resources[0].instances[0].attributes.access_token_wo_version).toBe(3);
    expect((await terraform(sandbox, 'plan', '-detailed-exitcode')).code).toBe(0);
    expectSuccess(await terraform(sandbox, 'destroy', '-auto-approve'));
  });

  test('403 and 404 from the control plane become diagnostics naming the key, the role and the space', async () => {
    const spaceId = await createSpace('restricted');
    await createIntegrationByApi('BB Restricted', spaceId);
    const reader = await controlPlane.ok('POST', '/api/v1/api-keys', { name: 'reader', roles: [{ spaceId, role: 'read' }] });
    const otherSpace = await createSpace('elsewhere');
    const outsider = await controlPlane.ok('POST', '/api/v1/api-keys', { name: 'outsider', roles: [{ spaceId: otherSpace, role: 'admin' }] });
    const body = stackHcl('restricted', JSON.stringify(spaceId), '"bb-restricted"');

    const sandbox = await newSandbox('permissions', `${liftgateProviderBlock(controlPlane, reader.secret)}${body}`);
    const forbidden = await terraform(sandbox, 'apply', '-auto-approve');
    expect(forbidden.code).toBe(1);
    expect(flat(forbidden)).toContain(`Error: Permission denied: API key "reader" (${reader.id}) lacks the write role on space "${spaceId}"`);
    expect(flat(forbidden)).not.toContain(reader.secret);
    // The diagnostic names the request, and the control plane's log line for it carries the same id.
    const requestId = /request id ([0-9a-f-]{36})/.exec(flat(forbidden))?.[1];
    expect(requestId).toBeDefined();
    expect(controlPlane.logs()).toContain(`"requestId":"${requestId}"`);

    sandbox.writeConfig(`${liftgateProviderBlock(controlPlane, outsider.secret)}${body}`);
    const notFound = await terraform(sandbox, 'apply', '-auto-approve');
    expect(notFound.code).toBe(1);
    expect(flat(notFound)).toContain(`has no role on space "${spaceId}"`);
    expect(flat(notFound)).toContain(`This needs the write role on space "${spaceId}"`);
    expect(flat(notFound)).not.toContain(outsider.secret);
  });

  test('configurations the control plane would refuse fail at plan time, or at apply with its message', async () => {
    const sandbox = await newSandbox('refused', `${liftgateProviderBlock(controlPlane)}${integrationHcl('default', 'BB Default', '"team"', '  is_default   = true\n  access_token = "x"')}`);
    const withSpace = await sandbox.terraform(['validate', '-no-color']);
    expect(withSpace.code).toBe(1);
    expect(flat(withSpace)).toContain('Error: A default integration cannot have a space');

    await createIntegrationByApi('BB Existing Default', 'root', true);
    sandbox.writeConfig(`${liftgateProviderBlock(controlPlane)}${integrationHcl('default', 'BB Second Default', '"root"', `  is_default   = true\n  access_token = ${JSON.stringify(serviceToken)}`)}`);
    const secondDefault = await terraform(sandbox, 'plan');
    expect(secondDefault.code).toBe(1);
    expect(flat(secondDefault)).toContain('Error: A default integration already exists');
    expect(flat(secondDefault)).toContain('"bb-existing-default" already is it');

    // Siblings: an integration of space A can never serve a stack of space B.
    const spaceA = await createSpace('space-a');
    const spaceB = await createSpace('space-b', 'root', true);
    await createIntegrationByApi('BB Space A', spaceA);
    sandbox.writeConfig(`${liftgateProviderBlock(controlPlane)}${stackHcl('sibling', JSON.stringify(spaceB), '"bb-space-a"')}`);
    const outOfReach = await terraform(sandbox, 'plan');
    expect(outOfReach.code).toBe(1);
    expect(flat(outOfReach)).toContain('Error: The integration is out of reach of this stack');

    // A child of A that does not inherit: whether it may use A's integration depends on inherit_entities, which the
    // same apply could change, so the plan passes and the control plane refuses at apply.
    const child = await createSpace('child-of-a', spaceA, false);
    sandbox.writeConfig(`${liftgateProviderBlock(controlPlane)}${stackHcl('child', JSON.stringify(child), '"bb-space-a"')}`);
    expectSuccess(await terraform(sandbox, 'plan'));
    const refusedAtApply = await terraform(sandbox, 'apply', '-auto-approve');
    expect(refusedAtApply.code).toBe(1);
    expect(flat(refusedAtApply)).toContain('The control plane refused to create stack "child" (422 unprocessable)');
    expect(flat(refusedAtApply)).toContain(`integration "bb-space-a" is not usable by stacks in space "${child}"`);
  });
});
