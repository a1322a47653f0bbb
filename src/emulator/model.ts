/**
 * The emulator's in-memory state and Bitbucket's rules over it, one module per kind of object: users, projects and
 * repositories, repository content (commits and files), build statuses, webhooks and their invocations, access tokens, pull requests, and permissions (who may do what). It
 * knows nothing of HTTP: the server maps its results and BitbucketApiErrors to responses.
 */
import { BuildStatuses } from './build-statuses';
import { Content } from './content';
import type { EmulatorState } from './entities';
import { Permissions } from './permissions';
import { Projects, Repositories } from './projects';
import { PullRequests } from './pull-requests';
import { EmulatorStore } from './store';
import { AccessTokens } from './tokens';
import { Users } from './users';
import { Webhooks } from './webhooks';

export * from './entities';

export class EmulatorModel {
  private readonly store = new EmulatorStore();
  readonly users = new Users(this.store);
  readonly projects = new Projects(this.store);
  readonly repositories = new Repositories(this.store, this.projects);
  readonly webhooks = new Webhooks(this.store);
  readonly tokens = new AccessTokens(this.store);
  readonly content = new Content(this.store, this.repositories);
  readonly pullRequests = new PullRequests(this.store);
  readonly buildStatuses = new BuildStatuses(this.store);
  readonly permissions: Permissions;

  /** The admin token is given at start and never stored, so only its hash is kept. */
  constructor(adminTokenHash: string) {
    this.permissions = new Permissions(this.store, this.projects, this.repositories, adminTokenHash);
  }

  /** Called after every change, so a state file can be saved. */
  set onChange(listener: () => void) {
    this.store.onChange = listener;
  }

  /** Everything the emulator remembers; what `--state FILE` saves. */
  snapshot(): EmulatorState {
    return this.store.snapshot();
  }

  /** Replaces the state with a snapshot (a saved state file); the admin user always exists. */
  restore(state: EmulatorState): void {
    this.store.restore(state);
  }
}
