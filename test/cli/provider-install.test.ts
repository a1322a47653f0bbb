import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  findingAdvice,
  impliedMirrorDirectories,
  installProviders,
  launcherPath,
  launcherScript,
  packagePath,
  providerInstallationBlock,
  terraformPlatform,
  type InstallOptions,
} from '../../src/cli/provider-install';
import { repoRoot, runCli } from '../helpers/cli';
import { filesUnder } from '../helpers/files';
import { runTerraform } from '../helpers/terraform';

// Every CLI start loads the whole built package and terraform runs offline inits: on a loaded 2-core machine one
// test can take longer than the default 30 s without anything being wrong.
jest.setTimeout(120_000);

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const builtBundle = join(repoRoot, 'lib', 'provider');

const temporaryDirectories: string[] = [];
function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'provider-install-'));
  temporaryDirectories.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporaryDirectories) rmSync(dir, { recursive: true, force: true });
});

/** Every file under a directory (paths relative to it) with its bytes and permission bits. */
function snapshot(dir: string): Record<string, { content: string; mode: number }> {
  return Object.fromEntries(
    filesUnder(dir)
      .sort()
      .map((path) => [relative(dir, path), { content: readFileSync(path, 'latin1'), mode: statSync(path).mode & 0o777 }]),
  );
}

