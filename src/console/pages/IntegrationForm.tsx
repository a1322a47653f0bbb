import { useState } from 'preact/hooks';
import { slugify } from '../../domain/spaces';
import { ApiError, type FormProblems, type IntegrationDetails } from '../api';
import { FormErrors, isMissingRole, LoadState, MissingRole, PageHeading } from '../components/common';
import { RadioGroup, SelectField, TextField } from '../components/Field';
import { Markdown } from '../components/Markdown';
import { useApi } from '../context';
import { parseLabels, spaceProblem, useSubmit } from '../forms';
import { useLoad } from '../hooks';
import { Link, useRouter } from '../router';
import { SpaceIndex } from '../spaces';

const FIELDS = ['name', 'isDefault', 'spaceId', 'apiHost', 'userFacingHost', 'username', 'accessToken', 'labels', 'description'] as const;

interface Values {
  name: string;
  type: 'space' | 'default';
  spaceId: string;
  apiHost: string;
  userFacingHost: string;
  username: string;
  accessToken: string;
  labels: string;
  description: string;
}

const EMPTY: Values = {
  name: '',
  type: 'space',
  spaceId: 'root',
  apiHost: '',
  userFacingHost: '',
  username: '',
  accessToken: '',
  labels: '',
  description: '',
};

function valuesOf(details: IntegrationDetails): Values {
  return {
    name: details.name,
    type: details.isDefault ? 'default' : 'space',
    spaceId: details.spaceId,
    apiHost: details.apiHost,
    userFacingHost: details.userFacingHost === details.apiHost ? '' : (details.userFacingHost ?? ''),
    username: details.username,
    accessToken: '',
    labels: details.labels.join(', '),
    description: details.description,
  };
}

/**
 * "Set up integration" (no `id`) with every field of the seed form, and "Edit" (with `id`), where name and type are
 * fixed: the webhook URL derives from the name, and a default integration cannot become a space-level one.
 */
export function IntegrationFormPage({ id }: { id?: string | undefined }) {
  const api = useApi();
  const loaded = useLoad(async () => {
    const [spaces, details] = await Promise.all([api.listSpaces(), id === undefined ? null : api.integrationDetails(id)]);
    return { spaces: new SpaceIndex(spaces), details };
  }, [id]);
  const title = id === undefined ? 'Set up integration' : 'Edit integration';
  return (
    <>
      <PageHeading>{title}</PageHeading>
      {isMissingRole(loaded.error) ? (
        <MissingRole error={loaded.error} spaceName={(spaceId) => spaceId} to="change this integration" />
      ) : (
        <LoadState loaded={loaded} what="the form" />
      )}
      {loaded.data === undefined ? null : (
        <IntegrationForm
          spaces={loaded.data.spaces}
          initial={loaded.data.details === null ? EMPTY : valuesOf(loaded.data.details)}
          existing={loaded.data.details}
        />
      )}
    </>
  );
}

