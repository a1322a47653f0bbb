import { errors } from './errors';
import type { Commit, Repository, Signature } from './entities';
import { blobId, commitId, treeId } from './git-objects';
import type { Repositories } from './projects';
import { commitKey, type EmulatorStore } from './store';

/** A file added, changed or deleted between two commits, as Bitbucket's RestChange reports it. */
export interface FileChange {
  path: string;
  type: 'ADD' | 'MODIFY' | 'DELETE';
  contentId: string | null;
  fromContentId: string | null;
}

/** What a push does to a branch: the change a `repo:refs_changed` event reports. */
export interface BranchChange {
  branch: string;
  fromHash: string;
  toHash: string;
  type: 'ADD' | 'UPDATE' | 'DELETE';
}

const FULL_COMMIT = /^[0-9a-f]{40}$/;
/** Bitbucket accepts an abbreviated commit id from this length on, when only one commit starts with it. */
const SHORTEST_ABBREVIATION = 4;

/** A path as a repository stores it: `/`-separated, no empty, `.` or `..` part. */
export function filePathProblem(path: string): string | null {
  if (path === '' || path.startsWith('/') || path.endsWith('/')) return 'must be a relative file path such as "infra/main.tf"';
  if (path.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'must not have empty, "." or ".." parts';
  if (path.split('/').includes('.git')) return 'must not be inside .git';
  return null;
}

/**
 * The content of repositories: a real commit graph per repository (Git's ids, parents, author, message, time and
 * the whole file tree of every commit), the files' content kept once per blob, and the branches pointing at commits.
 */
export class Content {
  constructor(
    private readonly store: EmulatorStore,
    private readonly repositories: Repositories,
  ) {}

  /** A commit of the repository by full id or an unambiguous abbreviation; Bitbucket's 404 otherwise. */
  commit(repository: Repository, id: string): Commit {
    const lower = id.toLowerCase();
    if (FULL_COMMIT.test(lower)) {
      const found = this.store.commits.get(commitKey(repository.projectKey, repository.slug, lower));
      if (found !== undefined) return found;
    } else if (lower.length >= SHORTEST_ABBREVIATION && /^[0-9a-f]+$/.test(lower)) {
      const prefix = commitKey(repository.projectKey, repository.slug, lower);
      const matches = [...this.store.commits.entries()].filter(([key]) => key.startsWith(prefix));
      if (matches.length === 1) return matches[0]![1];
    }
    throw errors.noSuchCommit(id, repository);
  }

  /** What `at` names: a branch (`main` or `refs/heads/main`), else a commit; the default branch when absent. */
  resolve(repository: Repository, at: string | undefined): Commit {
    const ref = at === undefined || at === '' ? repository.defaultBranch : at;
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    const head = repository.branches[branch];
    if (head !== undefined) return this.commit(repository, head);
    const tagged = repository.tags?.[ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : ref];
    if (tagged !== undefined) return this.commit(repository, tagged);
    if (at === undefined || at === '') throw errors.emptyRepository(repository);
    if (ref.startsWith('refs/')) throw errors.noSuchRef(ref, repository);
    return this.commit(repository, ref);
  }

  blob(id: string): Buffer {
    const content = this.store.blobs.get(id);
    if (content === undefined) throw errors.internal(`The emulator state refers to an unknown blob ${id}.`);
    return content;
  }

  /**
   * Makes a commit on a branch's head (or on the default branch's head for a new branch; a root commit in an empty
   * repository) with the given files changed (`null` deletes a file), and moves the branch to it.
   */
  commitFiles(
    repository: Repository,
    branch: string,
    input: { files: Readonly<Record<string, string | null>>; message: string; author: Signature },
  ): { commit: Commit; change: BranchChange } {
    const headId = repository.branches[branch] ?? repository.branches[repository.defaultBranch];
    const head = headId === undefined ? null : this.commit(repository, headId);
    const tree: Record<string, string> = { ...(head?.tree ?? {}) };
    for (const [path, content] of Object.entries(input.files)) {
      const problem = filePathProblem(path);
      if (problem !== null) throw errors.invalid(`The file path ${JSON.stringify(path)} ${problem}.`, 'files');
      if (content === null) {
        if (tree[path] === undefined) throw errors.invalid(`The file ${path} does not exist on ${branch}, so it cannot be deleted.`, 'files');
        delete tree[path];
        continue;
      }
      const bytes = Buffer.from(content, 'utf8');
      const id = blobId(bytes);
      this.store.blobs.set(id, bytes);
      tree[path] = id;
    }
    const clash = Object.keys(tree).find((path) => Object.keys(tree).some((other) => other.startsWith(`${path}/`)));
    if (clash !== undefined) throw errors.invalid(`${clash} cannot be both a file and a directory.`, 'files');
    const commit = this.add(repository, { parents: head === null ? [] : [head.id], tree, author: input.author, message: input.message });
    const change = this.repositories.moveBranch(repository, branch, commit.id);
    return { commit, change };
  }

  /** Records a commit (its id computed from its content) in the repository. */
  add(repository: Repository, input: Omit<Commit, 'id' | 'projectKey' | 'repositorySlug' | 'committer'>): Commit {
    const id = commitId({ tree: treeId(input.tree), parents: input.parents, author: input.author, committer: input.author, message: input.message });
    const commit: Commit = { id, projectKey: repository.projectKey, repositorySlug: repository.slug, committer: input.author, ...input };
    this.store.commits.set(commitKey(repository.projectKey, repository.slug, id), commit);
    this.store.changed();
    return commit;
  }

  /** Every commit reachable from `until` and not from `since`, newest first (Bitbucket's `commits?until=&since=`). */
  history(repository: Repository, until: Commit, since: Commit | null = null): Commit[] {
    const excluded = since === null ? new Set<string>() : this.ancestors(repository, since);
    const generation = new Map<string, number>();
    const order = [...this.ancestors(repository, until)].filter((id) => !excluded.has(id)).map((id) => this.commit(repository, id));
    const depth = (commit: Commit): number => {
      const known = generation.get(commit.id);
      if (known !== undefined) return known;
      const value = 1 + Math.max(0, ...commit.parents.map((parent) => depth(this.commit(repository, parent))));
      generation.set(commit.id, value);
      return value;
    };
    return order.sort((a, b) => b.committer.timestamp - a.committer.timestamp || depth(b) - depth(a));
  }

  /** The ids of a commit and all its ancestors. */
  ancestors(repository: Repository, commit: Commit): Set<string> {
    const seen = new Set<string>();
    const pending = [commit.id];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      pending.push(...this.commit(repository, id).parents);
    }
    return seen;
  }

  /** The newest commit both reach, or null when their histories never meet. */
  mergeBase(repository: Repository, a: Commit, b: Commit): Commit | null {
    const ofA = this.ancestors(repository, a);
    return this.history(repository, b).find((commit) => ofA.has(commit.id)) ?? null;
  }

  /** The files that differ from `from` (null: an empty tree) to `to`, sorted by path. */
  changes(from: Commit | null, to: Commit): FileChange[] {
    const before = from?.tree ?? {};
    const changes: FileChange[] = [];
    for (const path of new Set([...Object.keys(before), ...Object.keys(to.tree)])) {
      const old = before[path] ?? null;
      const now = to.tree[path] ?? null;
      if (old === now) continue;
      changes.push({ path, type: old === null ? 'ADD' : now === null ? 'DELETE' : 'MODIFY', contentId: now, fromContentId: old });
    }
    return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * A merge of `source` into `target`: a commit whose parents are both and whose tree is the target's with the
   * source's changes since their merge base applied (the source wins where both changed a file).
   */
  merge(repository: Repository, target: Commit, source: Commit, input: { message: string; author: Signature }): Commit {
    const base = this.mergeBase(repository, target, source);
    const tree: Record<string, string> = { ...target.tree };
    for (const change of this.changes(base, source)) {
      if (change.contentId === null) delete tree[change.path];
      else tree[change.path] = change.contentId;
    }
    return this.add(repository, { parents: [target.id, source.id], tree, author: input.author, message: input.message });
  }
}
