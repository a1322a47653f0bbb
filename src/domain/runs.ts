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

/** A branch that a push created or moved, with the commit it now points at and the one it pointed at before. */
export interface PushedBranch {
  branch: string;
  commit: string;
  /** 40 zeros when the push created the branch. */
  fromCommit: string;
}

/** Git's "no commit": the fromHash of a branch a push created. */
export const ZERO_COMMIT = '0'.repeat(40);

/**
 * What is known of the files a pushed branch's change touched: the paths Bitbucket listed
 * (`commits/{toHash}/changes?since={fromHash}`), or why they are not known (a new branch, a failed or slow look-up).
 */
export type ChangedPaths = { known: true; paths: readonly string[] } | { known: false; why: string };

/** The pull-request events that start a PROPOSED run (others are recorded and start nothing; a merge arrives as a push). */
export const RUN_STARTING_PULL_REQUEST_EVENTS: readonly string[] = ['pr:opened', 'pr:from_ref_updated', 'pr:modified'];

/** Whether a file path lies under a stack's project root (the empty root holds every path). */
export function pathUnderRoot(path: string, projectRoot: string): boolean {
  const root = projectRoot.replace(/^\.?\/+|\/+$/g, '');
  return root === '' || path === root || path.startsWith(`${root}/`);
}

/**
 * Whether a push reaches a stack with this project root (SPEC §1): when it touched a file under it; an empty root
 * takes every push. When the changed files are not known the run starts anyway, with a note saying why.
 */
export function pushReachesRoot(changed: ChangedPaths | undefined, projectRoot: string): { starts: boolean; note: string | null } {
  if (projectRoot.replace(/^\.?\/+|\/+$/g, '') === '') return { starts: true, note: null };
  if (changed === undefined || !changed.known) {
    const why = changed === undefined ? 'they were not looked up' : changed.why;
    return { starts: true, note: `started without knowing whether the push touched ${projectRoot}: ${why}` };
  }
  return { starts: changed.paths.some((path) => pathUnderRoot(path, projectRoot)), note: null };
}

/** Why a pushed branch's changed files are not looked up but taken as unknown, or null when they should be. */
export function changedPathsNotLookedUp(pushed: PushedBranch): string | null {
  return pushed.fromCommit === ZERO_COMMIT ? 'the push created the branch, so there is no earlier commit to compare with' : null;
}

/** A handled Bitbucket event, reduced to what run triggering needs. */
/** A tag a push created (ADD, at `commit`) or deleted (DELETE). */
export interface PushedTag {
  tag: string;
  commit: string;
  type: 'ADD' | 'DELETE';
}

export type RepositoryEvent =
  | {
      kind: 'push';
      eventKey: string;
      repository: RepositoryRef;
      pushedBranches: PushedBranch[];
      /** Tags pushed or deleted: they publish and retract module versions (SPEC §10), and start no run. */
      pushedTags?: PushedTag[];
    }
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
  /** The directory the stack's Terraform lives in; pushes that touch nothing under it start nothing. */
  projectRoot: string;
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
  /** What the run was made without knowing (the changed files of its push), or null. */
  note: string | null;
}

/** Bitbucket matches project keys and repository slugs in any case. */
export function sameRepository(a: RepositoryRef, b: RepositoryRef): boolean {
  return repositoryKey(a.projectKey, a.repositorySlug) === repositoryKey(b.projectKey, b.repositorySlug);
}

/** The stacks of this event's repository that this integration delivers to. */
export function stacksReached(event: RepositoryEvent, integration: ServingIntegration, stacks: readonly TriggerableStack[]): TriggerableStack[] {
  return stacks.filter((stack) => integrationServes(integration, stack) && sameRepository(stack, event.repository));
}

/**
 * The pushed branches whose changed files decide whether a run starts: those a stack with a project root would
 * run for (and whose files can be compared at all). The receiver looks them up before calling runsForEvent.
 */
