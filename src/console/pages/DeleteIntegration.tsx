import { useState } from 'preact/hooks';
import type { Integration, IntegrationDeleted } from '../api';
import { LoadState } from '../components/common';
import { DangerActions, Dialog } from '../components/Dialog';
import { useApi } from '../context';
import { useLoad } from '../hooks';

/**
 * Delete, confirmed: the dialog names the stacks that use the integration, which the API detaches (they then get
 * no webhooks and refuse runs until attached to another integration).
 */
export function DeleteIntegrationDialog(props: { integration: Integration; onClose: () => void; onDeleted: (deleted: IntegrationDeleted) => void }) {
  const { integration, onClose, onDeleted } = props;
  const api = useApi();
  const stacks = useLoad(() => api.listStacks({ integrationId: integration.id }), [integration.id]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      onDeleted(await api.deleteIntegration(integration.id));
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  return (
    <Dialog title={`Delete integration “${integration.name}”?`} onClose={onClose}>
      <LoadState loaded={stacks} what="the stacks that use it" />
      {stacks.data === undefined ? null : stacks.data.length === 0 ? (
        <p>No stack uses this integration.</p>
      ) : (
        <>
          <p>
            {stacks.data.length === 1 ? 'This stack uses it and will be detached:' : `These ${stacks.data.length} stacks use it and will be detached:`}
          </p>
          <ul class="detached-list" aria-label="Stacks that will be detached">
            {stacks.data.map((stack) => (
              <li key={stack.id}>
                {stack.name} <code>{stack.id}</code>
              </li>
            ))}
          </ul>
          <p>A detached stack gets no webhooks and refuses runs until it is attached to another integration.</p>
        </>
      )}
      <p class="hint">
        Its webhook URL stops working. Setting up an integration with the same name later gives the same URL and a new
        secret.
      </p>
      <DangerActions
        error={error}
        busy={busy}
        disabled={stacks.data === undefined}
        onClose={onClose}
        onConfirm={() => void remove()}
        label="Delete integration"
        busyLabel="Deleting…"
      />
    </Dialog>
  );
}
