/**
 * Executing one claimed run (SPEC §7.2–§7.4): a fresh directory, the code at the run's exact commit, the state
 * backend override, then `terraform init`, `plan -out` (its delta from Terraform's summary line, or `show -json`), and
 * `apply` of that saved plan for a TRACKED run with changes (at once with autodeploy; after a confirm otherwise, on
 * whichever worker claims it). Each step is recorded as a move the store guards, so a worker that lost its lease stops
 * writing and stops terraform.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { deltaFromActions, stateAfterPlan, type RunDelta } from '../domain/run-lifecycle';
import type { RunState } from '../domain/run-states';
import { COMMAND_LINE_PREFIX, type ClaimedRun, type RunSettings } from '../domain/run-work';
import { BACKEND_OVERRIDE_CONTENT, BACKEND_OVERRIDE_FILE } from '../domain/state';
import { extractArchive } from './extract';
import type { Launcher } from './launcher';
import type { FeedbackSink, RunHost, SourceProvider } from './host';
import { RunLog } from './run-log';
import { runTerraform, terraformErrorSummary, type TerraformOutcome } from './terraform';

export interface ExecutionOptions {
  workerId: string;
  /** Starts the terraform processes (the pool's launcher process). */
  launcher: Launcher;
  workDir: string;
  terraform: string;
  terraformCliConfig?: string;
  /** Each terraform phase is cut at this and the run FAILED. */
  runTimeoutMs: number;
  /** Between SIGINT and SIGKILL when a run is canceled or times out. */
  graceMs: number;
  leaseMs: number;
  maxLogBytes: number;
}

export interface ExecutionDeps {
  host: RunHost;
  source: SourceProvider;
  feedback: FeedbackSink;
}

/** A step failed: the run ends FAILED with this sentence. */
class RunFailure extends Error {}
/** The run was canceled or its lease lost: stop without another word to the store. */
class RunStopped extends Error {}

const PLAN_FILE = 'liftgate.tfplan';

/** Everything one execution tracks while it goes. */
class Execution {
  state: RunState;
  commit: string;
  delta: RunDelta | null = null;
  planText: string[] = [];
  readonly controller = new AbortController();
  stopReason: 'cancel' | 'lost' | null = null;
  readonly log: RunLog;
  readonly started = Date.now();

  constructor(
    readonly run: ClaimedRun,
    readonly options: ExecutionOptions,
    readonly deps: ExecutionDeps,
  ) {
    this.state = run.state;
    this.commit = run.commit ?? '';
    this.log = new RunLog((chunk) => deps.host.appendLog(run.id, options.workerId, chunk), [], options.maxLogBytes, () => this.stop('lost'));
  }

  stop(reason: 'cancel' | 'lost'): void {
    if (this.stopReason === null) this.stopReason = reason;
    this.controller.abort();
  }

  async move(to: RunState, extra: { note?: string; failure?: string; delta?: RunDelta; plan?: Buffer; stateSerial?: { serial: number; lineage: string } | null } = {}): Promise<void> {
    await this.log.flush();
    const moved = await this.deps.host.move({
      runId: this.run.id,
      kind: this.run.kind,
      workerId: this.options.workerId,
      from: this.state,
      to,
      note: extra.note ?? null,
      failure: extra.failure,
      delta: extra.delta,
      commit: this.run.commit === null && this.commit !== '' ? this.commit : undefined,
      plan: extra.plan === undefined ? undefined : { bytes: extra.plan, stateSerial: extra.stateSerial?.serial ?? null, stateLineage: extra.stateSerial?.lineage ?? null },
    });
    if (!moved) {
      this.stop('lost');
      throw new RunStopped(`run ${this.run.id} is no longer held by this worker`);
    }
    this.state = to;
    this.report(extra.failure ?? null);
  }

  report(failure: string | null = null): void {
    this.deps.feedback.report({
      run: this.run,
      commit: this.commit,
      state: this.state,
      delta: this.delta,
      failure,
      planText: this.planText.length > 0 ? this.planText.join('\n') : null,
      durationMs: Date.now() - this.started,
      url: this.deps.host.runPageUrl(this.run.stackId, this.run.id),
    });
  }

