import { useEffect, useState } from 'preact/hooks';
import { isActiveRunState } from '../../domain/run-states';
import { ApiError, type Integration, type Run, type Stack } from '../api';
import { commitUrl, integrationOfStack, pullRequestUrl, repositoryUrl } from '../bitbucket';
import { Badge, Labels, LoadState, PageHeading, TableRegion } from '../components/common';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { usePaged } from '../paging';
import { Link, useRouter } from '../router';
import { SpaceIndex } from '../spaces';
import { ReattachDialog } from './Reattach';
import { StackEnvironment } from './StackEnvironment';
import { IntegrationName, StackStatus } from './Stacks';

/** How often a stack's runs are asked for again while one of them is active. */
const RUNS_REFRESH_MS = 2000;

/** SPEC §8 "Stack": its settings, whether it is detached, and its runs with links into Bitbucket. */
export function StackPage({ id }: { id: string }) {
  const api = useApi();
  const { location, navigate } = useRouter();
  const loaded = useLoad(async () => {
    const [stack, integrations, spaces] = await Promise.all([api.stack(id), api.listIntegrations(), api.listSpaces()]);
    return { stack, integrations, spaces: new SpaceIndex(spaces) };
  }, [id]);
  const runs = usePaged((cursor) => api.runs(id, cursor), [id]);
  const [reattaching, setReattaching] = useState(false);
  const [trigger, setTrigger] = useState<{ busy: boolean; message: string | null; failed: boolean }>({ busy: false, message: null, failed: false });
  const data = loaded.data;

  // While a run shown goes on, the list is asked for again, so states move on the page (not once older pages are shown:
  // a reload would drop them).
  const active = runs.loaded.data?.some((run) => isActiveRunState(run.state)) ?? false;
  useEffect(() => {
    if (!active || runs.olderLoaded) return undefined;
    const timer = setTimeout(() => runs.loaded.reload(), RUNS_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [runs.loaded.data, active, runs.olderLoaded]);

  const triggerRun = async () => {
    setTrigger({ busy: true, message: null, failed: false });
    try {
      const run = await api.triggerRun(id);
      setTrigger({ busy: false, message: `Run ${run.id} queued.`, failed: false });
      runs.loaded.reload();
    } catch (error) {
      setTrigger({ busy: false, message: error instanceof ApiError || error instanceof Error ? error.message : String(error), failed: true });
    }
  };

  return (
    <>
      <PageHeading>{data?.stack.name ?? 'Stack'}</PageHeading>
      <p>
        <Link href="/stacks">Back to Stacks</Link>
      </p>
      <LoadState loaded={loaded} what="the stack" />
      {data === undefined ? null : (
        <>
          <StackFacts stack={data.stack} integrations={data.integrations} spaces={data.spaces} onReattach={() => setReattaching(true)} />
          <div class="actions start">
            <button type="button" disabled={trigger.busy} onClick={() => void triggerRun()}>
              Trigger run
            </button>
          </div>
          {trigger.message === null ? null : (
            <p role={trigger.failed ? 'alert' : 'status'} class={trigger.failed ? 'error' : 'notice success'}>
              {trigger.message}
            </p>
          )}
          <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">Runs</h2>
            <LoadState loaded={runs.loaded} what="runs" />
            {runs.loaded.data === undefined ? null : runs.loaded.data.length === 0 ? (
              <p>No run yet. A push to a tracked repository or a pull request starts one, and so does Trigger run.</p>
            ) : (
              <RunsTable runs={runs.loaded.data} repository={repositoryUrl(integrationOfStack(data.stack, data.integrations), data.stack.vcs.projectKey, data.stack.vcs.repositorySlug)} />
            )}
            {runs.olderError === undefined ? null : (
              <p role="alert" class="error">
                Could not load older runs: {runs.olderError.message}
              </p>
            )}
            {runs.hasOlder ? (
              <button type="button" class="secondary" disabled={runs.busy} onClick={() => void runs.loadOlder()}>
                Load older runs
              </button>
            ) : null}
          </section>
          <StackEnvironment stackId={data.stack.id} />
          {reattaching ? (
            <ReattachDialog
              stack={data.stack}
              integrations={data.integrations}
              spaces={data.spaces}
              onClose={() => setReattaching(false)}
              onDone={(stack) => {
                setReattaching(false);
                navigate(location.path, { replace: true, notice: `Re-attached “${stack.name}”.` });
                loaded.reload();
              }}
            />
          ) : null}
        </>
      )}
    </>
  );
}

function StackFacts({ stack, integrations, spaces, onReattach }: { stack: Stack; integrations: Integration[]; spaces: SpaceIndex; onReattach: () => void }) {
  const repository = repositoryUrl(integrationOfStack(stack, integrations), stack.vcs.projectKey, stack.vcs.repositorySlug);
  const repositoryName = `${stack.vcs.projectKey}/${stack.vcs.repositorySlug}`;
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <StackStatus stack={stack} onReattach={onReattach} />
        {stack.detached ? <p class="hint">Its integration was deleted: it gets no webhooks and refuses runs until it is re-attached.</p> : null}
      </dd>
      <dt>Space</dt>
      <dd>{spaces.path(stack.spaceId)}</dd>
      <dt>Integration</dt>
      <dd>
        <IntegrationName stack={stack} integrations={integrations} />
      </dd>
      <dt>Repository</dt>
      <dd>
        {repository === null ? (
          <code>{repositoryName}</code>
        ) : (
          <a href={repository} rel="noopener noreferrer">
            {repositoryName}
          </a>
        )}
      </dd>
      <dt>Branch</dt>
      <dd>
        <code>{stack.vcs.branch}</code>
      </dd>
      <dt>Project root</dt>
      <dd>{stack.vcs.projectRoot === '' ? <span class="muted">repository root</span> : <code>{stack.vcs.projectRoot}</code>}</dd>
      <dt>Autodeploy</dt>
      <dd>{stack.autodeploy ? 'on: tracked runs apply without confirmation' : 'off: tracked runs wait for confirmation'}</dd>
      <dt>Labels</dt>
      <dd>
        <Labels labels={stack.labels} />
      </dd>
    </dl>
  );
}

/** A run's state as a badge (the states of SPEC §7.1 as the API reports them). */
export function RunState({ state }: { state: Run['state'] }) {
  const tone = ({ FINISHED: 'success', FAILED: 'warning' } as Record<string, 'success' | 'warning'>)[state] ?? 'info';
  return <Badge tone={tone}>{state}</Badge>;
}

function RunsTable({ runs, repository }: { runs: Run[]; repository: string | null }) {
  return (
    <TableRegion label="Runs">
      <table>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Trigger</th>
            <th scope="col">Commit</th>
            <th scope="col">Pull request</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const commit = run.commit === null ? null : commitUrl(repository, run.commit);
            const pullRequest = run.pullRequestId === null ? null : pullRequestUrl(repository, run.pullRequestId);
            return (
              <tr key={run.id}>
                <th scope="row">
                  <Link href={`/stacks/${encodeURIComponent(run.stackId)}/runs/${encodeURIComponent(run.id)}`}>
                    <code title={run.id}>{run.id.slice(0, 8)}</code>
                  </Link>
                </th>
                <td>{run.kind}</td>
                <td>
                  <RunState state={run.state} />
                </td>
                <td>
                  <code>{run.trigger}</code> <span class="muted">on {run.branch}</span>
                </td>
                <td>
                  {run.commit === null ? (
                    <span class="muted">branch head</span>
                  ) : commit === null ? (
                    <code>{run.commit.slice(0, 12)}</code>
                  ) : (
                    <a href={commit} rel="noopener noreferrer" title={run.commit}>
                      <code>{run.commit.slice(0, 12)}</code>
                    </a>
                  )}
                </td>
                <td>
                  {run.pullRequestId === null ? (
                    <span class="muted">none</span>
                  ) : pullRequest === null ? (
                    `#${run.pullRequestId}`
                  ) : (
                    <a href={pullRequest} rel="noopener noreferrer">
                      #{run.pullRequestId}
                    </a>
                  )}
                </td>
                <td>
                  <time dateTime={run.createdAt}>{new Date(run.createdAt).toLocaleString()}</time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
