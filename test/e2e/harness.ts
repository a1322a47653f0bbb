/**
 * End-to-end harness for CDKTF and CDK Terrain apps: a real `liftgate serve` (child process), the Bitbucket
 * emulator, both providers installed into a throw-away implied mirror, and the real `cdktf` or `cdktn` CLI
 * in a temporary project whose app is run by examples/run.js. Needs the builds (`npm run build`) and terraform.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCdkCli, type CdkCli, type CdkTool } from '../../src/cli/demo/toolchain';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { repoRoot, runCli } from '../helpers/cli';
import { runProcess } from '../helpers/process';
import { ControlPlaneProcess } from '../helpers/serve';

export type { CdkTool };

/**
 * `describe(name, body)` when the `tool` CLI runs on this Node. Otherwise the suite is skipped and the reason
 * printed, so that a skip is never mistaken for a pass: cdktf-cli 0.21 cannot run on Node 24 (no node-pty
 * build) and cdktn-cli 0.24 asks for Node 22.19 or newer; `.ci/run` runs the suite on both Node 20 and 24.
 */
export function describeWithCli(tool: CdkTool, name: string, body: () => void): void {
  const { problem } = inspectCdkCli(tool, repoRoot);
  if (problem !== null) process.stderr.write(`${tool} end-to-end tests skipped on Node ${process.version}: ${problem}\n`);
  (problem === null ? describe : describe.skip)(name, body);
}

export interface CommandResult {
  code: number | null;
  output: string;
}

export interface Environment {
  bitbucket: RunningEmulator;
  controlPlaneUrl: string;
  adminKey: string;
  /** Environment for cdktf and terraform: providers' settings, offline mirror, no telemetry. */
  env: NodeJS.ProcessEnv;
  /** Where `newProject` puts projects so that `close` removes them. */
  projectsDirectory: string;
  /** GET on the control-plane API as the root admin; returns the parsed body (throws on a non-2xx). */
  api<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

export async function startEnvironment(): Promise<Environment> {
  const work = mkdtempSync(join(tmpdir(), 'liftgate-cdk-e2e-'));
  const bitbucket = await startEmulator({ port: 0 });
  let serve: ControlPlaneProcess | undefined;
  try {
    serve = await ControlPlaneProcess.start({ env: { LIFTGATE_ENCRYPTION_KEY: 'e'.repeat(64) }, timeoutMs: 30_000 });
    const { adminKey } = serve;
    const mirror = join(work, 'mirror');
    const installed = await runCli(['provider', 'install', '--dir', mirror]);
    if (installed.code !== 0) throw new Error(`provider install failed: ${installed.stderr}`);
    const cliConfig = join(work, 'terraform.rc');
    writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n}\n`);
    // The CDK Terrain CLI still reads the CDKTF_* variables (cdk-terrain kept them for compatibility).
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      TF_IN_AUTOMATION: '1',
      TF_CLI_CONFIG_FILE: cliConfig,
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      LIFTGATE_ENDPOINT: serve.url,
      LIFTGATE_API_KEY: adminKey,
      BITBUCKET_URL: bitbucket.url,
      BITBUCKET_TOKEN: bitbucket.adminToken,
    };
    delete env.TF_PLUGIN_CACHE_DIR;
    delete env.TF_DATA_DIR;
    // The bitbucketdc provider refuses a token and a username/password pair from the environment together.
    delete env.BITBUCKET_USERNAME;
    delete env.BITBUCKET_PASSWORD;
    const controlPlaneUrl = serve.url;
    const running = serve;
    return {
      bitbucket,
      controlPlaneUrl,
      adminKey,
      env,
      projectsDirectory: join(work, 'projects'),
      api: <T>(path: string): Promise<T> => running.ok('GET', path),
      async close() {
        await running.stop();
        await bitbucket.close();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await serve?.stop();
    await bitbucket.close();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A project for `tool` whose app is `appFile` (TypeScript or JavaScript, run through examples/run.js against the
 * liftgate build for cdktf, the liftgate-cdktn build for cdktn), in a directory under `parent` (the
 * environment's work directory, removed by `close`). Both CLIs read cdktf.json.
 */
export function newProject(parent: string, appFile: string, tool: CdkTool): string {
  mkdirSync(parent, { recursive: true });
  const directory = mkdtempSync(join(parent, `${tool}-project-`));
  const runner = [process.execPath, join(repoRoot, 'examples', 'run.js'), ...(tool === 'cdktn' ? ['--cdktn'] : []), appFile];
  writeFileSync(
    join(directory, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: runner.map((word) => JSON.stringify(word)).join(' '),
      output: 'cdktf.out',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
    }),
  );
  return directory;
}

/** Runs a program to completion (bounded), returning its exit code and combined output. */
export async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  const { code, output } = await runProcess(command, args, { ...options, timeoutMs: options.timeoutMs ?? 240_000 });
  return { code, output };
}

function installedCli(tool: CdkTool): CdkCli {
  const { cli } = inspectCdkCli(tool, repoRoot);
  if (cli === undefined) throw new Error(`${tool} CLI is not installed: run npm install`);
  return cli;
}

/**
 * The real cdktf or cdktn CLI from this repository's development dependencies, run with this node. deploy,
 * diff and destroy get --skip-provider-lock: otherwise the CLI runs `terraform providers lock
 * -platform=linux_amd64`, which asks the public registry for the providers' checksums (the locally installed
 * providers are not there).
 */
export async function cdk(tool: CdkTool, project: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const offline = ['deploy', 'diff', 'destroy'].includes(args[0]) ? ['--skip-provider-lock'] : [];
  return run(process.execPath, [installedCli(tool).entry, ...args, ...offline], { cwd: project, env });
}

/** `cdktf|cdktn <args>` that must succeed; the error carries the CLI's output. */
export async function cdkOk(tool: CdkTool, project: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await cdk(tool, project, args, env);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${result.code}:\n${result.output}`);
  return result.output;
}

