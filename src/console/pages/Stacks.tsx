import { useState } from 'preact/hooks';
import type { Integration, Stack } from '../api';
import { Badge, LoadState, PageHeading, TableRegion } from '../components/common';
import { useApi } from '../context';
import { integrationOfStack } from '../bitbucket';
import { useLoad } from '../hooks';
import { Link, useRouter } from '../router';
import { SpaceIndex } from '../spaces';
import { ReattachDialog } from './Reattach';

/** SPEC §8 "Stacks": every stack the key can read, detached ones marked, with re-attach. */
export function StacksPage() {
  const api = useApi();
  const { navigate } = useRouter();
  const loaded = useLoad(async () => {
    const [stacks, integrations, spaces] = await Promise.all([api.listStacks(), api.listIntegrations(), api.listSpaces()]);
    return { stacks, integrations, spaces: new SpaceIndex(spaces) };
  }, []);
  const [reattaching, setReattaching] = useState<Stack | null>(null);
  const data = loaded.data;

  return (
    <>
      <div class="page-head">
        <PageHeading>Stacks</PageHeading>
        <Link href="/stacks/new" class="button">
          Create stack
        </Link>
      </div>
      <LoadState loaded={loaded} what="stacks" />
      {data === undefined ? null : data.stacks.length === 0 ? (
        <p>
          No stack yet. <Link href="/stacks/new">Create one</Link> for a repository whose Terraform should run on push.
        </p>
      ) : (
        <TableRegion label="Stacks">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Space</th>
                <th scope="col">Repository</th>
                <th scope="col">Branch</th>
                <th scope="col">Integration</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.stacks.map((stack) => (
                <tr key={stack.id}>
                  <th scope="row">
                    <Link href={`/stacks/${encodeURIComponent(stack.id)}`}>{stack.name}</Link>
                  </th>
                  <td>{data.spaces.name(stack.spaceId)}</td>
                  <td>
                    <code>
                      {stack.vcs.projectKey}/{stack.vcs.repositorySlug}
                    </code>
                    {stack.vcs.projectRoot === '' ? null : <span class="muted"> in {stack.vcs.projectRoot}</span>}
                  </td>
                  <td>
                    <code>{stack.vcs.branch}</code>
                  </td>
                  <td>
                    <IntegrationName stack={stack} integrations={data.integrations} />
                  </td>
                  <td>
                    <StackStatus stack={stack} onReattach={() => setReattaching(stack)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {reattaching !== null && data !== undefined ? (
        <ReattachDialog
          stack={reattaching}
          integrations={data.integrations}
          spaces={data.spaces}
          onClose={() => setReattaching(null)}
          onDone={(stack) => {
            setReattaching(null);
            navigate('/stacks', { replace: true, notice: `Re-attached “${stack.name}”.` });
            loaded.reload();
          }}
        />
      ) : null}
    </>
  );
}

export function IntegrationName({ stack, integrations }: { stack: Stack; integrations: Integration[] }) {
  if (stack.detached) return <span class="muted">none</span>;
  const integration = integrationOfStack(stack, integrations);
  const name = integration?.name ?? stack.vcs.integrationId ?? 'default';
  return <>{stack.vcs.integrationId === null ? `${name} (default)` : name}</>;
}

/** The detached badge and its re-attach button, or "Attached". */
export function StackStatus({ stack, onReattach }: { stack: Stack; onReattach: () => void }) {
  if (!stack.detached) return <Badge tone="success">Attached</Badge>;
  return (
    <span class="status-detached">
      <Badge tone="warning">Detached</Badge>{' '}
      <button type="button" class="secondary small" onClick={onReattach}>
        Re-attach<span class="visually-hidden"> {stack.name}</span>
      </button>
    </span>
  );
}
