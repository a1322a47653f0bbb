import { repositoryKey } from './bitbucket-names';
import { branchName, branchNameProblem, requireCommit } from './git';
import { integrationServes, type IntegrationBinding, type ServingIntegration } from './integrations';

/**
 * Run triggering: which stacks a Bitbucket delivery starts runs on, and of which kind. Pure rules, no I/O;
 * the webhook receiver feeds them the stacks the store found for the delivery's repository.
 */

/** `TRACKED` plans and applies the tracked branch; `PROPOSED` only plans, to preview a change. */
export type RunKind = 'TRACKED' | 'PROPOSED';

/** What started a run: a Bitbucket event key (`repo:refs_changed`, `pr:opened`, …) or `manual`. */
export type RunTrigger = string;

export const MANUAL_TRIGGER: RunTrigger = 'manual';

export interface RepositoryRef {
  projectKey: string;
  repositorySlug: string;
}

/** A branch that a push created or moved, with the commit it now points at. */
export interface PushedBranch {
  branch: string;
  commit: string;
}

/** A handled Bitbucket event, reduced to what run triggering needs. */
export type RepositoryEvent =
  | { kind: 'push'; eventKey: string; repository: RepositoryRef; pushedBranches: PushedBranch[] }
  | {
      kind: 'pullRequest';
      eventKey: string;
      /** The repository the pull request targets (its source may be a fork). */
      repository: RepositoryRef;
      pullRequestId: number;
      sourceBranch: string;
      targetBranch: string;
      /** The source branch's latest commit: the change a proposed run previews. */
      commit: string;
      /** A `/liftgate plan` comment: a deliberate re-plan, run even when the commit already has its run. */
      replan: boolean;
    };

/** The fields of a stack that decide whether a delivery reaches it. */
export interface TriggerableStack extends RepositoryRef, IntegrationBinding {
  id: string;
  branch: string;
}

/** A run to record in state QUEUED. */
export interface RunRequest {
  stackId: string;
  kind: RunKind;
  trigger: RunTrigger;
  branch: string;
  /** null for a manual run that names no commit: the tracked branch's head at the time it runs. */
  commit: string | null;
  pullRequestId: number | null;
  /**
   * Exempt from one run per (stack, kind, commit): a person asked for this run (a `/liftgate plan` comment, a manual
   * trigger), so it is made even when the commit already has one.
   */
  deliberate: boolean;
}

/** Bitbucket matches project keys and repository slugs in any case. */
export function sameRepository(a: RepositoryRef, b: RepositoryRef): boolean {
  return repositoryKey(a.projectKey, a.repositorySlug) === repositoryKey(b.projectKey, b.repositorySlug);
}

/**
 * The runs a handled event starts: for every stack on the event's repository that receives from this
 * integration, a push to the tracked branch is TRACKED and a push to any other branch PROPOSED (one run per
 * pushed branch); a pull-request event is PROPOSED when the pull request targets the tracked branch.
 */
export function runsForEvent(
  event: RepositoryEvent,
  integration: ServingIntegration,
  stacks: readonly TriggerableStack[],
): RunRequest[] {
  const runs: RunRequest[] = [];
  for (const stack of stacks) {
    if (!integrationServes(integration, stack) || !sameRepository(stack, event.repository)) {
      continue;
    }
    const trackedBranch = branchName(stack.branch);
    if (event.kind === 'push') {
      for (const pushed of event.pushedBranches) {
        runs.push({
          stackId: stack.id,
          kind: pushed.branch === trackedBranch ? 'TRACKED' : 'PROPOSED',
          trigger: event.eventKey,
          branch: pushed.branch,
          commit: pushed.commit,
          pullRequestId: null,
          deliberate: false,
        });
      }
    } else if (event.targetBranch === trackedBranch) {
      runs.push({
        stackId: stack.id,
        kind: 'PROPOSED',
        trigger: event.eventKey,
        branch: event.sourceBranch,
        commit: event.commit,
        pullRequestId: event.pullRequestId,
        deliberate: event.replan,
      });
    }
  }
  return runs;
}

/**
 * Why a stack cannot be run by hand, or null when it can: it is detached, or its branch (stored before branch names
 * were checked) is not one Git accepts.
 */
export function manualRunRefusal(stack: Pick<TriggerableStack, 'detached' | 'branch'>): string | null {
  if (stack.detached) return 'it is detached (its integration was deleted); attach it to an integration to trigger runs again';
  const problem = branchNameProblem(stack.branch);
  return problem === null ? null : `its vcs.branch ${problem}; correct it with PATCH /api/v1/stacks/{id}`;
}

/**
 * A manual trigger always runs the tracked branch (plan and apply), optionally pinned to a commit. Throws a
 * RangeError when the commit is not a full commit id or the branch is not a valid branch name: run requests only
 * ever carry values a Git host and a run directory can take as they are.
 */
export function manualRun(stack: Pick<TriggerableStack, 'id' | 'branch'>, commit: string | null): RunRequest {
  const problem = branchNameProblem(stack.branch);
  if (problem !== null) throw new RangeError(`branch ${problem}`);
  return {
    stackId: stack.id,
    kind: 'TRACKED',
    trigger: MANUAL_TRIGGER,
    branch: branchName(stack.branch),
    commit: commit === null ? null : requireCommit(commit),
    pullRequestId: null,
    deliberate: true,
  };
}

/** The reason a TRIGGERED delivery is logged with, once it is known how many of the runs it asked for were new. */
export function triggeredDeliveryReason(requested: number, queued: number): string {
  if (requested === 0) return 'no stack on this repository and branch uses this integration';
  if (queued === requested) return `${queued} run(s) queued`;
  return (
    `${queued} run(s) queued; ${requested - queued} not queued again: the stack already has a run of that kind for that ` +
    'commit (one run per stack, kind and commit)'
  );
}

/** A recorded run (API shape). */
export interface Run extends Omit<RunRequest, 'stackId' | 'deliberate'> {
  id: string;
  stackId: string;
  state: 'QUEUED';
  /** The delivery that caused the run; null for manual runs (and after its integration was deleted). */
  deliveryId: string | null;
  /** The API key that triggered a manual run. */
  triggeredBy: string | null;
  createdAt: string;
}

/**
 * What the receiver did with a delivery: TRIGGERED (a handled event; it may have matched no stack), IGNORED
 * (an event Liftgate does not act on), REJECTED (bad signature, body or size; answered 4xx).
 */
export type DeliveryOutcome = 'TRIGGERED' | 'IGNORED' | 'REJECTED';

/** One entry of an integration's delivery log (API shape). */
export interface Delivery {
  id: string;
  integrationId: string;
  requestId: string | null;
  eventKey: string | null;
  /** The repository the event concerns; for a rejected delivery the one its unverified body names, or null. */
  repository: RepositoryRef | null;
  outcome: DeliveryOutcome;
  statusCode: number;
  reason: string;
  runIds: string[];
  receivedAt: string;
  /** How many deliveries the entry stands for: 1, or more for an entry that counts a flood of refused ones. */
  count: number;
  /** When the last of them arrived (receivedAt for a single delivery). */
  lastReceivedAt: string;
}
