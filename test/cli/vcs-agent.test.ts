import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

describe('liftgate vcs-agent', () => {
  const base = ['vcs-agent', '--endpoint', 'https://liftgate.example.com', '--target', 'https://bitbucket.internal', '--token', 'lgp_x'];

  it('documents its flags and the requests it forwards', async () => {
    const result = await runCli(['vcs-agent', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--endpoint URL', '--token TOKEN', '--target URL', '--parallelism N', '--ca-cert FILE', '--allowed-projects REGEX']) expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('GET  /rest/api/latest/projects/{p}/repos/{r}/archive');
    expect(result.stdout).toContain('POST /rest/api/latest/projects/{p}/repos/{r}/commits/{id}/builds');
  });

  it.each([
    [['vcs-agent', '--endpoint', 'https://liftgate.example.com', '--token', 'lgp_x'], '--target is required'],
    [['vcs-agent', '--target', 'https://bitbucket.internal', '--token', 'lgp_x'], '--endpoint is required'],
    [['vcs-agent', '--endpoint', 'https://liftgate.example.com', '--target', 'https://bitbucket.internal'], '--token is required'],
    [[...base.slice(0, 3), '--target', 'ftp://bitbucket.internal', '--token', 'x'], '--target must be an http(s) URL'],
    [[...base.slice(0, 3), '--target', 'https://admin:pw@bitbucket.internal', '--token', 'x'], '--target must not contain credentials'],
    [[...base, '--parallelism', '0'], '--parallelism must be a whole number from 1 to 64'],
    [[...base, '--allowed-projects', '(unclosed'], '--allowed-projects is not a regular expression'],
    [[...base, '--ca-cert', '/nonexistent/ca.pem'], '--ca-cert /nonexistent/ca.pem cannot be read: ENOENT'],
  ])('refuses %j with one clear line', async (args, message) => {
    const result = await runCli(args as string[], { env: { LIFTGATE_VCS_AGENT_TOKEN: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it('refuses a --ca-cert file that holds no certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liftgate-vcs-agent-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'not a certificate\n');
      const result = await runCli([...base, '--ca-cert', join(dir, 'ca.pem')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('holds no PEM certificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
