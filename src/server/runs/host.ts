/**
 * The control plane's side of run execution: what a worker (embedded in `liftgate serve`, or `liftgate worker` on a
 * shared PostgreSQL) asks of the store. Claims and leases, guarded moves, the log, the run's environment and state
 * credentials, and the sweep of runs whose worker was lost. The worker only sees this object; it never runs SQL.
 */
import { transitionProblem, type RunDelta } from '../../domain/run-lifecycle';
import { planTextOfLog, type ClaimedRun, type EndedRun, type HeldRunMove, type RunSettings, type SavedPlan } from '../../domain/run-work';
import { stackEnvironmentForRun } from '../environment';
import { accessTokenContext, type SecretBox } from '../secrets';
import { currentStateSerial, releaseStateLocksOfRun, revokeRunStateCredentials, runStateBackendEnvironment } from '../state/run-credentials';
import type { Queryable } from '../store/database';
import { findDefaultIntegration, findIntegration } from '../store/integrations';
import {
  appendRunLog,
  appendRunLogUnguarded,
  claimRun,
  deltaOf,
  readRunLog,
  expireLostRuns,
  moveHeldRun,
  recordFeedback,
  renewLease,
  type LeaseCheck,
  findPullRequestComment,
  savePullRequestComment,
  takeFeedbackDue,
  type CommentPlace,
  type QueuedRunRow,
} from '../store/run-queue';
import { findStack } from '../store/stacks';
import { isoTimestamp } from '../store/rows';

/** Why a run whose lease ran out ended (SPEC §7.2). */
export const WORKER_LOST =
  'worker lost: the worker executing this run stopped renewing its lease (it died, or lost the database); its stack and state locks were released';

/** How much of a run's log is read for its plan (a log is cut at 10 MiB; a comment holds 32,768 characters). */
const MAX_PLAN_LOG_BYTES = 10 * 1024 * 1024;

export class ControlPlaneRunHost {
  constructor(
    private readonly db: Queryable,
    private readonly secrets: SecretBox,
    /** The control plane's URL as runs reach it (their Terraform state); a function when known only once it listens. */
    private readonly endpoint: () => string,
    /** The base of the run pages linked from Bitbucket. */
    private readonly publicUrl: () => string,
    /** Whether this process holds VCS agent connections (serve); without, runs of private:// integrations are left to others. */
    private readonly withAgents: boolean,
  ) {}

  async claim(workerId: string, leaseMs: number): Promise<ClaimedRun | null> {
    const row = await claimRun(this.db, workerId, leaseMs, this.withAgents);
    return row === null ? null : this.claimedRun(row);
  }

  renewLease(runId: string, workerId: string, leaseMs: number): Promise<LeaseCheck> {
    return renewLease(this.db, runId, workerId, leaseMs);
  }

  /** Moves a run the worker holds; false when it no longer does. Waiting for confirmation and ending let the run go. */
  async move(move: HeldRunMove): Promise<boolean> {
    // The state machine's rule first: a move it does not allow is a bug of the worker, never written.
    const problem = transitionProblem(move.kind, move.from, move.to);
    if (problem !== null) throw new Error(`run ${move.runId}: ${problem}`);
    const release = move.to === 'UNCONFIRMED' || ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'].includes(move.to);
    return moveHeldRun(this.db, {
      ...move,
      release,
      plan: move.plan === undefined ? undefined : { sealed: this.sealPlan(move.runId, move.plan), stateSerial: move.plan.stateSerial, stateLineage: move.plan.stateLineage },
      dropPlan: move.to !== 'UNCONFIRMED',
    });
  }

  appendLog(runId: string, workerId: string, content: Uint8Array): Promise<boolean> {
    return appendRunLog(this.db, runId, workerId, content);
  }

  /** The stack's variables and, when the control plane keeps its state, the run's freshly minted state credentials. */
  async settings(run: Pick<ClaimedRun, 'id' | 'stackId' | 'manageState'>): Promise<RunSettings> {
    const environment = await stackEnvironmentForRun(this.db, this.secrets, run.stackId);
    const stateBackend = run.manageState ? await runStateBackendEnvironment(this.db, { runId: run.id, stackId: run.stackId, endpoint: this.endpoint().replace(/\/+$/, '') }) : null;
    return { ...environment, stateBackend };
  }

  currentStateSerial(stackId: string): Promise<{ serial: number; lineage: string } | null> {
    return currentStateSerial(this.db, stackId);
  }

  /** After a run stopped executing: its state credentials are revoked and any state lock it still held is released. */
  async releaseRun(runId: string): Promise<void> {
    await revokeRunStateCredentials(this.db, runId);
    await releaseStateLocksOfRun(this.db, runId);
  }

