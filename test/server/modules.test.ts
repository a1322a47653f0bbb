import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { hookRepository } from '../helpers/serve';
import { TestControlPlane } from './harness';

/**
 * Modules (SPEC §10) against the Bitbucket DC emulator: the API and its rules, versions from the tags the emulator
 * delivers, and Terraform's registry protocol down to the archive of a version's project root.
 */
const server = new TestControlPlane('pglite');
let emulator: RunningEmulator;
let integration: { id: string; webhookSecret: string };
let moduleId: string;

async function lastDelivery(): Promise<any> {
  const log = (await server.request('GET', `/api/v1/integrations/bitbucket-datacenter/${integration.id}/deliveries`)).body as any[];
  return log[0];
}

async function versions(id = moduleId): Promise<any[]> {
  return (await server.request('GET', `/api/v1/modules/${id}/versions`)).body;
}

/** The names of the files in a tar.gz archive. */
async function archiveEntries(archive: Buffer): Promise<string[]> {
  const names: string[] = [];
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    if (header.type === 'file') names.push(header.name);
    stream.on('end', next);
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => reader.on('finish', () => resolve()).on('error', reject));
  reader.end(gunzipSync(archive));
  await done;
  return names.sort();
}

beforeAll(async () => {
  await server.start();
  await server.reset();
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'modules', { defaultBranch: 'main' });
  const account = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/modules': 'REPO_ADMIN' } });
  integration = await server.createIntegration({ name: 'Emulated Bitbucket', apiHost: emulator.url, username: 'svc-liftgate', accessToken: account.token });
  const receiverUrl = `${await server.listen()}/webhooks/bitbucket-datacenter/${integration.id}`;
  await hookRepository(emulator, { projectKey: 'PLAT', slug: 'modules' }, { url: receiverUrl, secret: integration.webhookSecret, events: HANDLED_EVENTS });
  await emulator.push('PLAT', 'modules', {
    branch: 'main',
    files: { 'network/main.tf': 'variable "name" {}\noutput "greeting" { value = "hello ${var.name}" }\n', 'network/README.md': '# network\n', 'other/x.tf': 'locals {}\n' },
  });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await server.stop();
});

const vcs = () => ({ integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'modules', branch: 'main', projectRoot: 'network' });

