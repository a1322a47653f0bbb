// @ts-check
'use strict';
/**
 * The terraform launcher (src/worker/launcher.ts starts it): a small Node process that starts terraform for the
 * worker that started it and relays its output over the IPC channel. Starting a process from the worker itself forks
 * the worker, and the worker of `liftgate serve` holds the embedded store (hundreds of MB): each fork copied its page
 * tables, ~10 ms with its event loop stopped. This process stays small, so a start costs ~1 ms of its own time.
 *
 * Messages in:  { t: 'spawn', id, file, args, cwd, env, niceness }   { t: 'signal', id, signal }   { t: 'grace', ms }
 * Messages out: { t: 'data', id, fd: 1 | 2, chunk }   { t: 'error', id, message }   { t: 'close', id, code, signal }
 * Each process gets its own process group (signals reach the providers it starts too). When the worker goes away
 * (the channel closes), every process still running is interrupted, killed after the grace period, and this ends.
 */
const { spawn } = require('node:child_process');
const { setPriority } = require('node:os');

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const running = new Map();
let graceMs = 20_000;

/** @param {unknown} message */
function send(message) {
  if (process.connected) process.send?.(message);
}

/** @param {import('node:child_process').ChildProcess} child @param {NodeJS.Signals} signal */
function signalGroup(child, signal) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** @param {{ id: number, file: string, args: string[], cwd: string, env: Record<string, string>, niceness?: number }} request */
function start(request) {
  const { id } = request;
  let child;
  try {
    child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    send({ t: 'error', id, message: /** @type {Error} */ (error).message });
    return;
  }
  // A background process (launcher.ts) runs behind the run's own terraform and the worker.
  if (request.niceness !== undefined && request.niceness > 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, request.niceness);
    } catch {
      // Not allowed here: it runs at the normal priority.
    }
  }
  running.set(id, child);
  child.stdout?.on('data', (chunk) => send({ t: 'data', id, fd: 1, chunk }));
  child.stderr?.on('data', (chunk) => send({ t: 'data', id, fd: 2, chunk }));
  child.on('error', (error) => {
    running.delete(id);
    send({ t: 'error', id, message: error.message });
  });
  // 'close' comes after both streams ended, so every 'data' message was sent before it.
  child.on('close', (code, signal) => {
    running.delete(id);
    send({ t: 'close', id, code, signal });
    if (!process.connected && running.size === 0) process.exit(0);
  });
}

process.on('message', (/** @type {any} */ message) => {
  if (message.t === 'spawn') start(message);
  else if (message.t === 'signal') {
    const child = running.get(message.id);
    if (child !== undefined) signalGroup(child, message.signal);
  } else if (message.t === 'grace') graceMs = message.ms;
});

// The worker decides when terraform is interrupted: a Ctrl-C in its terminal reaches this process too, and must not
// cut the output of runs the worker is still finishing.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

process.on('disconnect', () => {
  if (running.size === 0) process.exit(0);
  for (const child of running.values()) signalGroup(child, 'SIGINT');
  setTimeout(() => {
    for (const child of running.values()) signalGroup(child, 'SIGKILL');
    process.exit(0);
  }, graceMs).unref();
});
