/**
 * The terraform launcher: processes started through a small process of the pool's own, their output relayed, their
 * process group signalled, and what happens when the launcher or the worker goes away.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessLauncher, type LaunchedProcess } from '../../src/worker/launcher';

const launchers: ProcessLauncher[] = [];
const dir = mkdtempSync(join(tmpdir(), 'liftgate-launcher-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

afterAll(() => {
  for (const launcher of launchers) launcher.close();
  rmSync(dir, { recursive: true, force: true });
});

function newLauncher(graceMs = 5000): ProcessLauncher {
  const launcher = new ProcessLauncher(graceMs);
  launchers.push(launcher);
  return launcher;
}

function collect(child: LaunchedProcess): Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null; error?: Error }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code: number | null, signal: string | null) => resolve({ stdout, stderr, code, signal }));
    child.on('error', (error: Error) => resolve({ stdout, stderr, code: null, signal: null, error }));
  });
}

const waitFor = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

it('relays stdout, stderr and the exit code of a process that sees exactly the environment it was given', async () => {
  process.env.LIFTGATE_LAUNCHER_TEST_SECRET = 'worker-only';
  try {
    const launcher = newLauncher();
    const result = await collect(
      launcher.launch('sh', ['-c', `echo out; echo err >&2; head -c 300000 /dev/zero | tr '\\0' x; env; exit 3`], { cwd: dir, env: { ...env, GIVEN: 'yes' } }),
    );
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('out\n');
    expect(result.stdout).toContain('x'.repeat(300_000));
    expect(result.stdout).toContain('GIVEN=yes');
    expect(result.stdout).not.toContain('LIFTGATE_LAUNCHER_TEST_SECRET');
    expect(result.stderr).toBe('err\n');
  } finally {
    delete process.env.LIFTGATE_LAUNCHER_TEST_SECRET;
  }
});

it('a missing program is an error event naming it; the launcher goes on starting others', async () => {
  const launcher = newLauncher();
  const missing = await collect(launcher.launch(join(dir, 'no-such-terraform'), [], { cwd: dir, env }));
  expect(missing.error?.message).toContain('no-such-terraform');
  expect((await collect(launcher.launch('true', [], { cwd: dir, env }))).code).toBe(0);
});

it('signals reach the whole process group', async () => {
  const launcher = newLauncher();
  const child = launcher.launch('sh', ['-c', `trap 'echo interrupted; kill $!; exit 7' INT; echo ready; sleep 30 >/dev/null 2>&1 & wait`], { cwd: dir, env });
  const result = collect(child);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.signalGroup('SIGINT');
  const ended = await result;
  expect(ended.stdout).toContain('interrupted');
  expect(ended.code).toBe(7);
});

it('a launcher process that dies fails the processes in flight with a clear error, and the next launch starts a new one', async () => {
  const launcher = newLauncher();
  const child = launcher.launch('sleep', ['30'], { cwd: dir, env });
  const result = collect(child);
  await waitFor(() => launcher.pid !== undefined);
  const first = launcher.pid as number;
  process.kill(first, 'SIGKILL');
  expect((await result).error?.message).toMatch(/terraform launcher process exited \(SIGKILL\)/);
  expect((await collect(launcher.launch('echo', ['again'], { cwd: dir, env }))).stdout).toBe('again\n');
  expect(launcher.pid).not.toBe(first);
});

it('when the worker closes it (or goes away), processes still running are interrupted', async () => {
  const launcher = newLauncher();
  const marker = join(dir, 'interrupted');
  const child = launcher.launch('sh', ['-c', `trap 'touch "${marker}"; kill $!; exit 0' INT; echo ready; sleep 30 >/dev/null 2>&1 & wait`], { cwd: dir, env });
  const result = collect(child);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  launcher.close();
  expect((await result).error?.message).toContain('the terraform launcher was closed while terraform ran');
  await waitFor(() => existsSync(marker));
});

it('a background process runs at a lower priority (nice 10), the others at the worker\'s', async () => {
  const launcher = newLauncher();
  // Field 19 of /proc/<pid>/stat is the niceness. The priority is set as the process starts, so the shell waits a
  // moment before `cut`, which inherits it, reads its own.
  const niceness = async (background: boolean) =>
    (await collect(launcher.launch('sh', ['-c', "sleep 0.2; cut -d' ' -f19 /proc/self/stat"], { cwd: dir, env, background }))).stdout.trim();
  expect(await niceness(true)).toBe('10');
  expect(await niceness(false)).toBe('0');
});
