import { useState } from 'preact/hooks';
import type { Repository } from '../api';
import { SelectField, TextField } from '../components/Field';
import { useApi } from '../context';
import { useSettled } from '../hooks';
import { usePaged } from '../paging';

/** How long typing in the search field pauses before the integration's Bitbucket is asked. */
const SEARCH_PAUSE_MS = 300;

const NONE = '';

const choiceOf = (repository: { projectKey: string; repositorySlug: string }): string => `${repository.projectKey}/${repository.repositorySlug}`;

function label(repository: Repository): string {
  return `${repository.name} (${choiceOf(repository)})${repository.archived ? ' · archived' : ''}`;
}

/**
 * The stack's repository (SPEC §8): picked among the repositories the integration's Bitbucket account sees (SPEC §7.7,
 * searched by name and paged), which fills in its project key and slug. Those two stay editable, so a repository can
 * be typed by hand when the integration's Bitbucket cannot be listed; the API's refusal (404, 502) is shown at the
 * picker.
 */
export function RepositoryFields(props: {
  /** The chosen integration's id; null when none is usable. */
  integrationId: string | null;
  projectKey: string;
  repositorySlug: string;
  onChange: (repository: { projectKey: string; repositorySlug: string }) => void;
  errors: { projectKey?: string | undefined; repositorySlug?: string | undefined };
}) {
  const { integrationId, projectKey, repositorySlug, onChange, errors } = props;
  const api = useApi();
  const [search, setSearch] = useState('');
  const filter = useSettled(search.trim(), SEARCH_PAUSE_MS);
  const found = usePaged(
    (cursor) => (integrationId === null ? Promise.resolve({ items: [], nextCursor: null }) : api.repositories(integrationId, { filter }, cursor)),
    [integrationId, filter],
  );
  const repositories = found.loaded.data ?? [];
  const chosen = choiceOf({ projectKey, repositorySlug });
  const listed = repositories.some((repository) => choiceOf(repository) === chosen);

  const choose = (value: string) => {
    const repository = repositories.find((candidate) => choiceOf(candidate) === value);
    onChange(repository === undefined ? { projectKey: '', repositorySlug: '' } : { projectKey: repository.projectKey, repositorySlug: repository.repositorySlug });
  };

  const listingError =
    found.loaded.error === undefined
      ? undefined
      : `Could not list the repositories: ${found.loaded.error.message}. Type the project key and repository slug below instead.`;
  const placeholder = found.loaded.loading
    ? 'Loading repositories…'
    : found.loaded.error !== undefined
      ? 'Repositories not available'
      : repositories.length === 0
        ? filter === ''
          ? 'The integration sees no repository'
          : `No repository name contains “${filter}”`
        : 'Choose a repository';

  return (
    <fieldset class="group">
      <legend>Repository</legend>
      {integrationId === null ? null : (
        <>
          <TextField
            name="repository-search"
            label="Search repositories"
            value={search}
            onInput={setSearch}
            hint="Part of the repository's name; the list shows what the integration's Bitbucket account sees."
          />
          <SelectField
            name="repository"
            label="Repository"
            value={listed ? chosen : NONE}
            onChange={choose}
            options={[{ value: NONE, label: placeholder }, ...repositories.map((repository) => ({ value: choiceOf(repository), label: label(repository) }))]}
            error={listingError}
            hint="Choosing one fills in its project key and slug."
          />
          {found.hasOlder ? (
            <button type="button" class="secondary" disabled={found.busy} onClick={() => void found.loadOlder()}>
              More repositories
            </button>
          ) : null}
          {found.olderError === undefined ? null : (
            <p role="alert" class="error">
              Could not load more repositories: {found.olderError.message}
            </p>
          )}
        </>
      )}
      <TextField
        name="vcs.projectKey"
        label="Project key"
        required
        value={projectKey}
        onInput={(value) => onChange({ projectKey: value, repositorySlug })}
        error={errors.projectKey}
        hint="As in the repository's Bitbucket address: /projects/KEY/repos/slug."
      />
      <TextField
        name="vcs.repositorySlug"
        label="Repository slug"
        required
        value={repositorySlug}
        onInput={(value) => onChange({ projectKey, repositorySlug: value })}
        error={errors.repositorySlug}
      />
    </fieldset>
  );
}
