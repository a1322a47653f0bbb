import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type RunningServe } from '../../helpers/cli';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres';
import { refsChanged } from './bitbucket-payloads';
import { postDelivery, signedDelivery } from './signed-delivery';

/**
 * A 2xx from the receiver promises the delivery and its runs are committed. This test holds it to that with a
 * real `liftgate serve` process: it sends a burst of signed deliveries, SIGKILLs the server in the middle of it,
 * restarts it on the same store, and checks that every delivery that had been answered 2xx is there with its run.
 */
const BURST = 400;
const CONCURRENCY = 16;
const KILL_AFTER_ANSWERS = 120;

/** `liftgate serve` on loopback with the given store arguments. */
function startServeOn(args: string[]): Promise<RunningServe> {
  return startServe(['--host', '127.0.0.1', ...args], { timeoutMs: 60_000 });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function api(server: RunningServe, apiKey: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function allDeliveries(server: RunningServe, apiKey: string, integrationId: string): Promise<any[]> {
  const response = await fetch(`${server.url}/api/v1/integrations/bitbucket-datacenter/${integrationId}/deliveries?limit=1000`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-next-cursor')).toBeNull();
  return (await response.json()) as any[];
}

describe.each(['pglite', 'postgres'] as const)('webhook durability across SIGKILL [%s]', (engine) => {
  let dataDir: string;
  let cluster: PostgresCluster | null = null;
  let storeArgs: string[];
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'liftgate-crash-'));
    storeArgs = ['--data-dir', dataDir];
    if (engine === 'postgres') {
      cluster = await startPostgres();
      storeArgs.push('--database-url', await cluster.createDatabase('liftgate'));
    }
  }, 60_000);

  afterAll(async () => {
    for (const child of running) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('keeps every delivery it answered 2xx, with its run', async () => {
    const first = await startServeOn(storeArgs);
    running.push(first.child);
    const apiKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    const integration = await api(first, apiKey, 'POST', '/api/v1/integrations/bitbucket-datacenter', {
      name: 'Crash Bitbucket',
      apiHost: 'private://crash-pool',
      username: 'liftgate-bot',
      accessToken: 'crash-token',
    });
    const stack = await api(first, apiKey, 'POST', '/api/v1/stacks', {
      name: 'prod',
      vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' },
    });

    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const answered2xx = new Map<string, string>();
    let unanswered = 0;
    let next = 0;
    const sender = async () => {
      while (next < BURST) {
        const index = next++;
        const requestId = `crash-${index}`;
        const commit = index.toString(16).padStart(40, '0');
        const delivery = signedDelivery(integration.id, integration.webhookSecret, 'repo:refs_changed', refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'main', toHash: commit }]), requestId);
        try {
          const answer = await postDelivery(first.url, delivery, agent);
          if (answer.status >= 200 && answer.status < 300) answered2xx.set(requestId, commit);
          if (answered2xx.size === KILL_AFTER_ANSWERS) first.child.kill('SIGKILL');
        } catch {
          unanswered++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    agent.destroy();
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    // The kill really landed mid-burst: some deliveries were answered, later ones were not.
    expect(answered2xx.size).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
    expect(unanswered).toBeGreaterThan(0);

    const second = await startServeOn(storeArgs);
    running.push(second.child);
    const deliveries = await allDeliveries(second, apiKey, integration.id);
    const recorded = new Map(deliveries.map((delivery) => [delivery.requestId as string, delivery]));
    const runs = (await api(second, apiKey, 'GET', `/api/v1/stacks/${stack.id}/runs?limit=1000`)) as any[];
    const runsByDelivery = new Map(runs.map((run) => [run.deliveryId as string, run]));
    const lost = [...answered2xx.keys()].filter((requestId) => recorded.get(requestId)?.outcome !== 'TRIGGERED');
    expect(lost).toEqual([]);
    for (const [requestId, commit] of answered2xx) {
      const delivery = recorded.get(requestId);
      expect(delivery.runIds).toHaveLength(1);
      expect(runsByDelivery.get(delivery.id)).toMatchObject({ kind: 'TRACKED', commit, state: 'QUEUED' });
    }

    // The restarted server keeps serving: a retry of an answered delivery is recognised as a duplicate.
    const [retriedId, retriedCommit] = [...answered2xx][0];
    const retry = signedDelivery(integration.id, integration.webhookSecret, 'repo:refs_changed', refsChanged({ projectKey: 'PLAT', slug: 'network' }, [{ branch: 'main', toHash: retriedCommit }]), retriedId);
    expect(await postDelivery(second.url, retry)).toMatchObject({ status: 200, body: { outcome: 'DUPLICATE' } });
    second.child.kill('SIGTERM');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);
  }, 180_000);
});
