/**
 * `liftgate provider install [--dir DIR]`: puts both providers where Terraform finds them offline, as unpacked
 * packages of a filesystem mirror:
 *   <dir>/registry.terraform.io/liftgate/<type>/<version>/<os>_<arch>/
 *     terraform-provider-<type>_v<version>   a launcher: exec node on provider.js beside it
 *     provider.js, proto/*.proto             the provider bundle (lib/provider, built by scripts/build-provider.js)
 * Terraform pins a provider by the h1: hash of its package directory: the paths and contents of every file in it
 * (not their modes). Every file here depends only on the Liftgate version and the provider type, never on where
 * Liftgate is installed, so a .terraform.lock.hcl made on one machine (or CI runner, or checkout) holds on
 * another; and the package needs nothing outside itself, so it keeps working when node_modules moves.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseFlags, UsageError, type Command } from './command';

export const providerHostname = 'registry.terraform.io';
export const providerNamespace = 'liftgate';
export const providerTypes = ['liftgate', 'bitbucketdc'] as const;

const usage = `Usage: liftgate provider install [--dir DIR]

Installs the Terraform providers liftgate/liftgate and liftgate/bitbucketdc into a local provider mirror,
so that \`terraform init\` finds them without a registry.

Options:
  --dir DIR     the mirror directory (default ~/.terraform.d/plugins, which Terraform searches by itself
                unless your CLI configuration has a provider_installation block; for any other directory
                the command prints the CLI configuration that makes Terraform search it)
  -h, --help    show this help

Each provider package holds a small launcher running \`node\` (which must be on the PATH Terraform runs
with) and the provider's JavaScript. Its files depend only on the Liftgate version, so a
.terraform.lock.hcl made on one machine is valid on every other; re-running the command changes nothing.`;

/** Node's platform/arch names to Terraform's (Go's GOOS_GOARCH), e.g. linux_amd64, darwin_arm64. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const goos: Partial<Record<NodeJS.Platform, string>> = {
    linux: 'linux',
    darwin: 'darwin',
    freebsd: 'freebsd',
    openbsd: 'openbsd',
    netbsd: 'netbsd',
  };
  const goarch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  const os = goos[platform];
  if (os === undefined) {
    throw new Error(
      platform === 'win32'
        ? 'provider install needs a Unix-like system: the providers are started through a shell launcher, which Terraform cannot run on Windows'
        : `unsupported operating system "${platform}" (Terraform builds exist for linux, darwin, freebsd, openbsd)`,
    );
  }
  const cpu = goarch[arch];
  if (cpu === undefined) throw new Error(`unsupported CPU architecture "${arch}" (supported: ${Object.keys(goarch).join(', ')})`);
  return `${os}_${cpu}`;
}

/** The bundle's entry file inside a package; the launcher runs it. */
export const bundleEntry = 'provider.js';

/**
 * The launcher's bytes: the same in every package of a type. `exec` replaces the shell with node, so the process
 * Terraform started, signals and SIGKILLs is the provider itself (a child behind a wrapper would outlive a kill and
 * hold Terraform's pipes). `$0` is the path Terraform ran, inside the package (a symlink into the mirror, or a copy).
 */
export function launcherScript(type: string): string {
  return `#!/bin/sh\nexec node "$(dirname "$0")/${bundleEntry}" ${type} "$@"\n`;
}

export interface InstallOptions {
  /** The mirror directory (absolute). */
  dir: string;
  version: string;
  /** The built provider bundle: lib/provider, holding provider.js and proto/. */
  bundleDir: string;
  /** Terraform's os_arch, e.g. linux_amd64. */
  platform: string;
}

