/**
 * What the demo checks after each step, against the control plane's API and the emulator's state (never against the
 * tools' own output): a check that does not hold throws DemoCheckFailed with the reason.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Integration, LiftgateClient, Run, Stack } from '../../clients/liftgate';
import type { DeliveryResult } from '../../emulator';
import { bindingOf, integrationServes } from '../../domain/integrations';
import { HANDLED_EVENTS } from '../../domain/webhook-events';
import { DemoCheckFailed } from './report';
import { demoProject, type DemoBitbucket } from './services';
import type { DemoSession } from './session';
import { runProcess } from './toolchain';

/** The quickstart app's stack (examples/quickstart/main.ts) and what it declares. */
export const quickstart = {
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

/** The one stack of the quickstart app with this name; its absence is a failed check. */
export async function stackNamed(liftgate: LiftgateClient, name: string): Promise<Stack> {
  const stack = (await liftgate.stacks.list()).find((candidate) => candidate.name === name);
  if (stack === undefined) throw new DemoCheckFailed(`the control plane has no stack "${name}"`);
  return stack;
}

/** The integration named `name`, with its webhook secret; checks it is the only one (the rename left no other behind). */
export async function onlyIntegration(liftgate: LiftgateClient, name: string): Promise<Integration> {
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
export function checkWebhooks(bitbucket: DemoBitbucket, integration: Integration): void {
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

/** Checks both quickstart stacks are attached and served by `integration` (named, or as the default). */
export async function checkStacksAttached(liftgate: LiftgateClient, integration: Integration): Promise<Stack[]> {
  const stacks: Stack[] = [];
  for (const name of Object.values(quickstart.stacks)) {
    const stack = await stackNamed(liftgate, name);
    if (stack.detached) throw new DemoCheckFailed(`stack ${name} is detached (its integration was deleted and it was not re-attached)`);
    if (!integrationServes(integration, bindingOf(stack))) {
      throw new DemoCheckFailed(`stack ${name} uses integration "${stack.vcs.integrationId}", not "${integration.id}"`);
    }
    stacks.push(stack);
  }
  return stacks;
}

/** The one delivery of a simulated event that went to the integration's URL; it must have been accepted. */
export function deliveryTo(deliveries: DeliveryResult[], integration: Integration, what: string): DeliveryResult {
  const delivery = deliveries.find((candidate) => candidate.url === integration.webhookUrl);
  if (delivery === undefined) {
    throw new DemoCheckFailed(`${what} was not delivered to ${integration.webhookUrl}`, deliveries.map((other) => `delivered to ${other.url}: ${other.outcome}`));
  }
  if (delivery.outcome !== 'SUCCESS') {
    throw new DemoCheckFailed(`the control plane did not accept ${what}: ${delivery.outcome} ${delivery.statusCode ?? ''} ${delivery.description}`.trim());
  }
  return delivery;
}

/** The run of `stack` a simulated event queued, found by what it must carry (a demo stack has a handful of runs). */
export async function runQueuedBy(liftgate: LiftgateClient, stack: Stack, matches: (run: Run) => boolean, what: string): Promise<Run> {
  const runs = await liftgate.stacks.runs(stack.id).toArray();
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
/** Terraform code for the demo's pushes: a file under the stack's project root (only built-ins: no registry here). */
export function demoTerraform(projectRoot: string, note: string): Record<string, string> {
  const path = projectRoot === '' ? 'main.tf' : `${projectRoot.replace(/\/+$/, '')}/main.tf`;
  return {
    [path]: [
      'resource "terraform_data" "demo" {',
      `  input = ${JSON.stringify(note)}`,
      '  provisioner "local-exec" {',
      '    command = "echo applied: $NOTE"',
      '    environment = { NOTE = self.input }',
      '  }',
      '}',
      '',
      'output "note" {',
      '  value = terraform_data.demo.output',
      '}',
      '',
    ].join('\n'),
  };
}

export async function pushTrackedBranch(session: DemoSession, stackName: string) {
  const { liftgate, bitbucket } = session.services();
  const stack = await stackNamed(liftgate, stackName);
  const pushed = await bitbucket.emulator.push(demoProject.key, stack.vcs.repositorySlug, {
    branch: stack.vcs.branch,
    files: demoTerraform(stack.vcs.projectRoot, `${stack.name} pushed at ${new Date().toISOString()}`),
    message: `Update ${stack.name}`,
  });
  const commit = pushed.commit;
  const delivery = deliveryTo(pushed.deliveries, session.deployedIntegration(), 'the push');
  const run = await runQueuedBy(liftgate, stack, (candidate) => candidate.commit === commit, 'the push');
  if (run.kind !== 'TRACKED') throw new DemoCheckFailed(`a push to the tracked branch queued a ${run.kind} run, expected TRACKED`);
  return { stack, commit, delivery, run };
}

/**
 * Runs `liftgate drift --json` as a user would (this package's own CLI), with the demo's control plane and
 * Bitbucket token; resolves to its exit code and report.
 */
export async function liftgateDrift(session: DemoSession): Promise<{ exitCode: number; report: DriftReport }> {
  const { bitbucket, controlPlane } = session.services();
  const logFile = session.logFile('liftgate-drift');
  const result = await runProcess(process.execPath, [join(session.packageRoot, 'bin', 'liftgate'), 'drift', '--json'], {
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
