import { z } from 'zod';
import { requireCommit } from '../../domain/git';
import { readCapped } from '../http';
import type { PagedList, PagingOptions } from '../paging';
import type { StreamAnswer } from '../transport';
import { segment } from '../urls';
import {
  branchSchema,
  changeSchema,
  commitSchema,
  minimalRefSchema,
  type BitbucketBranch,
  type BitbucketChange,
  type BitbucketCommit,
  type BitbucketDirectoryEntry,
  directoryEntrySchema,
} from './content-schemas';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { repositoryPath } from './paths';
import { pageSchema } from './schemas';

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz' | 'tgz';

export interface ArchiveOptions extends CallOptions {
  /** The full 40-character commit id (a branch name could move between two reads). */
  commit: string;
  /** @default 'tar.gz' */
  format?: ArchiveFormat;
  /** Only these files or directories. */
  paths?: readonly string[];
  /** A directory every entry is put under. */
  prefix?: string;
  /** The largest archive read: the stream fails (response-too-large) once more arrives. */
  maxBytes: number;
}

/** Raw files are read whole, so they are capped. @default 8 MiB */
const DEFAULT_RAW_MAX_BYTES = 8 * 1024 * 1024;

const changePage = pageSchema(changeSchema);
const commitPage = pageSchema(commitSchema);
const branchPage = pageSchema(branchSchema);
const directorySchema = z.object({ children: pageSchema(directoryEntrySchema) });

/** The most entries of one directory `directory` reads (one page of Bitbucket's browse). */
const DIRECTORY_LIMIT = 1000;

/** A path inside a repository as a URL path: each part encoded, the slashes kept. */
function filePath(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '')
    .map(segment)
    .join('/');
}

/**
 * A repository's content: the archive at a commit (streamed, capped), raw files, commits and what they changed,
 * branches. Commits are always named by their full id.
 */
export class RepositoryContentResource {
  constructor(private readonly transport: BitbucketTransport) {}

  /**
   * The repository's files at a commit as an archive, streamed: read `body` (or destroy it); it fails with a
   * response-too-large error once more than `maxBytes` arrived, and is never held whole in memory.
   */
  async archive(projectKey: string, slug: string, options: ArchiveOptions): Promise<StreamAnswer> {
    return this.transport.stream({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/archive`,
      query: { at: requireCommit(options.commit), format: options.format ?? 'tar.gz', path: options.paths, prefix: options.prefix },
      retryMode: 'idempotent',
      maxBytes: options.maxBytes,
      signal: options.signal,
    });
  }

  /** A file's content at a commit, as text (at most `maxBytes`, default 8 MiB). */
  async raw(projectKey: string, slug: string, path: string, options: CallOptions & { commit: string; maxBytes?: number }): Promise<string> {
    const maxBytes = options.maxBytes ?? DEFAULT_RAW_MAX_BYTES;
    const answer = await this.transport.stream({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/raw/${filePath(path)}`,
      query: { at: requireCommit(options.commit) },
      retryMode: 'idempotent',
      maxBytes,
      signal: options.signal,
    });
    return readCapped(answer.body, maxBytes + 1);
  }

  async commit(projectKey: string, slug: string, commitId: string, options: CallOptions = {}): Promise<BitbucketCommit> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/commits/${requireCommit(commitId, 'commitId')}`,
      schema: commitSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /** Commits reachable from `until` (a ref or commit; default the default branch) and not from `since`, newest first. */
  commits(projectKey: string, slug: string, options: PagingOptions & { until?: string; since?: string; path?: string } = {}): PagedList<BitbucketCommit, number> {
    const { until, since, path, ...paging } = options;
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/commits`, { until, since, path }, commitPage, paging);
  }

  /** The files a commit changed, relative to `since` (a full commit id) or else to its first parent. */
  changes(projectKey: string, slug: string, commitId: string, options: PagingOptions & { since?: string } = {}): PagedList<BitbucketChange, number> {
    const { since, ...paging } = options;
    return listPages(
      this.transport,
      `${repositoryPath(projectKey, slug)}/commits/${requireCommit(commitId, 'commitId')}/changes`,
      { since: since === undefined ? undefined : requireCommit(since, 'since') },
      changePage,
      paging,
    );
  }

  /** What `from` changes relative to where it left `to` (refs or commits), as a pull request from `from` into `to` shows. */
  compareChanges(projectKey: string, slug: string, options: PagingOptions & { from: string; to: string }): PagedList<BitbucketChange, number> {
    const { from, to, ...paging } = options;
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/compare/changes`, { from, to }, changePage, paging);
  }

  branches(projectKey: string, slug: string, options: PagingOptions & { filterText?: string; orderBy?: 'ALPHABETICAL' | 'MODIFICATION' } = {}): PagedList<BitbucketBranch, number> {
    const { filterText, orderBy, ...paging } = options;
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/branches`, { filterText, orderBy }, branchPage, paging);
  }

  /**
   * The entries (files and subdirectories) directly in a directory at a commit (`''`: the root), at most the first
   * 1,000; a missing directory is a not-found error.
   */
  async directory(projectKey: string, slug: string, path: string, options: CallOptions & { commit: string }): Promise<BitbucketDirectoryEntry[]> {
    const suffix = filePath(path);
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/browse${suffix === '' ? '' : `/${suffix}`}`,
      query: { at: requireCommit(options.commit), limit: DIRECTORY_LIMIT },
      schema: directorySchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data.children.values;
  }

  /** The repository's default branch's name (a 404 while the repository is empty). */
  async defaultBranch(projectKey: string, slug: string, options: CallOptions = {}): Promise<string> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/default-branch`,
      schema: minimalRefSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data.displayId;
  }

  /**
   * The full id of a branch's head commit: what a run without a commit resolves once and records. A branch that does
   * not exist is a not-found error naming it.
   */
  async branchHead(projectKey: string, slug: string, branch: string, options: CallOptions = {}): Promise<string> {
    const name = branch.replace(/^refs\/heads\//, '');
    for await (const candidate of this.branches(projectKey, slug, { filterText: name, ...options })) {
      if (candidate.id === `refs/heads/${name}`) return requireCommit(candidate.latestCommit, 'latestCommit');
    }
    const url = this.transport.url(`${repositoryPath(projectKey, slug)}/branches`, { filterText: name });
    throw this.transport.error('not-found', `the branch ${name} does not exist in ${projectKey}/${slug}`, { method: 'GET', url, status: 404 });
  }
}
