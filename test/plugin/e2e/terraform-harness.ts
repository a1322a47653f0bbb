/**
 * Runs the real `terraform` binary against the kv fixture provider, offline: the fixture is transpiled
 * next to a link to the built runtime (lib/), and installed into a temporary filesystem mirror through a
 * `#!/bin/sh` + `exec node` launcher (so Terraform's kill reaches node itself).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';

export const repoRoot = join(__dirname, '..', '..', '..');
export const kvProviderSource = 'registry.terraform.io/liftgate-test/kv';

export interface TerraformResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function terraformPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${process.platform}_${arch}`;
}

/** A temporary directory with the kv provider installed in a filesystem mirror and a CLI config using it. */
export class KvTerraformSandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'kv-terraform-'));
  readonly workdir = join(this.root, 'work');
  readonly store = join(this.root, 'store');
  private readonly cliConfig = join(this.root, 'terraformrc');

  constructor() {
    const runtime = join(repoRoot, 'lib', 'cli', 'provider.js');
    if (!existsSync(runtime)) throw new Error(`${runtime} is missing: build first (npm run build)`);
    // The fixture imports ../../../src/plugin/framework; in the sandbox, src/ is the built lib/.
    symlinkSync(join(repoRoot, 'lib'), join(this.root, 'src'), 'dir');
    const fixture = join(repoRoot, 'test', 'plugin', 'fixtures', 'kv-provider.ts');
    const compiled = ts.transpileModule(readFileSync(fixture, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const fixtureJs = join(this.root, 'test', 'plugin', 'fixtures', 'kv-provider.js');
    mkdirSync(dirname(fixtureJs), { recursive: true });
    writeFileSync(fixtureJs, compiled.outputText);
    const entry = join(this.root, 'serve-kv.js');
    writeFileSync(
      entry,
      [
        `const { serveProvider } = require(${JSON.stringify(runtime)});`,
        `const { provider } = require(${JSON.stringify(fixtureJs)});`,
        'serveProvider(provider).catch((error) => { process.stderr.write(`kv provider: ${error.message}\\n`); process.exit(1); });',
        '',
      ].join('\n'),
    );
    const packageDir = join(this.root, 'mirror', kvProviderSource, '0.1.0', terraformPlatform());
    mkdirSync(packageDir, { recursive: true });
    const launcher = join(packageDir, 'terraform-provider-kv');
    writeFileSync(launcher, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(entry)}\n`);
    chmodSync(launcher, 0o755);
    writeFileSync(
      this.cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(join(this.root, 'mirror'))}\n    include = ["${kvProviderSource}"]\n  }\n}\n`,
    );
    mkdirSync(this.workdir);
    mkdirSync(this.store);
  }

  writeConfig(hcl: string): void {
    writeFileSync(join(this.workdir, 'main.tf'), hcl);
  }

  /** Runs `terraform <args>` in the work directory (no colour, no prompts, no network). */
  terraform(args: string[], { timeoutMs = 90_000 }: { timeoutMs?: number } = {}): Promise<TerraformResult> {
    return new Promise((resolve, reject) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        TF_IN_AUTOMATION: '1',
        TF_CLI_CONFIG_FILE: this.cliConfig,
        TF_PLUGIN_CACHE_DIR: '',
      };
      delete env.TF_LOG;
      delete env.TF_LOG_PROVIDER;
      const child = spawn('terraform', args, { cwd: this.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  readState(): string {
    return readFileSync(join(this.workdir, 'terraform.tfstate'), 'utf8');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
