/**
 * VCS agents end to end (SPEC §9): a control plane on loopback, the Bitbucket emulator that only the agent is told
 * about, and agents dialing in with their pool's token. The integration's apiHost is private://<pool>.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { generatePluginCertificate } from '../../src/plugin/tls';
import { AGENT_CONNECT_PATH, BODY_WINDOW_BYTES, bodyFrameHeader, type HttpFrame } from '../../src/domain/vcs-agent-protocol';
import { BitbucketClient, BitbucketError } from '../../src/clients/bitbucket';
import { ApiConnectionError } from '../../src/clients/errors';
import { Transport } from '../../src/clients/transport';
import { bitbucketError } from '../../src/clients/bitbucket/errors';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { scriptedServer, sendJson, type ScriptedServer } from '../helpers/http';
import { eventually, startAgentControlPlane, testAgent, type AgentControlPlane, type TestAgent } from './harness';

let plane: AgentControlPlane;
let emulator: RunningEmulator;
let upstream: ScriptedServer;
const agents: TestAgent[] = [];
let user: { name: string; token: string };
/** Bytes of the big archive the stand-in Bitbucket has handed to its socket so far. */
let bigWritten = 0;
const BIG_BYTES = 96 * 1024 * 1024;

/** Writes BIG_BYTES in 64 KiB pieces as fast as the connection takes them (waiting for drain), counting them. */
function streamBig(response: import('node:http').ServerResponse): void {
  bigWritten = 0;
  const piece = Buffer.alloc(64 * 1024, 7);
  response.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(BIG_BYTES) });
  const more = () => {
    while (bigWritten < BIG_BYTES) {
      bigWritten += piece.length;
      if (!response.write(piece)) return void response.once('drain', more);
    }
    response.end();
  };
  more();
}
/** 3 MiB of bytes that do not compress, with a known digest. */
const ARCHIVE = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, index) => (index * 7919 + (index >> 11)) & 0xff));

beforeAll(async () => {
  plane = await startAgentControlPlane({ pingIntervalMs: 500 });
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'infra');
  const seeded = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/infra': 'REPO_ADMIN' } });
  user = { name: seeded.name, token: seeded.token as string };
  upstream = await scriptedServer((request, response) => {
    if (request.url.includes('/repos/big/archive')) {
      streamBig(response);
    } else if (request.url.includes('/archive')) {
      response.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(ARCHIVE.length) });
      response.end(ARCHIVE);
    } else if (request.url.includes('/repos/slow')) {
      setTimeout(() => sendJson(response, 200, { slug: 'slow', agent: request.headers['user-agent'] }), 150);
    } else if (!request.url.includes('/repos/hang')) {
      sendJson(response, 200, { path: request.url });
    }
  });
}, 60_000);

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.stop();
  // The next test's pool may have the same name: its agents must not be mistaken for these.
  await eventually(async () => ((await plane.api('GET', '/api/v1/vcs-agent-pools')).body as { connectedAgents: number }[]).every((pool) => pool.connectedAgents === 0));
  await plane.db.query('DELETE FROM vcs_agent_pools');
  await plane.db.query('DELETE FROM integrations');
});

afterAll(async () => {
  await plane?.close();
  await emulator?.close();
  await upstream?.close();
});

function connect(token: string, target: string, extra: Partial<Parameters<typeof testAgent>[0]> = {}): TestAgent {
  const agent = testAgent({ endpoint: plane.url, token, target, ...extra });
  agents.push(agent);
  return agent;
}

async function connected(poolId: string, count: number): Promise<void> {
  await eventually(async () => (await plane.api('GET', `/api/v1/vcs-agent-pools/${poolId}`)).body.connectedAgents === count);
}

/** A client of the private Bitbucket, through the control plane's agents. */
function privateClient(pool: string, options: { token?: string; retries?: number } = {}): BitbucketClient {
  return new BitbucketClient({
    baseUrl: `private://${pool}`,
    agents: plane.app.vcsAgents,
    username: user.name,
    password: options.token ?? user.token,
    retry: { maxRetries: options.retries ?? 0 },
    timeoutMs: 5000,
  });
}

function privateTransport(pool: string, timeoutMs = 5000): Transport {
  return new Transport({
    baseUrl: `private://${pool}`,
    agents: plane.app.vcsAgents,
    authorization: () => `Bearer ${user.token}`,
    requestIdHeaders: [],
    errors: bitbucketError,
    retry: { maxRetries: 0 },
    maxSockets: 4,
    timeoutMs,
    userAgent: 'test',
  });
}

