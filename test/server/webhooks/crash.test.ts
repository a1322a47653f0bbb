import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type RunningServe } from '../../helpers/cli';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres';
import { callApi } from '../../helpers/serve';
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
  // API and receiver only: the runs must stay as the deliveries queued them (a worker would execute them).
  return startServe(['--host', '127.0.0.1', '--workers', '0', ...args], { timeoutMs: 60_000 });
}

async function api(server: RunningServe, apiKey: string, method: string, path: string, body?: unknown): Promise<any> {
  const answer = await callApi(server.url, apiKey, method, path, body);
  if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe.each(['pglite', 'postgres'] as const)('webhook durability across SIGKILL [%s]', (engine) => {
  let dataDir: string;
  let cluster: PostgresCluster | null = null;
  let storeArgs: string[];
  const running: RunningServe[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'liftgate-crash-'));
    storeArgs = ['--data-dir', dataDir];
    if (engine === 'postgres') {
      cluster = await startPostgres();
      storeArgs.push('--database-url', await cluster.createDatabase('liftgate'));
    }
  }, 60_000);

  afterAll(async () => {
    for (const serve of running) await serve.stop('SIGKILL');
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('keeps every delivery it answered 2xx, with its run', async () => {
    const first = await startServeOn(storeArgs);
    running.push(first);
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
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    // The kill really landed mid-burst: some deliveries were answered, later ones were not.
    expect(answered2xx.size).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
    expect(unanswered).toBeGreaterThan(0);

    const second = await startServeOn(storeArgs);
    running.push(second);
    // Fewer than a page of 1000: the whole log in one answer.
    const deliveries = (await api(second, apiKey, 'GET', `/api/v1/integrations/bitbucket-datacenter/${integration.id}/deliveries?limit=1000`)) as any[];
    expect(deliveries.length).toBeLessThan(1000);
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
    expect(await second.stop()).toBe(0);
  }, 180_000);
});
