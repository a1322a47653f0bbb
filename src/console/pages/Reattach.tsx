import { useState } from 'preact/hooks';
import type { Integration, Stack } from '../api';
import { FormErrors } from '../components/common';
import { Dialog } from '../components/Dialog';
import { SelectField } from '../components/Field';
import { useApi } from '../context';
import { useSubmit } from '../forms';
import type { SpaceIndex } from '../spaces';
import { IntegrationChoice, integrationOptions } from './StackForm';

/** Re-attach a detached stack: choose one of the integrations usable in its space. */
export function ReattachDialog(props: { stack: Stack; integrations: Integration[]; spaces: SpaceIndex; onClose: () => void; onDone: (stack: Stack) => void }) {
  const { stack, integrations, spaces, onClose, onDone } = props;
  const api = useApi();
  const options = integrationOptions(spaces.usableIntegrations(stack.spaceId, integrations));
  const [choice, setChoice] = useState(options[0]?.value ?? '');
  const { busy, problems, submit } = useSubmit(['vcs.integrationId']);

  const reattach = async (event: Event) => {
    event.preventDefault();
    const updated: { stack?: Stack } = {};
    await submit(async () => {
      updated.stack = await api.updateStack(stack.id, { vcs: { integrationId: IntegrationChoice.toApi(choice) } });
    });
    if (updated.stack !== undefined) onDone(updated.stack);
  };

  return (
    <Dialog title={`Re-attach “${stack.name}”`} onClose={onClose}>
      <form onSubmit={(event) => void reattach(event)} noValidate>
        <p>Its integration was deleted. Attached again, it gets webhooks and runs again.</p>
        <FormErrors other={problems.other} fieldCount={Object.keys(problems.byField).length} what="The stack was not re-attached." />
        {options.length === 0 ? (
          <p class="notice warning">No integration is usable by stacks in space {spaces.path(stack.spaceId)}. Set up one first.</p>
        ) : (
          <SelectField
            name="vcs.integrationId"
            label="Integration"
            required
            value={choice}
            onChange={setChoice}
            options={options}
            error={problems.byField['vcs.integrationId']}
          />
        )}
        <div class="actions">
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || options.length === 0}>
            {busy ? 'Re-attaching…' : 'Re-attach'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
