/**
 * Child processes for tests: one that runs to completion (bounded), and one that keeps running until told to stop.
 * Every test that starts a program goes through these, so none is left behind and none waits forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived, interleaved. */
  output: string;
  /** Wall time, in milliseconds. */
  durationMs: number;
}

export interface ProcessOptions {
  cwd?: string;
  /** The whole environment of the program (default: the test's own). */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
}

/** Runs a program to completion, or until `timeoutMs`, and collects its output. */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output, durationMs: performance.now() - started });
    });
  });
}

export interface RunningProcess<T> {
  child: ChildProcess;
  /** What `ready` found in the output. */
  ready: T;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/**
 * Starts a long-running program and resolves once `ready` finds what it waits for in the output so far (it answers
 * undefined until then); rejects with the program's stderr if it exits first or is not ready within `timeoutMs`.
 */
export function startProcess<T>(
  command: string,
  args: readonly string[],
  options: ProcessOptions & { ready: (stdout: string, stderr: string) => T | undefined },
): Promise<RunningProcess<T>> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} was not ready within ${options.timeoutMs / 1000} s; stderr: ${stderr}`));
    }, options.timeoutMs);
    let done = false;
    const look = () => {
      if (done) return;
      const found = options.ready(stdout, stderr);
      if (found === undefined) return;
      done = true;
      clearTimeout(timer);
      resolve({ child, ready: found, stdout: () => stdout, stderr: () => stderr, exited, stop });
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      look();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      look();
    });
    child.on('error', reject);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}
