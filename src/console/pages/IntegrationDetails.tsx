import { useState } from 'preact/hooks';
import type { Integration } from '../api';
import { isMissingRole, LoadState, MissingRole } from '../components/common';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/Dialog';
import { Input } from '../components/Field';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import type { SpaceIndex } from '../spaces';

/**
 * "See details": what Bitbucket needs to deliver webhooks (URL and secret, with copy buttons) and the account the
 * control plane uses. Only admins of the integration's space get them from the API; anyone else is told which role
 * on which space they lack, and is shown neither the URL nor the secret.
 */
export function IntegrationDetailsDialog({ integration, spaces, onClose }: { integration: Integration; spaces: SpaceIndex; onClose: () => void }) {
  const api = useApi();
  const loaded = useLoad(() => api.integrationDetails(integration.id), [integration.id]);
  const [showSecret, setShowSecret] = useState(false);
  const details = loaded.data;

  return (
    <Dialog title={`Details of ${integration.name}`} onClose={onClose}>
      {isMissingRole(loaded.error) ? (
        <MissingRole error={loaded.error} spaceName={(id) => spaces.name(id)} to="see the webhook URL, secret and username of this integration" />
      ) : (
        <LoadState loaded={loaded} what="the integration's details" />
      )}
      {details === undefined ? null : (
        <>
          <p>
            Add a webhook with this URL and secret to each repository (or project) in Bitbucket whose pushes and pull
            requests should reach Liftgate.
          </p>
          <div class="field">
            <label for="details-webhook-url">Webhook URL</label>
            <input id="details-webhook-url" type="text" readOnly value={details.webhookUrl} />
            <CopyButton value={details.webhookUrl} what="webhook URL" />
          </div>
          <div class="field">
            <label for="details-webhook-secret">Webhook secret</label>
            <Input id="details-webhook-secret" type={showSecret ? 'text' : 'password'} readOnly value={details.webhookSecret} autoComplete="off" />
            <span class="copy">
              <button type="button" class="secondary" aria-pressed={showSecret} onClick={() => setShowSecret(!showSecret)}>
                Show secret
              </button>
            </span>
            <CopyButton value={details.webhookSecret} what="webhook secret" />
          </div>
          <dl class="facts">
            <dt>Username</dt>
            <dd>{details.username}</dd>
            <dt>API host</dt>
            <dd>
              <code>{details.apiHost}</code>
            </dd>
            <dt>Space</dt>
            <dd>
              {details.isDefault ? 'Default integration (root): usable by every stack' : spaces.path(details.spaceId)}
            </dd>
          </dl>
        </>
      )}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
