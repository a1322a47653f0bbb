/**
 * `liftgate provider install [--dir DIR]`: puts both providers where Terraform finds them offline, as an
 * unpacked package in its implied local mirror:
 *   <dir>/registry.terraform.io/liftgate/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>
 * Each package holds one tiny launcher script that execs node on lib/cli/provider.js. The script's bytes
 * depend only on the package's install path, type and version, so rebuilding the JavaScript never changes
 * the package hash pinned in .terraform.lock.hcl, and re-running the command rewrites nothing.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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
  --dir DIR     the mirror directory (default ~/.terraform.d/plugins, one Terraform searches by itself;
                ./terraform.d/plugins in a configuration directory works too)
  -h, --help    show this help

Each provider is a small launcher script running \`node\` on this package's lib/cli/provider.js, so
\`node\` must be on the PATH Terraform runs with. Re-running the command is safe: an unchanged launcher
is left as it is, so .terraform.lock.hcl stays valid.`;

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

/** Quotes a string for a POSIX shell: inside single quotes everything is literal except ' itself. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The launcher's bytes. `exec` replaces the shell with node, so the process Terraform started, signals and
 * SIGKILLs is the provider itself (a child behind a wrapper would outlive a kill and hold Terraform's pipes).
 */
export function launcherScript(entryPoint: string, type: string): string {
  return `#!/bin/sh\nexec node ${shellQuote(entryPoint)} ${type} "$@"\n`;
}

export interface InstallOptions {
  /** The mirror directory (absolute). */
  dir: string;
  version: string;
  /** Absolute path of lib/cli/provider.js. */
  entryPoint: string;
  /** Terraform's os_arch, e.g. linux_amd64. */
  platform: string;
}

export interface InstalledProvider {
  type: string;
  path: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

/** The executable's path inside the mirror, as Terraform's unpacked-package layout expects it. */
export function launcherPath(options: Pick<InstallOptions, 'dir' | 'version' | 'platform'>, type: string): string {
  return join(options.dir, providerHostname, providerNamespace, type, options.version, options.platform, `terraform-provider-${type}_v${options.version}`);
}

const executableMode = 0o755;

/** Writes (or leaves alone, when already identical) the launcher of every provider type. */
export function installProviders(options: InstallOptions): InstalledProvider[] {
  return providerTypes.map((type) => {
    const path = launcherPath(options, type);
    const content = launcherScript(options.entryPoint, type);
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (existing === content) {
      if ((statSync(path).mode & 0o777) !== executableMode) chmodSync(path, executableMode);
      return { type, path, outcome: 'unchanged' };
    }
    mkdirSync(dirname(path), { recursive: true });
    // Write beside and rename, so a Terraform run at the same moment never sees half a launcher.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, content, { mode: executableMode });
    chmodSync(temporary, executableMode);
    renameSync(temporary, path);
    return { type, path, outcome: existing === undefined ? 'created' : 'updated' };
  });
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
  const entryPoint = join(__dirname, 'provider.js');
  if (!existsSync(entryPoint)) throw new Error(`${entryPoint} does not exist: build the package first (npm run build)`);
  const version = packageVersion();
  const installed = installProviders({ dir, version, entryPoint, platform: terraformPlatform() });
  for (const provider of installed) process.stdout.write(`${provider.outcome.padEnd(9)} ${provider.path}\n`);
  const sources = providerTypes.map((type) => `${providerNamespace}/${type}`).join(' and ');
  process.stdout.write(`Terraform now finds ${sources} version ${version} in ${dir} (run \`terraform init\`).\n`);
  return 0;
}

export const providerCommand: Command = {
  name: 'provider',
  summary: 'install the Terraform providers into a local mirror (provider install)',
  usage,
  run,
};