/** Shapes of the control-plane answers the tests read. */
export interface ApiIntegration {
  id: string;
  name: string;
  isDefault: boolean;
  spaceId: string;
  webhookUrl: string;
  webhookSecret?: string;
}
export interface ApiStack {
  id: string;
  name: string;
  spaceId: string;
  detached: boolean;
  vcs: { integrationId: string | null; projectKey: string; repositorySlug: string; branch: string; projectRoot: string };
}
export interface ApiSpace {
  id: string;
  name: string;
  parentSpaceId: string | null;
  inheritEntities: boolean;
}
export interface ApiRun {
  id: string;
  stackId: string;
  kind: 'TRACKED' | 'PROPOSED';
  trigger: string;
  branch: string;
  commit: string | null;
}

/** Every integration of the control plane, with its webhook secret (the list answer leaves it out). */
export async function integrationsWithSecrets(environment: Environment): Promise<ApiIntegration[]> {
  const listed = await environment.api<ApiIntegration[]>('/api/v1/integrations/bitbucket-datacenter');
  return Promise.all(listed.map((integration) => environment.api<ApiIntegration>(`/api/v1/integrations/bitbucket-datacenter/${integration.id}`)));
}

/** Checks that each repository has exactly one webhook delivering to `integration` with its secret and the eight events. */
export function expectWebhooksTo(environment: Environment, integration: ApiIntegration, repositories: Array<[string, string]>): void {
  for (const [projectKey, slug] of repositories) {
    const webhooks = environment.bitbucket.repositoryWebhooks(projectKey, slug);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]).toMatchObject({ url: integration.webhookUrl, active: true, configuration: expect.objectContaining({ secret: integration.webhookSecret }) });
    expect([...webhooks[0].events].sort()).toEqual([...HANDLED_EVENTS].sort());
  }
}

/** Pushes to the stack's tracked branch (main); checks the signed delivery succeeded and returns the runs it queued. */
export async function pushTrackedBranch(environment: Environment, stack: ApiStack): Promise<ApiRun[]> {
  // A file under the stack's project root: a push that touches nothing there starts no run (SPEC §1).
  const root = stack.vcs.projectRoot.replace(/\/+$/, '');
  const file = `${root === '' ? '' : `${root}/`}pushed-${Date.now()}.tf`;
  const pushed = await environment.bitbucket.push(stack.vcs.projectKey, stack.vcs.repositorySlug, { branch: 'main', files: { [file]: 'locals {}\n' } });
  expect(pushed.deliveries.map((delivery: { outcome: string; statusCode: number | null }) => [delivery.outcome, delivery.statusCode])).toEqual([['SUCCESS', 200]]);
  const runs = await environment.api<ApiRun[]>(`/api/v1/stacks/${stack.id}/runs`);
  return runs.filter((candidate) => candidate.commit === pushed.change.toHash);
}
