/**
 * The demo's checks of runs that run (SPEC §7): a run reaches the state it should, its resources are in the control
 * plane's state, its build status is on the commit in Bitbucket, and a pull request carries its one comment.
 */
import type { LiftgateClient, Run, Stack } from '../../clients/liftgate';
import { DemoCheckFailed } from './report';
import { demoProject, type DemoBitbucket } from './services';

const ENDED = ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'];

/** Polls the run until it is in one of `states` (or has ended otherwise, which fails the check with its failure). */
export async function runReaches(liftgate: LiftgateClient, stack: Stack, runId: string, states: readonly string[], timeoutMs = 90_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await liftgate.stacks.run(stack.id, runId);
    if (states.includes(run.state)) return run;
    if (ENDED.includes(run.state) || Date.now() > deadline) {
      const log = await liftgate.stacks.runLog(stack.id, runId, 0).catch(() => ({ text: '' }));
      throw new DemoCheckFailed(
        `run ${runId} of stack ${stack.name} is ${run.state}${run.failure ? ` (${run.failure})` : ''}, expected ${states.join(' or ')}`,
        log.text.trim().split('\n').slice(-15),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The addresses of the resources in the stack's state in the control plane; fails when `address` is not among them. */
export async function stateHolds(liftgate: LiftgateClient, stack: Stack, address: string): Promise<number> {
  const state = (await liftgate.state.current(stack.id)) as { serial?: number; resources?: { mode: string; type: string; name: string }[] } | null;
  const addresses = (state?.resources ?? []).filter((resource) => resource.mode === 'managed').map((resource) => `${resource.type}.${resource.name}`);
  if (!addresses.includes(address)) throw new DemoCheckFailed(`the control plane's state of stack ${stack.name} does not hold ${address}`, addresses);
  return state?.serial ?? 0;
}

async function bitbucketGet(bitbucket: DemoBitbucket, path: string): Promise<any> {
  const response = await fetch(`${bitbucket.emulator.url}/rest/api/latest/projects/${demoProject.key}${path}`, {
    headers: { Authorization: `Bearer ${bitbucket.emulator.adminToken}` },
  });
  return response.status === 200 ? response.json() : null;
}

/** Waits for the stack's build status on the commit to be `state` (feedback is posted beside the run). */
export async function buildStatusIs(bitbucket: DemoBitbucket, stack: Stack, commit: string, kind: 'tracked' | 'proposed', state: string): Promise<{ key: string; parent: string }> {
  const key = `liftgate/${stack.id}/${kind}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await bitbucketGet(bitbucket, `/repos/${stack.vcs.repositorySlug}/commits/${commit}/builds?key=${encodeURIComponent(key)}`);
    if (status?.state === state) return status;
    if (Date.now() > deadline) throw new DemoCheckFailed(`the build status ${key} on ${commit.slice(0, 12)} is ${status?.state ?? 'missing'}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits for the one Liftgate comment on the pull request whose text contains `expected`. */
export async function pullRequestComment(bitbucket: DemoBitbucket, stack: Stack, pullRequestId: number, expected: string): Promise<{ id: number; version: number; count: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const activities = await bitbucketGet(bitbucket, `/repos/${stack.vcs.repositorySlug}/pull-requests/${pullRequestId}/activities?limit=100`);
    const comments = ((activities?.values ?? []) as any[]).filter((activity) => activity.action === 'COMMENTED' && activity.commentAction === 'ADDED');
    const ours = comments[0]?.comment;
    const current = ours === undefined ? null : await bitbucketGet(bitbucket, `/repos/${stack.vcs.repositorySlug}/pull-requests/${pullRequestId}/comments/${ours.id}`);
    if (current !== null && String(current.text).includes(expected)) return { id: current.id, version: current.version, count: comments.length };
    if (Date.now() > deadline) throw new DemoCheckFailed(`pull request #${pullRequestId} has no Liftgate comment showing ${expected}`, comments.map((activity) => String(activity.comment?.text).slice(0, 80)));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
