/**
 * The demo's Terraform side: finding terraform and a CDK CLI (cdktn-cli or cdktf-cli, whichever runs on this
 * Node), installing Liftgate's providers into a mirror of the demo's own, and running `cdktn|cdktf deploy` and
 * `terraform plan` against the quickstart app — offline, in the demo's temporary directory, leaving the
 * user's ~/.terraform.d, ~/.terraformrc and checkout alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installProviders, providerTypes, terraformPlatform } from '../provider-install';
import { DemoCheckFailed, type Progress } from './report';

export interface ProcessResult {
  code: number | null;
  /** Everything the process printed (stdout and stderr interleaved), without terminal escape sequences. */
  output: string;
}

// CSI sequences (colours, cursor movement, line clearing) that cdktf and cdktn print even with --no-color.
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
 * their explanation (cdktf and cdktn prefix every line with the stack name and Terraform draws boxes around errors).
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

/** The two CDK CLIs: CDK Terrain's `cdktn` and the archived `cdktf`. */
export type CdkTool = 'cdktn' | 'cdktf';

export interface CdkCli {
  tool: CdkTool;
  /** The CLI's entry script, run with this node. */
  entry: string;
  version: string;
}

/**
 * Where each CLI is installed: cdktf-cli beside the `liftgate` package, cdktn-cli in the `liftgate-cdktn`
 * workspace (its peer dependencies, cdktn and constructs 10.6, would clash with cdktf's at the root).
 */
const cdkCliPackages: Record<CdkTool, { name: string; installedFrom: string[] }> = {
  cdktn: { name: 'cdktn-cli', installedFrom: ['packages', 'liftgate-cdktn'] },
  cdktf: { name: 'cdktf-cli', installedFrom: [] },
};

/** Whether `version` (a Node version such as v22.19.0) is at least `minimum` (22.19.0). */
function atLeast(version: string, minimum: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let index = 0; index < 3; index += 1) {
    if ((have[index] ?? 0) !== (need[index] ?? 0)) return (have[index] ?? 0) > (need[index] ?? 0);
  }
  return true;
}

/**
 * Why a package whose `engines.node` is `range` does not support Node `nodeVersion`, or null. cdktn-cli
 * states a minimum (">=22.19.0"); any other form of range is reported as one the demo cannot check.
 */
export function enginesProblem(packageName: string, range: string | undefined, nodeVersion: string): string | null {
  if (range === undefined) return null;
  const minimum = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range.trim())?.[1];
  if (minimum === undefined) return `${packageName} asks for Node "${range}", a range the demo cannot check`;
  return atLeast(nodeVersion, minimum) ? null : `${packageName} needs Node ${minimum} or newer, this is ${nodeVersion}`;
}

/**
 * Why the installed cdktf-cli does not run on this Node, or null: it runs Terraform through node-pty, a native
 * addon it ships prebuilt for the Node ABIs of its day only (up to 127, Node 22). Loading the addon in a child
 * process is exactly the step `cdktf deploy` fails at on a newer Node; CDKTF is archived, so no build will come.
 */
function cdktfNodeProblem(cliDirectory: string, version: string): string | null {
  let loader: string;
  try {
    loader = join(dirname(require.resolve('@cdktf/node-pty-prebuilt-multiarch/package.json', { paths: [cliDirectory] })), 'lib', 'prebuild-loader.js');
  } catch {
    return `cdktf-cli ${version} is installed without node-pty: run \`npm install\` in the Liftgate repository`;
  }
  const loaded = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(loader)})`], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
  if (loaded.status === 0) return null;
  // Node's message, which may span lines ("… pty.node'\nwas compiled against a different Node.js version …"), up to the require or call stack.
  const reason = /^Error: ([\s\S]+?)\n(?:\s+at |\s*\{|\s*$|Require stack:)/m.exec(loaded.stderr ?? '')?.[1]?.replace(/\s*\n\s*/g, ' ') ?? loaded.error?.message ?? `exit ${loaded.status}`;
  return `cdktf-cli ${version} cannot load its node-pty addon on Node ${process.version} (ABI ${process.versions.modules}; CDKTF is archived, so no build will come): ${reason}`;
}

/** The installed CLI of `tool` and why it cannot run on this Node (`problem` null when it can). */
export function inspectCdkCli(tool: CdkTool, packageRoot: string): { cli: CdkCli | undefined; problem: string | null } {
  const { name, installedFrom } = cdkCliPackages[tool];
  let manifestFile: string;
  try {
    manifestFile = require.resolve(`${name}/package.json`, { paths: [join(packageRoot, ...installedFrom)] });
  } catch {
    return { cli: undefined, problem: `${name} is not installed: run \`npm install\` in the Liftgate repository (it is a development dependency)` };
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: string; bin: Record<string, string>; engines?: { node?: string } };
  const cli: CdkCli = { tool, entry: join(dirname(manifestFile), manifest.bin[tool]!), version: manifest.version };
  const problem =
    tool === 'cdktn'
      ? enginesProblem(`cdktn-cli ${manifest.version}`, manifest.engines?.node, process.version)
      : cdktfNodeProblem(dirname(manifestFile), manifest.version);
  return { cli, problem };
}

