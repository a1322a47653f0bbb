/**
 * What a person does to a run through the API (SPEC §7.7): confirm or discard an UNCONFIRMED run, cancel any run that
 * has not ended. The domain decides (domain/run-lifecycle.ts); the move happens inside one transaction holding the
 * run's row, so an action and a worker never both move a run.
 */
import { actionOutcome, type RunAction } from '../../domain/run-lifecycle';
import { ConflictError, NotFoundError } from '../errors';
import { releaseStateLocksOfRun, revokeRunStateCredentials } from '../state/run-credentials';
import type { Database } from '../store/database';
import { appendRunLogUnguarded, lockStackRun, moveWaitingRun, requestCancel, toRunDetails, type RunDetails } from '../store/run-queue';

const PAST: Record<RunAction, string> = { confirm: 'confirmed', discard: 'discarded', cancel: 'canceled' };

/** Applies an action; 404 for an unknown run, 409 naming the current state when the action is not allowed now. */
export async function actOnRun(db: Database, stackId: string, runId: string, action: RunAction, who: string): Promise<{ run: RunDetails; pending: boolean }> {
  const note = `${PAST[action]} by ${who}`;
  const result = await db.transaction(async (tx) => {
    const row = await lockStackRun(tx, stackId, runId);
    if (row === null) throw new NotFoundError(`stack "${stackId}" has no run "${runId}"`);
    const outcome = actionOutcome(action, { kind: row.kind, state: row.state, executing: row.worker_id !== null });
    if ('problem' in outcome) throw new ConflictError(`cannot ${action} run "${runId}": ${outcome.problem}`, { state: row.state });
    if ('request' in outcome) return { row: await requestCancel(tx, runId, `cancel asked for by ${who}; interrupting terraform`), pending: true };
    const failure = outcome.to === 'CANCELED' ? `canceled by ${who} while ${row.state}` : null;
    const moved = await moveWaitingRun(tx, runId, outcome.to, failure ?? note, failure);
    await appendRunLogUnguarded(tx, runId, Buffer.from(`${failure ?? `The run was ${note}.`}\n`));
    return { row: moved, pending: false };
  });
  if (['CANCELED', 'DISCARDED'].includes(result.row.state)) {
    await revokeRunStateCredentials(db, runId);
    await releaseStateLocksOfRun(db, runId);
  }
  return { run: toRunDetails(result.row), pending: result.pending };
}
