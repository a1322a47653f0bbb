/**
 * Where a worker's terraform processes are started. A worker forks to start one; the worker inside `liftgate serve`
 * holds the embedded store, hundreds of MB, and a fork of it copies its page tables: ~10 ms each with the event loop
 * stopped, four times a run, on the run's own critical path. So a pool starts terraform through a small launcher
 * process of its own (launcher-child.cjs), which relays the output over its IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

/** A started process: its output, a way to signal its process group, and `error` / `close(code, signal)` events. */
export interface LaunchedProcess extends EventEmitter {
  readonly stdout: Readable;
  readonly stderr: Readable;
  signalGroup(signal: NodeJS.Signals): void;
}

export interface LaunchOptions {
  cwd: string;
  env: Record<string, string>;
  /** Runs it at a lower CPU priority (nice 10): work beside the run's critical path, such as reading a plan's delta. */
  background?: boolean;
}

export interface Launcher {
  /** Starts `file` in its own process group with exactly `env`, stdin closed. */
  launch(file: string, args: readonly string[], options: LaunchOptions): LaunchedProcess;
  /** Ends the launcher; processes still running are interrupted by it. */
  close(): void;
}

/** The niceness of background processes: behind the run's own terraform and the worker, never stopped. */
const BACKGROUND_NICENESS = 10;

type Incoming = { t: 'data'; id: number; fd: 1 | 2; chunk: Uint8Array } | { t: 'error'; id: number; message: string } | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

class RelayedProcess extends EventEmitter implements LaunchedProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();

  constructor(private readonly sendSignal: (signal: NodeJS.Signals) => void) {
    super();
  }

  signalGroup(signal: NodeJS.Signals): void {
    this.sendSignal(signal);
  }

  ended(event: 'close' | 'error', ...details: unknown[]): void {
    this.stdout.end();
    this.stderr.end();
    this.emit(event, ...details);
  }
}

/**
 * One launcher process, started at the first launch and again after it exited. While none of its processes runs its
 * channel does not keep this process alive.
 */
export class ProcessLauncher implements Launcher {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly live = new Map<number, RelayedProcess>();

  constructor(private readonly graceMs: number) {}

  /** The launcher process's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  launch(file: string, args: readonly string[], options: LaunchOptions): LaunchedProcess {
    const child = this.child ?? this.start();
    const id = this.nextId++;
    const relayed = new RelayedProcess((signal) => {
      if (this.live.has(id) && child.connected) child.send({ t: 'signal', id, signal });
    });
    this.live.set(id, relayed);
    if (this.live.size === 1) child.channel?.ref();
    child.send({ t: 'spawn', id, file, args: [...args], cwd: options.cwd, env: options.env, niceness: options.background === true ? BACKGROUND_NICENESS : 0 });
    return relayed;
  }

  close(): void {
    if (this.child?.connected === true) this.child.disconnect();
    this.child = null;
    this.failLive('the terraform launcher was closed while terraform ran (it interrupts what still runs)');
  }

  private start(): ChildProcess {
    // Nothing of the worker's environment (its keys, its database URL) goes to the launcher: each process gets the
    // environment the run built. No execArgv either (an inspector or profiler flag is meant for the worker).
    const child = spawn(process.execPath, [join(__dirname, 'launcher-child.cjs')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.send({ t: 'grace', ms: this.graceMs });
    child.on('message', (message: Incoming) => this.receive(message));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.failLive(`the terraform launcher process exited (${signal ?? `code ${code}`}) while terraform ran`);
    });
    child.on('error', () => undefined);
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }

  private failLive(reason: string): void {
    for (const [id, relayed] of this.live) {
      this.live.delete(id);
      relayed.ended('error', new Error(reason));
    }
  }

  private receive(message: Incoming): void {
    const relayed = this.live.get(message.id);
    if (relayed === undefined) return;
    if (message.t === 'data') {
      (message.fd === 1 ? relayed.stdout : relayed.stderr).write(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
      return;
    }
    this.live.delete(message.id);
    if (this.live.size === 0) this.child?.channel?.unref();
    if (message.t === 'error') relayed.ended('error', new Error(message.message));
    else relayed.ended('close', message.code, message.signal);
  }
}
