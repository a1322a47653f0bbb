import { useState } from 'preact/hooks';
import type { Integration, Stack } from '../api';
import { FormErrors, LoadState, PageHeading } from '../components/common';
import { CheckboxField, SelectField, TextField, type Option } from '../components/Field';
import { useApi } from '../context';
import { parseLabels, spaceProblem, useSubmit } from '../forms';
import { useLoad } from '../hooks';
import { Link, useRouter } from '../router';
import { SpaceIndex } from '../spaces';
import { RepositoryFields } from './RepositoryFields';

const FIELDS = ['name', 'spaceId', 'vcs.integrationId', 'vcs.projectKey', 'vcs.repositorySlug', 'vcs.branch', 'vcs.projectRoot', 'autodeploy', 'labels'] as const;

/** The integration select's value for the default integration, which the API spells `integrationId: null`. */
const DEFAULT_CHOICE = ':default';

export const IntegrationChoice = {
  toApi: (choice: string): string | null => (choice === DEFAULT_CHOICE ? null : choice),
};

/** The id of the integration an integration select's `choice` stands for; null for no choice. */
function integrationIdOf(choice: string, integrations: Integration[]): string | null {
  if (choice === '') return null;
  if (choice !== DEFAULT_CHOICE) return choice;
  return integrations.find((integration) => integration.isDefault)?.id ?? null;
}

/** Select options for integrations, the default one first and marked so. */
export function integrationOptions(usable: Integration[]): Option[] {
  return [...usable]
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
    .map((integration) =>
      integration.isDefault
        ? { value: DEFAULT_CHOICE, label: `${integration.name} (default integration)` }
        : { value: integration.id, label: integration.name },
    );
}

/** "Create stack": its space, an integration usable there, the repository and branch, project root, autodeploy. */
export function StackFormPage() {
  const api = useApi();
  const loaded = useLoad(async () => {
    const [integrations, spaces] = await Promise.all([api.listIntegrations(), api.listSpaces()]);
    return { integrations, spaces: new SpaceIndex(spaces) };
  }, []);
  return (
    <>
      <PageHeading>Create stack</PageHeading>
      <LoadState loaded={loaded} what="the form" />
      {loaded.data === undefined ? null : <StackForm integrations={loaded.data.integrations} spaces={loaded.data.spaces} />}
    </>
  );
}

interface Values {
  name: string;
  spaceId: string;
  integration: string;
  projectKey: string;
  repositorySlug: string;
  branch: string;
  projectRoot: string;
  autodeploy: boolean;
  labels: string;
}

function StackForm({ integrations, spaces }: { integrations: Integration[]; spaces: SpaceIndex }) {
  const api = useApi();
  const { navigate } = useRouter();
  const firstSpace = spaces.ordered()[0]?.space.id ?? 'root';
  const choicesIn = (spaceId: string) => integrationOptions(spaces.usableIntegrations(spaceId, integrations));
  const [values, setValues] = useState<Values>({
    name: '',
    spaceId: firstSpace,
    integration: choicesIn(firstSpace)[0]?.value ?? '',
    projectKey: '',
    repositorySlug: '',
    branch: 'main',
    projectRoot: '',
    autodeploy: false,
    labels: '',
  });
  const { busy, problems, submit } = useSubmit(FIELDS);
  const errorOf = (field: (typeof FIELDS)[number]) => problems.byField[field];
  const set = (field: keyof Values) => (value: string) => setValues({ ...values, [field]: value });
  const choices = choicesIn(values.spaceId);

  const chooseSpace = (spaceId: string) => {
    const options = choicesIn(spaceId);
    const keep = options.some((option) => option.value === values.integration);
    setValues({ ...values, spaceId, integration: keep ? values.integration : (options[0]?.value ?? '') });
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const created: { stack?: Stack } = {};
    await submit(async () => {
      created.stack = await api.createStack({
        name: values.name,
        spaceId: values.spaceId,
        vcs: {
          // An empty choice (no usable integration) is sent as such, so the API says why at the field.
          integrationId: values.integration === '' ? '' : IntegrationChoice.toApi(values.integration),
          projectKey: values.projectKey,
          repositorySlug: values.repositorySlug,
          branch: values.branch,
          projectRoot: values.projectRoot,
        },
        autodeploy: values.autodeploy,
        labels: parseLabels(values.labels),
      });
    }, (error, found) => {
      const message = spaceProblem(error, values.spaceId);
      return message === null ? found : { byField: { spaceId: message }, other: [] };
    });
    if (created.stack !== undefined) {
      navigate(`/stacks/${encodeURIComponent(created.stack.id)}`, { notice: `Stack “${created.stack.name}” created.` });
    }
  };

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate class="form">
      <FormErrors other={problems.other} fieldCount={Object.keys(problems.byField).length} what="The stack was not created." />
      <TextField name="name" label="Name" required value={values.name} onInput={set('name')} error={errorOf('name')} />
      <SelectField
        name="spaceId"
        label="Space"
        required
        value={values.spaceId}
        onChange={chooseSpace}
        options={spaces.ordered().map(({ space, depth }) => ({ value: space.id, label: `${'— '.repeat(depth)}${space.name}` }))}
        error={errorOf('spaceId')}
      />
      {choices.length === 0 ? (
        <p class="notice warning" id="field-vcs-integrationId" tabIndex={-1}>
          No integration is usable by stacks in {spaces.path(values.spaceId)}.{' '}
          <Link href="/source-code/new">Set up an integration</Link> in this space or in one it inherits from.
          {errorOf('vcs.integrationId') === undefined ? null : <> {errorOf('vcs.integrationId')}</>}
        </p>
      ) : (
        <SelectField
          name="vcs.integrationId"
          label="Integration"
          required
          value={values.integration}
          onChange={set('integration')}
          options={choices}
          error={errorOf('vcs.integrationId')}
          hint="The integrations usable in this space: the default one, this space's, and those of spaces it inherits from."
        />
      )}
      <RepositoryFields
        integrationId={integrationIdOf(values.integration, integrations)}
        projectKey={values.projectKey}
        repositorySlug={values.repositorySlug}
        onChange={(repository) => setValues({ ...values, ...repository })}
        errors={{ projectKey: errorOf('vcs.projectKey'), repositorySlug: errorOf('vcs.repositorySlug') }}
      />
      <TextField name="vcs.branch" label="Branch" required value={values.branch} onInput={set('branch')} error={errorOf('vcs.branch')} hint="The tracked branch: pushes to it plan and apply." />
      <TextField
        name="vcs.projectRoot"
        label="Project root"
        value={values.projectRoot}
        onInput={set('projectRoot')}
        error={errorOf('vcs.projectRoot')}
        hint="The folder of the Terraform root module; empty for the repository's root. Only pushes that touch it start runs."
      />
      <CheckboxField
        name="autodeploy"
        label="Autodeploy"
        checked={values.autodeploy}
        onChange={(autodeploy) => setValues({ ...values, autodeploy })}
        hint="Apply tracked runs with changes without waiting for a confirmation."
      />
      <TextField name="labels" label="Labels" value={values.labels} onInput={set('labels')} error={errorOf('labels')} hint="Separated by commas." />
      <div class="actions">
        <Link href="/stacks" class="button secondary">
          Cancel
        </Link>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create stack'}
        </button>
      </div>
    </form>
  );
}
