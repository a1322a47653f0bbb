import type { Delivery } from '../api';
import { Badge, isMissingRole, LoadState, MissingRole, PageHeading, TableRegion } from '../components/common';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { usePaged } from '../paging';
import { Link } from '../router';

const OUTCOME_TONE = { TRIGGERED: 'success', IGNORED: 'neutral', REJECTED: 'warning' } as const;

/** An integration's webhook delivery log, newest first: what Bitbucket sent and what Liftgate did with it. */
export function DeliveryLogPage({ id }: { id: string }) {
  const api = useApi();
  const integration = useLoad(async () => (await api.listIntegrations()).find((candidate) => candidate.id === id) ?? null, [id]);
  const { loaded, hasOlder, loadOlder, busy, olderError } = usePaged((cursor) => api.deliveries(id, cursor), [id]);
  const name = integration.data?.name ?? id;

  return (
    <>
      <PageHeading>Delivery log of {name}</PageHeading>
      <p>
        <Link href="/source-code">Back to Source code</Link>
      </p>
      {isMissingRole(loaded.error) ? (
        <MissingRole error={loaded.error} spaceName={(spaceId) => spaceId} to="see the delivery log of this integration" />
      ) : (
        <LoadState loaded={loaded} what="deliveries" />
      )}
      {loaded.data === undefined ? null : loaded.data.length === 0 ? (
        <p>No delivery yet. Bitbucket sends one when a repository with this integration's webhook gets a push or a pull-request event.</p>
      ) : (
        <TableRegion label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Event</th>
                <th scope="col">Repository</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
                <th scope="col">Runs</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((delivery) => (
                <DeliveryRow key={delivery.id} delivery={delivery} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {olderError === undefined ? null : (
        <p role="alert" class="error">
          Could not load older deliveries: {olderError.message}
        </p>
      )}
      {hasOlder ? (
        <button type="button" class="secondary" disabled={busy} onClick={() => void loadOlder()}>
          Load older deliveries
        </button>
      ) : null}
    </>
  );
}

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  return (
    <tr>
      <td>
        <time dateTime={delivery.receivedAt}>{new Date(delivery.receivedAt).toLocaleString()}</time>
        {delivery.count > 1 ? (
          <>
            {' '}
            to <time dateTime={delivery.lastReceivedAt}>{new Date(delivery.lastReceivedAt).toLocaleString()}</time>{' '}
            <span class="muted">({delivery.count} deliveries)</span>
          </>
        ) : null}
      </td>
      <td>
        <code>{delivery.eventKey ?? 'none'}</code>
      </td>
      <td>{delivery.repository === null ? <span class="muted">unknown</span> : `${delivery.repository.projectKey}/${delivery.repository.repositorySlug}`}</td>
      <td>
        <Badge tone={OUTCOME_TONE[delivery.outcome]}>{delivery.outcome}</Badge> <span class="muted">HTTP {delivery.statusCode}</span>
      </td>
      <td>{delivery.reason}</td>
      <td>{delivery.runIds.length === 0 ? <span class="muted">none</span> : delivery.runIds.map((runId) => <code key={runId}>{runId} </code>)}</td>
    </tr>
  );
}
