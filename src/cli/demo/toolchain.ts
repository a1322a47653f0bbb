/**
 * The demo's Terraform side: finding terraform and cdktf-cli, installing Liftgate's providers into a mirror
 * of the demo's own, and running `cdktf deploy` and `terraform plan` against the quickstart app — offline,
 * in the demo's temporary directory, leaving the user's ~/.terraform.d, ~/.terraformrc and checkout alone.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installProviders, providerTypes, terraformPlatform } from '../provider-install';
import { DemoCheckFailed, type Progress } from './report';

export interface ProcessResult {
  code: number | null;
  /** Everything the process printed (stdout and stderr interleaved), without terminal escape sequences. */
  output: string;
}

// CSI sequences (colours, cursor movement, line clearing) that cdktf prints even with --no-color.
const TERMINAL_ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function withoutTerminalEscapes(text: string): string {
  return text.replace(TERMINAL_ESCAPES, '');
}

/** Runs a program, teeing its output to `logFile` and passing each line to `onLine`; never rejects on exit codes. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; timeoutMs: number; onLine?: (line: string) => void; signal?: AbortSignal },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`$ ${[command, ...args].join(' ')}\n`);
    // An aborted signal (the demo was interrupted) terminates the child, so nothing outlives the demo.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let output = '';
    let partial = '';
    const take = (chunk: Buffer) => {
      const text = withoutTerminalEscapes(chunk.toString());
      // After a spawn error (or an abort) the log is closed while the pipes may still deliver what was buffered.
      if (!log.writableEnded) log.write(text);
      output += text;
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      if (!log.writableEnded) log.end();
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial !== '') options.onLine?.(partial);
      if (timedOut) output += `\n(stopped after ${Math.round(options.timeoutMs / 1000)} s without finishing)\n`;
      const result = { code: timedOut ? null : code, output };
      if (log.writableEnded) resolve(result);
      else log.end(() => resolve(result));
    });
  });
}

/**
 * The problems Terraform reported, one line each: its "Error: <summary>" lines followed by the first line of
 * their explanation (cdktf prefixes every line with the stack name and Terraform draws boxes around errors).
 */
export function terraformErrors(output: string): string[] {
  const lines = output.split('\n').map((line) => line.replace(/^\S*\s{2,}/, '').replace(/^[│╷╵]\s?/, '').trim());
  const errors: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^Error: (.+)$/.exec(lines[index]!);
    if (match === null) continue;
    const explanation = lines.slice(index + 1, index + 8).find((line) => line !== '' && !line.startsWith('with ') && !line.startsWith('on ') && !/^\d+:/.test(line));
    const error = explanation === undefined ? match[1]! : `${match[1]}: ${explanation}`;
    if (!errors.includes(error)) errors.push(error);
  }
  return errors;
}

export interface Toolchain {
  terraformVersion: string;
  /** cdktf-cli's entry script, run with this node. */
  cdktfEntry: string;
  cdktfVersion: string;
}

/** Finds terraform on PATH and the cdktf-cli installed with this package; a missing one is a clear failure. */
export async function findToolchain(packageRoot: string, scratchDir: string): Promise<Toolchain> {
  let version: ProcessResult;
  try {
    version = await runProcess('terraform', ['version', '-json'], {
      cwd: scratchDir,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
      logFile: join(scratchDir, 'logs', 'terraform-version.log'),
      timeoutMs: 60_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DemoCheckFailed('terraform is not on PATH: install Terraform (Liftgate is tested with 1.11; https://developer.hashicorp.com/terraform/install) and run again');
    }
    throw error;
  }
  const terraformVersion = /"terraform_version"\s*:\s*"([^"]+)"/.exec(version.output)?.[1];
  if (version.code !== 0 || terraformVersion === undefined) {
    throw new DemoCheckFailed(`\`terraform version -json\` did not work (exit ${version.code})`, version.output.trim().split('\n').slice(0, 5));
  }
  let cdktfPackage: string;
  try {
    cdktfPackage = require.resolve('cdktf-cli/package.json', { paths: [packageRoot] });
  } catch {
    throw new DemoCheckFailed('cdktf-cli is not installed: run `npm install` in the Liftgate repository (it is a development dependency)');
  }
  const manifest = JSON.parse(readFileSync(cdktfPackage, 'utf8')) as { version: string; bin: { cdktf: string } };
  return { terraformVersion, cdktfEntry: join(dirname(cdktfPackage), manifest.bin.cdktf), cdktfVersion: manifest.version };
}

/**
 * Installs both providers (what `liftgate provider install --dir` does) into `<dir>/providers` and writes a
 * Terraform CLI configuration that installs `liftgate/*` from there and nothing from anywhere else.
 *
 * Why TF_CLI_CONFIG_FILE rather than a temporary HOME: the configuration replaces the user's ~/.terraformrc
 * (which may name network mirrors, a plugin cache or credentials) for the demo's terraform runs only, while
 * node, git and cdktf keep the real HOME; and with no `direct` block Terraform cannot reach for the network.
 */