  /** Runs terraform with the run's environment; a failure ends the run with terraform's own error. */
  async terraform(args: string[], cwd: string, env: Record<string, string>, what: string, options: { captureStdout?: boolean; okCodes?: number[]; planLines?: boolean; background?: boolean } = {}): Promise<TerraformOutcome> {
    this.log.line(`${COMMAND_LINE_PREFIX}${args.join(' ')}`);
    const outcome = await runTerraform({
      launcher: this.options.launcher,
      terraform: this.options.terraform,
      args,
      cwd,
      env,
      signal: this.controller.signal,
      timeoutMs: this.options.runTimeoutMs,
      graceMs: this.options.graceMs,
      captureStdout: options.captureStdout,
      background: options.background,
      onLine: (line) => {
        this.log.line(line);
        if (options.planLines === true) this.planText.push(line);
      },
    });
    if (outcome.timedOut) throw new RunFailure(`${what} took longer than the run timeout (${Math.round(this.options.runTimeoutMs / 1000)} s) and was stopped`);
    if (outcome.interrupted || this.stopReason !== null) throw new RunStopped(`${what} was interrupted`);
    if (outcome.code === null || !(options.okCodes ?? [0]).includes(outcome.code)) {
      throw new RunFailure(`${what} failed: ${terraformErrorSummary(outcome.stderrTail) || `exit code ${outcome.code ?? outcome.signal}`}`);
    }
    return outcome;
  }
}

