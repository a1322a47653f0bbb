import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BitbucketClient, type BitbucketRequestEvent } from '../../src/clients/bitbucket';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { bitbucketContract, documentedStatuses, expectRequestBodyToMatchSpec } from './openapi';

/**
 * Every request body the Bitbucket client sends is validated against the request schema of its operation in
 * Atlassian's OpenAPI document (ajv, via ./openapi.ts). The bodies are the ones the client really sent to
 * the emulator, captured from the client's onRequest hook, so a field renamed in the client fails here.
 */
let emulator: RunningEmulator;
let receiver: http.Server;
let receiverUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createUser({ name: 'owner', password: 'owner-password', globalPermission: 'ADMIN', withToken: false });
  receiver = http.createServer((_request, response) => response.writeHead(200).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await emulator.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

function operationIdOf(event: BitbucketRequestEvent): string {
  return bitbucketContract().operation(event.method, event.url).operation.operationId ?? '(none)';
}

it('sends request bodies that match the OpenAPI request schema of every write it makes', async () => {
  const events: BitbucketRequestEvent[] = [];
  const onRequest = (event: BitbucketRequestEvent) => events.push(event);
  const admin = new BitbucketClient({ baseUrl: emulator.url, token: emulator.adminToken, onRequest });
  const owner = new BitbucketClient({ baseUrl: emulator.url, username: 'owner', password: 'owner-password', onRequest });

  await admin.projects.create({ key: 'CON', name: 'Contract', description: 'request bodies' });
  await admin.repositories.create('CON', { name: 'Service', description: 'a repo', defaultBranch: 'main', forkable: false, public: false });
  const full = {
    name: 'liftgate',
    url: receiverUrl,
    events: ['repo:refs_changed', 'pr:opened', 'pr:merged'],
    active: true,
    configuration: { secret: 'contract-secret' },
    credentials: { username: 'receiver', password: 'receiver-password' },
    sslVerificationRequired: false,
  };
  const repositoryHook = await admin.repositoryWebhooks.create('CON', 'service', full);
  await admin.repositoryWebhooks.update('CON', 'service', repositoryHook.id, { name: 'liftgate', url: receiverUrl, events: ['repo:refs_changed'] });
  await admin.repositoryWebhooks.test('CON', 'service', { url: receiverUrl, credentials: { username: 'u', password: 'p' } });
  const projectHook = await admin.projectWebhooks.create('CON', full);
  await admin.projectWebhooks.update('CON', projectHook.id, { ...full, active: false });
  await admin.projectWebhooks.test('CON', { url: receiverUrl, webhookId: projectHook.id, sslVerificationRequired: false, credentials: { username: 'u' } });
  const token = await owner.accessTokens.create('owner', { name: 'ci', permissions: ['REPO_ADMIN', 'PROJECT_READ'], expiryDays: 30 });
  await owner.accessTokens.delete('owner', token.id);
  await admin.repositoryWebhooks.delete('CON', 'service', repositoryHook.id);

  const withBodies = events.filter((event) => event.body !== undefined);
  expect(withBodies.map(operationIdOf)).toEqual([
    'createProject',
    'createRepository',
    'createWebhook_1',
    'updateWebhook_1',
    'testWebhook_1',
    'createWebhook',
    'updateWebhook',
    'testWebhook',
    'createAccessToken_2',
  ]);
  for (const event of withBodies) {
    expectRequestBodyToMatchSpec(event.method, event.url, event.body);
  }
  // The emulator accepted every write with a documented 2xx, as Bitbucket would. (Reads include the
  // expected 404 of the project create's existence check, so only writes are checked here.)
  for (const event of events.filter((e) => e.method !== 'GET')) {
    expect(event.status).toBeGreaterThanOrEqual(200);
    expect(event.status).toBeLessThan(300);
    expect(documentedStatuses(event.method, event.url)).toContain(String(event.status));
  }
});

it('would catch a body that breaks the schema (the validator is not vacuous)', () => {
  expect(() =>
    expectRequestBodyToMatchSpec('POST', '/rest/api/latest/projects/CON/repos/service/webhooks', {
      name: 'x',
      url: 'https://x.example',
      events: ['repo:refs_changed', 'repo:refs_changed'],
    }),
  ).toThrow(/uniqueItems|duplicate/);
  expect(() =>
    expectRequestBodyToMatchSpec('PUT', '/rest/access-tokens/latest/users/owner', { name: 'ci', expiryDays: 'thirty' }),
  ).toThrow(/expiryDays/);
});