describe('modules: the API', () => {
  it('creates a module in a space; its address (space, name, provider) is unique: a clash is 409', async () => {
    const created = await server.request('POST', '/api/v1/modules', { body: { name: 'network', terraformProvider: 'aws', vcs: vcs(), description: 'VPCs' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'network', terraformProvider: 'aws', spaceId: 'root', detached: false, vcs: vcs(), description: 'VPCs' });
    moduleId = created.body.id;
    const clash = await server.request('POST', '/api/v1/modules', { body: { name: 'network', terraformProvider: 'aws', vcs: vcs() } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toBe('a module named "network" for provider "aws" already exists in space "root"');
    expect((await server.request('GET', '/api/v1/modules')).body.map((found: any) => found.id)).toEqual([moduleId]);
  });

  it('refuses names and providers outside ^[a-z0-9][a-z0-9-]*$ (400) and changes of either (422)', async () => {
    for (const [name, terraformProvider] of [['Network', 'aws'], ['network', 'a_b'], ['-x', 'aws']]) {
      const refused = await server.request('POST', '/api/v1/modules', { body: { name, terraformProvider, vcs: vcs() } });
      expect([name, terraformProvider, refused.status]).toEqual([name, terraformProvider, 400]);
    }
    const renamed = await server.request('PATCH', `/api/v1/modules/${moduleId}`, { body: { name: 'net' } });
    expect(renamed.status).toBe(422);
    expect(renamed.body.error.message).toContain('name is immutable');
    const described = await server.request('PATCH', `/api/v1/modules/${moduleId}`, { body: { name: 'network', description: 'VPCs and subnets' } });
    expect(described.body).toMatchObject({ name: 'network', description: 'VPCs and subnets' });
  });

  it('follows the integration rules of stacks: an integration of another space is 422', async () => {
    const team = await server.createSpace({ name: 'team' });
    const elsewhere = await server.createIntegration({ name: 'Team Bitbucket', spaceId: team.id });
    const refused = await server.request('POST', '/api/v1/modules', { body: { name: 'dns', terraformProvider: 'aws', vcs: { ...vcs(), integrationId: elsewhere.id } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('is not usable by modules in space "root"');
  });
});

describe('modules: versions from tags', () => {
  it('a semver tag publishes its version at the tag\'s commit; Bitbucket lists the tag', async () => {
    const tagged = await emulator.createTag('PLAT', 'modules', { name: 'v1.0.0' });
    expect(tagged.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
    expect(await versions()).toMatchObject([{ version: '1.0.0', tag: 'v1.0.0', commit: tagged.commit, state: 'ACTIVE', reason: null }]);
    expect((await lastDelivery()).reason).toContain(`module ${moduleId} published version 1.0.0`);
    const listed = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/modules/tags`, { headers: { authorization: `Bearer ${emulator.adminToken}` } });
    expect(((await listed.json()) as any).values).toMatchObject([{ id: 'refs/tags/v1.0.0', displayId: 'v1.0.0', type: 'TAG', latestCommit: tagged.commit }]);
  });

  it('a tag that is not semver is ignored, noted on the delivery; a second tag of a version is refused', async () => {
    await emulator.createTag('PLAT', 'modules', { name: 'release-2024' });
    expect((await lastDelivery()).reason).toContain('tag "release-2024" ignored: not a semantic version');
    await emulator.createTag('PLAT', 'modules', { name: '1.0.0' });
    expect((await lastDelivery()).reason).toContain(`tag "1.0.0" refused for module ${moduleId}: version 1.0.0 is already published from tag "v1.0.0"`);
    expect((await versions()).map((version) => version.tag)).toEqual(['v1.0.0']);
  });

  it('a tag whose project root holds no .tf file is a FAILED version with the reason', async () => {
    const pushed = await emulator.push('PLAT', 'modules', { branch: 'main', files: { 'network/main.tf': null } });
    await emulator.createTag('PLAT', 'modules', { name: 'v2.0.0', commit: pushed.commit });
    expect((await versions())[0]).toMatchObject({
      version: '2.0.0',
      state: 'FAILED',
      reason: 'the project root "network" holds no .tf file at this commit, so it is not a Terraform module',
    });
  });
});

describe("modules: Terraform's registry protocol", () => {
  it('discovery names modules.v1; versions lists the ACTIVE ones to a key that can read the space', async () => {
    const discovery = await server.request('GET', '/.well-known/terraform.json', { key: null });
    expect(discovery.body).toEqual({ 'modules.v1': '/registry/modules/v1/' });
    const listed = await server.request('GET', '/registry/modules/v1/root/network/aws/versions');
    expect(listed.body).toEqual({ modules: [{ versions: [{ version: '1.0.0' }] }] });
  });

  it('download answers 204 with X-Terraform-Get; the link streams the tar.gz of the project root at the tag', async () => {
    const download = await server.request('GET', '/registry/modules/v1/root/network/aws/1.0.0/download');
    expect(download.status).toBe(204);
    const link = download.headers['x-terraform-get'] as string;
    expect(link).toMatch(new RegExp(`^/registry/modules/v1/archives/${moduleId}/1\\.0\\.0/\\d+/[A-Za-z0-9_-]{43}/module\\.tar\\.gz//network$`));
    const archive = await fetch(`${await server.listen()}${link.replace(/\/\/network$/, '')}`);
    expect(archive.status).toBe(200);
    expect(await archiveEntries(Buffer.from(await archive.arrayBuffer()))).toEqual(['network/README.md', 'network/main.tf']);
    // A link made to last longer is not one the control plane signed.
    const extended = link.replace(/\/(\d+)\//, (_, expiresAt: string) => `/${Number(expiresAt) + 3_600_000}/`).replace(/\/\/network$/, '');
    expect((await fetch(`${await server.listen()}${extended}`)).status).toBe(404);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/2.0.0/download')).status).toBe(404);
  });

  it('a key without read on the space gets 404 for an existing module; no key is 401', async () => {
    const team = (await server.request('GET', '/api/v1/spaces')).body.find((space: any) => space.name === 'team');
    const outsider = await server.createKey([{ spaceId: team.id, role: 'admin' }]);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/versions', { key: outsider })).status).toBe(404);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/1.0.0/download', { key: outsider })).status).toBe(404);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/versions', { key: null })).status).toBe(401);
  });

  it('access is decided on every request: a deleted key is refused by the very next registry request', async () => {
    const created = await server.request('POST', '/api/v1/api-keys', { body: { name: 'terraform', roles: [{ spaceId: 'root', role: 'read' }] } });
    const reader: string = created.body.secret;
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/versions', { key: reader })).status).toBe(200);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/1.0.0/download', { key: reader })).status).toBe(204);
    expect((await server.request('DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/versions', { key: reader })).status).toBe(401);
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/1.0.0/download', { key: reader })).status).toBe(401);
  });

  it('access follows a change of the space tree on the very next request (inheritance on, then off)', async () => {
    const team = (await server.request('GET', '/api/v1/spaces')).body.find((space: any) => space.name === 'team');
    const teamReader = await server.createKey([{ spaceId: team.id, role: 'read' }]);
    const listed = () => server.request('GET', '/registry/modules/v1/root/network/aws/versions', { key: teamReader });
    expect((await listed()).status).toBe(404);
    expect((await server.request('PATCH', `/api/v1/spaces/${team.id}`, { body: { inheritEntities: true } })).status).toBe(200);
    expect((await listed()).status).toBe(200);
    expect((await server.request('PATCH', `/api/v1/spaces/${team.id}`, { body: { inheritEntities: false } })).status).toBe(200);
    expect((await listed()).status).toBe(404);
  });

  it('deleting the tag retracts the version: no longer listed, its links stop working', async () => {
    const download = await server.request('GET', '/registry/modules/v1/root/network/aws/1.0.0/download');
    const link = (download.headers['x-terraform-get'] as string).replace(/\/\/network$/, '');
    const deleted = await emulator.deleteTag('PLAT', 'modules', 'v1.0.0');
    expect(deleted.deliveries.map((delivery) => delivery.statusCode)).toEqual([200]);
    expect((await versions()).find((version) => version.version === '1.0.0')).toMatchObject({ state: 'RETRACTED', reason: 'tag "v1.0.0" was deleted' });
    expect((await server.request('GET', '/registry/modules/v1/root/network/aws/versions')).body).toEqual({ modules: [{ versions: [] }] });
    expect((await fetch(`${await server.listen()}${link}`)).status).toBe(404);
  });

  it('deleting the integration detaches the module, named in the answer', async () => {
    const deleted = await server.request('DELETE', `/api/v1/integrations/bitbucket-datacenter/${integration.id}`);
    expect(deleted.body.detachedModules).toEqual([{ id: moduleId, name: 'network' }]);
    expect((await server.request('GET', `/api/v1/modules/${moduleId}`)).body).toMatchObject({ detached: true, vcs: { integrationId: null } });
  });
});
