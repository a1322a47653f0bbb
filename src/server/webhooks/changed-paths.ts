import type { BitbucketClient } from '../../clients/bitbucket';
import type { ChangedPaths, PushedBranch, RepositoryRef } from '../../domain/runs';

/**
 * How long the receiver waits for Bitbucket's list of changed files. Bitbucket gives a webhook 10 seconds before it
 * counts a failure (and opens its circuit breaker after a few); the rest is left for recording the delivery.
 */
export const CHANGED_PATHS_DEADLINE_MS = 3_000;
/** Files listed per request, and the most the receiver reads before it gives up and starts the runs anyway. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 5;

/**
 * The files each pushed branch's change touched, from `GET …/commits/{toHash}/changes?since={fromHash}`, all within
 * one deadline. A branch whose look-up failed, took too long or listed too much is `known: false` with the reason: the
 * receiver then starts its runs anyway and notes why (SPEC §1), and never keeps Bitbucket waiting.
 */
export async function lookUpChangedPaths(
  client: BitbucketClient,
  repository: RepositoryRef,
  branches: readonly PushedBranch[],
  deadlineMs = CHANGED_PATHS_DEADLINE_MS,
): Promise<Map<PushedBranch, ChangedPaths>> {
  const signal = AbortSignal.timeout(deadlineMs);
  const entries = await Promise.all(
    branches.map(async (pushed): Promise<[PushedBranch, ChangedPaths]> => {
      try {
        const changes = await client.content
          .changes(repository.projectKey, repository.repositorySlug, pushed.commit, { since: pushed.fromCommit, pageSize: PAGE_SIZE, maxPages: MAX_PAGES, signal })
          .toArray();
        const paths = changes.flatMap((change) => [change.path, ...(change.srcPath === undefined ? [] : [change.srcPath])]).map((path) => path.toString ?? path.components.join('/'));
        return [pushed, { known: true, paths }];
      } catch (error) {
        const why = signal.aborted
          ? `Bitbucket did not list the changed files within ${deadlineMs / 1000} s`
          : `Bitbucket could not list the changed files (${(error as Error).message})`;
        return [pushed, { known: false, why }];
      }
    }),
  );
  return new Map(entries);
}
