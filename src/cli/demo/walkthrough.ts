/**
 * `liftgate demo`: the whole product on one machine. Each step does one thing a platform team does, then checks
 * — against the control plane's API and the emulator's state, not against the tools' own output — that it had
 * the effect the product promises, and stops the demo with the reason when it did not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BitbucketClient } from '../../clients/bitbucket';
import { LiftgateClient, type Integration, type Run, type Stack } from '../../clients/liftgate';
import type { DeliveryResult } from '../../emulator';
import { HANDLED_EVENTS } from '../../domain/webhook-events';
import { DemoCheckFailed, StepReporter, type Progress, type StepOutput } from './report';
import { demoBitbucketUser, demoProject, startDemoBitbucket, startDemoControlPlane, type DemoBitbucket, type DemoControlPlane } from './services';
import {
  cdkDeploy,
  findToolchain,
  installDemoProviders,
  runProcess,
  shellQuote,
  synthesizedStackDir,
  terraformPlan,
  writeQuickstartProject,
  type ApplySummary,
  type Toolchain,
} from './toolchain';

/** The quickstart app's stack (examples/quickstart/main.ts) and what it declares. */
const quickstart = {
  stack: 'quickstart',
  integrationName: 'Bitbucket',
  renamedIntegrationName: 'Bitbucket Data Center',
  space: 'Platform',
  stacks: { network: 'network', dns: 'dns' },
} as const;

/** The part of `liftgate drift --json`'s report the demo reads. */
const driftReportSchema = z.object({
  status: z.enum(['clean', 'drift', 'error']),
  findings: z.array(
    z.object({
      kind: z.string(),
      stack: z.object({ name: z.string() }).nullable(),
      repository: z.object({ projectKey: z.string(), repositorySlug: z.string() }).nullable(),
      detail: z.string(),
    }),
  ),
  errors: z.array(z.object({ message: z.string() })),
});
type DriftReport = z.infer<typeof driftReportSchema>;

export interface DemoOptions {
  /** Leave the services running after the walkthrough until SIGINT/SIGTERM. */
  keep: boolean;
  /** The package root (holds package.json, lib/, examples/). */
  packageRoot: string;
  out: StepOutput;
}

const STEP_COUNT = 12;

function short(commit: string): string {
  return commit.slice(0, 7);
}

/** Everything the walkthrough started, so that it can be stopped whatever happened. */
class DemoSession {
  readonly dir = mkdtempSync(join(tmpdir(), 'liftgate-demo-'));
  readonly projectDir = join(this.dir, 'quickstart');
  readonly logDir = join(this.dir, 'logs');
  /** Aborted when the demo is interrupted: terminates the cdktn/cdktf, terraform and drift processes still running. */
  readonly abort = new AbortController();
  bitbucket: DemoBitbucket | undefined;
  controlPlane: DemoControlPlane | undefined;
  liftgate: LiftgateClient | undefined;
  private logCounter = 0;

  logFile(name: string): string {
    this.logCounter += 1;
    return join(this.logDir, `${String(this.logCounter).padStart(2, '0')}-${name}.log`);
  }

  async stop(): Promise<void> {
    this.liftgate?.close();
    await this.controlPlane?.close();
    await this.bitbucket?.emulator.close();
  }
}

/** The environment the CDK CLI and terraform run with: the demo's services and CLI configuration, nothing inherited that would redirect them. */
function terraformEnvironment(session: DemoSession, cliConfig: string, integrationName: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(TF_|LIFTGATE_|BITBUCKET_|CDKTF_)/.test(name)) continue;
    environment[name] = value;
  }
  const { bitbucket, controlPlane } = requireServices(session);
  return {
    ...environment,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_CLI_CONFIG_FILE: cliConfig,
    // cdktf and cdktn otherwise point Terraform at ~/.terraform.d/plugin-cache and keep their own files in ~/.cdktf.
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CDKTF_HOME: join(session.dir, 'cdktf-home'),
    LIFTGATE_ENDPOINT: controlPlane.url,
    LIFTGATE_API_KEY: controlPlane.adminKey,
    LIFTGATE_INTEGRATION_NAME: integrationName,
    BITBUCKET_URL: bitbucket.emulator.url,
    BITBUCKET_TOKEN: bitbucket.userToken,
    LIFTGATE_BITBUCKET_USERNAME: demoBitbucketUser,
  };
}

