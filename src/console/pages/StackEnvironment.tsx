import { useState } from 'preact/hooks';
import { ApiError, type EnvironmentVariable } from '../api';
import { FormErrors, LoadState, TableRegion } from '../components/common';
import { DangerActions, Dialog } from '../components/Dialog';
import { CheckboxField, TextField } from '../components/Field';
import { useApi } from '../context';
import { useSubmit } from '../forms';
import { useLoad } from '../hooks';

const FIELDS = ['name', 'value', 'secret'] as const;

interface Draft {
  name: string;
  value: string;
  secret: boolean;
  /** Replacing a listed variable: its name stays. */
  replacing: boolean;
}

const EMPTY: Draft = { name: '', value: '', secret: false, replacing: false };

/**
 * A stack's environment variables (SPEC §7.5), which its runs get: listed by name, set, replaced and deleted. A secret
 * one is write-only: the API never returns its value, so the console shows none and can only replace it.
 */
export function StackEnvironment({ stackId }: { stackId: string }) {
  const api = useApi();
  const variables = useLoad(() => api.environment(stackId), [stackId]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<EnvironmentVariable | null>(null);
  const { busy, problems, submit } = useSubmit(FIELDS);

  const save = async (event: Event) => {
    event.preventDefault();
    setNotice(null);
    const saved = await submit(async () => {
      if (draft.name.trim() === '') throw new ApiError(422, 'invalid', 'Give the variable a name.', { field: 'name' });
      await api.setVariable(stackId, draft.name, { value: draft.value, secret: draft.secret });
    });
    if (saved) {
      setNotice(`Saved ${draft.name}${draft.secret ? ' (secret: its value is not shown again)' : ''}.`);
      setDraft(EMPTY);
      variables.reload();
    }
  };

  const replace = (variable: EnvironmentVariable) => {
    setNotice(null);
    setDraft({ name: variable.name, value: variable.secret ? '' : (variable.value ?? ''), secret: variable.secret, replacing: true });
    document.getElementById('field-value')?.focus();
  };

  return (
    <section aria-labelledby="environment-heading">
      <h2 id="environment-heading">Environment variables</h2>
      <p class="hint">Every run of this stack gets them. Secret values are write-only: never shown again, masked as *** in run logs.</p>
      <LoadState loaded={variables} what="the environment variables" />
      {variables.data === undefined ? null : variables.data.length === 0 ? (
        <p>No environment variable yet.</p>
      ) : (
        <VariablesTable variables={variables.data} onReplace={replace} onDelete={setDeleting} />
      )}
      {notice === null ? null : (
        <p role="status" class="notice success">
          {notice}
        </p>
      )}
      <form onSubmit={(event) => void save(event)} noValidate class="form" aria-label={draft.replacing ? `Replace ${draft.name}` : 'Add a variable'}>
        <h3>{draft.replacing ? `Replace ${draft.name}` : 'Add a variable'}</h3>
        <FormErrors other={problems.other} fieldCount={Object.keys(problems.byField).length} what="The variable was not saved." />
        {draft.replacing ? null : (
          <TextField
            name="name"
            label="Variable name"
            required
            value={draft.name}
            onInput={(name) => setDraft({ ...draft, name })}
            error={problems.byField.name}
            hint="Letters, digits and _, not starting with a digit; TF_HTTP_*, LIFTGATE_*, PATH and HOME are the runs' own."
          />
        )}
        <TextField
          name="value"
          label={draft.replacing && draft.secret ? 'New value' : 'Value'}
          required
          type={draft.secret ? 'password' : 'text'}
          autoComplete={draft.secret ? 'new-password' : 'off'}
          value={draft.value}
          onInput={(value) => setDraft({ ...draft, value })}
          error={problems.byField.value}
        />
        <CheckboxField
          name="secret"
          label="Secret"
          checked={draft.secret}
          onChange={(secret) => setDraft({ ...draft, secret })}
          error={problems.byField.secret}
          hint="Encrypted at rest and never shown again: it can only be replaced."
        />
        <div class="actions start">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : draft.replacing ? 'Replace' : 'Add variable'}
          </button>
          {draft.replacing ? (
            <button type="button" class="secondary" onClick={() => setDraft(EMPTY)}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
      {deleting === null ? null : (
        <DeleteVariableDialog
          stackId={stackId}
          variable={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            setNotice(`Deleted ${deleting.name}.`);
            variables.reload();
          }}
        />
      )}
    </section>
  );
}

function VariablesTable(props: { variables: EnvironmentVariable[]; onReplace: (variable: EnvironmentVariable) => void; onDelete: (variable: EnvironmentVariable) => void }) {
  return (
    <TableRegion label="Environment variables">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.variables.map((variable) => (
            <tr key={variable.name}>
              <th scope="row">
                <code>{variable.name}</code>
              </th>
              <td>{variable.secret || variable.value === null ? <span class="muted">secret: write-only</span> : <code>{variable.value}</code>}</td>
              <td>
                <div class="actions start">
                  <button type="button" class="secondary" onClick={() => props.onReplace(variable)} aria-label={`Replace ${variable.name}`}>
                    Replace
                  </button>
                  <button type="button" class="secondary" onClick={() => props.onDelete(variable)} aria-label={`Delete ${variable.name}`}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function DeleteVariableDialog(props: { stackId: string; variable: EnvironmentVariable; onClose: () => void; onDeleted: () => void }) {
  const { stackId, variable, onClose, onDeleted } = props;
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteVariable(stackId, variable.name);
      onDeleted();
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <Dialog title={`Delete ${variable.name}?`} onClose={onClose}>
      <p>The stack's next runs will not have it.{variable.secret ? ' Its secret value is gone for good.' : ''}</p>
      <DangerActions error={error} busy={busy} onClose={onClose} onConfirm={() => void remove()} label="Delete variable" busyLabel="Deleting…" />
    </Dialog>
  );
}
