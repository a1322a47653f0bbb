import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator';
import { call } from './http';
import { WebhookReceiver } from './receiver';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'liftgate-emulator-state-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a restart with the same state file keeps projects, webhooks with secrets, users, tokens and invocations', async () => {
  const state = join(dir, 'state.json');
  const receiver = new WebhookReceiver();
  const receiverUrl = await receiver.start();
  const first = await startEmulator({ port: 0, stateFile: state, adminToken: 'admin-1' });
  first.createProject('PRJ');
  first.createRepository('PRJ', 'app');
  const user = first.createUser({ name: 'dev', repositoryPermissions: { 'PRJ/app': 'REPO_ADMIN' } });
  const created = await call(first, 'POST', '/rest/api/latest/projects/PRJ/repos/app/webhooks', {
    token: user.token,
    body: { name: 'kept', url: `${receiverUrl}/hook`, events: ['repo:refs_changed'], configuration: { secret: 'keep-me' } },
  });
  const webhookId = (created.body as { id: number }).id;
  await first.push('PRJ', 'app', { branch: 'main' });
  await first.close();
  expect(statSync(state).mode & 0o777).toBe(0o600);
  expect(readFileSync(state, 'utf8')).not.toContain(user.token!);

  // The admin token is not part of the state: the next start may use another one.
  const second = await startEmulator({ port: 0, stateFile: state, adminToken: 'admin-2' });
  try {
    const fetched = await call(second, 'GET', `/rest/api/latest/projects/PRJ/repos/app/webhooks/${webhookId}`, { token: user.token });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ name: 'kept', configuration: { secret: 'keep-me' } });
    const latest = await call(second, 'GET', `/rest/api/latest/projects/PRJ/repos/app/webhooks/${webhookId}/latest`, { token: user.token });
    expect(latest.body).toMatchObject({ event: 'repo:refs_changed', result: { outcome: 'SUCCESS' } });
    expect((await call(second, 'GET', '/rest/api/latest/projects', { token: 'admin-1' })).status).toBe(401);
    // New objects get ids that do not collide with the restored ones.
    const another = second.createRepository('PRJ', 'next');
    expect(another.id).toBeGreaterThan(webhookId);
  } finally {
    await second.close();
    await receiver.stop();
  }
});

test('a state file that is not an emulator state stops the start with a message naming the file', async () => {
  const state = join(dir, 'broken.json');
  writeFileSync(state, '{"hello":');
  await expect(startEmulator({ port: 0, stateFile: state })).rejects.toThrow(/broken\.json is not valid JSON/);
  writeFileSync(state, '{"version":7}');
  await expect(startEmulator({ port: 0, stateFile: state })).rejects.toThrow(/not an emulator state/);
});

test('an unwritable state path fails at start, not on the first change', async () => {
  await expect(startEmulator({ port: 0, stateFile: join(dir, 'missing', 'state.json') })).rejects.toThrow(/could not save the emulator state/);
});

test('saves the state without following links: a link at the old temporary name or at the state file redirects nothing', async () => {
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'not the emulator’s');
  const state = join(dir, 'state.json');
  // The temporary name earlier versions used was predictable: state.json.<pid>.tmp.
  symlinkSync(victim, `${state}.${process.pid}.tmp`);
  const emulator = await startEmulator({ port: 0, stateFile: state });
  emulator.createProject('PRJ');
  await emulator.close();
  expect(readFileSync(victim, 'utf8')).toBe('not the emulator’s');
  expect(lstatSync(state).isFile()).toBe(true);

  // A state file that is itself a link (to another emulator's state here) is replaced by the saved state; the link's
  // target keeps its bytes.
  const other = join(dir, 'other.json');
  const otherEmulator = await startEmulator({ port: 0, stateFile: other });
  otherEmulator.createProject('OTHER');
  await otherEmulator.close();
  const otherBytes = readFileSync(other, 'utf8');
  const linked = join(dir, 'linked.json');
  symlinkSync(other, linked);
  const throughLink = await startEmulator({ port: 0, stateFile: linked });
  throughLink.createProject('MINE');
  await throughLink.close();
  expect(readFileSync(other, 'utf8')).toBe(otherBytes);
  expect(lstatSync(linked).isFile()).toBe(true);
  expect(statSync(linked).mode & 0o777).toBe(0o600);
  expect(readFileSync(linked, 'utf8')).toContain('MINE');
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp') && !name.includes(String(process.pid)))).toEqual([]);
});
