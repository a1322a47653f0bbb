/**
 * Runs that run, end to end (SPEC §7): `liftgate serve` with its embedded worker and the Bitbucket emulator. A push to
 * the tracked branch becomes a TRACKED run that reaches FINISHED with its state in the control plane and a SUCCESSFUL
 * build status on the commit; a pull request gets a PROPOSED run whose plan is one comment on it, edited in place.
 */
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { runCli } from '../helpers/cli';
import { buildStatusOnce, ControlPlaneProcess, hookRepository, waitFor } from '../helpers/serve';

jest.setTimeout(240_000);

let bitbucket: RunningEmulator;
let serve: ControlPlaneProcess;
let stackId: string;

const code = (marker: string) => ({
  'infra/main.tf': `resource "terraform_data" "marker" {\n  input = "${marker}"\n}\noutput "marker" {\n  value = terraform_data.marker.output\n}\n`,
});

async function bitbucketGet(path: string): Promise<any> {
  const response = await fetch(`${bitbucket.url}${path}`, { headers: { Authorization: `Bearer ${bitbucket.adminToken}` } });
  expect(response.status).toBe(200);
  return response.json();
}

const ENDED = ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'];

async function runOf(commit: string, kind: string): Promise<any> {
  return waitFor(`the ${kind} run of ${commit} to end`, async () => {
    const runs = (await serve.ok('GET', `/api/v1/stacks/${stackId}/runs`)) as any[];
    const run = runs.find((candidate) => candidate.commit === commit && candidate.kind === kind);
    return run !== undefined && ENDED.includes(run.state) ? run : undefined;
  });
}

beforeAll(async () => {
  bitbucket = await startEmulator({ port: 0 });
  serve = await ControlPlaneProcess.start({ env: { LIFTGATE_ENCRYPTION_KEY: 'e'.repeat(64) } });
  bitbucket.createProject('PLAT');
  bitbucket.createRepository('PLAT', 'network', { defaultBranch: 'main' });
  await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('first'), message: 'First' });
  const integration = await serve.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'emulator',
    apiHost: bitbucket.url,
    username: 'admin',
    accessToken: bitbucket.adminToken,
    isDefault: true,
  });
  await hookRepository(bitbucket, { projectKey: 'PLAT', slug: 'network' }, {
    url: integration.webhookUrl,
    secret: integration.webhookSecret,
    events: ['repo:refs_changed', 'pr:opened', 'pr:from_ref_updated', 'pr:modified'],
  });
  stackId = (await serve.ok('POST', '/api/v1/stacks', { name: 'network', autodeploy: true, vcs: { projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: 'infra' } })).id;
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  await bitbucket?.close();
});

test('a push to the tracked branch is applied: FINISHED, its state in the control plane, SUCCESSFUL on the commit', async () => {
  const { commit } = await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('pushed'), message: 'Change the marker' });
  const run = await runOf(commit, 'TRACKED');
  expect(run.state).toBe('FINISHED');
  expect(run.delta).toEqual({ add: 1, change: 0, destroy: 0 });
  const state = await serve.ok('GET', `/api/v1/stacks/${stackId}/state`);
  expect(state.outputs.marker.value).toBe('pushed');
  const status = await buildStatusOnce(bitbucket, commit, `liftgate/${stackId}/tracked`, 'SUCCESSFUL');
  expect(status).toMatchObject({ key: `liftgate/${stackId}/tracked`, parent: `liftgate/${stackId}`, name: 'Liftgate · network (tracked)', ref: 'refs/heads/main' });
  expect(status.url).toBe(`${serve.url}/stacks/${stackId}/runs/${run.id}`);
});

test('failing HCL: the run is FAILED with terraform\'s error, and FAILED on the commit', async () => {
  const { commit } = await bitbucket.push('PLAT', 'network', { branch: 'main', files: { 'infra/main.tf': 'resource "terraform_data" "broken" {\n  input = \n}\n' } });
  const run = await runOf(commit, 'TRACKED');
  expect(run.state).toBe('FAILED');
  expect(run.failure).toMatch(/^terraform init failed: Error: /);
  const status = await buildStatusOnce(bitbucket, commit, `liftgate/${stackId}/tracked`, 'FAILED');
  expect(status.description).toContain('terraform init failed');
  await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('repaired') });
});

