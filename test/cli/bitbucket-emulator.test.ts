import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli';
import type { RunningProcess } from '../helpers/process';

/** Starts `liftgate bitbucket-emulator` and resolves once it printed what it prints at start (its lines). */
async function startEmulatorCli(args: string[]): Promise<RunningProcess<string[]>> {
  const expected = (args.includes('--admin-token') ? 1 : 2) + (args.includes('--state') ? 1 : 0);
  return startCli(['bitbucket-emulator', '--port', '0', ...args], (stdout) => {
    const lines = stdout.split('\n').filter((line) => line !== '');
    return lines.length >= expected ? lines : undefined;
  });
}

describe('liftgate bitbucket-emulator', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'liftgate-emulator-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('--help describes the flags', async () => {
    const result = await runCli(['bitbucket-emulator', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--host', '--port', '--state', '--admin-token']) expect(result.stdout).toContain(flag);
  });

  test.each([
    [['--port', 'abc'], /--port must be a port number/],
    [['--bogus'], /bogus/],
    [['--admin-token', ''], /--admin-token/],
  ])('bad flags %j give one clear error line', async (args, message) => {
    const result = await runCli(['bitbucket-emulator', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  test('prints its URL, writes a generated admin token to a private file and stops on SIGTERM', async () => {
    const emulator = await startEmulatorCli([]);
    const lines = emulator.ready;
    try {
      const url = lines[0]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const tokenFile = /written to (\S+)$/.exec(lines[1]!)![1]!;
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, 'utf8').trim();
      const authorized = await fetch(`${url}/rest/api/latest/projects`, { headers: { Authorization: `Bearer ${token}` } });
      expect(authorized.status).toBe(200);
      const refused = await fetch(`${url}/rest/api/latest/projects`, { headers: { Authorization: 'Bearer wrong' } });
      expect(refused.status).toBe(401);
    } finally {
      expect(await emulator.stop('SIGTERM')).toBe(0);
    }
  });

  test('--state keeps projects across a restart (SIGINT also stops cleanly)', async () => {
    const state = join(dir, 'state.json');
    const first = await startEmulatorCli(['--state', state, '--admin-token', 'admin-secret']);
    const headers = { Authorization: 'Bearer admin-secret', 'Content-Type': 'application/json' };
    const created = await fetch(`${first.ready[0]}/rest/api/latest/projects`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ key: 'KEEP', name: 'Kept' }),
    });
    expect(created.status).toBe(201);
    expect(await first.stop('SIGINT')).toBe(0);

    const second = await startEmulatorCli(['--state', state, '--admin-token', 'admin-secret']);
    try {
      const project = await fetch(`${second.ready[0]}/rest/api/latest/projects/KEEP`, { headers });
      expect(project.status).toBe(200);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });
});
