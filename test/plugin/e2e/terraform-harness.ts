/**
 * Runs the real `terraform` binary against a fixture provider (test/plugin/fixtures/<name>-provider.ts),
 * offline: the fixture is transpiled next to a link to the built runtime (lib/), and installed into a
 * temporary filesystem mirror as `registry.terraform.io/liftgate-test/<type>` through a `#!/bin/sh` +
 * `exec node` launcher (so Terraform's kill reaches node itself).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { runTerraform, type TerraformResult } from '../../helpers/terraform';

export const repoRoot = join(__dirname, '..', '..', '..');

export type { TerraformResult };

function terraformPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${process.platform}_${arch}`;
}

/** A temporary directory with a fixture provider installed in a filesystem mirror and a CLI config using it. */
export class FixtureTerraformSandbox {
  readonly root: string;
  readonly workdir: string;
  /** A scratch directory for the provider's objects (the kv fixture keeps its entries here). */
  readonly store: string;
  private readonly cliConfig: string;

  /** `type` is the provider's type name; its fixture is test/plugin/fixtures/<type>-provider.ts. */
  constructor(readonly type: string) {
    this.root = mkdtempSync(join(tmpdir(), `${type}-terraform-`));
    this.workdir = join(this.root, 'work');
    this.store = join(this.root, 'store');
    this.cliConfig = join(this.root, 'terraformrc');
    const source = `registry.terraform.io/liftgate-test/${type}`;
    const runtime = join(repoRoot, 'lib', 'cli', 'provider.js');
    if (!existsSync(runtime)) throw new Error(`${runtime} is missing: build first (npm run build)`);
    // Fixtures import ../../../src/plugin/framework; in the sandbox, src/ is the built lib/.
    symlinkSync(join(repoRoot, 'lib'), join(this.root, 'src'), 'dir');
    const fixture = join(repoRoot, 'test', 'plugin', 'fixtures', `${type}-provider.ts`);
    const compiled = ts.transpileModule(readFileSync(fixture, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const fixtureJs = join(this.root, 'test', 'plugin', 'fixtures', `${type}-provider.js`);
    mkdirSync(dirname(fixtureJs), { recursive: true });
    writeFileSync(fixtureJs, compiled.outputText);
    const entry = join(this.root, 'serve-provider.js');
    writeFileSync(
      entry,
      [
        `const { serveProvider } = require(${JSON.stringify(runtime)});`,
        `const { provider } = require(${JSON.stringify(fixtureJs)});`,
        'serveProvider(provider).catch((error) => { process.stderr.write(`fixture provider: ${error.message}\\n`); process.exit(1); });',
        '',
      ].join('\n'),
    );
    const packageDir = join(this.root, 'mirror', source, '0.1.0', terraformPlatform());
    mkdirSync(packageDir, { recursive: true });
    const launcher = join(packageDir, `terraform-provider-${type}`);
    writeFileSync(launcher, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(entry)}\n`);
    chmodSync(launcher, 0o755);
    writeFileSync(
      this.cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(join(this.root, 'mirror'))}\n    include = ["${source}"]\n  }\n}\n`,
    );
    mkdirSync(this.workdir);
    mkdirSync(this.store);
  }

  writeConfig(hcl: string): void {
    writeFileSync(join(this.workdir, 'main.tf'), hcl);
  }

  /** Runs `terraform <args>` in the work directory (no colour, no prompts, no network). */
  terraform(args: string[], { timeoutMs = 90_000 }: { timeoutMs?: number } = {}): Promise<TerraformResult> {
    return runTerraform(args, { cwd: this.workdir, cliConfig: this.cliConfig, timeoutMs });
  }

  readState(): string {
    return readFileSync(join(this.workdir, 'terraform.tfstate'), 'utf8');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
