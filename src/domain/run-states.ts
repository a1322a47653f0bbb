/**
 * The states a run passes through (SPEC §7.1, after Spacelift's). Pure data: which states exist and which of them
 * end a run. Whatever depends on a run still going (its state credentials, its locks) asks here.
 */

export const RUN_STATES = [
  'QUEUED',
  'PREPARING',
  'INITIALIZING',
  'PLANNING',
  'UNCONFIRMED',
  'CONFIRMED',
  'APPLYING',
  'FINISHED',
  'FAILED',
  'DISCARDED',
  'CANCELED',
] as const;

export type RunState = (typeof RUN_STATES)[number];

/** States a run never leaves. */
export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set<RunState>(['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED']);

/** Whether a run in `state` is still going: a known state that is not terminal. An unknown state counts as ended. */
export function isActiveRunState(state: string): boolean {
  return (RUN_STATES as readonly string[]).includes(state) && !TERMINAL_RUN_STATES.has(state as RunState);
}
