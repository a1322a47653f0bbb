/**
 * The steps of the walkthrough, in order (walkthrough.ts adds the last one, stopping). Each does one thing a platform team does, checks its effect
 * (checks.ts) and answers the line the demo prints for it.
 */
import { join } from 'node:path';
import { BitbucketClient } from '../../clients/bitbucket';
import { LiftgateClient } from '../../clients/liftgate';
import { buildStatusIs, pullRequestComment, runReaches, stateHolds } from './runs';
import { checkStacksAttached, checkWebhooks, deliveryTo, demoTerraform, liftgateDrift, onlyIntegration, pushTrackedBranch, quickstart, runQueuedBy, stackNamed } from './checks';
import { DemoCheckFailed, type Progress } from './report';
import { demoBitbucketUser, demoProject, startDemoBitbucket, startDemoControlPlane } from './services';
import type { DemoSession } from './session';
import { findToolchain, installDemoProviders, synthesizedStackDir, writeQuickstartProject, type ApplySummary } from './toolchain';

export interface DemoStep {
  /** What the step does, as its line begins (it may name the CDK CLI chosen by the first step). */
  activity(session: DemoSession): string;
  run(session: DemoSession, progress: Progress): Promise<string>;
}

function short(commit: string): string {
  return commit.slice(0, 7);
}

function describeApply(summary: ApplySummary): string {
  return `${summary.added} added, ${summary.changed} changed, ${summary.destroyed} destroyed`;
}

async function checkTools(session: DemoSession): Promise<string> {
  const toolchain = await findToolchain(session.packageRoot, session.dir);
  session.toolchain = toolchain;
  writeQuickstartProject(session.projectDir, session.packageRoot, toolchain.cdk.tool);
  const library = toolchain.cdk.tool === 'cdktn' ? 'liftgate-cdktn' : 'liftgate';
  return `terraform ${toolchain.terraformVersion} and ${toolchain.cdk.tool}-cli ${toolchain.cdk.version} found (${toolchain.cdkChoice}); the quickstart app is built against ${library}`;
}

async function startBitbucket(session: DemoSession): Promise<string> {
  session.bitbucket = await startDemoBitbucket(join(session.dir, 'bitbucket'));
  return (
    `Bitbucket DC emulator on ${session.bitbucket.emulator.url}: project ${demoProject.key} with repositories ` +
    `${demoProject.repositories.join(', ')}; user ${demoBitbucketUser} (PROJECT_ADMIN) with an HTTP access token`
  );
}

async function startControlPlane(session: DemoSession, progress: Progress): Promise<string> {
  progress('opening the embedded PGlite store');
  const controlPlane = await startDemoControlPlane(join(session.dir, 'control-plane'), join(session.logDir, 'control-plane.log'));
  session.controlPlane = controlPlane;
  session.liftgate = new LiftgateClient({ endpoint: controlPlane.url, apiKey: controlPlane.adminKey });
  return `control plane on ${controlPlane.url} (embedded PGlite store); root-admin API key written to ${controlPlane.adminKeyFile}`;
}

async function installProviders(session: DemoSession): Promise<string> {
  const installed = installDemoProviders(session.dir, session.packageRoot);
  session.cliConfig = installed.cliConfig;
  return `providers liftgate/liftgate and liftgate/bitbucketdc ${installed.version} installed into ${installed.mirror} (used through TF_CLI_CONFIG_FILE; ~/.terraform.d untouched)`;
}

async function deployQuickstart(session: DemoSession, progress: Progress): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const applied = await session.deploy(quickstart.integrationName, progress);
  session.stackDir = synthesizedStackDir(session.projectDir, quickstart.stack);
  const integration = await onlyIntegration(liftgate, quickstart.integrationName);
  session.integration = integration;
  await checkStacksAttached(liftgate, integration);
  checkWebhooks(bitbucket, integration);
  return (
    `${session.tools().cdk.tool} deploy (${describeApply(applied)}): default integration "${integration.name}", space "${quickstart.space}", ` +
    `stacks ${Object.values(quickstart.stacks).join(' and ')}, and a signed webhook on ` +
    `${Object.values(quickstart.stacks).map((slug) => `${demoProject.key}/${slug}`).join(' and ')} → ${integration.webhookUrl}`
  );
}

async function simulatePush(session: DemoSession): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const { stack, commit, delivery, run } = await pushTrackedBranch(session, quickstart.stacks.network);
  const finished = await runReaches(liftgate, stack, run.id, ['FINISHED']);
  const serial = await stateHolds(liftgate, stack, 'terraform_data.demo');
  const status = await buildStatusIs(bitbucket, stack, commit, 'tracked', 'SUCCESSFUL');
  return (
    `push to ${demoProject.key}/${stack.vcs.repositorySlug} ${stack.vcs.branch} (${short(commit)}) → repo:refs_changed delivered ` +
    `(HTTP ${delivery.statusCode}, signed) → TRACKED run ${run.id} ${finished.history?.map((entry) => entry.state).join(' → ')} ` +
    `(+${finished.delta?.add} ~${finished.delta?.change} -${finished.delta?.destroy}); state serial ${serial} in the control plane; ` +
    `build status ${status.key} SUCCESSFUL on the commit (parent ${status.parent})`
  );
}