  /**
   * Ends the runs whose lease ran out ("worker lost"), releasing their locks, and returns them for their feedback,
   * with the runs an API action ended (canceled or discarded while waiting) whose build status is still to be posted.
   */
  async sweepLostRuns(): Promise<EndedRun[]> {
    const ended: EndedRun[] = [];
    for (const row of await expireLostRuns(this.db, WORKER_LOST)) {
      await this.releaseRun(row.id);
      await appendRunLogUnguarded(this.db, row.id, Buffer.from(`\n${row.state === 'CANCELED' ? 'Canceled' : 'Failed'}: ${WORKER_LOST}\n`));
      ended.push({ run: await this.claimedRun(row), state: row.state, failure: row.failure, delta: deltaOf(row) as RunDelta | null });
    }
    for (const row of await takeFeedbackDue(this.db)) {
      // A PROPOSED run linked to a pull request after it ended owes it the comment with its plan, which its log holds.
      const planText = row.kind === 'PROPOSED' && row.pull_request_id !== null ? planTextOfLog((await readRunLog(this.db, row.id, 0, MAX_PLAN_LOG_BYTES)).content.toString('utf8')) : null;
      ended.push({ run: await this.claimedRun(row), state: row.state, failure: row.failure, delta: deltaOf(row) as RunDelta | null, planText });
    }
    return ended;
  }

  recordFeedback(runId: string, feedback: Record<string, unknown>): Promise<void> {
    return recordFeedback(this.db, runId, feedback);
  }

  pullRequestComment(place: CommentPlace): Promise<{ id: number; version: number } | null> {
    return findPullRequestComment(this.db, place);
  }

  savePullRequestComment(place: CommentPlace, comment: { id: number; version: number }): Promise<void> {
    return savePullRequestComment(this.db, place, comment);
  }

  /** The run's page, linked from its build status and pull-request comment. */
  runPageUrl(stackId: string, runId: string): string {
    return `${this.publicUrl().replace(/\/+$/, '')}/stacks/${encodeURIComponent(stackId)}/runs/${encodeURIComponent(runId)}`;
  }

  private sealPlan(runId: string, plan: SavedPlan): Buffer {
    return this.secrets.encryptBytes(plan.bytes, savedPlanContext(runId));
  }

  private async claimedRun(row: QueuedRunRow): Promise<ClaimedRun> {
    const stack = await findStack(this.db, row.stack_id);
    if (stack === null) throw new Error(`run ${row.id} belongs to stack ${row.stack_id}, which no longer exists`);
    const integration = stack.detached
      ? null
      : stack.vcs.integrationId === null
        ? await findDefaultIntegration(this.db)
        : await findIntegration(this.db, stack.vcs.integrationId);
    const source =
      integration === null
        ? null
        : {
            apiHost: integration.apiHost,
            username: integration.username,
            accessToken: this.secrets.decrypt(integration.accessTokenEncrypted, accessTokenContext(integration)),
            projectKey: stack.vcs.projectKey,
            repositorySlug: stack.vcs.repositorySlug,
            projectRoot: stack.vcs.projectRoot,
          };
    const savedPlan: SavedPlan | null =
      row.plan_sealed === null
        ? null
        : {
            bytes: this.secrets.decryptBytes(row.plan_sealed, savedPlanContext(row.id)),
            stateSerial: row.plan_state_serial === null ? null : Number(row.plan_state_serial),
            stateLineage: row.plan_state_lineage,
          };
    return {
      id: row.id,
      stackId: stack.id,
      stackName: stack.name,
      kind: row.kind,
      state: row.state === 'APPLYING' ? 'APPLYING' : 'PREPARING',
      trigger: row.trigger,
      branch: row.branch,
      trackedBranch: stack.vcs.branch.replace(/^refs\/heads\//, ''),
      commit: row.commit_sha,
      pullRequestId: row.pull_request_id === null ? null : Number(row.pull_request_id),
      autodeploy: stack.autodeploy,
      manageState: stack.manageState,
      source,
      sourceProblem:
        source !== null
          ? null
          : stack.detached
            ? 'the stack is detached (its integration was deleted); attach it to an integration and trigger the run again'
            : 'the stack uses the default integration, and there is none',
      savedPlan,
      createdAt: isoTimestamp(row.created_at),
    };
  }
}

/** A saved plan is sealed bound to its run: copied onto another run it does not decrypt. */
export function savedPlanContext(runId: string): string {
  return `run-plan:${runId}`;
}