/** Executes a claimed run to its end (or to UNCONFIRMED); never throws. */
export async function executeRun(run: ClaimedRun, options: ExecutionOptions, deps: ExecutionDeps): Promise<void> {
  const execution = new Execution(run, options, deps);
  const renewal = setInterval(() => {
    void deps.host.renewLease(run.id, options.workerId, options.leaseMs).then(
      (check) => {
        if (!check.held) execution.stop('lost');
        else if (check.cancelRequested) execution.stop('cancel');
      },
      () => undefined,
    );
  }, Math.max(250, Math.min(1000, options.leaseMs / 3)));
  let runDir: string | null = null;
  try {
    execution.report();
    runDir = await mkdtemp(join(options.workDir, 'run-'));
    await steps(execution, runDir);
  } catch (error) {
    await finish(execution, error);
  } finally {
    clearInterval(renewal);
    await execution.log.close();
    await deps.host.releaseRun(run.id).catch(() => undefined);
    if (runDir !== null) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function finish(execution: Execution, error: unknown): Promise<void> {
  if (execution.stopReason === 'lost') return;
  const canceled = execution.stopReason === 'cancel';
  const failure = canceled
    ? `canceled while ${execution.state}: terraform was interrupted`
    : error instanceof RunFailure
      ? error.message
      : `the worker failed unexpectedly: ${(error as Error).message}`;
  execution.log.line(`${canceled ? 'Canceled' : 'Failed'}: ${failure}`);
  await execution.move(canceled ? 'CANCELED' : 'FAILED', { note: failure, failure, delta: execution.delta ?? undefined }).catch(() => undefined);
}

async function steps(execution: Execution, runDir: string): Promise<void> {
  const { run, deps, log } = execution;
  if (run.source === null) throw new RunFailure(run.sourceProblem ?? 'the stack has no integration to fetch its code through');
  const source = run.source;
  if (execution.commit === '') {
    execution.commit = await deps.source.branchHead(source, run.branch, execution.controller.signal).catch((error: Error) => {
      throw new RunFailure(`the head of branch "${run.branch}" could not be resolved: ${error.message}`);
    });
    log.line(`Resolved ${run.branch} to ${execution.commit}`);
  }
  // The run's settings (its variables, its state credentials) are read from the store while the code downloads.
  const settingsRead = deps.host.settings(run);
  settingsRead.catch(() => undefined);
  const sourceDir = join(runDir, 'source');
  await mkdir(sourceDir);
  log.line(`Fetching ${source.projectKey}/${source.repositorySlug} at ${execution.commit}`);
  const archive = await deps.source.archive(source, execution.commit, execution.controller.signal).catch((error: Error) => {
    throw new RunFailure(`the code could not be fetched from Bitbucket: ${error.message}`);
  });
  const extracted = await extractArchive(archive, sourceDir).catch((error: Error) => {
    throw new RunFailure(error.message);
  });
  log.line(`Extracted ${extracted.files} entries (${extracted.bytes} bytes)`);
  const root = await projectRoot(sourceDir, source.projectRoot);
  const settings = await settingsRead;
  log.setMasks(settings.secretMasks);
  for (const name of settings.skipped) log.line(`Note: the environment variable ${name} is not passed: its name is reserved`);
  if (settings.stateBackend !== null) await writeFile(join(root, BACKEND_OVERRIDE_FILE), BACKEND_OVERRIDE_CONTENT);
  const env = runEnvironment(execution, runDir, settings);
  if (execution.state === 'APPLYING') return applySavedPlan(execution, root, env);
  await movingTo(execution, 'INITIALIZING', () => execution.terraform(['init', '-input=false', '-no-color'], root, env, 'terraform init'));
  // No plan takes the state lock: a PROPOSED run may not (SPEC §7.1), and a TRACKED one holds its stack, and the
  // apply of its saved plan takes the lock and Terraform refuses that plan when the state changed since ("Saved plan
  // is stale"). Two requests to the state server less on each run's way.
  const plan = await movingTo(execution, 'PLANNING', () =>
    execution.terraform(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-lock=false', `-out=${PLAN_FILE}`], root, env, 'terraform plan', {
      okCodes: [0, 2],
      planLines: true,
    }),
  );
  const next = stateAfterPlan({ kind: run.kind, hasChanges: plan.code === 2, autodeploy: run.autodeploy });
  // Terraform's own summary line gives the delta; `show -json` of the saved plan is asked only when that line is not
  // one this worker reads.
  const summarized = plan.code === 0 ? { add: 0, change: 0, destroy: 0 } : deltaOfPlanText(execution.planText);
  if (next === 'APPLYING') {
    // Without a summary it is read while the plan is applied, not before, so `show -json` is not one more terraform
    // process on the run's way to FINISHED.
    execution.delta = summarized;
    const delta = summarized === null ? readDelta(execution, root, env) : undefined;
    await execution.move('APPLYING', { note: planSummaryLine(execution.planText) }).catch(async (error: unknown) => {
      await delta;
      throw error;
    });
    return apply(execution, root, env, delta);
  }
  // Exit code 0 of -detailed-exitcode is Terraform saying the plan changes nothing: no resource to add, change or
  // destroy.
  execution.delta = summarized ?? (await savedPlanDelta(execution, root, env));
  const summary = `plan: ${execution.delta.add} to add, ${execution.delta.change} to change, ${execution.delta.destroy} to destroy`;
  if (next === 'FINISHED') return execution.move('FINISHED', { note: summary, delta: execution.delta });
  const bytes = await readFile(join(root, PLAN_FILE));
  const stateSerial = await deps.host.currentStateSerial(run.stackId);
  log.line('The plan waits for a confirmation (autodeploy is off).');
  return execution.move('UNCONFIRMED', { note: summary, delta: execution.delta, plan: bytes, stateSerial });
}

/**
 * Records the move to `to` while `step` already runs: neither `init` nor a plan without the lock writes anything, so
 * terraform need not wait for the store. A move the store refuses (the lease was lost) stops the step.
 */
async function movingTo<T>(execution: Execution, to: RunState, step: () => Promise<T>): Promise<T> {
  const moved = execution.move(to);
  const stepped = step();
  // Handled here at once: a step that fails before the move is recorded must not be an unhandled rejection.
  const settled = stepped.then(
    () => undefined,
    () => undefined,
  );
  try {
    await moved;
  } catch (error) {
    await settled;
    throw error;
  }
  return stepped;
}

/** The saved plan's delta, from `terraform show -json` of it. */
async function savedPlanDelta(execution: Execution, root: string, env: Record<string, string>, options: { background?: boolean } = {}): Promise<RunDelta> {
  const shown = await execution.terraform(['show', '-json', PLAN_FILE], root, env, 'terraform show', { captureStdout: true, ...options });
  return planDelta(shown.stdout);
}

/**
 * The saved plan's delta from `terraform show -json`, for a run that applies it meanwhile: never throws (the apply's
 * outcome is the run's), a delta that cannot be read is a note in the log.
 */
async function readDelta(execution: Execution, root: string, env: Record<string, string>): Promise<void> {
  try {
    // Behind the apply: on a busy machine the apply, not this, is what the run waits for.
    execution.delta = await savedPlanDelta(execution, root, env, { background: true });
  } catch (error) {
    if (error instanceof RunFailure) execution.log.line(`Note: the plan's delta could not be read: ${error.message}`);
  }
}

/** Terraform's own summary line of the plan it printed (`Plan: 1 to add, 0 to change, 0 to destroy.`), as a note. */
function planSummaryLine(planText: readonly string[]): string {
  const line = planText.find((text) => text.startsWith('Plan: '));
  return line === undefined ? 'plan: changes to outputs only' : `plan: ${line.slice('Plan: '.length).replace(/\.$/, '')}`;
}

/** Terraform's summary of a plan with resource changes, e.g. `Plan: 1 to import, 2 to add, 0 to change, 1 to destroy, 1 to forget.` */
const PLAN_SUMMARY = /^Plan: (?:\d+ to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, \d+ to forget)?\.$/;

/**
 * The delta of a plan with changes from the summary line Terraform printed: it counts what `show -json`'s
 * resource_changes do (a replacement is one to add and one to destroy; a read, an import or a forget alone is neither).
 * Null when there is no such line (a plan that changes outputs only prints none) or it is not in a form this worker
 * knows: then `show -json` is asked.
 */
export function deltaOfPlanText(planText: readonly string[]): RunDelta | null {
  const lines = planText.filter((text) => text.startsWith('Plan: '));
  const match = lines.length === 1 ? PLAN_SUMMARY.exec(lines[0] as string) : null;
  return match === null ? null : { add: Number(match[1]), change: Number(match[2]), destroy: Number(match[3]) };
}

async function applySavedPlan(execution: Execution, root: string, env: Record<string, string>): Promise<void> {
  const { run, deps } = execution;
  const saved = run.savedPlan;
  if (saved === null) throw new RunFailure('the confirmed run has no saved plan to apply');
  await execution.terraform(['init', '-input=false', '-no-color'], root, env, 'terraform init');
  const current = await deps.host.currentStateSerial(run.stackId);
  if ((current?.serial ?? null) !== saved.stateSerial || (current?.lineage ?? null) !== saved.stateLineage) {
    throw new RunFailure(
      `the plan is stale: it was made from state serial ${saved.stateSerial ?? 'none'}, and the stack's state is now serial ${current?.serial ?? 'none'}; trigger a new run`,
    );
  }
  await writeFile(join(root, PLAN_FILE), saved.bytes);
  await apply(execution, root, env);
}

/** Applies the saved plan; `delta` is the reading of the plan's delta going on meanwhile (if any), awaited either way. */
async function apply(execution: Execution, root: string, env: Record<string, string>, delta?: Promise<void>): Promise<void> {
  try {
    await execution.terraform(['apply', '-input=false', '-no-color', '-auto-approve', PLAN_FILE], root, env, 'terraform apply');
  } finally {
    await delta;
  }
  await execution.move('FINISHED', { note: 'applied', delta: execution.delta ?? undefined });
}

/** The run's directory inside the extracted code; it must exist and stay inside. */
async function projectRoot(sourceDir: string, projectRoot: string): Promise<string> {
  const root = resolve(sourceDir, projectRoot.replace(/^\/+/, ''));
  const inside = relative(sourceDir, root);
  if (inside.startsWith('..') || inside.split(sep).includes('..')) throw new RunFailure(`projectRoot "${projectRoot}" leaves the repository`);
  const found = await stat(root).catch(() => null);
  if (found === null || !found.isDirectory()) throw new RunFailure(`projectRoot "${projectRoot}" is not a directory at this commit`);
  return root;
}

/**
 * The scrubbed environment of a run's terraform (SPEC §7.2): the stack's variables, then what the worker sets. Nothing
 * else of the worker's own environment: no encryption key, database URL, API key or Bitbucket token.
 */
function runEnvironment(execution: Execution, runDir: string, settings: RunSettings): Record<string, string> {
  const { run, options } = execution;
  return {
    ...settings.variables,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: runDir,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...(options.terraformCliConfig === undefined ? {} : { TF_CLI_CONFIG_FILE: options.terraformCliConfig }),
    ...(settings.stateBackend ?? {}),
    LIFTGATE_RUN_ID: run.id,
    LIFTGATE_STACK_ID: run.stackId,
    LIFTGATE_COMMIT: execution.commit,
    LIFTGATE_BRANCH: run.branch,
  };
}

/** The delta of a saved plan from `terraform show -json` (format 1.x). */
export function planDelta(showJson: string): RunDelta {
  let document: { format_version?: unknown; resource_changes?: { change?: { actions?: unknown } }[] };
  try {
    document = JSON.parse(showJson) as typeof document;
  } catch {
    throw new RunFailure('terraform show -json printed something that is not JSON');
  }
  if (typeof document.format_version !== 'string' || !document.format_version.startsWith('1.')) {
    throw new RunFailure(`terraform show -json printed format ${String(document.format_version)}; this worker reads format 1.x`);
  }
  const actions = (document.resource_changes ?? []).map((change) => (Array.isArray(change.change?.actions) ? (change.change.actions as string[]) : []));
  return deltaFromActions(actions);
}