describe('pools', () => {
  it('shows the token once, stores only its hash, and lists connected agents and last activity', async () => {
    const created = await plane.api('POST', '/api/v1/vcs-agent-pools', { name: 'vcs-agent-pool-name', description: 'DC in the data centre' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^lgp_/);
    const stored = await plane.db.query<{ token_hash: string }>('SELECT token_hash FROM vcs_agent_pools');
    expect(stored).toEqual([{ token_hash: createHash('sha256').update(created.body.token).digest('hex') }]);
    const duplicate = await plane.api('POST', '/api/v1/vcs-agent-pools', { name: 'VCS-AGENT-POOL-NAME' });
    expect(duplicate.status).toBe(409);
    const badName = await plane.api('POST', '/api/v1/vcs-agent-pools', { name: 'no/slash' });
    expect(badName.status).toBe(400);

    connect(created.body.token, emulator.url);
    await connected(created.body.id, 1);
    const [listed] = (await plane.api('GET', '/api/v1/vcs-agent-pools')).body;
    expect(listed).toMatchObject({ name: 'vcs-agent-pool-name', connectedAgents: 1, description: 'DC in the data centre' });
    expect(listed.token).toBeUndefined();
    expect(listed.lastActivityAt).not.toBeNull();
  });

  it('refuses a wrong token before the handshake, and a deleted pool\'s agents stop for good', async () => {
    const wrong = connect('lgp_not-a-real-token', emulator.url);
    await expect(wrong.finished).rejects.toThrow(/refused the pool token \(401\)/);

    const pool = await plane.createPool('doomed');
    const agent = connect(pool.token, emulator.url);
    await connected(pool.id, 1);
    expect((await plane.api('DELETE', `/api/v1/vcs-agent-pools/${pool.id}`)).status).toBe(204);
    await expect(agent.finished).rejects.toThrow(/pool was deleted/);
    const again = connect(pool.token, emulator.url);
    await expect(again.finished).rejects.toThrow(/401/);
  });

  it('survives a client that resets its connection while its token is being checked', async () => {
    const { port } = new URL(plane.url);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const socket = connectTcp(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`GET /api/v1/vcs-agents/connect HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer lgp_wrong\r\n\r\n`);
      socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${plane.url}/healthz`)).status).toBe(200);
  });

  it('disconnects the agents of a pool another replica deleted, within a ping round', async () => {
    const pool = await plane.createPool('elsewhere');
    const agent = connect(pool.token, emulator.url);
    await connected(pool.id, 1);
    // Another replica sharing the store deletes it: this one learns of it only from the store.
    await plane.db.query('DELETE FROM vcs_agent_pools WHERE id = $1', [pool.id]);
    await expect(agent.finished).rejects.toThrow(/pool was deleted/);
  });
});

describe('calls through an agent', () => {
  it('checks an integration\'s credentials through the agent, and saves it unchecked when none is connected', async () => {
    const pool = await plane.createPool('dc');
    const body = { name: 'Private DC', isDefault: false, apiHost: 'private://dc', username: user.name };
    const unchecked = await plane.api('POST', '/api/v1/integrations/bitbucket-datacenter', { ...body, accessToken: 'wrong-token' });
    expect(unchecked.status).toBe(201);
    await plane.api('DELETE', '/api/v1/integrations/bitbucket-datacenter/private-dc');

    connect(pool.token, emulator.url);
    await connected(pool.id, 1);
    const refused = await plane.api('POST', '/api/v1/integrations/bitbucket-datacenter', { ...body, accessToken: 'wrong-token' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toMatchObject({ field: 'accessToken', problem: 'unauthorized' });
    const saved = await plane.api('POST', '/api/v1/integrations/bitbucket-datacenter', { ...body, accessToken: user.token });
    expect(saved.status).toBe(201);
  });

  it('carries the Bitbucket client\'s calls to the emulator only the agent knows', async () => {
    const pool = await plane.createPool('dc');
    const agent = connect(pool.token, emulator.url);
    await connected(pool.id, 1);
    const client = privateClient('dc');
    expect((await client.getApplicationProperties()).displayName).toBe('Bitbucket (Liftgate emulator)');
    expect(await client.verifyCredentials()).toMatchObject({ ok: true });
    const repositories = await client.repositories.search({ permission: 'REPO_READ' }).toArray();
    expect(repositories.map((repository) => repository.slug)).toEqual(['infra']);
    expect((await client.repositories.get('PLAT', 'infra')).slug).toBe('infra');
    const check = await privateClient('dc', { token: 'wrong' }).verifyCredentials();
    expect(check).toMatchObject({ ok: false, problem: 'unauthorized' });
    // The agent logs each request, never a credential.
    const logged = JSON.stringify(agent.lines);
    expect(logged).toContain('/rest/api/latest/repos');
    expect(logged).not.toContain(user.token);
    expect(logged).not.toMatch(/authorization|Basic /i);
  });

  it('streams an archive in chunks, paced by its reader, byte for byte', async () => {
    const pool = await plane.createPool('dc');
    connect(pool.token, upstream.url);
    await connected(pool.id, 1);
    const answer = await privateTransport('dc').stream({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra/archive?at=abc&format=tar.gz', retryMode: 'idempotent', maxBytes: 64 * 1024 * 1024 });
    const chunks: Buffer[] = [];
    let reads = 0;
    for await (const chunk of answer.body) {
      chunks.push(chunk as Buffer);
      reads += 1;
      // A slow reader: the agent must hold back rather than send the whole archive at once.
      if (reads % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(Buffer.concat(chunks).equals(ARCHIVE)).toBe(true);
    expect(reads).toBeGreaterThan(8);
  });

  it('holds Bitbucket back while the reader does not read, instead of buffering the archive whole', async () => {
    const pool = await plane.createPool('dc');
    connect(pool.token, upstream.url);
    await connected(pool.id, 1);
    const answer = await privateTransport('dc').stream({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/big/archive', retryMode: 'idempotent', maxBytes: BIG_BYTES });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A window of 8 MiB plus what the sockets and streams on the way hold; far from the 96 MiB on offer.
    expect(bigWritten).toBeLessThan(24 * 1024 * 1024);
    let bytes = 0;
    for await (const chunk of answer.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(BIG_BYTES);
  });

  it('reaches a Bitbucket whose certificate a private CA signed only with --ca-cert', async () => {
    const certificate = generatePluginCertificate();
    const server = createHttpsServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"slug":"infra"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const pool = await plane.createPool('dc');
      const untrusting = connect(pool.token, target);
      await connected(pool.id, 1);
      const request = () => privateTransport('dc').json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra', retryMode: 'idempotent', schema: null });
      await expect(request()).rejects.toThrow(/could not reach Bitbucket: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
      untrusting.stop();
      await connected(pool.id, 0);
      connect(pool.token, target, { ca: certificate.certificatePem });
      await connected(pool.id, 1);
      expect((await request()).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses and logs a path outside the allowlist, and a project outside --allowed-projects', async () => {
    const pool = await plane.createPool('dc');
    const agent = connect(pool.token, upstream.url, { allowedProjects: /^PLAT\// });
    await connected(pool.id, 1);
    const before = upstream.requests.length;
    const transport = privateTransport('dc');
    const attempts = [
      transport.json({ method: 'DELETE', path: '/rest/api/latest/projects/PLAT', retryMode: 'idempotent', schema: null }),
      transport.json({ method: 'GET', path: '/rest/api/latest/admin/users', retryMode: 'idempotent', schema: null }),
      transport.json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra/raw/..%2F..%2Fetc', retryMode: 'idempotent', schema: null }),
      transport.json({ method: 'GET', path: '/rest/api/latest/projects/SECRET/repos/vault', retryMode: 'idempotent', schema: null }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiConnectionError);
      expect((error as ApiConnectionError).networkCode).toBe('EAGENTREFUSED');
      expect((error as Error).message).toMatch(/refused by (the agent's allowlist|--allowed-projects)/);
    }
    expect(upstream.requests.length).toBe(before);
    expect(agent.lines.filter((line) => line.msg === 'request refused')).toHaveLength(4);
    const allowed = await transport.json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra', retryMode: 'idempotent', schema: null });
    expect(allowed.status).toBe(200);
  });

  it('fails at once with SPEC §9\'s message when no agent of the pool is connected', async () => {
    await plane.createPool('lonely');
    const attempts: number[] = [];
    const client = new BitbucketClient({
      baseUrl: 'private://lonely',
      agents: plane.app.vcsAgents,
      token: 'x',
      onRequest: (event) => attempts.push(event.attempt),
    });
    const started = Date.now();
    const error = await client.getApplicationProperties().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BitbucketError);
    expect((error as Error).message).toContain('no VCS agent of pool lonely is connected');
    expect(attempts).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('agents coming and going', () => {
  it('fails a call in flight when its agent is killed, well before the time-out, and a restarted agent carries the next', async () => {
    const pool = await plane.createPool('dc');
    const first = connect(pool.token, upstream.url);
    await connected(pool.id, 1);
    const transport = privateTransport('dc', 20_000);
    const hanging = transport.json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/hang', retryMode: 'create', schema: null }).catch((caught: unknown) => caught);
    await eventually(() => upstream.requests.some((request) => request.url.includes('/repos/hang')));
    const killedAt = Date.now();
    first.stop();
    const error = await hanging;
    expect((error as Error).message).toMatch(/VCS agent of pool dc (went away|was disconnected)/);
    expect(Date.now() - killedAt).toBeLessThan(2000);

    connect(pool.token, upstream.url);
    await connected(pool.id, 1);
    const next = await transport.json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra', retryMode: 'idempotent', schema: null });
    expect(next.status).toBe(200);
  });

  it('spreads requests across two agents of a pool, and either may go away', async () => {
    const pool = await plane.createPool('dc');
    const one = connect(pool.token, upstream.url);
    const two = connect(pool.token, upstream.url);
    await connected(pool.id, 2);
    const transport = privateTransport('dc');
    const slow = () => transport.json({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/slow', retryMode: 'idempotent', schema: null });
    await Promise.all(Array.from({ length: 10 }, slow));
    const carried = (agent: TestAgent) => agent.lines.filter((line) => line.msg === 'request').length;
    expect(carried(one)).toBeGreaterThanOrEqual(3);
    expect(carried(two)).toBeGreaterThanOrEqual(3);

    one.stop();
    await connected(pool.id, 1);
    await Promise.all(Array.from({ length: 4 }, slow));
    expect(carried(two)).toBeGreaterThanOrEqual(7);
  });
});

/** An agent written against the wire protocol by hand, to send what `liftgate vcs-agent` does not. */
async function handwrittenAgent(token: string, onRequest: (frame: HttpFrame, socket: WebSocket) => void): Promise<WebSocket> {
  const socket = new WebSocket(`${plane.url.replace(/^http/, 'ws')}${AGENT_CONNECT_PATH}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  socket.on('message', (data, binary) => {
    const frame = binary ? null : (JSON.parse(String(data)) as { type: string });
    if (frame?.type === 'http') onRequest(frame as HttpFrame, socket);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('the wire protocol at the control plane', () => {
  it('takes a body message sent in one piece, as agents sent them before splitting off the request id', async () => {
    const pool = await plane.createPool('dc');
    const socket = await handwrittenAgent(pool.token, (frame, agent) => {
      agent.send(JSON.stringify({ type: 'http_response', id: frame.id, status: 200, headers: {} }));
      for (let offset = 0; offset < ARCHIVE.length; offset += 512 * 1024) agent.send(Buffer.concat([bodyFrameHeader(frame.id), ARCHIVE.subarray(offset, offset + 512 * 1024)]));
      agent.send(JSON.stringify({ type: 'end', id: frame.id }));
    });
    try {
      const answer = await privateTransport('dc').stream({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/infra/archive?at=abc', retryMode: 'idempotent', maxBytes: ARCHIVE.length });
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(ARCHIVE)).toBe(true);
    } finally {
      socket.terminate();
    }
  });

  it('disconnects an agent that sends more of a body than its window, instead of holding what the reader does not take', async () => {
    const pool = await plane.createPool('dc');
    const socket = await handwrittenAgent(pool.token, (frame, agent) => {
      agent.send(JSON.stringify({ type: 'http_response', id: frame.id, status: 200, headers: {} }));
      // Acknowledgements ignored: three windows, however little the reader took.
      const piece = Buffer.concat([bodyFrameHeader(frame.id), Buffer.alloc(1024 * 1024, 1)]);
      for (let sent = 0; sent < 3 * BODY_WINDOW_BYTES; sent += piece.length - 4) agent.send(piece);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    const answer = await privateTransport('dc').stream({ method: 'GET', path: '/rest/api/latest/projects/PLAT/repos/big/archive', retryMode: 'idempotent', maxBytes: BIG_BYTES });
    // The reader takes nothing; the control plane must not keep what keeps coming.
    const failure = new Promise<unknown>((resolve) => answer.body.once('error', resolve));
    expect(await closed).toBe(1002);
    expect(String(await failure)).toContain('VCS agent of pool dc was disconnected: protocol error');
  });
});
