/**
 * What a worker is handed for a run it claimed, and what it hands back: the contract between the control plane's
 * store (server/runs) and the worker (worker/), which never touches the database itself. Plain data, no I/O.
 */
import type { RunDelta, RunKind } from './run-lifecycle';
import type { RunState } from './run-states';

/** The Bitbucket repository a run's code comes from, and the integration's credentials to reach it. */
export interface RunSource {
  apiHost: string;
  username: string;
  /** Decrypted only for the worker; never logged, never put in a URL. */
  accessToken: string;
  projectKey: string;
  repositorySlug: string;
  /** Where Terraform runs inside the repository ('' = its root). */
  projectRoot: string;
}

/** A run a worker holds. */
export interface ClaimedRun {
  id: string;
  stackId: string;
  stackName: string;
  kind: RunKind;
  /** PREPARING: plan (and maybe apply); APPLYING: a confirmed run that applies its saved plan. */
  state: 'PREPARING' | 'APPLYING';
  trigger: string;
  branch: string;
  /** The tracked branch of the stack (pull requests that target it get the comment). */
  trackedBranch: string;
  /** null: a manual run that names no commit; the worker resolves the branch's head and records it. */
  commit: string | null;
  pullRequestId: number | null;
  autodeploy: boolean;
  manageState: boolean;
  /** null when the stack cannot reach Bitbucket (detached, or its integration is gone): the run fails with `sourceProblem`. */
  source: RunSource | null;
  sourceProblem: string | null;
  /** The saved plan of a confirmed run, and the state it was made from. */
  savedPlan: SavedPlan | null;
  createdAt: string;
}

export interface SavedPlan {
  bytes: Buffer;
  stateSerial: number | null;
  stateLineage: string | null;
}

/** A move the worker makes on a run it holds. */
export interface HeldRunMove {
  runId: string;
  kind: RunKind;
  workerId: string;
  from: RunState;
  to: RunState;
  note: string | null;
  delta?: RunDelta;
  failure?: string;
  commit?: string;
  plan?: SavedPlan;
}

/** What a run's terraform gets from the control plane besides its code. */
export interface RunSettings {
  /** The stack's variables (secret values decrypted). */
  variables: Record<string, string>;
  /** Values to mask in the log, longest first. */
  secretMasks: string[];
  /** Stored variables left out because their name is reserved now. */
  skipped: string[];
  /** TF_HTTP_* pointing at the stack's state with the run's one-off credentials; null when the stack keeps its own state. */
  stateBackend: Record<string, string> | null;
}

/** A run the control plane ended without its worker (the lease ran out), for its feedback to Bitbucket. */
export interface EndedRun {
  run: ClaimedRun;
  state: RunState;
  failure: string | null;
  delta: RunDelta | null;
  /** The plan as its log holds it, for a pull-request comment owed after the run ended. */
  planText?: string | null;
}

/** What a process's workers are told there is to do: runs to claim, or feedback a run that ended owes. */
export type WorkerWork = 'runs' | 'feedback';

/** The command line a run's log shows before each terraform command's output (`$ terraform plan …`). */
export const COMMAND_LINE_PREFIX = '$ terraform ';

/**
 * The plan as a run's log holds it: what `terraform plan` printed, from its command line to the next command or the
 * run's last word (`Failed: …`, `Canceled: …`); null when the log shows no plan.
 */
export function planTextOfLog(log: string): string | null {
  const lines = log.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${COMMAND_LINE_PREFIX}plan`));
  if (start === -1) return null;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith(COMMAND_LINE_PREFIX) || /^(Failed|Canceled): /.test(line));
  const text = (end === -1 ? rest : rest.slice(0, end)).join('\n').trimEnd();
  return text === '' ? null : text;
}
