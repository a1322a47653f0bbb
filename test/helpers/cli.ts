import { join } from 'node:path';
import { runProcess, startProcess, type ProcessResult, type RunningProcess } from './process';

export const repoRoot = join(__dirname, '..', '..');
export const liftgateBin = join(repoRoot, 'bin', 'liftgate');

export type CliResult = ProcessResult;

/** Runs the built `liftgate` CLI (npm test builds lib/ first) and collects its output. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [liftgateBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...options.env },
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** A running `liftgate` command that keeps running (serve, bitbucket-emulator) until stopped. */
export function startCli<T>(
  args: string[],
  ready: (stdout: string, stderr: string) => T | undefined,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningProcess<T>> {
  return startProcess(process.execPath, [liftgateBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    timeoutMs: options.timeoutMs ?? 15_000,
    ready,
  });
}

export interface RunningServe extends RunningProcess<string> {
  /** The base URL `liftgate serve` printed, as printed. */
  url: string;
}

/**
 * Starts the built `liftgate serve --port 0 …args` and resolves once it prints where it listens; rejects
 * (with its stderr) if it exits first or does not listen within `timeoutMs`. The environment is the
 * test's own with LIFTGATE_ENCRYPTION_KEY empty unless `env` sets it.
 */
export async function startServe(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunningServe> {
  const running = await startCli(
    ['serve', '--port', '0', ...args],
    (stdout, stderr) => /listening on (https?:\/\/\S+)/.exec(`${stderr}\n${stdout}`)?.[1],
    { env: { LIFTGATE_ENCRYPTION_KEY: '', ...options.env }, timeoutMs: options.timeoutMs ?? 45_000 },
  );
  return { ...running, url: running.ready };
}
