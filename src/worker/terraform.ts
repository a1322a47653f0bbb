/**
 * Running `terraform` for a run (after hashicorp/terraform-exec): an argv array, never a shell; the environment the
 * caller built, never the worker's; its own process group, so a cancel or a timeout reaches the providers it started
 * too: one SIGINT, a grace period, then SIGKILL. Output goes line by line to the run's log while the process runs.
 */
import type { Launcher } from './launcher';

export interface TerraformCall {
  /** Where the process is started (the pool's launcher process). */
  launcher: Launcher;
  terraform: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Each line of stdout and stderr, in the order they arrive. */
  onLine(line: string): void;
  /** Aborting interrupts terraform (SIGINT, then SIGKILL after `graceMs`). */
  signal: AbortSignal;
  /** How long terraform may take; past it, it is interrupted like a cancel and the result says `timedOut`. */
  timeoutMs: number;
  graceMs: number;
  /** Keeps stdout whole (for `show -json`) instead of passing it to onLine. */
  captureStdout?: boolean;
  /** Runs at a lower CPU priority, beside the run's critical path (launcher.ts LaunchOptions.background). */
  background?: boolean;
}

export interface TerraformOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process was interrupted because the signal aborted. */
  interrupted: boolean;
  timedOut: boolean;
  stdout: string;
  /** The last lines of stderr, for the run's failure sentence. */
  stderrTail: string[];
}

const STDERR_TAIL_LINES = 20;

export function runTerraform(call: TerraformCall): Promise<TerraformOutcome> {
  return new Promise((resolve, reject) => {
    const child = call.launcher.launch(call.terraform, call.args, { cwd: call.cwd, env: call.env, background: call.background });
    let stdout = '';
    const stderrTail: string[] = [];
    let interrupted = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals): void => child.signalGroup(signal);
    const interrupt = (): void => {
      if (interrupted) return;
      interrupted = true;
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), call.graceMs);
      killTimer.unref();
    };
    const timeout = setTimeout(() => {
      timedOut = true;
      interrupt();
    }, call.timeoutMs);
    timeout.unref();
    const onAbort = (): void => interrupt();
    if (call.signal.aborted) interrupt();
    else call.signal.addEventListener('abort', onAbort, { once: true });

    const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> =>
      new Promise((done) => {
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          pending += chunk;
          const parts = pending.split('\n');
          pending = parts.pop() ?? '';
          for (const part of parts) onLine(part.replace(/\r$/, ''));
        });
        stream.on('end', () => {
          if (pending !== '') onLine(pending);
          done();
        });
      });
    const stdoutDone = call.captureStdout
      ? new Promise<void>((done) => {
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => (stdout += chunk));
          child.stdout.on('end', done);
        })
      : lines(child.stdout, call.onLine);
    const stderrDone = lines(child.stderr, (line) => {
      call.onLine(line);
      if (line.trim() === '') return;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    });
    child.on('error', (error: Error) => {
      clearTimeout(timeout);
      call.signal.removeEventListener('abort', onAbort);
      reject(new Error(`terraform (${call.terraform}) could not run: ${error.message}`));
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      // Drain both streams fully before reading the exit code: the error is often the last thing printed.
      void Promise.all([stdoutDone, stderrDone]).then(() => {
        clearTimeout(timeout);
        if (killTimer !== undefined) clearTimeout(killTimer);
        call.signal.removeEventListener('abort', onAbort);
        resolve({ code, signal, interrupted, timedOut, stdout, stderrTail });
      });
    });
  });
}

/**
 * One sentence from terraform's error output: the first `Error:` line and the line after it (terraform prints a
 * summary, then details), or the last lines it printed.
 */
export function terraformErrorSummary(stderrTail: readonly string[]): string {
  const cleaned = stderrTail.map((line) => line.replace(/^[│╷╵\s]+/, '').trim()).filter((line) => line !== '');
  const index = cleaned.findIndex((line) => line.startsWith('Error:'));
  const picked = index >= 0 ? cleaned.slice(index, index + 2) : cleaned.slice(-2);
  return picked.join(' ').slice(0, 500);
}
