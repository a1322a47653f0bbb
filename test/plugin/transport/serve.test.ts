import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { generatePluginCertificate } from '../../../src/plugin/tls';
import {
  controllerClient,
  echoClient,
  echoPluginPath,
  healthClient,
  spawnPlugin,
  startPlugin,
  stdioClient,
  stopPlugin,
  terraformEnv,
  unary,
  type PluginProcess,
} from './plugin-process';

const started: PluginProcess[] = [];
const clients: grpc.Client[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const plugin of started.splice(0)) stopPlugin(plugin);
});

async function start(env: NodeJS.ProcessEnv = terraformEnv) {
  const plugin = await startPlugin(env);
  started.push(plugin);
  return plugin;
}
function track<T extends grpc.Client>(client: T): T {
  clients.push(client);
  return client;
}

/** A client certificate like the one Terraform generates per provider process, and TLS credentials using it. */
function terraformLikeClient() {
  const clientCertificate = generatePluginCertificate();
  const env = { ...terraformEnv, PLUGIN_CLIENT_CERT: clientCertificate.certificatePem };
  const credentialsFor = (plugin: PluginProcess) => {
    const serverPem = new X509Certificate(Buffer.from(plugin.handshake.certificate, 'base64')).toString();
    return grpc.credentials.createSsl(
      Buffer.from(serverPem),
      Buffer.from(clientCertificate.privateKeyPem),
      Buffer.from(clientCertificate.certificatePem),
    );
  };
  return { env, credentialsFor };
}