export function installDemoProviders(dir: string, packageRoot: string): { mirror: string; cliConfig: string; version: string } {
  const mirror = join(dir, 'providers');
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  installProviders({ dir: mirror, version, entryPoint: join(packageRoot, 'lib', 'cli', 'provider.js'), platform: terraformPlatform() });
  const cliConfig = join(dir, 'terraformrc');
  writeFileSync(
    cliConfig,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = ${JSON.stringify(providerTypes.map((type) => `registry.terraform.io/liftgate/${type}`))}`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return { mirror, cliConfig, version };
}

/** `text` as one word for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes a cdktf.json in `projectDir` whose app is the repository's quickstart, so that `cdktf.out` and the
 * local Terraform state (cdktf puts it in the app's working directory) stay in the demo's directory.
 */
export function writeQuickstartProject(projectDir: string, packageRoot: string): void {
  const runner = join(packageRoot, 'examples', 'run.js');
  const app = join(packageRoot, 'examples', 'quickstart', 'main.ts');
  for (const file of [runner, app, join(packageRoot, 'lib', 'index.js')]) {
    if (!existsSync(file)) {
      throw new DemoCheckFailed(`${file} is missing: the demo runs from a built clone of the repository (npm install && npm run build)`);
    }
  }
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(
    join(projectDir, 'cdktf.json'),
    `${JSON.stringify(
      {
        language: 'typescript',
        app: [process.execPath, runner, app].map(shellQuote).join(' '),
        output: 'cdktf.out',
        sendCrashReports: 'false',
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
      null,
      2,
    )}\n`,
  );
}

/** What one apply did, from Terraform's "Apply complete!" line. */
export interface ApplySummary {
  added: number;
  changed: number;
  destroyed: number;
}

const RESOURCE_EVENT = /([\w.-]+\.[\w-]+) \(([^)]*)\): (Creating\.\.\.|Creation complete|Modifying\.\.\.|Modifications complete|Destroying\.\.\.|Destruction complete|Refreshing state)/;

/** Runs `cdktf deploy` of the project in `projectDir`; reports each resource Terraform touches as progress. */
export async function cdktfDeploy(
  toolchain: Toolchain,
  options: { projectDir: string; env: NodeJS.ProcessEnv; logFile: string; progress: Progress; signal: AbortSignal },
): Promise<ApplySummary> {
  options.progress('synthesizing the app');
  const result = await runProcess(
    process.execPath,
    // --skip-provider-lock: cdktf's extra `terraform providers lock` asks the public registry, which knows
    // nothing of these providers; `terraform init` already locked them from the mirror.
    [toolchain.cdktfEntry, 'deploy', '--auto-approve', '--skip-provider-lock', '--no-color'],
    {
      cwd: options.projectDir,
      env: options.env,
      logFile: options.logFile,
      timeoutMs: 10 * 60_000,
      signal: options.signal,
      onLine: (line) => {
        const event = RESOURCE_EVENT.exec(line);
        if (event !== null) options.progress(`${event[2]}: ${event[3].replace('...', '')}`);
        else if (/Initializing the backend|Initializing provider plugins/.test(line)) options.progress('terraform init');
        else if (/Terraform will perform the following actions/.test(line)) options.progress('planning');
      },
    },
  );
  const complete = /Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(result.output);
  if (result.code !== 0 || complete === null) {
    const errors = terraformErrors(result.output);
    throw new DemoCheckFailed(
      `cdktf deploy exited ${result.code ?? 'without finishing'}${errors.length > 0 ? `: ${errors[0]}` : ''}`,
      [...errors.slice(1), `full output: ${options.logFile}`],
    );
  }
  return { added: Number(complete[1]), changed: Number(complete[2]), destroyed: Number(complete[3]) };
}

export interface PlanResult {
  /** terraform plan -detailed-exitcode: 0 no changes, 2 changes (drift), 1 error. */
  exitCode: number;
  /** "<address> will be updated in-place", one per resource Terraform would touch. */
  changes: string[];
}

/** The directory cdktf synthesized the stack into, from cdktf.out/manifest.json. */
export function synthesizedStackDir(projectDir: string, stackName: string): string {
  const manifestFile = join(projectDir, 'cdktf.out', 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
  const stack = manifest.stacks[stackName];
  if (stack === undefined) throw new DemoCheckFailed(`${manifestFile} has no stack "${stackName}"`);
  return join(projectDir, 'cdktf.out', stack.workingDirectory);
}

/**
 * `terraform plan -detailed-exitcode` in the synthesized stack: what a CI drift job runs (cdktf diff prints the
 * same plan but always exits 0).
 */
export async function terraformPlan(options: { stackDir: string; env: NodeJS.ProcessEnv; logFile: string; signal: AbortSignal }): Promise<PlanResult> {
  const result = await runProcess('terraform', ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock-timeout=60s'], {
    cwd: options.stackDir,
    env: options.env,
    logFile: options.logFile,
    timeoutMs: 5 * 60_000,
    signal: options.signal,
  });
  if (result.code !== 0 && result.code !== 2) {
    const errors = terraformErrors(result.output);
    throw new DemoCheckFailed(`terraform plan exited ${result.code ?? 'without finishing'}${errors.length > 0 ? `: ${errors[0]}` : ''}`, [
      `full output: ${options.logFile}`,
    ]);
  }
  const changes = [...result.output.matchAll(/^\s*# (\S+) (?:\([^)]*\) )?(will be [^\n]+|must be [^\n]+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
  return { exitCode: result.code, changes };
}