/** A stand-in for lib/provider: an entry script and a proto file. */
function fakeBundle(entry = 'console.log("provider", process.argv.slice(2).join(" "));\n'): string {
  const dir = temporaryDirectory();
  mkdirSync(join(dir, 'proto'));
  writeFileSync(join(dir, 'provider.js'), entry);
  writeFileSync(join(dir, 'proto', 'x.proto'), 'syntax = "proto3";\n');
  return dir;
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
  it('is the same wherever Liftgate is installed: it names only the type and the bundle beside it', () => {
    expect(launcherScript('bitbucketdc')).toBe(`#!/bin/sh\nexec node "$(dirname "$0")/provider.js" bitbucketdc "$@"\n`);
  });

  it('runs the bundle next to the path it was started by, through a symlinked directory and a path with spaces and quotes', () => {
    const bundle = fakeBundle();
    const mirror = join(temporaryDirectory(), "it's a $HOME `dir`");
    const [installed] = installProviders({ dir: mirror, version: '1.2.3', bundleDir: bundle, platform: 'linux_amd64' });
    // Terraform links .terraform/providers/…/<os_arch> to the mirror's package directory and runs the file through the link.
    const link = join(temporaryDirectory(), 'linked package');
    symlinkSync(installed!.path, link);
    const result = spawnSync(join(link, 'terraform-provider-liftgate_v1.2.3'), ['extra arg'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('provider liftgate extra arg\n');
  });
});

describe('installProviders', () => {
  const options = (dir: string, bundleDir: string): InstallOptions => ({ dir, version: '1.2.3', bundleDir, platform: 'linux_amd64' });

  it("writes one package per provider in Terraform's unpacked mirror layout: the launcher and the bundle", () => {
    const bundle = fakeBundle();
    const dir = temporaryDirectory();
    const installed = installProviders(options(dir, bundle));
    expect(installed.map(({ type, outcome }) => [type, outcome])).toEqual([
      ['liftgate', 'created'],
      ['bitbucketdc', 'created'],
    ]);
    const files = (type: string) => ({
      [`registry.terraform.io/liftgate/${type}/1.2.3/linux_amd64/terraform-provider-${type}_v1.2.3`]: { content: launcherScript(type), mode: 0o755 },
      [`registry.terraform.io/liftgate/${type}/1.2.3/linux_amd64/provider.js`]: { content: readFileSync(join(bundle, 'provider.js'), 'latin1'), mode: 0o644 },
      [`registry.terraform.io/liftgate/${type}/1.2.3/linux_amd64/proto/x.proto`]: { content: 'syntax = "proto3";\n', mode: 0o644 },
    });
    expect(snapshot(dir)).toEqual({ ...files('liftgate'), ...files('bitbucketdc') });
  });

  it('is idempotent: a second run leaves identical bytes untouched (same mtime) and restores a lost executable bit', () => {
    const bundle = fakeBundle();
    const dir = temporaryDirectory();
    installProviders(options(dir, bundle));
    const path = launcherPath(options(dir, bundle), 'liftgate');
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(path, past, past);
    spawnSync('chmod', ['644', path]);
    const before = snapshot(dir);
    expect(installProviders(options(dir, bundle)).map(({ outcome }) => outcome)).toEqual(['unchanged', 'unchanged']);
    expect(statSync(path).mtime.toISOString()).toBe(past.toISOString());
    expect(statSync(path).mode & 0o777).toBe(0o755);
    expect(snapshot(dir)).toEqual({ ...before, [relative(dir, path)]: { ...before[relative(dir, path)]!, mode: 0o755 } });
  });

  it('makes the package hold exactly its files: a changed bundle is rewritten and anything else is removed', () => {
    const dir = temporaryDirectory();
    installProviders(options(dir, fakeBundle()));
    const packageDir = packagePath(options(dir, ''), 'bitbucketdc');
    // What an older Liftgate left (a launcher with an absolute path and no bundle) or a stray file would change the hash.
    writeFileSync(join(packageDir, 'stray.tmp'), 'x');
    const rebuilt = fakeBundle('console.log("rebuilt");\n');
    expect(installProviders(options(dir, rebuilt)).map(({ outcome }) => outcome)).toEqual(['updated', 'updated']);
    expect(readFileSync(join(packageDir, 'provider.js'), 'utf8')).toBe('console.log("rebuilt");\n');
    expect(Object.keys(snapshot(packageDir)).sort()).toEqual(['proto/x.proto', 'provider.js', 'terraform-provider-bitbucketdc_v1.2.3']);
  });

  it('refuses an unbuilt package with what to do', () => {
    expect(() => installProviders(options(temporaryDirectory(), temporaryDirectory()))).toThrow('build the package first (npm run build)');
  });
});

describe('where Terraform finds the providers', () => {
  const home = '/home/u';

  it("lists Terraform's implied mirror directories, following XDG_DATA_HOME and XDG_DATA_DIRS on Linux", () => {
    expect(impliedMirrorDirectories({}, home, 'linux')).toEqual([
      '/home/u/.terraform.d/plugins',
      '/home/u/.local/share/terraform/plugins',
      '/usr/local/share/terraform/plugins',
      '/usr/share/terraform/plugins',
    ]);
    expect(impliedMirrorDirectories({ XDG_DATA_HOME: '/data', XDG_DATA_DIRS: '/opt/share' }, home, 'linux')).toEqual([
      '/home/u/.terraform.d/plugins',
      '/data/terraform/plugins',
      '/opt/share/terraform/plugins',
    ]);
    expect(impliedMirrorDirectories({}, home, 'darwin')).toContain('/home/u/Library/Application Support/io.terraform/plugins');
  });

  it('says Terraform finds an implied directory by itself, and prints the CLI configuration for any other', () => {
    const emptyConfig = join(temporaryDirectory(), 'terraformrc');
    writeFileSync(emptyConfig, '');
    const env = { TF_CLI_CONFIG_FILE: emptyConfig };
    expect(findingAdvice('/home/u/.terraform.d/plugins', env, home)).toBe('terraform init finds liftgate/liftgate and liftgate/bitbucketdc there by itself (no registry needed).\n');
    const advice = findingAdvice('/srv/mirror', env, home);
    expect(advice).toContain(`Terraform does not search /srv/mirror by itself: add this to ${emptyConfig}:`);
    expect(advice).toContain(providerInstallationBlock('/srv/mirror'));
  });

  it('warns that a provider_installation block in the CLI configuration switches the implied directories off', () => {
    const config = join(temporaryDirectory(), 'corporate.tfrc');
    writeFileSync(config, 'provider_installation {\n  network_mirror {\n    url = "https://mirror.example.com/"\n  }\n}\n');
    const advice = findingAdvice('/home/u/.terraform.d/plugins', { TF_CLI_CONFIG_FILE: config }, home);
    expect(advice).toContain(`Your CLI configuration ${config} has a provider_installation block, so Terraform searches only what it lists`);
    expect(advice).toContain('(merge it into the block you have)');
    expect(advice).toContain('path    = "/home/u/.terraform.d/plugins"');
  });

  it('writes a block that installs only liftgate/* from the mirror and everything else as before', () => {
    expect(providerInstallationBlock('/srv/mirror')).toBe(
      [
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/srv/mirror"',
        '    include = ["registry.terraform.io/liftgate/*"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/liftgate/*"]',
        '  }',
        '}',
      ].join('\n'),
    );
  });
});

describe('liftgate provider install', () => {
  it('installs both providers into --dir from the built bundle, prints what it wrote and the CLI configuration that finds them', async () => {
    const dir = temporaryDirectory();
    const home = temporaryDirectory();
    const result = await runCli(['provider', 'install', '--dir', dir], { env: { HOME: home, TF_CLI_CONFIG_FILE: '' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const platform = terraformPlatform();
    const packages = ['liftgate', 'bitbucketdc'].map((type) => join(dir, 'registry.terraform.io', 'liftgate', type, version, platform));
    expect(result.stdout).toBe(
      `created   ${packages[0]}\ncreated   ${packages[1]}\n` +
        `Installed liftgate/liftgate and liftgate/bitbucketdc ${version} into ${dir}. ` +
        `Terraform does not search ${dir} by itself: add this to ~/.terraformrc (or the file TF_CLI_CONFIG_FILE names):\n\n${providerInstallationBlock(dir)}\n`,
    );
    expect(readFileSync(join(packages[1]!, 'provider.js'))).toEqual(readFileSync(join(builtBundle, 'provider.js')));
    const again = await runCli(['provider', 'install', '--dir', dir], { env: { HOME: home } });
    expect(again.stdout).toContain(`unchanged ${packages[0]}`);
  });

  it('defaults to ~/.terraform.d/plugins, which Terraform searches by itself', async () => {
    const home = temporaryDirectory();
    const result = await runCli(['provider', 'install'], { env: { HOME: home, TF_CLI_CONFIG_FILE: '', XDG_DATA_HOME: '', XDG_DATA_DIRS: '' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('terraform init finds liftgate/liftgate and liftgate/bitbucketdc there by itself');
    expect(filesUnder(join(home, '.terraform.d', 'plugins')).length).toBe(2 * filesUnder(builtBundle).length + 2);
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

describe('the provider bundle', () => {
  it('holds no path of the checkout it was built in, so a build anywhere else gives the same bytes', () => {
    const bundle = readFileSync(join(builtBundle, 'provider.js'), 'utf8');
    expect(bundle).not.toContain(repoRoot);
    expect(bundle).not.toMatch(/["'`]\/(?:home|root|tmp|work|Users)\//);
  });
});

describe('a lock file made with one installation holds for another (real terraform, offline)', () => {
  /** Terraform with one machine's environment; its TF_CLI_CONFIG_FILE is the CLI configuration. */
  function terraform(args: string[], cwd: string, { TF_CLI_CONFIG_FILE: cliConfig, ...env }: NodeJS.ProcessEnv) {
    return runTerraform([...args, '-no-color'], { cwd, cliConfig: cliConfig ?? '', env, timeoutMs: 90_000 });
  }

  /** The package as `npm install` lays it out under `parent` (its runtime dependencies linked from this checkout). */
  function installedCopy(parent: string): string {
    const root = join(parent, 'node_modules', 'liftgate');
    for (const entry of ['bin', 'lib', 'package.json']) cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    return root;
  }

  function run(root: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
    return spawnSync(process.execPath, [join(root, 'bin', 'liftgate'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  }

  const mainTf =
    `terraform {\n  required_providers {\n` +
    `    liftgate    = { source = "liftgate/liftgate", version = "${version}" }\n` +
    `    bitbucketdc = { source = "liftgate/bitbucketdc", version = "${version}" }\n` +
    `  }\n}\n`;

  it('installs byte-identical packages from two paths; init on the second accepts the first one\'s lock file, also after the first is gone', async () => {
    // Machine A: a developer's project, providers in the default ~/.terraform.d/plugins.
    const machineA = temporaryDirectory();
    const homeA = join(machineA, 'home');
    const packageA = installedCopy(join(machineA, 'projects', 'platform'));
    const emptyConfig = join(machineA, 'empty.tfrc');
    writeFileSync(emptyConfig, '');
    const envA = { HOME: homeA, TF_CLI_CONFIG_FILE: emptyConfig, XDG_DATA_HOME: '', XDG_DATA_DIRS: '' };
    expect(run(packageA, ['provider', 'install'], envA).status).toBe(0);
    const workA = join(machineA, 'projects', 'platform', 'terraform');
    mkdirSync(workA, { recursive: true });
    writeFileSync(join(workA, 'main.tf'), mainTf);
    const initA = await terraform(['init'], workA, envA);
    expect(initA.output).toContain(`Installed liftgate/liftgate v${version} (unauthenticated)`);
    expect(initA.code).toBe(0);
    const lock = readFileSync(join(workA, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(/provider "registry.terraform.io\/liftgate\/liftgate" \{[^}]*h1:/);

    // Machine B: a CI runner with another checkout path, another node_modules and a mirror of its own.
    const machineB = temporaryDirectory();
    const packageB = installedCopy(join(machineB, 'builds', 'runner-7', 'checkout'));
    const mirrorB = join(machineB, 'cache', 'terraform-providers');
    const installB = run(packageB, ['provider', 'install', '--dir', mirrorB], { HOME: join(machineB, 'home') });
    expect(installB.status).toBe(0);
    expect(snapshot(mirrorB)).toEqual(snapshot(join(homeA, '.terraform.d', 'plugins')));

    // The CLI configuration is the one `provider install --dir` printed.
    const cliConfigB = join(machineB, 'terraform.tfrc');
    writeFileSync(cliConfigB, `${providerInstallationBlock(mirrorB)}\n`);
    expect(installB.stdout).toContain(providerInstallationBlock(mirrorB));
    const workB = join(machineB, 'builds', 'runner-7', 'checkout', 'terraform');
    mkdirSync(workB, { recursive: true });
    writeFileSync(join(workB, 'main.tf'), mainTf);
    writeFileSync(join(workB, '.terraform.lock.hcl'), lock);
    const envB = { HOME: join(machineB, 'home'), TF_CLI_CONFIG_FILE: cliConfigB };
    const initB = await terraform(['init'], workB, envB);
    expect(initB.output).not.toContain("doesn't match any of the checksums");
    expect(initB.code).toBe(0);
    expect((await terraform(['init', '-upgrade'], workB, envB)).code).toBe(0);
    expect(readFileSync(join(workB, '.terraform.lock.hcl'), 'utf8')).toBe(lock);

    // The packages need nothing of the installation that wrote them: both providers start with it removed.
    rmSync(packageB, { recursive: true, force: true });
    const schema = await terraform(['providers', 'schema', '-json'], workB, envB);
    expect(schema.code).toBe(0);
    expect(schema.output).toContain('"registry.terraform.io/liftgate/bitbucketdc"');
    expect(schema.output).toContain('"liftgate_stack"');
  });
});
