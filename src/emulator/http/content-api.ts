import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ARCHIVE_CONTENT_TYPES, archiveStream, isArchiveFormat, ARCHIVE_FORMATS, type ArchiveFile } from '../archive';
import { changeJson, branchJson, commitJson, pathJson, tagJson } from '../content-representations';
import { errors } from '../errors';
import type { Commit, EmulatorModel, Repository } from '../model';
import { booleanParam, many, page, query, sendJson, single } from './helpers';

/** What the content routes need from the running emulator. */
export interface ContentContext {
  model: EmulatorModel;
  baseUrl: () => string;
}

type Params = Record<string, string>;

/** The path of a file or directory in a commit's tree, `''` for the root; leading and trailing slashes ignored. */
function treePath(raw: string | undefined): string {
  return decodeURIComponent(raw ?? '').replace(/^\/+|\/+$/g, '');
}

/** Paths under `path` in a tree: the file itself, or every file inside the directory. */
function filesUnder(tree: Record<string, string>, path: string): string[] {
  if (path === '') return Object.keys(tree).sort();
  if (tree[path] !== undefined) return [path];
  return Object.keys(tree)
    .filter((file) => file.startsWith(`${path}/`))
    .sort();
}

/** The direct children of a directory of a tree: files and subdirectories, as Bitbucket's browse lists them. */
function childrenOf(tree: Record<string, string>, directory: string) {
  const prefix = directory === '' ? '' : `${directory}/`;
  const children = new Map<string, { name: string; type: 'FILE' | 'DIRECTORY'; blob: string | null }>();
  for (const [path, blob] of Object.entries(tree)) {
    if (!path.startsWith(prefix)) continue;
    const [name, ...rest] = path.slice(prefix.length).split('/');
    if (rest.length === 0) children.set(name!, { name: name!, type: 'FILE', blob });
    else if (!children.has(name!)) children.set(name!, { name: name!, type: 'DIRECTORY', blob: null });
  }
  return [...children.values()].sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : a.type === 'DIRECTORY' ? -1 : 1));
}

/**
 * Bitbucket's REST on repository content: archive, raw, browse, commits and their changes, compare, branches
 * and the default branch. All need REPO_READ (a public repository is readable by anyone).
 */