export interface InstalledProvider {
  type: string;
  /** The package directory (what Terraform hashes). */
  path: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

/** The package directory inside the mirror, as Terraform's unpacked layout expects it. */
export function packagePath(options: Pick<InstallOptions, 'dir' | 'version' | 'platform'>, type: string): string {
  return join(options.dir, providerHostname, providerNamespace, type, options.version, options.platform);
}

/** The executable Terraform starts, inside the package directory. */
export function launcherPath(options: Pick<InstallOptions, 'dir' | 'version' | 'platform'>, type: string): string {
  return join(packagePath(options, type), `terraform-provider-${type}_v${options.version}`);
}

/** Files under `dir` (relative paths with `/`, sorted); none when it does not exist. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .sort();
}

/** Every file a package of `type` consists of: relative path → bytes and mode. */
function packageFiles(options: InstallOptions, type: string): Map<string, { content: Buffer; mode: number }> {
  const files = new Map<string, { content: Buffer; mode: number }>();
  files.set(`terraform-provider-${type}_v${options.version}`, { content: Buffer.from(launcherScript(type)), mode: 0o755 });
  const bundled = filesUnder(options.bundleDir);
  if (!bundled.includes(bundleEntry)) {
    throw new Error(`${join(options.bundleDir, bundleEntry)} does not exist: build the package first (npm run build)`);
  }
  for (const file of bundled) files.set(file, { content: readFileSync(join(options.bundleDir, file)), mode: 0o644 });
  return files;
}

/**
 * Makes each provider's package directory hold exactly its files: writes those that differ (beside, then renamed,
 * so a Terraform run at the same moment never reads half a file), fixes modes, and removes anything else (a file
 * left there would change the package's hash).
 */
export function installProviders(options: InstallOptions): InstalledProvider[] {
  return providerTypes.map((type) => {
    const path = packagePath(options, type);
    const wanted = packageFiles(options, type);
    const present = filesUnder(path);
    let changed = false;
    for (const file of present) {
      if (!wanted.has(file)) {
        rmSync(join(path, file), { force: true });
        changed = true;
      }
    }
    for (const [file, { content, mode }] of wanted) {
      const target = join(path, file);
      if (present.includes(file) && readFileSync(target).equals(content)) {
        if ((statSync(target).mode & 0o777) !== mode) chmodSync(target, mode);
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, content, { mode });
      chmodSync(temporary, mode);
      renameSync(temporary, target);
      changed = true;
    }
    const outcome = present.length === 0 ? 'created' : changed ? 'updated' : 'unchanged';
    return { type, path, outcome };
  });
}

/**
 * The directories Terraform searches for providers by itself when the CLI configuration has no
 * provider_installation block (its "implied local mirror directories"), except `terraform.d/plugins`, which is
 * relative to the directory terraform is started in.
 */
export function impliedMirrorDirectories(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), platform: NodeJS.Platform = process.platform): string[] {
  const directories = [join(home, '.terraform.d', 'plugins')];
  if (platform === 'darwin') {
    directories.push(join(home, 'Library', 'Application Support', 'io.terraform', 'plugins'), '/Library/Application Support/io.terraform/plugins');
  } else {
    directories.push(join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'terraform', 'plugins'));
    for (const data of (env.XDG_DATA_DIRS || '/usr/local/share/:/usr/share/').split(':').filter((entry) => entry !== '')) {
      directories.push(join(data, 'terraform', 'plugins'));
    }
  }
  return directories.map((directory) => resolve(directory));
}

/** The CLI configuration file terraform reads, when there is one. */
function cliConfigFile(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const file = env.TF_CLI_CONFIG_FILE || join(home, '.terraformrc');
  return existsSync(file) ? file : undefined;
}

/** The provider_installation block that makes Terraform install Liftgate's providers from `dir` and nothing else from anywhere but the registry. */
export function providerInstallationBlock(dir: string): string {
  const sources = JSON.stringify([`${providerHostname}/${providerNamespace}/*`]);
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(dir)}`,
    `    include = ${sources}`,
    '  }',
    '  direct {',
    `    exclude = ${sources}`,
    '  }',
    '}',
  ].join('\n');
}

/** What to tell the user about how Terraform will find the providers in `dir`. */
export function findingAdvice(dir: string, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const sources = providerTypes.map((type) => `${providerNamespace}/${type}`).join(' and ');
  const config = cliConfigFile(env, home);
  const explicit = config !== undefined && /^\s*provider_installation\s*\{/m.test(readFileSync(config, 'utf8'));
  if (impliedMirrorDirectories(env, home).includes(dir) && !explicit) {
    return `terraform init finds ${sources} there by itself (no registry needed).\n`;
  }
  const why = explicit
    ? `Your CLI configuration ${config} has a provider_installation block, so Terraform searches only what it lists`
    : `Terraform does not search ${dir} by itself`;
  return (
    `${why}: add this to ${config ?? '~/.terraformrc (or the file TF_CLI_CONFIG_FILE names)'}` +
    `${explicit ? ' (merge it into the block you have)' : ''}:\n\n${providerInstallationBlock(dir)}\n`
  );
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(manifest.version)) {
    throw new Error(`package.json has no semantic version Terraform accepts (got ${JSON.stringify(manifest.version)})`);
  }
  return manifest.version;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { dir: { type: 'string' } }, { allowPositionals: true });
  if (positionals.length === 0) throw new UsageError('missing sub-command: liftgate provider install [--dir DIR]');
  if (positionals[0] !== 'install' || positionals.length > 1) {
    throw new UsageError(`unknown sub-command "${positionals.join(' ')}": the only one is "install"`);
  }
  if (values.dir !== undefined && values.dir.trim() === '') throw new UsageError('--dir must not be empty');
  const dir = resolve(values.dir ?? join(homedir(), '.terraform.d', 'plugins'));
  const version = packageVersion();
  const installed = installProviders({ dir, version, bundleDir: join(__dirname, '..', 'provider'), platform: terraformPlatform() });
  for (const provider of installed) process.stdout.write(`${provider.outcome.padEnd(9)} ${provider.path}\n`);
  process.stdout.write(`Installed ${providerTypes.map((type) => `${providerNamespace}/${type}`).join(' and ')} ${version} into ${dir}. `);
  process.stdout.write(findingAdvice(dir));
  return 0;
}

export const providerCommand: Command = {
  name: 'provider',
  summary: 'install the Terraform providers into a local mirror (provider install)',
  usage,
  run,
};
