/**
 * `npm run bench:agent`: Bitbucket calls through a VCS agent against the same calls made directly, in one run
 * (SPEC §9). A stand-in Bitbucket (its own process) serves a 50 MiB archive and a small JSON answer; the control
 * plane runs here with its agent gateway, and `liftgate vcs-agent` (the built CLI, its own process) dials in. The
 * client is the transport every Bitbucket call uses, pointed at http://… (direct) or private://<pool> (agent).
 *
 * Targets: archive throughput through the agent ≥ 0.7 × direct; small-call p50 through the agent ≤ 2 × direct.
 * For scale it also prints the archive's rate through a bare TCP relay process (no target): the least a path with
 * any process in the middle costs on the machine it runs on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AgentRoute } from '../src/clients/agent-route';
import { findRepoRoot } from './repo-root';

// The built package (lib/, which `npm run build:runtime` makes), as `liftgate serve` runs it: its migrations and
// the agent CLI live there. The types come from the sources.
const lib = join(findRepoRoot(), 'lib');
const { bitbucketError } = require(join(lib, 'clients/bitbucket/errors')) as typeof import('../src/clients/bitbucket/errors');
const { Transport } = require(join(lib, 'clients/transport')) as typeof import('../src/clients/transport');
type Transport = import('../src/clients/transport').Transport;
const { parseBitbucketHostPolicy } = require(join(lib, 'domain/bitbucket-hosts')) as typeof import('../src/domain/bitbucket-hosts');
const { buildApp } = require(join(lib, 'server/app')) as typeof import('../src/server/app');
const { ensureRootAdminKey } = require(join(lib, 'server/auth/apiKeys')) as typeof import('../src/server/auth/apiKeys');
const { openDatabase } = require(join(lib, 'server/store/database')) as typeof import('../src/server/store/database');

const ARCHIVE_BYTES = 50 * 1024 * 1024;
const ARCHIVE_ROUNDS = 5;
const SMALL_CALLS = 500;
const ARCHIVE_PATH = '/rest/api/latest/projects/PLAT/repos/infra/archive?at=0123456789abcdef0123456789abcdef01234567&format=tar.gz';
const SMALL_PATH = '/rest/api/latest/projects/PLAT/repos/infra';

/** The stand-in Bitbucket: one process, answers from memory, prints its port. */
const UPSTREAM = `
const http = require('node:http');
const archive = Buffer.alloc(${ARCHIVE_BYTES});
for (let i = 0; i < archive.length; i += 4) archive.writeUInt32LE((i * 2654435761) >>> 0, i);
const small = JSON.stringify({ slug: 'infra', name: 'infra', project: { key: 'PLAT' }, links: { self: [{ href: 'https://bitbucket.internal/projects/PLAT/repos/infra/browse' }] } });
const server = http.createServer((request, response) => {
  if (request.url.includes('/archive')) {
    response.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': archive.length });
    response.end(archive);
  } else {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(small) });
    response.end(small);
  }
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * A bare TCP relay (its own process): each connection piped to one to the stand-in Bitbucket, no HTTP, no WebSocket.
 * What any process in the middle costs on this machine: the floor for a path through the agent.
 */
const RELAY = (port: number) => `
const net = require('node:net');
const server = net.createServer((client) => {
  const upstream = net.connect(${port}, '127.0.0.1');
  client.pipe(upstream).on('error', () => client.destroy());
  upstream.pipe(client).on('error', () => upstream.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** Starts `node …args` and resolves with the process and the first line of its stdout that `ready` accepts. */
function startProcess(args: string[], ready: (line: string) => boolean): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A failed run must not leave it behind.
  process.once('exit', () => child.kill());
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (data: Buffer) => {
      buffered += data.toString();
      const line = buffered.split('\n').find(ready);
      if (line === undefined) return;
      // From here on its output (the agent logs a line per request) is drained unread: this process is the one
      // measured, and re-reading all of it on every line would charge the calls through the agent for it.
      child.stdout?.off('data', onData).resume();
      resolve({ child, line });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

function transport(baseUrl: string, agents?: AgentRoute): Transport {
  return new Transport({
    baseUrl,
    agents,
    authorization: () => 'Bearer bench-token',
    requestIdHeaders: [],
    errors: bitbucketError,
    retry: { maxRetries: 0 },
    maxSockets: 4,
    timeoutMs: 30_000,
    userAgent: 'liftgate-bench',
  });
}

async function archiveSeconds(client: Transport): Promise<number> {
  const started = performance.now();
  const answer = await client.stream({ method: 'GET', path: ARCHIVE_PATH, retryMode: 'idempotent', maxBytes: ARCHIVE_BYTES * 2 });
  let bytes = 0;
  for await (const chunk of answer.body) bytes += (chunk as Buffer).length;
  if (bytes !== ARCHIVE_BYTES) throw new Error(`read ${bytes} bytes, expected ${ARCHIVE_BYTES}`);
  return (performance.now() - started) / 1000;
}

async function smallCallMs(client: Transport): Promise<number[]> {
  const times: number[] = [];
  for (let call = 0; call < SMALL_CALLS; call += 1) {
    const started = performance.now();
    await client.json({ method: 'GET', path: SMALL_PATH, retryMode: 'idempotent', schema: null });
    times.push(performance.now() - started);
  }
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

async function main(): Promise<void> {
  const { child: upstream, line: portLine } = await startProcess(['-e', UPSTREAM], (line) => /^\d+$/.test(line.trim()));
  const port = Number(portLine.trim());
  const db = await openDatabase({ dataDir: 'memory://' });
  const app = await buildApp({ db, publicUrl: 'http://127.0.0.1', encryptionKey: Buffer.alloc(32, 1), allowedBitbucketHosts: parseBitbucketHostPolicy('*,loopback') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const adminKey = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
  const created = await app.inject({ method: 'POST', url: '/api/v1/vcs-agent-pools', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, payload: { name: 'bench' } });
  const { token } = JSON.parse(created.body) as { token: string };
  const { child: relay, line: relayLine } = await startProcess(['-e', RELAY(port)], (line) => /^\d+$/.test(line.trim()));
  const { child: agent } = await startProcess(
    [join(findRepoRoot(), 'bin', 'liftgate'), 'vcs-agent', '--endpoint', url, '--token', token, '--target', `http://127.0.0.1:${port}`, '--parallelism', '4'],
    (line) => line.includes('"msg":"connected"'),
  );
  try {
    const direct = transport(`http://127.0.0.1:${port}`);
    const viaAgent = transport('private://bench', app.vcsAgents);
    const viaRelay = transport(`http://127.0.0.1:${Number(relayLine.trim())}`);
    // Warm the paths (sockets, JIT) before measuring.
    await archiveSeconds(direct);
    await archiveSeconds(viaAgent);
    await archiveSeconds(viaRelay);
    await smallCallMs(direct);
    await smallCallMs(viaAgent);

    const directSeconds: number[] = [];
    const agentSeconds: number[] = [];
    const relaySeconds: number[] = [];
    for (let round = 0; round < ARCHIVE_ROUNDS; round += 1) {
      directSeconds.push(await archiveSeconds(direct));
      agentSeconds.push(await archiveSeconds(viaAgent));
      relaySeconds.push(await archiveSeconds(viaRelay));
    }
    const mib = ARCHIVE_BYTES / 1024 / 1024;
    const directRate = mib / median(directSeconds);
    const agentRate = mib / median(agentSeconds);
    const relayRate = mib / median(relaySeconds);
    const directSmall = await smallCallMs(direct);
    const agentSmall = await smallCallMs(viaAgent);

    const throughputRatio = agentRate / directRate;
    const p50Ratio = median(agentSmall) / median(directSmall);
    console.log(`50 MiB archive, median of ${ARCHIVE_ROUNDS} (alternating):`);
    console.log(`  direct ${directRate.toFixed(0)} MiB/s   through the agent ${agentRate.toFixed(0)} MiB/s   ratio ${throughputRatio.toFixed(2)} (target >= 0.70)`);
    console.log(`  floor: through a bare TCP relay process ${relayRate.toFixed(0)} MiB/s   ratio ${(relayRate / directRate).toFixed(2)}   agent / relay ${(agentRate / relayRate).toFixed(2)}`);
    console.log(`${SMALL_CALLS} small GETs, one at a time:`);
    console.log(`  direct p50 ${median(directSmall).toFixed(3)} ms p95 ${percentile(directSmall, 0.95).toFixed(3)} ms`);
    console.log(`  agent  p50 ${median(agentSmall).toFixed(3)} ms p95 ${percentile(agentSmall, 0.95).toFixed(3)} ms   ratio ${p50Ratio.toFixed(2)}x (target <= 2.00x)`);
    console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'agent', metric: 'archive throughput, agent / direct', value: Number(throughputRatio.toFixed(2)), target: 0.7 })}`);
    console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'agent', metric: 'small-call p50, agent / direct (x)', value: Number(p50Ratio.toFixed(2)), target: 2, lowerIsBetter: true })}`);
    direct.close();
    viaAgent.close();
    viaRelay.close();
  } finally {
    agent.kill('SIGTERM');
    relay.kill('SIGTERM');
    upstream.kill('SIGTERM');
    await app.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
