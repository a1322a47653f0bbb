import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const liftgateBin = join(repoRoot, 'bin', 'liftgate');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `liftgate` CLI (npm test builds lib/ first) and collects its output. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}) {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [liftgateBin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningServe {
  child: ChildProcess;
  /** The base URL `liftgate serve` printed, as printed. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

/**
 * Starts the built `liftgate serve --port 0 …args` and resolves once it prints where it listens; rejects
 * (with its stderr) if it exits first or does not listen within `timeoutMs`. The environment is the
 * test's own with LIFTGATE_ENCRYPTION_KEY empty unless `env` sets it.
 */
export function startServe(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunningServe> {
  const child = spawn(process.execPath, [liftgateBin, 'serve', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LIFTGATE_ENCRYPTION_KEY: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timeoutMs = options.timeoutMs ?? 45_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`liftgate serve did not start within ${timeoutMs / 1000} s; stderr: ${stderr}`));
    }, timeoutMs);
    let listening = false;
    const look = () => {
      const match = listening ? null : /listening on (http:\/\/\S+)/.exec(`${stderr}\n${stdout}`);
      if (match === null) return;
      listening = true;
      clearTimeout(timer);
      resolve({ child, url: match[1] as string, stdout: () => stdout, stderr: () => stderr, exited });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      look();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      look();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`liftgate serve exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}
