/**
 * What the worker needs from the state server for a run: its one-off credentials (minted when it claims the run,
 * revoked when it is done), the TF_HTTP_* environment that points the run's Terraform at its stack's state, the release
 * of locks a killed run left, and the current serial (to refuse applying a plan made stale by a newer state).
 */
import { randomBytes } from 'node:crypto';
import { isActiveRunState } from '../../domain/run-states';
import { stateBackendEnvironment } from '../../domain/state';
import { hashSecret } from '../secrets';
import type { Queryable } from '../store/database';
import { deleteRunStateCredentials, findCredentialRun, replaceRunStateCredentials } from '../store/run-credentials';
import { clearStateLocksOfRun, currentStateVersion } from '../store/state';

/** Run credentials carry their own prefix (API keys have `lgk_`), so a leaked one is recognisable and looked up in the right table. */
export const RUN_CREDENTIAL_PREFIX = 'lgr_';

/** The username the worker gives Terraform (the state server ignores usernames; Terraform sends Basic only with one). */
export const RUN_CREDENTIAL_USERNAME = 'liftgate-run';

/** A run's state credentials: Terraform's TF_HTTP_USERNAME and TF_HTTP_PASSWORD. */
export interface RunStateCredentials {
  username: string;
  password: string;
}

/**
 * Mints the one-off state credentials of a run (the worker calls this when it claims the run). Only their hash is
 * stored; minting again replaces them, so a worker that lost the run can no longer use the old ones. They work only
 * while the run has not ended, and only for what its kind allows (domain/state.ts). Throws when the run does not
 * exist or has already ended.
 */
export async function mintRunStateCredentials(db: Queryable, runId: string): Promise<RunStateCredentials> {
  const run = await findCredentialRun(db, runId);
  if (run === null) throw new Error(`run ${runId} does not exist`);
  if (!isActiveRunState(run.state)) throw new Error(`run ${runId} has ended (${run.state}); state credentials for it would never work`);
  const password = `${RUN_CREDENTIAL_PREFIX}${randomBytes(32).toString('base64url')}`;
  await replaceRunStateCredentials(db, runId, hashSecret(password));
  return { username: RUN_CREDENTIAL_USERNAME, password };
}

/**
 * Mints a run's credentials and returns the whole environment that points its Terraform at its stack's state
 * (TF_HTTP_*): what the worker adds to a run's environment beside BACKEND_OVERRIDE_FILE. `endpoint` is the control
 * plane's URL as runs reach it (`liftgate worker --endpoint`).
 */
export async function runStateBackendEnvironment(db: Queryable, run: { runId: string; stackId: string; endpoint: string }): Promise<Record<string, string>> {
  const credentials = await mintRunStateCredentials(db, run.runId);
  return stateBackendEnvironment({ endpoint: run.endpoint, stackId: run.stackId, ...credentials });
}

/** Revokes a run's credentials at once (they also stop working by themselves when the run ends). */
export async function revokeRunStateCredentials(db: Queryable, runId: string): Promise<void> {
  await deleteRunStateCredentials(db, runId);
}

/**
 * Releases every state lock a run holds, e.g. after its terraform was killed or its worker was lost. (A lock whose run
 * ended already counts as no lock; this also clears it from what the state shows.) Returns the stacks it unlocked.
 */
export async function releaseStateLocksOfRun(db: Queryable, runId: string): Promise<string[]> {
  return clearStateLocksOfRun(db, runId);
}

/**
 * The serial and lineage of a stack's current state, or null when none was written: the worker compares them with
 * the state a saved plan was made from, so a plan made stale by a newer state is not applied.
 */
export async function currentStateSerial(db: Queryable, stackId: string): Promise<{ serial: number; lineage: string } | null> {
  const current = await currentStateVersion(db, stackId);
  return current === null ? null : { serial: current.serial, lineage: current.lineage };
}