export function branchesToLookUp(event: RepositoryEvent, integration: ServingIntegration, stacks: readonly TriggerableStack[]): PushedBranch[] {
  if (event.kind !== 'push') return [];
  const rooted = stacksReached(event, integration, stacks).filter((stack) => !pushReachesRoot({ known: true, paths: [] }, stack.projectRoot).starts);
  if (rooted.length === 0) return [];
  return event.pushedBranches.filter((pushed) => changedPathsNotLookedUp(pushed) === null);
}

/**
 * Why a handled event starts no run whatever the stacks, or null when it may start runs: approvals, merges (the
 * merge arrives as its own push) and comments other than `/liftgate plan` are recorded and start nothing.
 */
export function eventStartsNoRun(event: RepositoryEvent): string | null {
  if (event.kind === 'push' || event.replan || RUN_STARTING_PULL_REQUEST_EVENTS.includes(event.eventKey)) return null;
  if (event.eventKey === 'pr:merged') return 'pr:merged is recorded and starts no run: the merge arrives as its own push';
  if (event.eventKey === 'pr:comment:added') return 'pr:comment:added is recorded and starts no run: only a comment starting with /liftgate plan re-plans';
  return `${event.eventKey} is recorded and starts no run`;
}

/**
 * The runs a handled event starts (SPEC §1), for every stack on the event's repository that receives from this
 * integration:
 * - a push: TRACKED for the tracked branch, PROPOSED for any other (one run per pushed branch), only when the push
 *   touched a file under the stack's project root (`changedPaths` of each pushed branch; unknown → run, noted);
 * - pr:opened, pr:from_ref_updated, pr:modified of a pull request into the tracked branch: PROPOSED for its source
 *   commit; a `/liftgate plan` comment: a deliberate re-plan of it; other pull-request events: nothing.
 */
export function runsForEvent(
  event: RepositoryEvent,
  integration: ServingIntegration,
  stacks: readonly TriggerableStack[],
  changedPaths: (pushed: PushedBranch) => ChangedPaths | undefined = () => undefined,
): RunRequest[] {
  if (eventStartsNoRun(event) !== null) return [];
  const runs: RunRequest[] = [];
  for (const stack of stacksReached(event, integration, stacks)) {
    const trackedBranch = branchName(stack.branch);
    if (event.kind === 'push') {
      for (const pushed of event.pushedBranches) {
        const notLookedUp = changedPathsNotLookedUp(pushed);
        const reach = pushReachesRoot(notLookedUp === null ? changedPaths(pushed) : { known: false, why: notLookedUp }, stack.projectRoot);
        if (!reach.starts) continue;
        runs.push({
          stackId: stack.id,
          kind: pushed.branch === trackedBranch ? 'TRACKED' : 'PROPOSED',
          trigger: event.eventKey,
          branch: pushed.branch,
          commit: pushed.commit,
          pullRequestId: null,
          deliberate: false,
          note: reach.note,
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
        note: null,
      });
    }
  }
  return runs;
}

/** The reason a superseded PROPOSED run is CANCELED with (SPEC §1: it names the newer run). */
export function supersededReason(newerRunId: string, commit: string | null): string {
  return `superseded by run ${newerRunId}${commit === null ? '' : ` of ${commit.slice(0, 12)}`}, a newer proposed run of the same branch`;
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
    note: null,
  };
}

/**
 * The reason a TRIGGERED delivery is logged with, once it is known how many of the runs it asked for were new;
 * `noRun` says why the event starts nothing when it is that kind of event, or why the push reached no stack.
 */
export function triggeredDeliveryReason(requested: number, queued: number, noRun: string | null = null): string {
  if (requested === 0) return noRun ?? 'no stack on this repository and branch uses this integration';
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
  /** QUEUED when recorded; CANCELED when a newer proposed run of its branch superseded it (§7 moves it further). */
  state: string;
  /** Why a CANCELED run was canceled. */
  failure: string | null;
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
