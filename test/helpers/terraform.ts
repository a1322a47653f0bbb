/**
 * Runs the real `terraform` binary against Liftgate's own providers, offline, the way a user installs
 * them: `installProviders` (what `liftgate provider install` runs) writes the provider packages into a
 * temporary filesystem mirror, and a CLI config points Terraform at it. Needs the built lib/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli';
import { runProcess, type ProcessResult } from './process';

export type TerraformResult = ProcessResult;

/**
 * Runs the real `terraform` in `cwd` with `cliConfig` as its only CLI configuration: no prompts, no plugin
 * cache, no checkpoint call, and none of the test's own TF_* variables (a TF_LOG would flood stderr, a
 * TF_CLI_ARGS change every command). `env` is applied last.
 */
export function runTerraform(
  args: string[],
  { cwd, cliConfig, timeoutMs, env = {} }: { cwd: string; cliConfig: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<TerraformResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TF_')));
  return runProcess('terraform', args, {
    cwd,
    env: { ...inherited, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_PLUGIN_CACHE_DIR: '', ...env },
    timeoutMs,
  });
}

/**
 * The `terraform { required_providers }` block for one provider and, when `settings` are given, its provider block
 * (each setting a string, written as an HCL string).
 */
export function providerConfig(name: string, source: string, settings?: Record<string, string>, version?: string): string {
  const required = `terraform {\n  required_providers {\n    ${name} = { source = ${JSON.stringify(source)}${version === undefined ? '' : `, version = ${JSON.stringify(version)}`} }\n  }\n}\n`;
  if (settings === undefined) return required;
  const width = Math.max(...Object.keys(settings).map((key) => key.length));
  const lines = Object.entries(settings).map(([key, value]) => `  ${key.padEnd(width)} = ${JSON.stringify(value)}`);
  return `${required}\nprovider ${JSON.stringify(name)} {\n${lines.join('\n')}\n}\n`;
}

interface ProviderInstallModule {
  installProviders(options: { dir: string; version: string; bundleDir: string; platform: string }): unknown;
  terraformPlatform(): string;
}

/** A temporary directory with Liftgate's providers in a filesystem mirror and one Terraform working directory. */
export class TerraformSandbox {
  readonly root: string;
  readonly workdir: string;
  private readonly cliConfig: string;

  constructor(prefix: string) {
    const bundleDir = join(repoRoot, 'lib', 'provider');
    if (!existsSync(join(bundleDir, 'provider.js'))) throw new Error(`${bundleDir}/provider.js is missing: build first (npm run build)`);
    this.root = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.workdir = join(this.root, 'work');
    this.cliConfig = join(this.root, 'terraformrc');
    const mirror = join(this.root, 'mirror');
    // The built module, as the CLI runs it (the test must not depend on src/ being compiled alike).
    const install = require(join(repoRoot, 'lib', 'cli', 'provider-install.js')) as ProviderInstallModule;
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    install.installProviders({ dir: mirror, version, bundleDir, platform: install.terraformPlatform() });
    writeFileSync(
      this.cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n}\n`,
    );
    mkdirSync(this.workdir);
  }

  writeConfig(hcl: string, file = 'main.tf'): void {
    writeFileSync(join(this.workdir, file), hcl);
  }

  removeFile(file: string): void {
    rmSync(join(this.workdir, file), { force: true });
  }

  /** Runs `terraform <args>` in the work directory: no colour, no prompts, no network, no checkpoint. */
  terraform(
    args: string[],
    { timeoutMs = 120_000, env = {} }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
  ): Promise<TerraformResult> {
    return runTerraform(args, { cwd: this.workdir, cliConfig: this.cliConfig, timeoutMs, env });
  }

  readState(): string {
    return readFileSync(join(this.workdir, 'terraform.tfstate'), 'utf8');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Throws with terraform's whole output unless it exited 0. */
export function expectSuccess(result: TerraformResult): void {
  if (result.code !== 0) throw new Error(`terraform exited ${result.code}\n${result.stdout}\n${result.stderr}`);
}