/** Waits until `check` holds, polling, at most `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe('handshake', () => {
  it('prints exactly one go-plugin handshake line with a padding-free base64 DER certificate when TLS is asked for', async () => {
    const { env } = terraformLikeClient();
    const plugin = await start(env);
    expect(plugin.handshake.line).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]{50,}\n$/);
    const certificate = new X509Certificate(Buffer.from(plugin.handshake.certificate, 'base64'));
    expect(certificate.checkHost('localhost')).toBe('localhost');
  });

  it('keeps stdout to the handshake line: console output before and after it goes to stderr', async () => {
    const plugin = await start();
    const echo = track(echoClient(plugin.handshake.port));
    await unary(echo, 'Echo', Buffer.from('hello'));
    // The answer can overtake the stderr pipe; wait (bounded) for the handler's lines to arrive.
    await eventually(() => plugin.stderr().includes('process.stdout.write from an RPC handler'), 5000);
    expect(plugin.stdout()).toBe(plugin.handshake.line);
    expect(plugin.stderr()).toContain('console.log before the handshake');
    expect(plugin.stderr()).toContain('console.log from an RPC handler');
    expect(plugin.stderr()).toContain('process.stdout.write from an RPC handler');
  });

  it('run directly (no magic cookie), prints one friendly line on stderr and exits 1 without touching stdout', async () => {
    const plugin = spawnPlugin({});
    const { code } = await plugin.exited;
    expect(code).toBe(1);
    expect(plugin.stdout()).toBe('');
    expect(plugin.stderr().trim().split('\n')).toEqual([expect.stringContaining('not meant to be run directly')]);
  });

  it('tells Terraform why it cannot start, on its one stdout line (shown as "Unrecognized remote plugin message")', async () => {
    const plugin = spawnPlugin({ ...terraformEnv, PLUGIN_CLIENT_CERT: 'not a certificate' });
    const { code } = await plugin.exited;
    expect(code).toBe(1);
    expect(plugin.stdout()).toMatch(/^the plugin could not start: PLUGIN_CLIENT_CERT is not a PEM certificate \([^|\n]+\)\n$/);
    expect(plugin.stderr()).toContain(plugin.stdout());
  });

  it('serves plaintext with an empty certificate field when PLUGIN_CLIENT_CERT is not set', async () => {
    const plugin = await start();
    expect(plugin.handshake.line).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|\n$/);
    const health = track(healthClient(plugin.handshake.port));
    await expect(unary(health, 'Check', { service: 'plugin' })).resolves.toEqual({ status: 'SERVING' });
  });

  it('gives two plugins started at the same time different ports', async () => {
    const [first, second] = await Promise.all([start(), start()]);
    expect(first.handshake.port).not.toBe(second.handshake.port);
  });
});

describe('TLS', () => {
  it('answers the health check over TLS to a client presenting the certificate from PLUGIN_CLIENT_CERT', async () => {
    const client = terraformLikeClient();
    const plugin = await start(client.env);
    const health = track(healthClient(plugin.handshake.port, client.credentialsFor(plugin)));
    await expect(unary(health, 'Check', { service: 'plugin' })).resolves.toEqual({ status: 'SERVING' });
    await expect(unary(health, 'Check', { service: 'something.else' })).resolves.toEqual({ status: 'SERVICE_UNKNOWN' });
  });

  it('refuses a TLS client that presents a different certificate', async () => {
    const client = terraformLikeClient();
    const plugin = await start(client.env);
    const stranger = generatePluginCertificate();
    const serverPem = new X509Certificate(Buffer.from(plugin.handshake.certificate, 'base64')).toString();
    const credentials = grpc.credentials.createSsl(
      Buffer.from(serverPem),
      Buffer.from(stranger.privateKeyPem),
      Buffer.from(stranger.certificatePem),
    );
    const health = track(healthClient(plugin.handshake.port, credentials));
    await expect(unary(health, 'Check', { service: 'plugin' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses a plaintext client when serving TLS', async () => {
    const plugin = await start(terraformLikeClient().env);
    const health = track(healthClient(plugin.handshake.port));
    await expect(unary(health, 'Check', { service: 'plugin' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});

describe('services', () => {
  it('carries messages far above grpc-js default 4 MiB limit both ways', async () => {
    const plugin = await start();
    const echo = track(echoClient(plugin.handshake.port));
    const big = Buffer.alloc(70 * 1024 * 1024, 7);
    const answer = await unary<Buffer>(echo, 'Echo', big);
    expect(answer.length).toBe(big.length);
  });

  it('answers a health Watch with SERVING and keeps the stream open until the client leaves', async () => {
    const plugin = await start();
    const health = track(healthClient(plugin.handshake.port));
    const stream = (health as unknown as { Watch(request: object): grpc.ClientReadableStream<unknown> }).Watch({ service: 'plugin' });
    const first = await new Promise((resolve) => stream.once('data', resolve));
    expect(first).toEqual({ status: 'SERVING' });
    const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    stream.cancel();
    expect((await status).code).toBe(grpc.status.CANCELLED);
  });

  it('ends the stdio stream cleanly, which go-plugin reads as "nothing to forward"', async () => {
    const plugin = await start();
    const stdio = track(stdioClient(plugin.handshake.port));
    const stream = (stdio as unknown as { StreamStdio(request: object): grpc.ClientReadableStream<unknown> }).StreamStdio({});
    const received: unknown[] = [];
    stream.on('data', (data) => received.push(data));
    const status = await new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    expect(status.code).toBe(grpc.status.OK);
    expect(received).toEqual([]);
  });
});

describe('process lifetime', () => {
  it('exits at once on GRPCController.Shutdown, well inside the 2 seconds Terraform waits', async () => {
    const plugin = await start();
    const controller = track(controllerClient(plugin.handshake.port));
    const requested = performance.now();
    await expect(unary(controller, 'Shutdown', {})).resolves.toEqual({});
    const { code, at } = await plugin.exited;
    // Code 0 is the plugin's own exit; a kill by Terraform after its 2 s wait would be a signal.
    expect(code).toBe(0);
    expect(at - requested).toBeLessThan(2000);
  });

  it('ignores SIGINT and keeps serving', async () => {
    const plugin = await start({ ...terraformEnv, TF_LOG: 'DEBUG' });
    plugin.child.kill('SIGINT');
    expect(await eventually(() => plugin.stderr().includes('interrupt signal, ignoring'), 5000)).toBe(true);
    const health = track(healthClient(plugin.handshake.port));
    await expect(unary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
    expect(plugin.child.exitCode).toBeNull();
  });

  it('exits when its parent dies without killing it (orphaned)', async () => {
    // An intermediate process plays Terraform: it starts the plugin, reports its pid, and is then SIGKILLed.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const plugin = spawn(process.execPath, [${JSON.stringify(echoPluginPath)}], { stdio: ['ignore', 'pipe', 'ignore'] });
      plugin.stdout.once('data', () => process.stdout.write(String(plugin.pid) + '\\n'));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { env: { ...process.env, ...terraformEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    const pluginPid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))));
    parent.kill('SIGKILL');
    // Gone means no such process, or a zombie nobody reaps (a container's pid 1 may not reap).
    const gone = () => {
      try {
        process.kill(pluginPid, 0);
      } catch {
        return true;
      }
      try {
        return readFileSync(`/proc/${pluginPid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
      } catch {
        return true;
      }
    };
    const exited = await eventually(gone, 5000);
    if (!exited) process.kill(pluginPid, 'SIGKILL');
    expect(exited).toBe(true);
  });

  it('turns an uncaught exception into a "panic:" crash report Terraform recognises, exit code 2', async () => {
    const plugin = await start();
    const echo = track(echoClient(plugin.handshake.port));
    await unary(echo, 'Crash', Buffer.alloc(0));
    const { code } = await plugin.exited;
    expect(code).toBe(2);
    expect(plugin.stderr()).toMatch(/^panic: Error: deliberate crash for the test\n\s+at /m);
    expect(plugin.stdout()).toBe(plugin.handshake.line);
  });
});

describe('logging levels', () => {
  async function linesLogged(env: NodeJS.ProcessEnv): Promise<Array<Record<string, unknown>>> {
    const plugin = await start({ ...terraformEnv, ...env });
    const echo = track(echoClient(plugin.handshake.port));
    await unary(echo, 'Log', Buffer.from('x'));
    expect(await eventually(() => plugin.stderr().includes('log lines written\n'), 5000)).toBe(true);
    return plugin
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => String(line['@message']).endsWith(' line'));
  }
  const levels = (lines: Array<Record<string, unknown>>) => lines.map((line) => line['@level']);

  it('logs nothing when neither TF_LOG nor TF_LOG_PROVIDER is set', async () => {
    expect(await linesLogged({})).toEqual([]);
  });

  it('logs from the TF_LOG level up, as hclog JSON', async () => {
    const lines = await linesLogged({ TF_LOG: 'info' });
    expect(levels(lines)).toEqual(['info', 'warn', 'error']);
    expect(lines[0]).toEqual({
      '@level': 'info',
      '@message': 'info line',
      '@module': 'echo-plugin',
      '@timestamp': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      request: 'x',
    });
  });

  it('lets TF_LOG_PROVIDER override TF_LOG', async () => {
    expect(levels(await linesLogged({ TF_LOG: 'TRACE', TF_LOG_PROVIDER: 'ERROR' }))).toEqual(['error']);
  });
});
