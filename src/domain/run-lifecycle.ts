/**
 * How a run moves (SPEC §7.1, after Spacelift's): which transitions exist for each kind of run, where a plan leads,
 * what confirm, discard and cancel do, and the stack lock. Pure rules: the store applies them inside its
 * transactions (and a unique index backs the stack lock), the worker and the API ask here what is allowed.
 */
import { RUN_STATES, TERMINAL_RUN_STATES, type RunState } from './run-states';
import type { RunKind } from './runs';

export type { RunKind };

/** Where each state may go next, for every kind of run. PROPOSED runs never apply, wait for confirmation or get discarded. */
const TRANSITIONS: Readonly<Record<RunKind, Readonly<Record<RunState, readonly RunState[]>>>> = {
  TRACKED: {
    QUEUED: ['PREPARING', 'CANCELED', 'FAILED'],
    PREPARING: ['INITIALIZING', 'FAILED', 'CANCELED'],
    INITIALIZING: ['PLANNING', 'FAILED', 'CANCELED'],
    PLANNING: ['FINISHED', 'APPLYING', 'UNCONFIRMED', 'FAILED', 'CANCELED'],
    UNCONFIRMED: ['CONFIRMED', 'DISCARDED', 'CANCELED', 'FAILED'],
    CONFIRMED: ['APPLYING', 'FAILED', 'CANCELED'],
    APPLYING: ['FINISHED', 'FAILED', 'CANCELED'],
    FINISHED: [],
    FAILED: [],
    DISCARDED: [],
    CANCELED: [],
  },
  PROPOSED: {
    QUEUED: ['PREPARING', 'CANCELED', 'FAILED'],
    PREPARING: ['INITIALIZING', 'FAILED', 'CANCELED'],
    INITIALIZING: ['PLANNING', 'FAILED', 'CANCELED'],
    PLANNING: ['FINISHED', 'FAILED', 'CANCELED'],
    UNCONFIRMED: [],
    CONFIRMED: [],
    APPLYING: [],
    FINISHED: [],
    FAILED: [],
    DISCARDED: [],
    CANCELED: [],
  },
};

/** Why a run of `kind` cannot go from `from` to `to`, or null when it can. */
export function transitionProblem(kind: RunKind, from: RunState, to: RunState): string | null {
  if (nextStates(kind, from).includes(to)) return null;
  if (TERMINAL_RUN_STATES.has(from)) return `the run has ended (${from})`;
  return `a ${kind} run cannot go from ${from} to ${to}`;
}

/** The states a run of `kind` may reach from `from`. */
export function nextStates(kind: RunKind, from: RunState): readonly RunState[] {
  return TRANSITIONS[kind][from];
}

/**
 * Where a successful plan leads: a PROPOSED run and a TRACKED run without changes are done; a TRACKED run with
 * changes applies at once with autodeploy, and otherwise waits for a person to confirm it.
 */
export function stateAfterPlan(run: { kind: RunKind; hasChanges: boolean; autodeploy: boolean }): 'FINISHED' | 'APPLYING' | 'UNCONFIRMED' {
  if (run.kind === 'PROPOSED' || !run.hasChanges) return 'FINISHED';
  return run.autodeploy ? 'APPLYING' : 'UNCONFIRMED';
}

/** What a person may do to a run through the API. */
export type RunAction = 'confirm' | 'discard' | 'cancel';

/**
 * What an action does to a run in `state`: move it at once (`to`), ask the worker executing it to stop (`request`:
 * a cancel while terraform runs, which the worker turns into CANCELED once terraform has stopped), or nothing,
 * with the reason (the API's 409 names the current state).
 */
export type ActionOutcome = { to: RunState } | { request: 'cancel' } | { problem: string };

export function actionOutcome(action: RunAction, run: { kind: RunKind; state: RunState; executing: boolean }): ActionOutcome {
  const refuse = (wanted: string): ActionOutcome => ({ problem: `the run is ${run.state}; only ${wanted} can be ${pastTense(action)}` });
  switch (action) {
    case 'confirm':
      return run.kind === 'TRACKED' && run.state === 'UNCONFIRMED' ? { to: 'CONFIRMED' } : refuse('an UNCONFIRMED TRACKED run');
    case 'discard':
      return run.kind === 'TRACKED' && run.state === 'UNCONFIRMED' ? { to: 'DISCARDED' } : refuse('an UNCONFIRMED TRACKED run');
    case 'cancel':
      if (TERMINAL_RUN_STATES.has(run.state)) return refuse('a run that has not ended');
      return run.executing ? { request: 'cancel' } : { to: 'CANCELED' };
  }
}

function pastTense(action: RunAction): string {
  return action === 'confirm' ? 'confirmed' : action === 'discard' ? 'discarded' : 'canceled';
}

/**
 * The stack lock: a TRACKED run past QUEUED that has not ended holds its stack (an UNCONFIRMED or CONFIRMED run
 * too), so at most one TRACKED run of a stack plans or applies at a time. PROPOSED runs never hold it.
 */
export function holdsStackLock(run: { kind: RunKind; state: RunState }): boolean {
  return run.kind === 'TRACKED' && run.state !== 'QUEUED' && !TERMINAL_RUN_STATES.has(run.state);
}

/** The states in which a TRACKED run holds its stack's lock: the claim checks them, and the store's unique index lists the same. */
export const STACK_LOCK_STATES: readonly RunState[] = RUN_STATES.filter((state) => holdsStackLock({ kind: 'TRACKED', state }));

/** A plan's resource changes. */
export interface RunDelta {
  add: number;
  change: number;
  destroy: number;
}

/** `+1 ~0 -2`, as the pull-request comment and the run's page show a delta. */
export function deltaSummary(delta: RunDelta): string {
  return `+${delta.add} ~${delta.change} -${delta.destroy}`;
}

/**
 * The delta of a plan from `terraform show -json`'s `resource_changes[].change.actions` (Terraform's own counting:
 * a replacement is one add and one destroy; no-op and read count nothing).
 */
export function deltaFromActions(actionLists: readonly (readonly string[])[]): RunDelta {
  const delta: RunDelta = { add: 0, change: 0, destroy: 0 };
  for (const actions of actionLists) {
    if (actions.includes('create')) delta.add += 1;
    if (actions.includes('delete')) delta.destroy += 1;
    if (actions.includes('update')) delta.change += 1;
  }
  return delta;
}

/** One entry of a run's history. */
export interface RunHistoryEntry {
  state: RunState;
  at: string;
  note: string | null;
}
