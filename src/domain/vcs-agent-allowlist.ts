/**
 * The Bitbucket Data Center requests Liftgate makes, as the one list both sides use: the VCS agent forwards only
 * these (SPEC §9: an allowlist, on by default), and the Bitbucket client's paths are checked against it in the tests,
 * so the two cannot drift apart. Pure: no Node modules.
 */

export type AllowedMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface AllowedRequest {
  method: AllowedMethod;
  /** Path below a REST root, `{p}`/`{r}`/`{id}` one segment each, `{path*}` one or more segments. */
  path: string;
  /** What Liftgate uses it for (shown by `liftgate vcs-agent --help` and the docs). */
  use: string;
}

const REPO = '/projects/{p}/repos/{r}';

/** Below `/rest/api/latest` or `/rest/api/1.0`. */
const API_REQUESTS: readonly AllowedRequest[] = [
  { method: 'GET', path: '/application-properties', use: 'credential check: is it Bitbucket' },
  { method: 'GET', path: '/repos', use: 'credential check and repository listing' },
  { method: 'GET', path: '/projects', use: 'repository listing' },
  { method: 'GET', path: '/projects/{p}', use: 'repository listing' },
  { method: 'GET', path: '/projects/{p}/repos', use: 'repository listing' },
  { method: 'GET', path: REPO, use: 'a stack\'s repository' },
  { method: 'GET', path: `${REPO}/archive`, use: 'source of a run (streamed)' },
  { method: 'GET', path: `${REPO}/branches`, use: 'a tracked branch\'s head' },
  { method: 'GET', path: `${REPO}/default-branch`, use: 'a repository\'s default branch' },
  { method: 'GET', path: `${REPO}/commits`, use: 'commits of a branch' },
  { method: 'GET', path: `${REPO}/commits/{id}`, use: 'a run\'s commit' },
  { method: 'GET', path: `${REPO}/commits/{id}/changes`, use: 'changed paths of a push' },
  { method: 'GET', path: `${REPO}/compare/changes`, use: 'changed paths between two commits' },
  { method: 'GET', path: `${REPO}/commits/{id}/pull-requests`, use: 'pull requests of a run\'s commit' },
  { method: 'GET', path: `${REPO}/commits/{id}/builds`, use: 'build status of a commit' },
  { method: 'POST', path: `${REPO}/commits/{id}/builds`, use: 'build status of a run' },
  { method: 'GET', path: `${REPO}/pull-requests`, use: 'pull requests of a branch' },
  { method: 'GET', path: `${REPO}/pull-requests/{id}`, use: 'a pull request' },
  { method: 'GET', path: `${REPO}/pull-requests/{id}/changes`, use: 'changed paths of a pull request' },
  { method: 'GET', path: `${REPO}/pull-requests/{id}/activities`, use: 'what happened on a pull request' },
  { method: 'GET', path: `${REPO}/pull-requests/{id}/comments/{id}`, use: 'the run\'s comment' },
  { method: 'POST', path: `${REPO}/pull-requests/{id}/comments`, use: 'the run\'s comment' },
  { method: 'PUT', path: `${REPO}/pull-requests/{id}/comments/{id}`, use: 'the run\'s comment, edited in place' },
  { method: 'GET', path: `${REPO}/raw/{path*}`, use: 'a file at a commit' },
  { method: 'GET', path: `${REPO}/browse`, use: 'files at a commit' },
  { method: 'GET', path: `${REPO}/browse/{path*}`, use: 'files at a commit' },
  { method: 'GET', path: `${REPO}/tags`, use: 'module versions' },
];

/** The REST roots the requests above live under. */
const API_ROOTS = ['/rest/api/latest', '/rest/api/1.0'] as const;

interface CompiledRequest {
  method: AllowedMethod;
  pattern: RegExp;
}

const SEGMENT = '[^/]+';

function compile(request: AllowedRequest): CompiledRequest {
  const body = request.path
    .split('/')
    .map((part) => (part === '{path*}' ? `${SEGMENT}(?:/${SEGMENT})*` : /^\{\w+\}$/.test(part) ? SEGMENT : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  const roots = API_ROOTS.map((root) => root.replace(/\./g, '\\.')).join('|');
  return { method: request.method, pattern: new RegExp(`^(?:${roots})${body}$`) };
}

const COMPILED = API_REQUESTS.map(compile);

/** Every allowed request as `METHOD /rest/api/latest/…` lines, for help text and docs. */
export function describeAllowlist(): string[] {
  return API_REQUESTS.map((request) => `${request.method.padEnd(4)} /rest/api/latest${request.path}  (${request.use})`);
}

export type AllowlistVerdict =
  | { allowed: true; project?: string; repo?: string }
  | { allowed: false; reason: string };

/**
 * Whether the agent may forward `method` to `target` (a path below the Bitbucket base URL with an optional query,
 * exactly as the control plane sent it). Refused: anything that is not a path (a scheme, `//host`), dot segments,
 * encoded slashes, backslashes or dots that a server might decode into a different path, and every method and path
 * not on the list. An allowed request names its project and repository when it has them (for --allowed-projects).
 */
export function checkAgentRequest(method: string, target: string): AllowlistVerdict {
  if (!target.startsWith('/') || target.startsWith('//')) return { allowed: false, reason: 'not a path below the Bitbucket base URL' };
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (/[\\#\s]|%2f|%5c|%2e|%00/i.test(path)) return { allowed: false, reason: 'the path has encoded or unsafe characters' };
  if (path.split('/').some((part) => part === '.' || part === '..')) return { allowed: false, reason: 'the path has dot segments' };
  const match = COMPILED.find((request) => request.method === method && request.pattern.test(path));
  if (match === undefined) return { allowed: false, reason: `${method} ${path} is not a Bitbucket request Liftgate makes` };
  const repo = /^\/rest\/api\/[^/]+\/projects\/([^/]+)(?:\/repos\/([^/]+))?/.exec(path);
  if (repo === null) return { allowed: true };
  return { allowed: true, project: decodeURIComponent(repo[1] as string), repo: repo[2] === undefined ? undefined : decodeURIComponent(repo[2]) };
}
