/**
 * The agent's allowlist and the Bitbucket client come from different files; this keeps them together: every request
 * the control plane's Bitbucket calls make (run against the emulator) must be one the agent forwards.
 */
import { BitbucketClient, type BitbucketRequestEvent } from '../../src/clients/bitbucket';
import { checkAgentRequest } from '../../src/domain/vcs-agent-allowlist';
import { startEmulator, type RunningEmulator } from '../../src/emulator';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'infra');
});

afterAll(() => emulator.close());

it('forwards every request of the calls the control plane and its workers make', async () => {
  const seen: BitbucketRequestEvent[] = [];
  const client = new BitbucketClient({ baseUrl: emulator.url, token: emulator.adminToken, onRequest: (event) => seen.push(event) });
  await client.verifyCredentials();
  await client.repositories.search({ permission: 'REPO_READ' }).toArray();
  await client.repositories.list('PLAT').toArray();
  await client.repositories.get('PLAT', 'infra');
  await client.projects.list().toArray();
  await client.projects.get('PLAT');
  client.close();
  expect(seen.length).toBeGreaterThanOrEqual(7);
  for (const event of seen) {
    const url = new URL(event.url);
    expect({ request: `${event.method} ${url.pathname}`, verdict: checkAgentRequest(event.method, `${url.pathname}${url.search}`) }).toMatchObject({ verdict: { allowed: true } });
  }
});