function requireServices(session: DemoSession): { bitbucket: DemoBitbucket; controlPlane: DemoControlPlane; liftgate: LiftgateClient } {
  if (session.bitbucket === undefined || session.controlPlane === undefined || session.liftgate === undefined) {
    throw new Error('the services are not running');
  }
  return { bitbucket: session.bitbucket, controlPlane: session.controlPlane, liftgate: session.liftgate };
}

function describeApply(summary: ApplySummary): string {
  return `${summary.added} added, ${summary.changed} changed, ${summary.destroyed} destroyed`;
}

/** The stack's runs, newest first (a demo stack has a handful). */
function runsOf(liftgate: LiftgateClient, stackId: string): Promise<Run[]> {
  return liftgate.stacks.runs(stackId).toArray();
}

/** The one stack of the quickstart app with this name; its absence is a failed check. */
async function stackNamed(liftgate: LiftgateClient, name: string): Promise<Stack> {
  const stack = (await liftgate.stacks.list()).find((candidate) => candidate.name === name);
  if (stack === undefined) throw new DemoCheckFailed(`the control plane has no stack "${name}"`);
  return stack;
}

/** The integration named `name`, with its webhook secret; checks it is the only one (the rename left no other behind). */
async function onlyIntegration(liftgate: LiftgateClient, name: string): Promise<Integration> {
  const integrations = await liftgate.integrations.list();
  const names = integrations.map((integration) => `"${integration.name}"`).join(', ');
  const match = integrations.find((integration) => integration.name === name);
  if (match === undefined || integrations.length !== 1) {
    throw new DemoCheckFailed(`expected the control plane to have only the integration "${name}", it has ${names === '' ? 'none' : names}`);
  }
  if (!match.isDefault) throw new DemoCheckFailed(`integration "${name}" is not the default integration`);
  return liftgate.integrations.get(match.id);
}

/** Checks each quickstart repository has exactly one webhook, delivering to the integration with its secret and events. */
function checkWebhooks(bitbucket: DemoBitbucket, integration: Integration): void {
  for (const slug of Object.values(quickstart.stacks)) {
    const webhooks = bitbucket.emulator.repositoryWebhooks(demoProject.key, slug);
    if (webhooks.length !== 1) {
      throw new DemoCheckFailed(`${demoProject.key}/${slug} has ${webhooks.length} webhooks, expected 1`, webhooks.map((webhook) => `${webhook.name} → ${webhook.url}`));
    }
    const webhook = webhooks[0]!;
    const problems: string[] = [];
    if (webhook.url !== integration.webhookUrl) problems.push(`it delivers to ${webhook.url}, not ${integration.webhookUrl}`);
    if (webhook.configuration.secret !== integration.webhookSecret) problems.push("its secret is not the integration's webhook secret");
    if (!webhook.active) problems.push('it is inactive');
    const missing = HANDLED_EVENTS.filter((event) => !webhook.events.includes(event));
    if (missing.length > 0) problems.push(`it lacks the events ${missing.join(', ')}`);
    if (problems.length > 0) throw new DemoCheckFailed(`the webhook of ${demoProject.key}/${slug} is wrong: ${problems.join('; ')}`);
  }
}

/** Checks both quickstart stacks are attached and use `integration` (directly or as the default). */
async function checkStacksAttached(liftgate: LiftgateClient, integration: Integration): Promise<Stack[]> {
  const stacks: Stack[] = [];
  for (const name of Object.values(quickstart.stacks)) {
    const stack = await stackNamed(liftgate, name);
    if (stack.detached) throw new DemoCheckFailed(`stack ${name} is detached (its integration was deleted and it was not re-attached)`);
    const usesIntegration = stack.vcs.integrationId === integration.id || (stack.vcs.integrationId === null && integration.isDefault);
    if (!usesIntegration) {
      throw new DemoCheckFailed(`stack ${name} uses integration "${stack.vcs.integrationId}", not "${integration.id}"`);
    }
    stacks.push(stack);
  }
  return stacks;
}

/** The one delivery of a simulated event that went to the integration's URL; it must have been accepted. */
function deliveryTo(deliveries: DeliveryResult[], integration: Integration, what: string): DeliveryResult {
  const delivery = deliveries.find((candidate) => candidate.url === integration.webhookUrl);
  if (delivery === undefined) {
    throw new DemoCheckFailed(`${what} was not delivered to ${integration.webhookUrl}`, deliveries.map((other) => `delivered to ${other.url}: ${other.outcome}`));
  }
  if (delivery.outcome !== 'SUCCESS') {
    throw new DemoCheckFailed(`the control plane did not accept ${what}: ${delivery.outcome} ${delivery.statusCode ?? ''} ${delivery.description}`.trim());
  }
  return delivery;
}

