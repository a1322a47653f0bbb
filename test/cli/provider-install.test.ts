import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installProviders,
  launcherPath,
  launcherScript,
  terraformPlatform,
  type InstallOptions,
} from '../../src/cli/provider-install';
import { repoRoot, runCli } from '../helpers/cli';
import { runTerraform } from '../helpers/terraform';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const builtEntryPoint = join(repoRoot, 'lib', 'cli', 'provider.js');

const temporaryDirectories: string[] = [];
function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'provider-install-'));
  temporaryDirectories.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporaryDirectories) rmSync(dir, { recursive: true, force: true });
});

/** Every file under a directory with its bytes and permission bits. */
function snapshot(dir: string): Record<string, { content: string; mode: number }> {
  const files: Record<string, { content: string; mode: number }> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(dir.length)] = { content: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777 };
    }
  }
  return files;
}

describe('terraformPlatform', () => {
  it.each([
    ['linux', 'x64', 'linux_amd64'],
    ['linux', 'arm64', 'linux_arm64'],
    ['darwin', 'arm64', 'darwin_arm64'],
    ['darwin', 'x64', 'darwin_amd64'],
    ['freebsd', 'ia32', 'freebsd_386'],
    ['linux', 'arm', 'linux_arm'],
  ] as const)('maps %s/%s to %s', (platform, arch, expected) => {
    expect(terraformPlatform(platform, arch)).toBe(expected);
  });

  it('refuses Windows and unknown architectures with the reason', () => {
    expect(() => terraformPlatform('win32', 'x64')).toThrow('shell launcher');
    expect(() => terraformPlatform('linux', 'mips')).toThrow('unsupported CPU architecture "mips"');
  });
});

describe('launcherScript', () => {
  it('execs node on the entry point with the provider type and passes arguments through', () => {
    expect(launcherScript('/opt/liftgate/lib/cli/provider.js', 'bitbucketdc')).toBe(
      `#!/bin/sh\nexec node '/opt/liftgate/lib/cli/provider.js' bitbucketdc "$@"\n`,
    );
  });

  it('quotes paths with spaces and quotes so the shell passes them through unchanged', () => {
    const awkward = "/tmp/it's here/$HOME/`x`/provider.js";
    const dir = temporaryDirectory();
    const script = join(dir, 'launcher');
    // Swap `node` for `echo` to see exactly the arguments node would get.
    writeFileSync(script, launcherScript(awkward, 'liftgate').replace('exec node', 'exec echo'), { mode: 0o755 });
    const result = spawnSync('sh', [script, 'extra arg']);
    expect(result.stdout.toString()).toBe(`${awkward} liftgate extra arg\n`);
  });
});

describe('installProviders', () => {
  const options = (dir: string): InstallOptions => ({ dir, version: '1.2.3', entryPoint: '/opt/liftgate/lib/cli/provider.js', platform: 'linux_amd64' });

  it("writes one executable launcher per provider in Terraform's unpacked mirror layout", () => {
    const dir = temporaryDirectory();
    const installed = installProviders(options(dir));
    expect(installed.map(({ type, outcome }) => [type, outcome])).toEqual([
      ['liftgate', 'created'],
      ['bitbucketdc', 'created'],
    ]);
    expect(snapshot(dir)).toEqual({
      '/registry.terraform.io/liftgate/liftgate/1.2.3/linux_amd64/terraform-provider-liftgate_v1.2.3': {
        content: launcherScript('/opt/liftgate/lib/cli/provider.js', 'liftgate'),
        mode: 0o755,
      },
      '/registry.terraform.io/liftgate/bitbucketdc/1.2.3/linux_amd64/terraform-provider-bitbucketdc_v1.2.3': {
        content: launcherScript('/opt/liftgate/lib/cli/provider.js', 'bitbucketdc'),
        mode: 0o755,
      },
    });
  });

  it('is idempotent: a second run leaves identical bytes untouched (same mtime), so the lock-file hash holds', () => {
    const dir = temporaryDirectory();
    installProviders(options(dir));
    const path = launcherPath(options(dir), 'liftgate');
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(path, past, past);
    const before = snapshot(dir);
    expect(installProviders(options(dir)).map(({ outcome }) => outcome)).toEqual(['unchanged', 'unchanged']);
    expect(snapshot(dir)).toEqual(before);
    expect(statSync(path).mtime.toISOString()).toBe(past.toISOString());
  });

  it('rewrites a launcher that differs (the package moved) and restores a lost executable bit', () => {
    const dir = temporaryDirectory();
    installProviders(options(dir));
    const moved = { ...options(dir), entryPoint: '/srv/liftgate/lib/cli/provider.js' };
    expect(installProviders(moved).map(({ outcome }) => outcome)).toEqual(['updated', 'updated']);
    expect(readFileSync(launcherPath(moved, 'bitbucketdc'), 'utf8')).toContain("'/srv/liftgate/lib/cli/provider.js'");
    const path = launcherPath(moved, 'liftgate');
    spawnSync('chmod', ['644', path]);
    expect(installProviders(moved)[0].outcome).toBe('unchanged');
    expect(statSync(path).mode & 0o777).toBe(0o755);
  });
});