/**
 * The CLI the demo deploys with: CDK Terrain's cdktn wherever its CLI supports this Node (it is maintained;
 * CDKTF was archived in December 2025), else cdktf. `why` says which and why, for the demo's first line.
 */
export function chooseCdkCli(packageRoot: string): { cli: CdkCli; why: string } {
  const cdktn = inspectCdkCli('cdktn', packageRoot);
  if (cdktn.cli !== undefined && cdktn.problem === null) return { cli: cdktn.cli, why: `CDK Terrain, whose CLI supports Node ${process.version}` };
  const cdktf = inspectCdkCli('cdktf', packageRoot);
  if (cdktf.cli !== undefined && cdktf.problem === null) return { cli: cdktf.cli, why: `cdktf: ${cdktn.problem}` };
  throw new DemoCheckFailed(`no CDK CLI runs on Node ${process.version}: ${cdktn.problem}; ${cdktf.problem}`);
}

export interface Toolchain {
  terraformVersion: string;
  cdk: CdkCli;
  /** Which CDK CLI the demo uses and why (see chooseCdkCli). */
  cdkChoice: string;
}

/** Finds terraform on PATH and the CDK CLI for this Node; a missing or unusable one is a clear failure. */
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
  const { cli, why } = chooseCdkCli(packageRoot);
  return { terraformVersion, cdk: cli, cdkChoice: why };
}

/**
 * Installs both providers (what `liftgate provider install --dir` does) into `<dir>/providers` and writes a
 * Terraform CLI configuration that installs `liftgate/*` from there and nothing from anywhere else.
 *
 * Why TF_CLI_CONFIG_FILE rather than a temporary HOME: the configuration replaces the user's ~/.terraformrc
 * (which may name network mirrors, a plugin cache or credentials) for the demo's terraform runs only, while
 * node, git and the CDK CLI keep the real HOME; and with no `direct` block Terraform cannot reach for the network.
 */
export function installDemoProviders(dir: string, packageRoot: string): { mirror: string; cliConfig: string; version: string } {
  const mirror = join(dir, 'providers');
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  installProviders({ dir: mirror, version, bundleDir: join(packageRoot, 'lib', 'provider'), platform: terraformPlatform() });
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
 * Writes a cdktf.json (the file name both CLIs read) in `projectDir` whose app is the repository's quickstart,
 * run against the build for `tool` (liftgate for cdktf, liftgate-cdktn for cdktn), so that `cdktf.out` and the
 * local Terraform state (the CLI puts it in the app's working directory) stay in the demo's directory.
 */
export function writeQuickstartProject(projectDir: string, packageRoot: string, tool: CdkTool): void {
  const runner = join(packageRoot, 'examples', 'run.js');
  const app = join(packageRoot, 'examples', 'quickstart', 'main.ts');
  const library = tool === 'cdktn' ? join(packageRoot, 'packages', 'liftgate-cdktn', 'lib', 'index.js') : join(packageRoot, 'lib', 'index.js');
  for (const file of [runner, app, library]) {
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
        app: [process.execPath, runner, ...(tool === 'cdktn' ? ['--cdktn'] : []), app].map(shellQuote).join(' '),
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

/** Runs `cdktn deploy` or `cdktf deploy` of the project in `projectDir`; reports each resource Terraform touches as progress. */
export async function cdkDeploy(
  cli: CdkCli,
  options: { projectDir: string; env: NodeJS.ProcessEnv; logFile: string; progress: Progress; signal: AbortSignal },
): Promise<ApplySummary> {
  options.progress('synthesizing the app');
  const result = await runProcess(
    process.execPath,
    // --skip-provider-lock: the CLI's extra `terraform providers lock` asks the public registry, which knows
    // nothing of these providers; `terraform init` already locked them from the mirror.
    [cli.entry, 'deploy', '--auto-approve', '--skip-provider-lock', '--no-color'],
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
      `${cli.tool} deploy exited ${result.code ?? 'without finishing'}${errors.length > 0 ? `: ${errors[0]}` : ''}`,
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

/** The directory the CLI synthesized the stack into, from cdktf.out/manifest.json. */
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