async function simulatePullRequest(session: DemoSession): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const stack = await stackNamed(liftgate, quickstart.stacks.network);
  // A pull request needs its branch: push a change to it first (that push queues the PROPOSED run of its commit).
  await bitbucket.emulator.push(demoProject.key, stack.vcs.repositorySlug, {
    branch: 'feature/bigger-subnet',
    files: demoTerraform(stack.vcs.projectRoot, 'a /20 private subnet'),
    message: 'Make the private subnet a /20',
  });
  const opened = await bitbucket.emulator.openPullRequest(demoProject.key, stack.vcs.repositorySlug, {
    fromBranch: 'feature/bigger-subnet',
    toBranch: stack.vcs.branch,
    title: 'Make the private subnet a /20',
  });
  const pullRequestId = opened.pullRequest.id;
  deliveryTo(opened.deliveries, session.deployedIntegration(), 'the pull request');
  // One PROPOSED run per commit: the pull request's commit has the push's run, which pr:opened does not repeat.
  const commit = opened.pullRequest.fromRef.latestCommit;
  const run = await runQueuedBy(liftgate, stack, (candidate) => candidate.commit === commit && candidate.kind === 'PROPOSED', 'the pull request');
  if (run.kind !== 'PROPOSED') throw new DemoCheckFailed(`a pull request queued a ${run.kind} run, expected PROPOSED (plan only)`);
  await runReaches(liftgate, stack, run.id, ['FINISHED']);
  const first = await pullRequestComment(bitbucket, stack, pullRequestId, short(commit));
  // The next push to the branch plans again, and the same comment is edited in place.
  const next = await bitbucket.emulator.push(demoProject.key, stack.vcs.repositorySlug, {
    branch: 'feature/bigger-subnet',
    files: demoTerraform(stack.vcs.projectRoot, 'a /19 private subnet'),
    message: 'Make it a /19',
  });
  const again = await runQueuedBy(liftgate, stack, (candidate) => candidate.commit === next.commit && candidate.kind === 'PROPOSED', 'the second push');
  await runReaches(liftgate, stack, again.id, ['FINISHED']);
  const edited = await pullRequestComment(bitbucket, stack, pullRequestId, short(next.commit));
  if (edited.id !== first.id || edited.count !== 1) {
    throw new DemoCheckFailed(`pull request #${pullRequestId} has ${edited.count} Liftgate comments, expected one edited in place`);
  }
  return (
    `pull request #${pullRequestId} feature/bigger-subnet → ${stack.vcs.branch}: PROPOSED run ${run.id} of ${short(commit)} FINISHED, its plan ` +
    `in comment ${first.id}; the next push's PROPOSED run ${again.id} edited that comment in place (version ${first.version} → ${edited.version})`
  );
}

/** What someone clicking through Bitbucket's settings does: points the webhook elsewhere and keeps only pushes. */
async function editWebhookByHand(session: DemoSession, slug: string, strayUrl: string): Promise<void> {
  const { bitbucket } = session.services();
  const [webhook] = bitbucket.emulator.repositoryWebhooks(demoProject.key, slug);
  if (webhook === undefined) throw new DemoCheckFailed(`${demoProject.key}/${slug} has no webhook to edit`);
  const admin = new BitbucketClient({ baseUrl: bitbucket.emulator.url, token: bitbucket.emulator.adminToken });
  try {
    await admin.repositoryWebhooks.update(demoProject.key, slug, webhook.id, {
      name: webhook.name,
      url: strayUrl,
      events: ['repo:refs_changed'],
      active: webhook.active,
      configuration: { ...webhook.configuration },
      sslVerificationRequired: webhook.sslVerificationRequired,
    });
  } finally {
    admin.close();
  }
}

async function catchDrift(session: DemoSession, progress: Progress): Promise<string> {
  const slug = quickstart.stacks.dns;
  const strayUrl = 'http://127.0.0.1:9/old-ci/hook';
  await editWebhookByHand(session, slug, strayUrl);
  progress('terraform plan -detailed-exitcode');
  const drifted = await session.plan(quickstart.integrationName);
  if (drifted.exitCode !== 2) throw new DemoCheckFailed(`terraform plan -detailed-exitcode exited ${drifted.exitCode} after the edit, expected 2 (drift)`);
  const webhookChange = drifted.changes.find((change) => change.startsWith('bitbucketdc_repository_webhook.') && change.includes(slug));
  if (webhookChange === undefined) throw new DemoCheckFailed(`terraform plan did not name the edited webhook of ${demoProject.key}/${slug}`, drifted.changes);
  progress('liftgate drift');
  const drift = await liftgateDrift(session);
  const findings = drift.report.findings.filter((finding) => finding.repository?.repositorySlug === slug);
  if (drift.exitCode !== 2 || findings.length === 0) {
    throw new DemoCheckFailed(
      `liftgate drift exited ${drift.exitCode} without a finding on ${demoProject.key}/${slug}, expected 2 (drift)`,
      drift.report.findings.map((finding) => `${finding.kind}: ${finding.detail}`),
    );
  }
  const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
  return (
    `edited the webhook of ${demoProject.key}/${slug} in Bitbucket (URL → ${strayUrl}, only repo:refs_changed); drift caught: ` +
    `terraform plan -detailed-exitcode exits 2 (${webhookChange}), liftgate drift exits 2 (${kinds} on stack ${findings[0]!.stack?.name ?? slug})`
  );
}

