import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseCdkCli, enginesProblem, inspectCdkCli, runProcess, terraformErrors, withoutTerminalEscapes } from '../../../src/cli/demo/toolchain';
import { repoRoot } from '../../helpers/cli';

describe('terraformErrors', () => {
  it('reads the summary and first explanation line of each error cdktf relays, without the stack prefix and boxes', () => {
    const output = [
      'quickstart  ╷',
      '            │ Error: Conflicting Bitbucket credentials in the environment',
      '            │ ',
      '            │   with provider["registry.terraform.io/liftgate/bitbucketdc"],',
      '            │   on cdk.tf.json line 14, in provider.bitbucketdc[0]:',
      '            │   14:       }',
      '            │ ',
      '            │ Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
      '            ╵',
      'Error: Conflicting Bitbucket credentials in the environment',
      '',
      'Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
    ].join('\n');
    expect(terraformErrors(output)).toEqual([
      'Conflicting Bitbucket credentials in the environment: Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD,',
    ]);
  });

  it('finds nothing in output without errors', () => {
    expect(terraformErrors('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.')).toEqual([]);
  });
});

describe('withoutTerminalEscapes', () => {
  it('drops colours and the cursor movements cdktf prints even with --no-color', () => {
    expect(withoutTerminalEscapes('\x1b[2K\x1b[1A\x1b[2K\x1b[Gquickstart  \x1b[31mError\x1b[0m')).toBe('quickstart  Error');
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liftgate-demo-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (name: string) => ({ cwd: dir, env: process.env, logFile: join(dir, `${name}.log`), timeoutMs: 20_000 });

  it('collects the output of stdout and stderr line by line, logs it and resolves to the exit code', async () => {
    const lines: string[] = [];
    const result = await runProcess(process.execPath, ['-e', 'console.log("one\\ntwo"); console.error("three"); process.exit(3)'], {
      ...options('lines'),
      onLine: (line) => lines.push(line),
    });
    expect(result.code).toBe(3);
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
    expect(readFileSync(join(dir, 'lines.log'), 'utf8')).toContain('three');
  });

  it('rejects with ENOENT for a program that does not exist', async () => {
    await expect(runProcess('liftgate-no-such-program', [], options('missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('terminates the program when the signal aborts, without failing on output still in the pipes', async () => {
    const abort = new AbortController();
    let pid = 0;
    const running = runProcess(process.execPath, ['-e', 'console.log(process.pid); setInterval(() => console.log("tick"), 5)'], {
      ...options('abort'),
      signal: abort.signal,
      // Abort once the program is known to run and is still writing (its pid, then a tick), not after a fixed
      // delay, which a busy machine can outlast before the child prints anything.
      onLine: (line) => {
        if (pid === 0) pid = Number(line);
        else abort.abort();
      },
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    for (let attempt = 0; attempt < 50 && isAlive(pid); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('the CDK CLI the demo deploys with', () => {
  const nodeMajor = Number(process.versions.node.split('.')[0]);

  it('reads a minimum Node version from engines and refuses ranges it cannot check', () => {
    expect(enginesProblem('cdktn-cli 0.24.0', '>=22.19.0', 'v20.20.2')).toBe('cdktn-cli 0.24.0 needs Node 22.19.0 or newer, this is v20.20.2');
    expect(enginesProblem('cdktn-cli 0.24.0', '>=22.19.0', 'v22.18.9')).toBe('cdktn-cli 0.24.0 needs Node 22.19.0 or newer, this is v22.18.9');
    expect(enginesProblem('cdktn-cli 0.24.0', '>=22.19.0', 'v22.19.0')).toBeNull();
    expect(enginesProblem('cdktn-cli 0.24.0', '>= 22.19.0', 'v24.1.0')).toBeNull();
    expect(enginesProblem('cdktn-cli 0.24.0', undefined, 'v18.0.0')).toBeNull();
    expect(enginesProblem('x 1.0.0', '^22 || ^24', 'v24.1.0')).toBe('x 1.0.0 asks for Node "^22 || ^24", a range the demo cannot check');
  });

  it('finds cdktn-cli in the liftgate-cdktn workspace and cdktf-cli beside liftgate', () => {
    expect(inspectCdkCli('cdktn', repoRoot).cli).toMatchObject({ tool: 'cdktn', version: expect.stringMatching(/^0\.24\./), entry: expect.stringContaining('cdktn-cli') });
    expect(inspectCdkCli('cdktf', repoRoot).cli).toMatchObject({ tool: 'cdktf', version: expect.stringMatching(/^0\.21\./), entry: expect.stringContaining('cdktf-cli') });
  });

  it(`cdktf-cli runs up to Node 22 and is reported unusable on Node 24, whose ABI node-pty has no build for (this is ${process.version})`, () => {
    const { problem } = inspectCdkCli('cdktf', repoRoot);
    if (nodeMajor <= 22) expect(problem).toBeNull();
    // What node-pty says depends on the install: no build at all, or one for another ABI (an install script ran).
    else expect(problem).toMatch(new RegExp(`^cdktf-cli 0\\.21\\.\\d+ cannot load its node-pty addon on Node ${process.version} \\(ABI ${process.versions.modules};[^)]*\\): \\S`));
  });

  it('prefers cdktn wherever its CLI supports this Node, and says why it falls back to cdktf', () => {
    const cdktn = inspectCdkCli('cdktn', repoRoot);
    const { cli, why } = chooseCdkCli(repoRoot);
    if (cdktn.problem === null) {
      expect(cli.tool).toBe('cdktn');
      expect(why).toBe(`CDK Terrain, whose CLI supports Node ${process.version}`);
    } else {
      expect(cli.tool).toBe('cdktf');
      expect(why).toBe(`cdktf: ${cdktn.problem}`);
    }
  });
});