/** The run of `stack` a simulated event queued, found by what it must carry. */
async function runQueuedBy(liftgate: LiftgateClient, stack: Stack, matches: (run: Run) => boolean, what: string): Promise<Run> {
  const runs = await runsOf(liftgate, stack.id);
  const run = runs.find(matches);
  if (run === undefined) {
    throw new DemoCheckFailed(
      `${what} queued no run for stack ${stack.name}`,
      runs.slice(0, 5).map((other) => `run ${other.id}: ${other.kind} ${other.trigger} ${other.branch}`),
    );
  }
  return run;
}

/**
 * Pushes to the tracked branch of the stack named `stackName` (emulator) and checks the push reached the
 * integration's webhook URL, was accepted, and queued a TRACKED run of the pushed commit.
 */
async function pushTrackedBranch(session: DemoSession, integration: Integration, stackName: string) {
  const { liftgate, bitbucket } = requireServices(session);
  const stack = await stackNamed(liftgate, stackName);
  const pushed = await bitbucket.emulator.push(demoProject.key, stack.vcs.repositorySlug, { branch: stack.vcs.branch });
  const commit = pushed.change.toHash;
  const delivery = deliveryTo(pushed.deliveries, integration, 'the push');
  const run = await runQueuedBy(liftgate, stack, (candidate) => candidate.commit === commit, 'the push');
  if (run.kind !== 'TRACKED') throw new DemoCheckFailed(`a push to the tracked branch queued a ${run.kind} run, expected TRACKED`);
  return { stack, commit, delivery, run };
}

/**
 * Runs `liftgate drift --json` as a user would (this package's own CLI), with the demo's control plane and
 * Bitbucket token; resolves to its exit code and report.
 */
async function liftgateDrift(session: DemoSession, packageRoot: string): Promise<{ exitCode: number; report: DriftReport }> {
  const { bitbucket, controlPlane } = requireServices(session);
  const logFile = session.logFile('liftgate-drift');
  const result = await runProcess(process.execPath, [join(packageRoot, 'bin', 'liftgate'), 'drift', '--json'], {
    cwd: session.dir,
    env: { ...process.env, LIFTGATE_ENDPOINT: controlPlane.url, LIFTGATE_API_KEY: controlPlane.adminKey, BITBUCKET_TOKEN: bitbucket.userToken },
    logFile,
    timeoutMs: 2 * 60_000,
    signal: session.abort.signal,
  });
  const json = result.output.slice(result.output.indexOf('{'), result.output.lastIndexOf('}') + 1);
  let report: DriftReport;
  try {
    report = driftReportSchema.parse(JSON.parse(json));
  } catch {
    throw new DemoCheckFailed(`liftgate drift exited ${result.code} without a report`, [...result.output.trim().split('\n').slice(0, 3), `full output: ${logFile}`]);
  }
  if (result.code === null || result.code === 1 || report.errors.length > 0) {
    throw new DemoCheckFailed(`liftgate drift could not complete its checks (exit ${result.code})`, [...report.errors.map((error) => error.message), `full output: ${logFile}`]);
  }
  return { exitCode: result.code, report };
}

/**
 * SIGINT (Ctrl-C) or SIGTERM while the walkthrough runs: the running step fails with the signal, so the
 * services are stopped and the directory handled as after any failure instead of the process dying mid-way.
 */