test('a pull request gets a PROPOSED run and one comment with its plan, edited in place by the next push', async () => {
  const first = await bitbucket.push('PLAT', 'network', { branch: 'feature/bigger', files: code('proposed-1') });
  const pullRequest = await bitbucket.openPullRequest('PLAT', 'network', { fromBranch: 'feature/bigger', toBranch: 'main', title: 'Bigger' });
  const pullRequestId = pullRequest.pullRequest.id;
  const proposed = await runOf(first.commit, 'PROPOSED');
  expect(proposed.state).toBe('FINISHED');
  const comments = async () =>
    ((await bitbucketGet(`/rest/api/latest/projects/PLAT/repos/network/pull-requests/${pullRequestId}/activities`)).values as any[]).filter(
      (activity) => activity.action === 'COMMENTED' && activity.commentAction === 'ADDED',
    );
  const created = await waitFor('the pull-request comment', async () => ((await comments()).length > 0 ? (await comments())[0] : undefined));
  expect(created.comment.text).toContain('Liftgate · network');
  expect(created.comment.text).toContain('+0 ~1 -0');
  expect(created.comment.text).toContain('```');

  const second = await bitbucket.push('PLAT', 'network', { branch: 'feature/bigger', files: code('proposed-2') });
  await runOf(second.commit, 'PROPOSED');
  const edited = await waitFor('the edited comment', async () => {
    const comment = await bitbucketGet(`/rest/api/latest/projects/PLAT/repos/network/pull-requests/${pullRequestId}/comments/${created.comment.id}`);
    return comment.text.includes(second.commit.slice(0, 12)) ? comment : undefined;
  });
  expect(edited.version).toBeGreaterThan(created.comment.version);
  expect(await comments()).toHaveLength(1);
});

test('a pull request opened after its commit\'s PROPOSED run ended gets the comment with the plan at once', async () => {
  const pushed = await bitbucket.push('PLAT', 'network', { branch: 'feature/late', files: code('late') });
  const proposed = await runOf(pushed.commit, 'PROPOSED');
  expect(proposed.state).toBe('FINISHED');
  const pullRequest = await bitbucket.openPullRequest('PLAT', 'network', { fromBranch: 'feature/late', toBranch: 'main', title: 'Late' });
  const pullRequestId = pullRequest.pullRequest.id;
  // The pr:opened links the pull request to the ended run (no second run), and the worker posts the comment then,
  // well before its periodic sweep (every 10 s with serve's default lease) would.
  const comment = await waitFor(
    'the late pull request\'s comment',
    async () => {
      const activities = (await bitbucketGet(`/rest/api/latest/projects/PLAT/repos/network/pull-requests/${pullRequestId}/activities`)).values as any[];
      return activities.find((activity) => activity.action === 'COMMENTED' && activity.commentAction === 'ADDED')?.comment;
    },
    5_000,
  );
  expect(comment.text).toContain(`/runs/${proposed.id}`);
  expect(comment.text).toContain(`at \`${pushed.commit.slice(0, 12)}\``);
  expect(comment.text).toMatch(/```\n[\s\S]*terraform_data\.marker[\s\S]*```/);
  const runs = (await serve.ok('GET', `/api/v1/stacks/${stackId}/runs`)) as any[];
  expect(runs.filter((run) => run.commit === pushed.commit)).toHaveLength(1);
});

test('liftgate runs: confirm an UNCONFIRMED run, follow its log to the end, and a refused action exits 1 naming the state', async () => {
  const cli = (args: string[]) => runCli(['runs', ...args, '--endpoint', serve.url, '--api-key', serve.adminKey], { timeoutMs: 120_000 });
  await serve.ok('PATCH', `/api/v1/stacks/${stackId}`, { autodeploy: false });
  try {
    const { commit } = await bitbucket.push('PLAT', 'network', { branch: 'main', files: code('confirmed by hand') });
    const run = await waitFor('the UNCONFIRMED run', async () => {
      const runs = (await serve.ok('GET', `/api/v1/stacks/${stackId}/runs`)) as any[];
      return runs.find((candidate) => candidate.commit === commit && candidate.state === 'UNCONFIRMED');
    });
    const confirmed = await cli(['confirm', stackId, run.id]);
    expect([confirmed.code, confirmed.stdout.trim()]).toEqual([0, `run ${run.id} is CONFIRMED`]);
    const followed = await cli(['logs', stackId, run.id, '--follow']);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(followed.stderr).toContain(`run ${run.id} FINISHED`);
    const refused = await cli(['cancel', stackId, run.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FINISHED');
  } finally {
    await serve.ok('PATCH', `/api/v1/stacks/${stackId}`, { autodeploy: true });
  }
});