export function registerContentApi(app: FastifyInstance, context: ContentContext): void {
  const { model } = context;
  const content = model.content;
  const params = (request: FastifyRequest) => request.params as Params;
  const readable = (request: FastifyRequest): Repository =>
    model.permissions.requireRepositoryLevel(request.principal, params(request).projectKey!, params(request).repositorySlug!, 1);
  const prefix = '/projects/:projectKey/repos/:repositorySlug';

  app.get(`${prefix}/archive`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const format = single(q, 'format') ?? 'zip';
    if (!isArchiveFormat(format)) {
      throw errors.badRequest(`"${format}" is not a supported archive format; use one of ${ARCHIVE_FORMATS.join(', ')}.`);
    }
    const at = single(q, 'at');
    const commit = content.resolve(repository, at);
    const paths = many(q, 'path').map(treePath);
    const selected = new Set<string>();
    for (const path of paths.length === 0 ? [''] : paths) {
      const found = filesUnder(commit.tree, path);
      if (found.length === 0 && path !== '') throw errors.noSuchPath(path, at ?? repository.defaultBranch);
      for (const file of found) selected.add(file);
    }
    const files: ArchiveFile[] = [...selected].sort().map((path) => ({ path, content: content.blob(commit.tree[path]!) }));
    const rawPrefix = single(q, 'prefix') ?? '';
    const archivePrefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
    const name = single(q, 'filename') ?? `${repository.slug}-${(at ?? repository.defaultBranch).replace(/^refs\/heads\//, '').replace(/[^A-Za-z0-9._-]/g, '-')}.${format}`;
    reply
      .code(200)
      .type(ARCHIVE_CONTENT_TYPES[format])
      .header('Content-Disposition', `attachment; filename="${name.replace(/"/g, '')}"`);
    return reply.send(archiveStream(files, { format, prefix: archivePrefix, mtime: new Date(commit.committer.timestamp) }));
  });

  const raw = async (request: FastifyRequest, reply: FastifyReply) => {
    const repository = readable(request);
    const path = treePath(params(request)['*']);
    if (path === '') throw errors.badRequest('A file path is required: GET …/raw/{path}.');
    const at = single(query(request), 'at');
    const commit = content.resolve(repository, at);
    const blob = commit.tree[path];
    if (blob === undefined) throw errors.noSuchPath(path, at ?? repository.defaultBranch);
    return reply.code(200).type('text/plain;charset=UTF-8').send(content.blob(blob));
  };
  app.get(`${prefix}/raw`, raw);
  app.get(`${prefix}/raw/*`, raw);

  const browse = async (request: FastifyRequest, reply: FastifyReply) => {
    const repository = readable(request);
    const q = query(request);
    const path = treePath(params(request)['*']);
    const at = single(q, 'at');
    const commit = content.resolve(repository, at);
    const blob = commit.tree[path];
    const children = blob === undefined ? childrenOf(commit.tree, path) : [];
    if (blob === undefined && path !== '' && children.length === 0) throw errors.noSuchPath(path, at ?? repository.defaultBranch);
    if (booleanParam(q, 'type', false)) return sendJson(reply, 200, { type: blob === undefined ? 'DIRECTORY' : 'FILE' });
    if (blob !== undefined) {
      const text = content.blob(blob).toString('utf8');
      if (booleanParam(q, 'size', false)) return sendJson(reply, 200, { size: content.blob(blob).length });
      const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      const { values, ...paging } = page(lines, q, (line) => ({ text: line }));
      return sendJson(reply, 200, { lines: values, ...paging });
    }
    return sendJson(reply, 200, {
      path: pathJson(path),
      revision: at ?? repository.defaultBranch,
      children: page(children, q, (child) => ({
        path: pathJson(child.name),
        ...(child.blob === null ? {} : { contentId: child.blob, size: content.blob(child.blob).length }),
        type: child.type,
      })),
    });
  };
  app.get(`${prefix}/browse`, browse);
  app.get(`${prefix}/browse/*`, browse);

  app.get(`${prefix}/commits`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const sinceRef = single(q, 'since');
    const path = treePath(single(q, 'path'));
    let commits = content.history(repository, content.resolve(repository, single(q, 'until')), sinceRef === undefined ? null : content.resolve(repository, sinceRef));
    if (path !== '') {
      commits = commits.filter((commit) => {
        const parent = commit.parents[0] === undefined ? null : content.commit(repository, commit.parents[0]);
        return content.changes(parent, commit).some((change) => change.path === path || change.path.startsWith(`${path}/`));
      });
    }
    return sendJson(reply, 200, page(commits, q, commitJson));
  });

  app.get(`${prefix}/commits/:commitId`, async (request, reply) =>
    sendJson(reply, 200, commitJson(content.commit(readable(request), params(request).commitId!))),
  );

  const changesPage = (request: FastifyRequest, reply: FastifyReply, repository: Repository, from: Commit | null, to: Commit) =>
    sendJson(reply, 200, {
      ...(from === null ? {} : { fromHash: from.id }),
      toHash: to.id,
      properties: { changeScope: 'ALL' },
      ...page(content.changes(from, to), query(request), (change) => changeJson(change, context.baseUrl(), repository, to.id)),
    });

  app.get(`${prefix}/commits/:commitId/changes`, async (request, reply) => {
    const repository = readable(request);
    const commit = content.commit(repository, params(request).commitId!);
    const since = single(query(request), 'since');
    const from = since === undefined || since === '' ? (commit.parents[0] === undefined ? null : content.commit(repository, commit.parents[0])) : content.commit(repository, since);
    return changesPage(request, reply, repository, from, commit);
  });

  // compare/changes: what `from` (the source) changes relative to where it left `to` (the target), as a pull request shows it.
  app.get(`${prefix}/compare/changes`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const fromRef = single(q, 'from');
    if (fromRef === undefined || fromRef === '') throw errors.badRequest('The from parameter is required: the ref or commit to compare.');
    const source = content.resolve(repository, fromRef);
    const target = content.resolve(repository, single(q, 'to'));
    return changesPage(request, reply, repository, content.mergeBase(repository, source, target), source);
  });

  app.get(`${prefix}/branches`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const filter = (single(q, 'filterText') ?? '').toLowerCase();
    const orderBy = (single(q, 'orderBy') ?? 'MODIFICATION').toUpperCase();
    if (orderBy !== 'MODIFICATION' && orderBy !== 'ALPHABETICAL') throw errors.badRequest(`Invalid orderBy "${orderBy}"; use ALPHABETICAL or MODIFICATION.`);
    const names = Object.keys(repository.branches).filter((branch) => branch.toLowerCase().includes(filter));
    const time = (branch: string) => content.commit(repository, repository.branches[branch]!).committer.timestamp;
    names.sort((a, b) => (orderBy === 'ALPHABETICAL' ? (a < b ? -1 : 1) : time(b) - time(a) || (a < b ? -1 : 1)));
    return sendJson(reply, 200, page(names, q, (branch) => branchJson(repository, branch)));
  });

  app.get(`${prefix}/tags`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const filter = (single(q, 'filterText') ?? '').toLowerCase();
    const tags = repository.tags ?? {};
    const names = Object.keys(tags).filter((tag) => tag.toLowerCase().includes(filter)).sort();
    return sendJson(reply, 200, page(names, q, (tag) => tagJson(tag, tags[tag]!)));
  });

  app.get(`${prefix}/tags/*`, async (request, reply) => {
    const repository = readable(request);
    const name = decodeURIComponent(params(request)['*']!);
    const commit = repository.tags?.[name];
    if (commit === undefined) throw errors.noSuchRef(`refs/tags/${name}`, repository);
    return sendJson(reply, 200, tagJson(name, commit));
  });

  app.get(`${prefix}/default-branch`, async (request, reply) => {
    const repository = readable(request);
    if (repository.branches[repository.defaultBranch] === undefined) throw errors.emptyRepository(repository);
    return sendJson(reply, 200, { id: `refs/heads/${repository.defaultBranch}`, displayId: repository.defaultBranch, type: 'BRANCH' });
  });

  app.get(`${prefix}/branches/default`, async (request, reply) => {
    const repository = readable(request);
    if (repository.branches[repository.defaultBranch] === undefined) return reply.code(204).send();
    return sendJson(reply, 200, branchJson(repository, repository.defaultBranch));
  });
}