describe('liftgate provider install', () => {
  it('installs both providers into --dir, pointing at the built entry point, and prints what it wrote', async () => {
    const dir = temporaryDirectory();
    const result = await runCli(['provider', 'install', '--dir', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const platform = terraformPlatform();
    const expectedPaths = ['liftgate', 'bitbucketdc'].map((type) =>
      join(dir, 'registry.terraform.io', 'liftgate', type, version, platform, `terraform-provider-${type}_v${version}`),
    );
    expect(result.stdout).toBe(
      `created   ${expectedPaths[0]}\ncreated   ${expectedPaths[1]}\n` +
        `Terraform now finds liftgate/liftgate and liftgate/bitbucketdc version ${version} in ${dir} (run \`terraform init\`).\n`,
    );
    expect(readFileSync(expectedPaths[1], 'utf8')).toBe(launcherScript(builtEntryPoint, 'bitbucketdc'));
    const again = await runCli(['provider', 'install', '--dir', dir]);
    expect(again.stdout).toContain(`unchanged ${expectedPaths[0]}`);
  });

  it('defaults to ~/.terraform.d/plugins', async () => {
    const home = temporaryDirectory();
    const result = await runCli(['provider', 'install'], { env: { HOME: home } });
    expect(result.code).toBe(0);
    expect(Object.keys(snapshot(join(home, '.terraform.d', 'plugins')))).toHaveLength(2);
  });

  it.each([
    [['provider'], 'missing sub-command'],
    [['provider', 'uninstall'], 'unknown sub-command "uninstall"'],
    [['provider', 'install', '--dir', ''], '--dir must not be empty'],
    [['provider', 'install', '--force'], "Unknown option '--force'"],
  ])('rejects %p with one line and exit code 1', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('terraform init against the installed mirror (real terraform, offline)', () => {
  const terraform = (args: string[], cwd: string, cliConfig: string) => runTerraform(args, { cwd, cliConfig, timeoutMs: 60_000 });

  it('finds both providers in the implied ./terraform.d/plugins mirror, a re-install keeps the lock file valid, and the launchers start the providers', async () => {
    const root = temporaryDirectory();
    const workdir = join(root, 'work');
    mkdirSync(workdir);
    // An empty CLI config: no provider_installation block, so Terraform uses its implied mirrors.
    const cliConfig = join(root, 'terraformrc');
    writeFileSync(cliConfig, '');
    writeFileSync(
      join(workdir, 'main.tf'),
      `terraform {\n  required_providers {\n` +
        `    liftgate    = { source = "liftgate/liftgate", version = "${version}" }\n` +
        `    bitbucketdc = { source = "liftgate/bitbucketdc", version = "${version}" }\n` +
        `  }\n}\n`,
    );
    expect((await runCli(['provider', 'install', '--dir', join(workdir, 'terraform.d', 'plugins')])).code).toBe(0);

    const init = await terraform(['init', '-no-color'], workdir, cliConfig);
    expect(init.output).toContain(`Installing liftgate/bitbucketdc v${version}...`);
    expect(init.output).toContain(`Installed liftgate/liftgate v${version} (unauthenticated)`);
    expect(init.code).toBe(0);
    const lock = readFileSync(join(workdir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(/provider "registry.terraform.io\/liftgate\/bitbucketdc" \{[^}]*h1:/);
    expect(lock).toMatch(/provider "registry.terraform.io\/liftgate\/liftgate" \{[^}]*h1:/);

    // Re-installing (as after an upgrade or rebuild of the JavaScript) must not invalidate the pinned hashes.
    expect((await runCli(['provider', 'install', '--dir', join(workdir, 'terraform.d', 'plugins')])).code).toBe(0);
    const again = await terraform(['init', '-no-color'], workdir, cliConfig);
    expect(again.code).toBe(0);
    expect(readFileSync(join(workdir, '.terraform.lock.hcl'), 'utf8')).toBe(lock);
    const providers = await terraform(['providers', 'lock', '-fs-mirror', join(workdir, 'terraform.d', 'plugins'), '-no-color'], workdir, cliConfig);
    expect(providers.code).toBe(0);
    expect(readFileSync(join(workdir, '.terraform.lock.hcl'), 'utf8')).toBe(lock);

    // validate loads both providers' schemas: Terraform runs each launcher, which runs the built provider.
    const validate = await terraform(['validate', '-no-color'], workdir, cliConfig);
    expect(validate.output).toContain('Success! The configuration is valid.');
    expect(validate.code).toBe(0);
  });
});