async function repairDrift(session: DemoSession, progress: Progress): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const tool = session.tools().cdk.tool;
  const applied = await session.deploy(quickstart.integrationName, progress);
  if (applied.changed < 1) throw new DemoCheckFailed(`${tool} deploy changed nothing (${describeApply(applied)}), expected it to restore the webhook`);
  session.integration = await onlyIntegration(liftgate, quickstart.integrationName);
  checkWebhooks(bitbucket, session.integration);
  progress('terraform plan -detailed-exitcode');
  const clean = await session.plan(quickstart.integrationName);
  if (clean.exitCode !== 0) throw new DemoCheckFailed(`terraform plan still finds changes after the repair (exit ${clean.exitCode})`, clean.changes);
  progress('liftgate drift');
  const drift = await liftgateDrift(session);
  if (drift.exitCode !== 0) {
    throw new DemoCheckFailed(`liftgate drift still finds drift after the repair (exit ${drift.exitCode})`, drift.report.findings.map((finding) => `${finding.kind}: ${finding.detail}`));
  }
  return `${tool} deploy (${describeApply(applied)}) restored the webhook of ${demoProject.key}/${quickstart.stacks.dns}; terraform plan -detailed-exitcode and liftgate drift exit 0 (no drift)`;
}

async function renameIntegration(session: DemoSession, progress: Progress): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const before = session.deployedIntegration();
  const applied = await session.deploy(quickstart.renamedIntegrationName, progress);
  const integration = await onlyIntegration(liftgate, quickstart.renamedIntegrationName);
  session.integration = integration;
  if (integration.webhookUrl === before.webhookUrl) throw new DemoCheckFailed(`the renamed integration kept the webhook URL ${before.webhookUrl}`);
  const stacks = await checkStacksAttached(liftgate, integration);
  checkWebhooks(bitbucket, integration);
  progress('terraform plan -detailed-exitcode');
  const clean = await session.plan(quickstart.renamedIntegrationName);
  if (clean.exitCode !== 0) throw new DemoCheckFailed(`terraform plan finds changes right after the rename (exit ${clean.exitCode})`, clean.changes);
  return (
    `renamed "${before.name}" → "${integration.name}" with ${session.tools().cdk.tool} deploy (${describeApply(applied)}): id ${before.id} → ${integration.id}, ` +
    `stacks ${stacks.map((stack) => stack.name).join(' and ')} still attached, webhooks re-pointed to ${integration.webhookUrl}; plan clean`
  );
}

async function pushThroughNewUrl(session: DemoSession): Promise<string> {
  const { liftgate, bitbucket } = session.services();
  const { stack, commit, delivery, run } = await pushTrackedBranch(session, quickstart.stacks.dns);
  // dns keeps autodeploy off: its plan waits for a person, and a confirm applies exactly that plan.
  await runReaches(liftgate, stack, run.id, ['UNCONFIRMED']);
  await buildStatusIs(bitbucket, stack, commit, 'tracked', 'INPROGRESS');
  await liftgate.stacks.runAction(stack.id, run.id, 'confirm');
  await runReaches(liftgate, stack, run.id, ['FINISHED']);
  await stateHolds(liftgate, stack, 'terraform_data.demo');
  await buildStatusIs(bitbucket, stack, commit, 'tracked', 'SUCCESSFUL');
  return (
    `push to ${demoProject.key}/${stack.vcs.repositorySlug} ${stack.vcs.branch} → delivered to ${delivery.url} → TRACKED run ${run.id} ` +
    `UNCONFIRMED (autodeploy off) → confirmed → FINISHED, SUCCESSFUL on ${short(commit)}`
  );
}

const named = (activity: string, run: DemoStep['run']): DemoStep => ({ activity: () => activity, run });

export const DEMO_STEPS: readonly DemoStep[] = [
  named('Checking the tools', checkTools),
  named('Starting the Bitbucket DC emulator', startBitbucket),
  named('Starting the control plane', startControlPlane),
  named('Installing the Terraform providers', installProviders),
  { activity: (session) => `Deploying the quickstart app with ${session.tools().cdk.tool}`, run: deployQuickstart },
  named('Simulating a push', simulatePush),
  named('Simulating a pull request', simulatePullRequest),
  named('Editing a webhook by hand and catching the drift', catchDrift),
  { activity: (session) => `Repairing the drift with ${session.tools().cdk.tool} deploy`, run: repairDrift },
  named('Renaming the integration', renameIntegration),
  named('Pushing through the new webhook URL', pushThroughNewUrl),
];
