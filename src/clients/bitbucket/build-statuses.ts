import { buildStateOf, buildStatusDescription, buildStatusKey, buildStatusName, buildStatusParent } from '../../domain/feedback';
import { requireCommit } from '../../domain/git';
import type { RunKind } from '../../domain/runs';
import type { PagedList, PagingOptions } from '../paging';
import { buildStatusSchema, type BitbucketBuildStatus, type BuildStatusInput } from './content-schemas';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { repositoryPath } from './paths';
import { pageSchema } from './schemas';

/** The deprecated global build-status API: read-only here (it cannot satisfy "Required builds"; SPEC §7.6). */
const LEGACY_BUILD_STATUS_API = '/rest/build-status/latest';

/** What a run reports on its commit (SPEC §7.6). */
export interface RunReport extends CallOptions {
  projectKey: string;
  repositorySlug: string;
  commit: string;
  stackId: string;
  stackName: string;
  kind: RunKind;
  /** The run's state (QUEUED … FINISHED); the build state follows from it. */
  runState: string;
  branch: string;
  /** The run's page. */
  url: string;
  /** The plan summary or the failure; cut to 255 characters. */
  description?: string;
  durationMs?: number;
}

const buildStatusPage = pageSchema(buildStatusSchema);

function buildsPath(projectKey: string, slug: string, commit: string): string {
  return `${repositoryPath(projectKey, slug)}/commits/${requireCommit(commit)}/builds`;
}

/** Build statuses through the repository-scoped endpoint (never the deprecated global one for writes). */
export class BuildStatusesResource {
  constructor(private readonly transport: BitbucketTransport) {}

  /** Sets the status with `input.key` on a commit (204); the same key again replaces it. */
  async set(projectKey: string, slug: string, commit: string, input: BuildStatusInput, options: CallOptions = {}): Promise<void> {
    await this.transport.json({
      method: 'POST',
      path: buildsPath(projectKey, slug, commit),
      body: input,
      schema: null,
      // Setting a status is idempotent: repeating it replaces it with itself.
      retryMode: 'idempotent',
      signal: options.signal,
    });
  }

  async get(projectKey: string, slug: string, commit: string, key: string, options: CallOptions = {}): Promise<BitbucketBuildStatus> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: buildsPath(projectKey, slug, commit),
      query: { key },
      schema: buildStatusSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /** Every status of a commit, any repository, newest first (the deprecated listing; Bitbucket shows the latest 100). */
  ofCommit(commit: string, paging: PagingOptions = {}): PagedList<BitbucketBuildStatus, number> {
    return listPages(this.transport, `${LEGACY_BUILD_STATUS_API}/commits/${requireCommit(commit)}`, {}, buildStatusPage, paging);
  }

  /**
   * A run's status on its commit with SPEC §7.6's fields: the stable key `liftgate/{stackId}/{kind}`, `parent`
   * `liftgate/{stackId}` for "Required builds", the stack's name, `refs/heads/{branch}`, the run's page.
   */
  report(run: RunReport): Promise<void> {
    const input: BuildStatusInput = {
      key: buildStatusKey(run.stackId, run.kind),
      parent: buildStatusParent(run.stackId),
      name: buildStatusName(run.stackName, run.kind),
      state: buildStateOf(run.runState),
      url: run.url,
      ref: `refs/heads/${run.branch.replace(/^refs\/heads\//, '')}`,
      ...(run.description === undefined ? {} : { description: buildStatusDescription(run.description) }),
      ...(run.durationMs === undefined ? {} : { duration: Math.round(run.durationMs) }),
    };
    return this.set(run.projectKey, run.repositorySlug, run.commit, input, { signal: run.signal });
  }
}
