import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { call } from './http';
import { WebhookReceiver } from './receiver';

let emulator: RunningEmulator;
let receiver: WebhookReceiver;
let receiverUrl: string;
const hooks = '/rest/api/latest/projects/PRJ/repos/app/webhooks';

beforeAll(async () => {
  receiver = new WebhookReceiver();
  receiverUrl = await receiver.start();
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PRJ');
  emulator.createRepository('PRJ', 'app');
  emulator.createRepository('PRJ', 'other');
});

afterAll(async () => {
  await emulator.close();
  await receiver.stop();
});

const body = (overrides: Record<string, unknown> = {}) => ({
  name: 'ci',
  url: `${receiverUrl}/hook`,
  events: ['repo:refs_changed'],
  configuration: { secret: 's' },
  ...overrides,
});

test('duplicates are allowed: the same webhook twice makes two webhooks with their own ids', async () => {
  const first = await call(emulator, 'POST', hooks, { body: body() });
  const second = await call(emulator, 'POST', hooks, { body: body() });
  expect([first.status, second.status]).toEqual([200, 200]);
  expect((first.body as { id: number }).id).not.toBe((second.body as { id: number }).id);
  const sameName = emulator.repositoryWebhooks('PRJ', 'app').filter((webhook) => webhook.name === 'ci');
  expect(sameName.length).toBeGreaterThanOrEqual(2);
});

test('defaults: active and sslVerificationRequired are true when omitted; GET returns the secret', async () => {
  const created = await call(emulator, 'POST', hooks, { body: { name: 'defaults', url: `${receiverUrl}/x`, events: ['pr:opened'], configuration: { secret: 'top' } } });
  const id = (created.body as { id: number }).id;
  const fetched = await call(emulator, 'GET', `${hooks}/${id}`);
  expect(fetched.body).toMatchObject({ active: true, sslVerificationRequired: true, configuration: { secret: 'top' }, scopeType: 'repository' });
});

test('PUT replaces the whole webhook; an omitted password is kept for the same username', async () => {
  const created = await call(emulator, 'POST', hooks, {
    body: body({ name: 'replace-me', credentials: { username: 'u', password: 'p' }, events: ['repo:refs_changed', 'pr:opened'] }),
  });
  const id = (created.body as { id: number }).id;
  expect(created.body).toMatchObject({ credentials: { username: 'u' } });
  expect(JSON.stringify(created.body)).not.toContain('"password"');

  const replaced = await call(emulator, 'PUT', `${hooks}/${id}`, {
    body: { name: 'replaced', url: `${receiverUrl}/replaced`, events: ['repo:refs_changed'], credentials: { username: 'u' } },
  });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ name: 'replaced', events: ['repo:refs_changed'], configuration: {}, active: true });
  const updatedDate = (replaced.body as { updatedDate: number; createdDate: number });
  expect(updatedDate.updatedDate).toBeGreaterThan(updatedDate.createdDate);

  receiver.deliveries.length = 0;
  await emulator.push('PRJ', 'app', { branch: 'main' });
  const delivery = receiver.deliveries.find((candidate) => candidate.path === '/replaced')!;
  expect(delivery.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  expect(delivery.headers['x-hub-signature']).toBeUndefined();
});

test.each([
  [{ events: ['repo:nonsense'] }, /the event repo:nonsense is unknown/],
  [{ events: ['pr:reviewer:changes_requested'] }, /unknown/],
  [{ events: [] }, /At least one event/],
  [{ events: ['pr:opened', 'pr:opened'] }, /more than once/],
  [{ url: 'not a url' }, /not a valid URL/],
  [{ url: 'ftp://example.com/' }, /http or https/],
  [{ name: '   ' }, /name is required/],
  [{ events: 'repo:refs_changed' }, /events/],
  [{ configuration: { secret: 5 } }, /configuration\.secret/],
  [{ active: 'yes' }, /active/],
])('bad webhook %j is a 400 naming the problem', async (overrides, message) => {
  const response = await call(emulator, 'POST', hooks, { body: body(overrides) });
  expect(response.status).toBe(400);
  const [error] = (response.body as { errors: Array<{ message: string }> }).errors;
  expect(error!.message).toMatch(message);
});

test('an empty-string secret fails the way Bitbucket DC does (500 with its error body)', async () => {
  const response = await call(emulator, 'POST', hooks, { body: body({ configuration: { secret: '' } }) });
  expect(response.status).toBe(500);
  expect(response.body).toMatchObject({ errors: [{ message: expect.stringContaining('secret') }] });
});

test('a webhook id of another repository or scope is 404; PUT to an unknown id is 404 before validation', async () => {
  const created = await call(emulator, 'POST', hooks, { body: body() });
  const id = (created.body as { id: number }).id;
  expect((await call(emulator, 'GET', `/rest/api/latest/projects/PRJ/repos/other/webhooks/${id}`)).status).toBe(404);
  expect((await call(emulator, 'GET', `/rest/api/latest/projects/PRJ/webhooks/${id}`)).status).toBe(404);
  expect((await call(emulator, 'GET', `${hooks}/not-a-number`)).status).toBe(404);
  expect((await call(emulator, 'PUT', `${hooks}/999999`, { body: { nonsense: true } })).status).toBe(404);
});

test('deleting a repository deletes its webhooks (Bitbucket answers 202)', async () => {
  emulator.createRepository('PRJ', 'doomed');
  await call(emulator, 'POST', '/rest/api/latest/projects/PRJ/repos/doomed/webhooks', { body: body() });
  expect((await call(emulator, 'DELETE', '/rest/api/latest/projects/PRJ/repos/doomed')).status).toBe(202);
  emulator.createRepository('PRJ', 'doomed');
  expect(emulator.repositoryWebhooks('PRJ', 'doomed')).toEqual([]);
});
