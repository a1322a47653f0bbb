import { buildApp } from '../../src/server/app';
import { ensureRootAdminKey } from '../../src/server/auth/apiKeys';
import { openDatabase, type Database } from '../../src/server/store/database';
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { startAgent, type AgentOptions, type RunningAgent } from '../../src/agent/agent';
import type { FastifyInstance } from 'fastify';

/** A listening control plane with the real credential check, for agents to dial into. */
export interface AgentControlPlane {
  app: FastifyInstance;
  db: Database;
  url: string;
  adminKey: string;
  api<T = any>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  /** Creates a pool and answers its token. */
  createPool(name: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export async function startAgentControlPlane(options: { pingIntervalMs?: number } = {}): Promise<AgentControlPlane> {
  const db = await openDatabase({ dataDir: 'memory://' });
  const app = await buildApp({
    db,
    publicUrl: 'https://liftgate.example.com',
    encryptionKey: Buffer.alloc(32, 9),
    allowedBitbucketHosts: parseBitbucketHostPolicy('*,loopback'),
    agentPingIntervalMs: options.pingIntervalMs,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const adminKey = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
  const api = async (method: string, path: string, body?: unknown, key = adminKey) => {
    const response = await app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, body: response.body === '' ? undefined : JSON.parse(response.body) };
  };
  return {
    app,
    db,
    url,
    adminKey,
    api,
    async createPool(name) {
      const created = await api('POST', '/api/v1/vcs-agent-pools', { name });
      if (created.status !== 201) throw new Error(`creating a pool failed: ${JSON.stringify(created.body)}`);
      return { id: created.body.id, token: created.body.token };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** An in-process agent whose JSON log lines are kept. */
export interface TestAgent extends RunningAgent {
  lines: Record<string, unknown>[];
}

export function testAgent(options: Omit<AgentOptions, 'log' | 'endpoint' | 'target'> & { endpoint: string; target: string }): TestAgent {
  const lines: Record<string, unknown>[] = [];
  const agent = startAgent({
    parallelism: 1,
    backoffBaseMs: 50,
    backoffMaxMs: 200,
    ...options,
    endpoint: new URL(options.endpoint),
    target: new URL(options.target),
    log: (level, msg, fields) => lines.push({ level, msg, ...fields }),
  });
  agent.finished.catch(() => undefined);
  return { ...agent, lines };
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
