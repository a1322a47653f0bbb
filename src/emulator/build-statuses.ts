import { errors } from './errors';
import type { BuildState, BuildStatus, Commit } from './entities';
import { buildStatusKey, type EmulatorStore } from './store';

export const BUILD_STATES: readonly BuildState[] = ['CANCELLED', 'FAILED', 'INPROGRESS', 'SUCCESSFUL', 'UNKNOWN'];

/** RestBuildStatusSetRequest, as a client posts it. */
export interface BuildStatusInput {
  key: string;
  state: string;
  url: string;
  name?: string | undefined;
  description?: string | undefined;
  buildNumber?: string | undefined;
  duration?: number | undefined;
  parent?: string | undefined;
  ref?: string | undefined;
  testResults?: { successful: number; failed: number; skipped: number } | undefined;
}

/** Bitbucket's limits on a build status (RestBuildStatusSetRequest). */
const LIMITS = { key: 255, url: 450, name: 255, buildNumber: 255, parent: 1024, ref: 1024 } as const;

/** Why a build status request is refused (Bitbucket's 400s), or null. */
function buildStatusProblem(input: BuildStatusInput): { field: string; message: string } | null {
  if (input.key.trim() === '') return { field: 'key', message: 'A build status key is required.' };
  if (input.key.length > LIMITS.key) return { field: 'key', message: `The build status key must be at most ${LIMITS.key} characters.` };
  if (!(BUILD_STATES as readonly string[]).includes(input.state)) {
    return { field: 'state', message: `${JSON.stringify(input.state)} is not a build state; use one of ${BUILD_STATES.join(', ')}.` };
  }
  if (input.url.trim() === '') return { field: 'url', message: 'A build status url is required.' };
  if (input.url.length > LIMITS.url) return { field: 'url', message: `The build status url must be at most ${LIMITS.url} characters.` };
  for (const field of ['name', 'buildNumber', 'parent', 'ref'] as const) {
    const value = input[field];
    if (value !== undefined && value.length > LIMITS[field]) return { field, message: `The build status ${field} must be at most ${LIMITS[field]} characters.` };
  }
  if (input.ref !== undefined && !input.ref.startsWith('refs/')) {
    return { field: 'ref', message: `The ref ${JSON.stringify(input.ref)} is not a valid ref: it must start with refs/.` };
  }
  if (input.duration !== undefined && (!Number.isInteger(input.duration) || input.duration < 0)) {
    return { field: 'duration', message: 'The build duration must be a non-negative number of milliseconds.' };
  }
  return null;
}

/** Build statuses of commits, one per (repository, commit, key). */
export class BuildStatuses {
  constructor(private readonly store: EmulatorStore) {}

  /** Sets (or replaces) the status with this key on a commit of the repository. */
  set(commit: Commit, input: BuildStatusInput): BuildStatus {
    const problem = buildStatusProblem(input);
    if (problem !== null) throw errors.invalid(problem.message, problem.field);
    const now = Date.now();
    const identity = { projectKey: commit.projectKey, repositorySlug: commit.repositorySlug, commit: commit.id, key: input.key };
    const previous = this.store.buildStatuses.get(buildStatusKey(identity));
    const status: BuildStatus = {
      ...identity,
      state: input.state as BuildState,
      url: input.url,
      name: input.name ?? null,
      description: input.description ?? null,
      buildNumber: input.buildNumber ?? null,
      duration: input.duration ?? null,
      parent: input.parent ?? null,
      ref: input.ref ?? null,
      testResults: input.testResults ?? null,
      createdDate: previous?.createdDate ?? now,
      updatedDate: now,
    };
    // Re-inserting keeps the map ordered by last update, which the legacy listing relies on.
    this.store.buildStatuses.delete(buildStatusKey(identity));
    this.store.buildStatuses.set(buildStatusKey(identity), status);
    this.store.changed();
    return status;
  }

  get(commit: Commit, key: string): BuildStatus {
    const status = this.store.buildStatuses.get(buildStatusKey({ projectKey: commit.projectKey, repositorySlug: commit.repositorySlug, commit: commit.id, key }));
    if (status === undefined) throw errors.noSuchBuildStatus(key, commit.id);
    return status;
  }

  delete(commit: Commit, key: string): void {
    const status = this.get(commit, key);
    this.store.buildStatuses.delete(buildStatusKey(status));
    this.store.changed();
  }

  /** Every status of a commit id in any repository, newest first (the deprecated global listing). */
  ofCommit(commitId: string): BuildStatus[] {
    return [...this.store.buildStatuses.values()].filter((status) => status.commit === commitId).reverse();
  }
}
