import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { magicCookieKey, magicCookieValue } from '../../../src/plugin/handshake';

export const echoPluginPath = join(__dirname, 'fixtures', 'echo-plugin.js');
export const failingPluginPath = join(__dirname, 'fixtures', 'failing-plugin.js');
export const crashingPluginPath = join(__dirname, 'fixtures', 'crashing-plugin.js');

/** The environment Terraform 1.11 gives a provider, minus the client certificate. */
export const terraformEnv: NodeJS.ProcessEnv = {
  [magicCookieKey]: magicCookieValue,
  PLUGIN_PROTOCOL_VERSIONS: '5,6',
  PLUGIN_MIN_PORT: '10000',
  PLUGIN_MAX_PORT: '25000',
};

export interface ParsedHandshake {
  line: string;
  port: number;
  certificate: string;
}

export interface PluginProcess {
  child: ChildProcessWithoutNullStreams;
  handshake: ParsedHandshake;
  /** Milliseconds from spawn to the handshake line. */
  startupMs: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) and when the process ended (performance.now()), output complete. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Environment of the test runner without anything that would change the plugin's behaviour. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('TF_') || key.startsWith('PLUGIN_')) delete env[key];
  }
  return env;
}

/** Spawns a plugin process and collects its output; does not wait for anything. */
export function spawnPlugin(env: NodeJS.ProcessEnv, script = echoPluginPath) {
  const started = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...baseEnv(), ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    // 'close', not 'exit': by then stdout and stderr are drained, so the collected output is complete.
    child.on('close', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, started, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Spawns a plugin and waits (bounded) for its handshake line. */
export async function startPlugin(env: NodeJS.ProcessEnv = terraformEnv, script = echoPluginPath): Promise<PluginProcess> {
  const spawned = spawnPlugin(env, script);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake within 10 s; stderr: ${spawned.stderr()}`)), 10_000);
    const onData = () => {
      const newline = spawned.stdout().indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        spawned.child.stdout.off('data', onData);
        resolve(spawned.stdout().slice(0, newline + 1));
      }
    };
    spawned.child.stdout.on('data', onData);
    void spawned.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited (${code}) before the handshake; stderr: ${spawned.stderr()}`));
    });
  });
  const startupMs = performance.now() - spawned.started;
  const fields = line.trimEnd().split('|');
  return {
    child: spawned.child,
    handshake: { line, port: Number(fields[3]?.split(':')[1]), certificate: fields[5] ?? '' },
    startupMs,
    stdout: spawned.stdout,
    stderr: spawned.stderr,
    exited: spawned.exited,
  };
}

export function stopPlugin(plugin: { child: ChildProcessWithoutNullStreams }): void {
  if (plugin.child.exitCode === null && plugin.child.signalCode === null) plugin.child.kill('SIGKILL');
}

const definitions = loadSync(
  [join(__dirname, '../../../src/plugin/proto/go-plugin.proto'), join(__dirname, '../../../src/plugin/proto/health.proto')],
  { keepCase: true, defaults: true, enums: String },
);
const loaded = grpc.loadPackageDefinition(definitions) as unknown as {
  plugin: { GRPCController: grpc.ServiceClientConstructor; GRPCStdio: grpc.ServiceClientConstructor };
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

/** Client channel options as go-plugin's: TLS name "localhost" whatever address is dialled. */
const clientOptions: grpc.ChannelOptions = {
  'grpc.ssl_target_name_override': 'localhost',
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
};

export function healthClient(port: number, credentials = grpc.credentials.createInsecure()) {
  return new loaded.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials, clientOptions);
}

export function controllerClient(port: number, credentials = grpc.credentials.createInsecure()) {
  return new loaded.plugin.GRPCController(`127.0.0.1:${port}`, credentials, clientOptions);
}

export function stdioClient(port: number, credentials = grpc.credentials.createInsecure()) {
  return new loaded.plugin.GRPCStdio(`127.0.0.1:${port}`, credentials, clientOptions);
}

const rawMethod = (name: string) => ({
  path: `/liftgate.test.Echo/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes: Buffer) => bytes,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (bytes: Buffer) => bytes,
  responseDeserialize: (bytes: Buffer) => bytes,
});
const EchoClient = grpc.makeGenericClientConstructor(
  { Echo: rawMethod('Echo'), Crash: rawMethod('Crash'), Log: rawMethod('Log') },
  'Echo',
);

export function echoClient(port: number, credentials = grpc.credentials.createInsecure()) {
  return new EchoClient(`127.0.0.1:${port}`, credentials, clientOptions);
}

/** Calls a unary method and resolves with its response (rejects with the gRPC error), bounded by a deadline. */
export function unary<T>(client: grpc.Client, method: string, request: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const call = (client as unknown as Record<string, Function>)[method].bind(client);
    call(request, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, response: T) =>
      error ? reject(error) : resolve(response),
    );
  });
}