function interruption(abort: AbortController): { signalled: Promise<never>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<never>((_resolve, reject) => {
    onSignal = (signal) => {
      abort.abort();
      reject(new DemoCheckFailed(`interrupted by ${signal}`));
    };
  });
  // Nothing may be racing it when the signal comes (between steps); the next step then sees it.
  signalled.catch(() => undefined);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signalled,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

/** Runs the walkthrough; resolves to the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const report = new StepReporter(options.out, STEP_COUNT);
  const session = new DemoSession();
  let toolchain: Toolchain | undefined;
  let cliConfig = '';
  let stackDir = '';
  let integration: Integration | undefined;
  let failed = false;

  const deploy = (integrationName: string, progress: (message: string) => void) =>
    cdkDeploy(toolchain!.cdk, {
      projectDir: session.projectDir,
      env: terraformEnvironment(session, cliConfig, integrationName),
      logFile: session.logFile(`${toolchain!.cdk.tool}-deploy`),
      progress,
      signal: session.abort.signal,
    });
  const plan = (integrationName: string) =>
    terraformPlan({
      stackDir,
      env: terraformEnvironment(session, cliConfig, integrationName),
      logFile: session.logFile('terraform-plan'),
      signal: session.abort.signal,
    });

  const interrupt = interruption(session.abort);
  const step = (activity: string, work: (progress: Progress) => Promise<string>) =>
    report.step(activity, (progress) => Promise.race([work(progress), interrupt.signalled]));

  report.say(`Liftgate demo — everything runs in ${session.dir}`);
  try {
    await step('Checking the tools', async () => {
      toolchain = await findToolchain(options.packageRoot, session.dir);
      writeQuickstartProject(session.projectDir, options.packageRoot, toolchain.cdk.tool);
      const library = toolchain.cdk.tool === 'cdktn' ? 'liftgate-cdktn' : 'liftgate';
      return (
        `terraform ${toolchain.terraformVersion} and ${toolchain.cdk.tool}-cli ${toolchain.cdk.version} found (${toolchain.cdkChoice}); ` +
        `the quickstart app is built against ${library}`
      );
    });

    await step('Starting the Bitbucket DC emulator', async () => {
      session.bitbucket = await startDemoBitbucket(join(session.dir, 'bitbucket'));
      return (
        `Bitbucket DC emulator on ${session.bitbucket.emulator.url}: project ${demoProject.key} with repositories ` +
        `${demoProject.repositories.join(', ')}; user ${demoBitbucketUser} (PROJECT_ADMIN) with an HTTP access token`
      );
    });

    await step('Starting the control plane', async (progress) => {
      progress('opening the embedded PGlite store');
      const controlPlane = await startDemoControlPlane(join(session.dir, 'control-plane'), join(session.logDir, 'control-plane.log'));
      session.controlPlane = controlPlane;
      session.liftgate = new LiftgateClient({ endpoint: controlPlane.url, apiKey: controlPlane.adminKey });
      return `control plane on ${controlPlane.url} (embedded PGlite store); root-admin API key written to ${controlPlane.adminKeyFile}`;
    });

    await step('Installing the Terraform providers', async () => {
      const installed = installDemoProviders(session.dir, options.packageRoot);
      cliConfig = installed.cliConfig;
      return `providers liftgate/liftgate and liftgate/bitbucketdc ${installed.version} installed into ${installed.mirror} (used through TF_CLI_CONFIG_FILE; ~/.terraform.d untouched)`;
    });

    await step(`Deploying the quickstart app with ${toolchain!.cdk.tool}`, async (progress) => {
      const { liftgate, bitbucket } = requireServices(session);
      const applied = await deploy(quickstart.integrationName, progress);
      stackDir = synthesizedStackDir(session.projectDir, quickstart.stack);
      integration = await onlyIntegration(liftgate, quickstart.integrationName);
      await checkStacksAttached(liftgate, integration);
      checkWebhooks(bitbucket, integration);
      return (
        `${toolchain!.cdk.tool} deploy (${describeApply(applied)}): default integration "${integration.name}", space "${quickstart.space}", ` +
        `stacks ${Object.values(quickstart.stacks).join(' and ')}, and a signed webhook on ` +
        `${Object.values(quickstart.stacks).map((slug) => `${demoProject.key}/${slug}`).join(' and ')} → ${integration.webhookUrl}`
      );
    });

    await step('Simulating a push', async () => {
      const { stack, commit, delivery, run } = await pushTrackedBranch(session, integration!, quickstart.stacks.network);
      return (
        `push to ${demoProject.key}/${stack.vcs.repositorySlug} ${stack.vcs.branch} (${short(commit)}) → ` +
        `repo:refs_changed delivered (HTTP ${delivery.statusCode}, signed) → TRACKED run ${run.id} queued for stack ${stack.name}`
      );
    });

    await step('Simulating a pull request', async () => {
      const { liftgate, bitbucket } = requireServices(session);
      const stack = await stackNamed(liftgate, quickstart.stacks.network);
      const opened = await bitbucket.emulator.openPullRequest(demoProject.key, stack.vcs.repositorySlug, {
        fromBranch: 'feature/bigger-subnet',
        toBranch: stack.vcs.branch,
        title: 'Make the private subnet a /20',
      });
      const pullRequestId = opened.pullRequest.id;
      deliveryTo(opened.deliveries, integration!, 'the pull request');
      const run = await runQueuedBy(liftgate, stack, (candidate) => candidate.pullRequestId === pullRequestId, 'the pull request');
      if (run.kind !== 'PROPOSED') throw new DemoCheckFailed(`a pull request queued a ${run.kind} run, expected PROPOSED (plan only)`);
      return (
        `pull request #${pullRequestId} feature/bigger-subnet → ${stack.vcs.branch} on ${demoProject.key}/${stack.vcs.repositorySlug} → ` +
        `pr:opened delivered → PROPOSED run ${run.id} (plan only) queued for stack ${stack.name}`
      );
    });

    await step('Editing a webhook by hand and catching the drift', async (progress) => {
      const { bitbucket } = requireServices(session);
      const slug = quickstart.stacks.dns;
      const [webhook] = bitbucket.emulator.repositoryWebhooks(demoProject.key, slug);
      if (webhook === undefined) throw new DemoCheckFailed(`${demoProject.key}/${slug} has no webhook to edit`);
      // What someone clicking through Bitbucket's settings does: point the webhook elsewhere and keep only pushes.
      const strayUrl = 'http://127.0.0.1:9/old-ci/hook';
      const admin = new BitbucketClient({ baseUrl: bitbucket.emulator.url, token: bitbucket.emulator.adminToken });
      await admin.repositoryWebhooks.update(demoProject.key, slug, webhook.id, {
        name: webhook.name,
        url: strayUrl,
        events: ['repo:refs_changed'],
        active: webhook.active,
        configuration: { ...webhook.configuration },
        sslVerificationRequired: webhook.sslVerificationRequired,
      });
      progress('terraform plan -detailed-exitcode');
      const drifted = await plan(quickstart.integrationName);
      if (drifted.exitCode !== 2) throw new DemoCheckFailed(`terraform plan -detailed-exitcode exited ${drifted.exitCode} after the edit, expected 2 (drift)`);
      const webhookChange = drifted.changes.find((change) => change.startsWith('bitbucketdc_repository_webhook.') && change.includes(slug));
      if (webhookChange === undefined) {
        throw new DemoCheckFailed(`terraform plan did not name the edited webhook of ${demoProject.key}/${slug}`, drifted.changes);
      }
      progress('liftgate drift');
      const drift = await liftgateDrift(session, options.packageRoot);
      const findings = drift.report.findings.filter((finding) => finding.repository?.repositorySlug === slug);
      if (drift.exitCode !== 2 || findings.length === 0) {
        throw new DemoCheckFailed(`liftgate drift exited ${drift.exitCode} without a finding on ${demoProject.key}/${slug}, expected 2 (drift)`, drift.report.findings.map((finding) => `${finding.kind}: ${finding.detail}`));
      }
      const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
      return (
        `edited the webhook of ${demoProject.key}/${slug} in Bitbucket (URL → ${strayUrl}, only repo:refs_changed); drift caught: ` +
        `terraform plan -detailed-exitcode exits 2 (${webhookChange}), liftgate drift exits 2 (${kinds} on stack ${findings[0]!.stack?.name ?? slug})`
      );
    });

    await step(`Repairing the drift with ${toolchain!.cdk.tool} deploy`, async (progress) => {
      const { liftgate, bitbucket } = requireServices(session);
      const applied = await deploy(quickstart.integrationName, progress);
      if (applied.changed < 1) throw new DemoCheckFailed(`${toolchain!.cdk.tool} deploy changed nothing (${describeApply(applied)}), expected it to restore the webhook`);
      integration = await onlyIntegration(liftgate, quickstart.integrationName);
      checkWebhooks(bitbucket, integration);
      progress('terraform plan -detailed-exitcode');
      const clean = await plan(quickstart.integrationName);
      if (clean.exitCode !== 0) throw new DemoCheckFailed(`terraform plan still finds changes after the repair (exit ${clean.exitCode})`, clean.changes);
      progress('liftgate drift');
      const drift = await liftgateDrift(session, options.packageRoot);
      if (drift.exitCode !== 0) {
        throw new DemoCheckFailed(`liftgate drift still finds drift after the repair (exit ${drift.exitCode})`, drift.report.findings.map((finding) => `${finding.kind}: ${finding.detail}`));
      }
      return `${toolchain!.cdk.tool} deploy (${describeApply(applied)}) restored the webhook of ${demoProject.key}/${quickstart.stacks.dns}; terraform plan -detailed-exitcode and liftgate drift exit 0 (no drift)`;
    });

    await step('Renaming the integration', async (progress) => {
      const { liftgate, bitbucket } = requireServices(session);
      const before = integration!;
      const applied = await deploy(quickstart.renamedIntegrationName, progress);
      integration = await onlyIntegration(liftgate, quickstart.renamedIntegrationName);
      if (integration.webhookUrl === before.webhookUrl) throw new DemoCheckFailed(`the renamed integration kept the webhook URL ${before.webhookUrl}`);
      const stacks = await checkStacksAttached(liftgate, integration);
      checkWebhooks(bitbucket, integration);
      progress('terraform plan -detailed-exitcode');
      const clean = await plan(quickstart.renamedIntegrationName);
      if (clean.exitCode !== 0) throw new DemoCheckFailed(`terraform plan finds changes right after the rename (exit ${clean.exitCode})`, clean.changes);
      return (
        `renamed "${before.name}" → "${integration.name}" with ${toolchain!.cdk.tool} deploy (${describeApply(applied)}): id ${before.id} → ${integration.id}, ` +
        `stacks ${stacks.map((stack) => stack.name).join(' and ')} still attached, webhooks re-pointed to ${integration.webhookUrl}; plan clean`
      );
    });

    await step('Pushing through the new webhook URL', async () => {
      const { stack, delivery, run } = await pushTrackedBranch(session, integration!, quickstart.stacks.dns);
      return `push to ${demoProject.key}/${stack.vcs.repositorySlug} ${stack.vcs.branch} → delivered to ${delivery.url} → TRACKED run ${run.id} queued for stack ${stack.name}`;
    });

    interrupt.dispose();
    if (options.keep) await keepRunning(report, session, toolchain!, cliConfig, quickstart.renamedIntegrationName);
  } catch (error) {
    interrupt.dispose();
    failed = true;
    if (!(error instanceof DemoCheckFailed) && error instanceof Error && error.stack !== undefined) {
      writeFileSync(join(session.dir, 'error.txt'), `${error.stack}\n`);
    }
  }

  await report.step('Stopping', async () => {
    // After a failure the directory holds what explains it (logs of every run, the store, the state file),
    // unless the demo failed before it started anything.
    const worthKeeping = failed && (session.bitbucket !== undefined || session.controlPlane !== undefined);
    await session.stop();
    if (worthKeeping) return `stopped the control plane and the emulator; logs and state kept in ${session.dir}`;
    rmSync(session.dir, { recursive: true, force: true });
    return `stopped the control plane and the emulator and removed ${session.dir}`;
  }, { last: true });
  report.say(failed ? 'The demo failed: see the ✗ line above.' : 'The demo finished: every check held.');
  return failed ? 1 : 0;
}

/** --keep: prints how to reach everything and waits for Ctrl-C (SIGINT) or SIGTERM. */
async function keepRunning(report: StepReporter, session: DemoSession, toolchain: Toolchain, cliConfig: string, integrationName: string): Promise<void> {
  const { bitbucket, controlPlane } = requireServices(session);
  const environment = terraformEnvironment(session, cliConfig, integrationName);
  const exported = Object.keys(environment).filter((name) => /^(TF_|LIFTGATE_|BITBUCKET_|CDKTF_|CHECKPOINT_)/.test(name));
  const envFile = join(session.dir, 'env.sh');
  writeFileSync(
    envFile,
    [
      `# Source this file to run ${toolchain.cdk.tool} and terraform against the demo's services (liftgate demo --keep).`,
      ...exported.map((name) => `export ${name}=${shellQuote(environment[name] ?? '')}`),
      `${toolchain.cdk.tool}() { ${shellQuote(process.execPath)} ${shellQuote(toolchain.cdk.entry)} "$@"; }`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  report.say('');
  report.say('The services keep running (--keep):');
  report.say(`  control plane       ${controlPlane.url}   (API description: ${controlPlane.url}/api/v1/openapi.json)`);
  report.say(`  root-admin API key  ${controlPlane.adminKeyFile}`);
  report.say(`  Bitbucket emulator  ${bitbucket.emulator.url}   (user admin, token in ${bitbucket.adminTokenFile})`);
  report.say(`  ${demoBitbucketUser} token  ${bitbucket.userTokenFile}`);
  report.say(`  logs                ${session.logDir}`);
  report.say(`Try: curl -H "Authorization: Bearer $(cat ${controlPlane.adminKeyFile})" ${controlPlane.url}/api/v1/stacks`);
  report.say(`     source ${envFile} && cd ${session.projectDir} && ${toolchain.cdk.tool} diff --skip-provider-lock`);
  report.say('Press Ctrl-C to stop everything.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
