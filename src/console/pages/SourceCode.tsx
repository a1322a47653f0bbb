import { useState } from 'preact/hooks';
import type { Integration } from '../api';
import { Badge, Labels, LoadState, PageHeading } from '../components/common';
import { Markdown } from '../components/Markdown';
import { MenuButton } from '../components/MenuButton';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { Link, useRouter } from '../router';
import { SpaceIndex } from '../spaces';
import { DeleteIntegrationDialog } from './DeleteIntegration';
import { IntegrationDetailsDialog } from './IntegrationDetails';

type Open = { kind: 'details' | 'delete'; integration: Integration } | null;

/** SPEC §8 "Source code": the integrations this key may list, each with its menu. */
export function SourceCodePage() {
  const api = useApi();
  const { navigate } = useRouter();
  const loaded = useLoad(async () => {
    const [integrations, spaces] = await Promise.all([api.listIntegrations(), api.listSpaces()]);
    return { integrations, spaces: new SpaceIndex(spaces) };
  }, []);
  const [open, setOpen] = useState<Open>(null);
  const data = loaded.data;

  return (
    <>
      <div class="page-head">
        <PageHeading>Source code</PageHeading>
        <Link href="/source-code/new" class="button">
          Set up integration
        </Link>
      </div>
      <p class="lead">Bitbucket Data Center integrations this API key can see. Stacks get their code and webhooks through them.</p>
      <LoadState loaded={loaded} what="integrations" />
      {data === undefined ? null : data.integrations.length === 0 ? (
        <p>
          No integration yet. <Link href="/source-code/new">Set up one</Link> to connect Bitbucket.
        </p>
      ) : (
        <ul class="cards">
          {data.integrations.map((integration) => (
            <IntegrationCard
              key={integration.id}
              integration={integration}
              spaces={data.spaces}
              onDetails={() => setOpen({ kind: 'details', integration })}
              onEdit={() => navigate(`/source-code/${encodeURIComponent(integration.id)}/edit`)}
              onDeliveries={() => navigate(`/source-code/${encodeURIComponent(integration.id)}/deliveries`)}
              onDelete={() => setOpen({ kind: 'delete', integration })}
            />
          ))}
        </ul>
      )}
      {open?.kind === 'details' && data !== undefined ? (
        <IntegrationDetailsDialog integration={open.integration} spaces={data.spaces} onClose={() => setOpen(null)} />
      ) : null}
      {open?.kind === 'delete' ? (
        <DeleteIntegrationDialog
          integration={open.integration}
          onClose={() => setOpen(null)}
          onDeleted={(deleted) => {
            setOpen(null);
            const detached = deleted.detachedStacks.map((stack) => `“${stack.name}”`).join(', ');
            navigate('/source-code', {
              replace: true,
              notice:
                `Deleted integration “${open.integration.name}”.` +
                (deleted.detachedStacks.length === 0 ? '' : ` Detached stacks: ${detached}.`),
            });
            loaded.reload();
          }}
        />
      ) : null}
    </>
  );
}

function IntegrationCard(props: {
  integration: Integration;
  spaces: SpaceIndex;
  onDetails: () => void;
  onEdit: () => void;
  onDeliveries: () => void;
  onDelete: () => void;
}) {
  const { integration, spaces } = props;
  const headingId = `integration-${integration.id}`;
  const host = integration.userFacingHost;
  return (
    <li class="card" aria-labelledby={headingId}>
      <div class="card-head">
        <h2 id={headingId}>{integration.name}</h2>
        {integration.isDefault ? <Badge tone="info">Default</Badge> : <Badge tone="neutral">Space-level</Badge>}
        <MenuButton
          label="Actions"
          context={`for ${integration.name}`}
          items={[
            { label: 'See details', onSelect: props.onDetails },
            { label: 'Edit', onSelect: props.onEdit },
            { label: 'Delivery log', onSelect: props.onDeliveries },
            { label: 'Delete', onSelect: props.onDelete },
          ]}
        />
      </div>
      <dl class="facts">
        <dt>Space</dt>
        <dd>
          {spaces.name(integration.spaceId)} <code>{integration.spaceId}</code>
        </dd>
        <dt>User-facing host</dt>
        <dd>
          {host === null ? (
            <span class="muted">none (private API host)</span>
          ) : /^https?:\/\//i.test(host) ? (
            <a href={host} rel="noopener noreferrer">
              {host}
            </a>
          ) : (
            host
          )}
        </dd>
        <dt>Labels</dt>
        <dd>
          <Labels labels={integration.labels} />
        </dd>
      </dl>
      {integration.description.trim() === '' ? null : <Markdown text={integration.description} label={`Description of ${integration.name}`} />}
    </li>
  );
}