function IntegrationForm({ spaces, initial, existing }: { spaces: SpaceIndex; initial: Values; existing: IntegrationDetails | null }) {
  const api = useApi();
  const { navigate } = useRouter();
  const [values, setValues] = useState(initial);
  const [preview, setPreview] = useState(false);
  const { busy, problems, submit } = useSubmit(FIELDS);
  const set = (field: keyof Values) => (value: string) => setValues({ ...values, [field]: value });
  const errorOf = (field: (typeof FIELDS)[number]) => problems.byField[field];
  const spaceOptions = spaces.ordered().map(({ space, depth }) => ({ value: space.id, label: `${'— '.repeat(depth)}${space.name}` }));

  /** A 409 is about the name (taken) or the type (a default exists); a 403/404 naming the chosen space is about the space. */
  const place = (error: unknown, found: FormProblems): FormProblems => {
    if (!(error instanceof ApiError) || Object.keys(found.byField).length > 0) return found;
    const byField: Record<string, string> = {};
    if (error.status === 409) {
      byField[values.type === 'default' && error.details.id !== slugify(values.name) ? 'isDefault' : 'name'] = error.message;
    } else if (spaceProblem(error, values.spaceId) !== null) {
      byField.spaceId = error.message;
    } else {
      return found;
    }
    return { byField, other: [] };
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const common = {
      apiHost: values.apiHost.trim(),
      userFacingHost: values.userFacingHost.trim() === '' ? null : values.userFacingHost.trim(),
      username: values.username,
      labels: parseLabels(values.labels),
      description: values.description,
    };
    let name = values.name;
    const ok = await submit(async () => {
      if (existing === null) {
        const created = await api.createIntegration({
          ...common,
          name: values.name,
          isDefault: values.type === 'default',
          spaceId: values.type === 'default' ? 'root' : values.spaceId,
          accessToken: values.accessToken,
        });
        name = created.name;
      } else {
        await api.updateIntegration(existing.id, {
          ...common,
          ...(existing.isDefault ? {} : { spaceId: values.spaceId }),
          ...(values.accessToken === '' ? {} : { accessToken: values.accessToken }),
        });
      }
    }, place);
    if (ok) {
      navigate('/source-code', {
        notice:
          existing === null
            ? `Integration “${name}” is set up. Its webhook URL and secret are under Actions › See details.`
            : `Saved the changes to “${name}”.`,
      });
    }
  };

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate class="form">
      <FormErrors
        other={problems.other}
        fieldCount={Object.keys(problems.byField).length}
        what={existing === null ? 'The integration was not set up.' : 'The changes were not saved.'}
      />
      {existing === null ? (
        <>
          <TextField
            name="name"
            label="Name"
            required
            value={values.name}
            onInput={set('name')}
            error={errorOf('name')}
            hint="A friendly name; it cannot change later, because the webhook URL is made from it."
          />
          <RadioGroup
            name="isDefault"
            label="Type"
            value={values.type}
            onChange={set('type')}
            error={errorOf('isDefault')}
            options={[
              { value: 'space', label: 'Space-level', hint: 'Usable by stacks in one space and in the spaces that inherit from it.' },
              { value: 'default', label: 'Default', hint: 'Lives in root and is usable by every stack; at most one per account.' },
            ]}
          />
        </>
      ) : (
        <dl class="facts">
          <dt>Name</dt>
          <dd>{existing.name}</dd>
          <dt>Type</dt>
          <dd>{existing.isDefault ? 'Default' : 'Space-level'}</dd>
        </dl>
      )}
      {values.type === 'space' ? (
        <SelectField name="spaceId" label="Space" required value={values.spaceId} onChange={set('spaceId')} options={spaceOptions} error={errorOf('spaceId')} />
      ) : null}
      <TextField
        name="apiHost"
        label="API host"
        required
        type="url"
        value={values.apiHost}
        onInput={set('apiHost')}
        error={errorOf('apiHost')}
        hint="The URL Liftgate calls, e.g. https://bitbucket.example.com, or private://<vcs-agent-pool> for a Bitbucket behind a VCS agent."
      />
      <TextField
        name="userFacingHost"
        label="User-facing host"
        type="url"
        value={values.userFacingHost}
        onInput={set('userFacingHost')}
        error={errorOf('userFacingHost')}
        hint="The URL people open in links; empty: the API host when that is https."
      />
      <TextField name="username" label="Username" required value={values.username} onInput={set('username')} error={errorOf('username')} hint="The Bitbucket account Liftgate acts as." />
      <TextField
        name="accessToken"
        label="Access token"
        type="password"
        required={existing === null}
        value={values.accessToken}
        onInput={set('accessToken')}
        error={errorOf('accessToken')}
        autoComplete="new-password"
        hint={
          existing === null
            ? 'An HTTP access token of that account. It is write-only: never shown again.'
            : 'Leave empty to keep the current token. A new one is checked against Bitbucket.'
        }
      />
      <TextField name="labels" label="Labels" value={values.labels} onInput={set('labels')} error={errorOf('labels')} hint="Separated by commas." />
      <TextField
        name="description"
        label="Description"
        multiline
        spellcheck
        value={values.description}
        onInput={set('description')}
        error={errorOf('description')}
        hint="Markdown."
      />
      <div class="preview">
        <button type="button" class="secondary" aria-pressed={preview} onClick={() => setPreview(!preview)}>
          Preview description
        </button>
        {preview ? <Markdown text={values.description} label="Description preview" /> : null}
      </div>
      <div class="actions">
        <Link href="/source-code" class="button secondary">
          Cancel
        </Link>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : existing === null ? 'Set up integration' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
