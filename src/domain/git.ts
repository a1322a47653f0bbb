/**
 * Where in a repository a run looks: the commit, the branch and the stack's project root. Pure rules, used by the
 * API when it stores them and again wherever a run is made from them, because these values end up in Bitbucket
 * URLs, in a run's directory and in Terraform's environment.
 */

/** A full commit id as Bitbucket gives it: 40 hex digits (SHA-1). */
const FULL_COMMIT = /^[0-9a-fA-F]{40}$/;

/** Why `commit` is not a full commit id, or null when it is one. */
export function commitProblem(commit: string): string | null {
  return FULL_COMMIT.test(commit) ? null : `must be a full commit id (40 hexadecimal digits), got ${quoted(commit)}`;
}

/** A full commit id in the form Git prints it (lower case). Call only on a value commitProblem accepted. */
export function canonicalCommit(commit: string): string {
  return commit.toLowerCase();
}

/** `commit` in canonical form, or throws a RangeError saying why it is not a full commit id. */
export function requireCommit(commit: string, field = 'commit'): string {
  const problem = commitProblem(commit);
  if (problem !== null) throw new RangeError(`${field} ${problem}`);
  return canonicalCommit(commit);
}

/** Branch names as Bitbucket shows them (`main`), also when given as a ref (`refs/heads/main`). */
export function branchName(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}

/** Characters Git refuses anywhere in a ref name (git check-ref-format, rules 4, 5 and 10). */
const FORBIDDEN_REF_CHARACTERS = /[\u0000-\u0020\u007f~^:?*[\\]/;

/**
 * Why `name` is not a valid Git branch name, or null when it is one. The rules are git check-ref-format's for a
 * branch (`git check-ref-format --branch`), applied to the name without its `refs/heads/` prefix: no component
 * that starts with `.` or ends with `.lock`, no `..`, no control characters, space, `~ ^ : ? * [ \`, no leading,
 * trailing or doubled `/`, no trailing `.`, no `@{`, not `@` alone, and not starting with `-`.
 */
export function branchNameProblem(name: string): string | null {
  const problem = refNameProblem(branchName(name));
  return problem === null ? null : `must be a valid Git branch name (${problem}), got ${quoted(name)}`;
}

function refNameProblem(ref: string): string | null {
  if (ref === '') return 'it is empty';
  if (ref === '@') return 'it is "@" alone';
  if (ref.startsWith('-')) return 'it starts with "-"';
  const forbidden = FORBIDDEN_REF_CHARACTERS.exec(ref);
  if (forbidden !== null) return `it contains ${describeCharacter(forbidden[0])}`;
  if (ref.includes('..')) return 'it contains ".."';
  if (ref.includes('@{')) return 'it contains "@{"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return 'it has an empty path component';
  if (ref.endsWith('.')) return 'it ends with "."';
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return 'a path component starts with "."';
    if (component.endsWith('.lock')) return 'a path component ends with ".lock"';
  }
  return null;
}

/**
 * Why `projectRoot` is not a directory inside the repository, or null when it is one: a relative path with `/`
 * separators (empty for the repository's root), without `..`, backslashes or control characters.
 */
export function projectRootProblem(projectRoot: string): string | null {
  const problem = relativePathProblem(projectRoot);
  return problem === null ? null : `must be a relative path inside the repository (${problem}), got ${quoted(projectRoot)}`;
}

function relativePathProblem(path: string): string | null {
  if (path === '') return null;
  if (path.startsWith('/')) return 'it is absolute';
  const control = /[\u0000-\u001f\u007f]/.exec(path);
  if (control !== null) return `it contains ${describeCharacter(control[0])}`;
  if (path.includes('\\')) return 'it contains a backslash; use "/"';
  if (path.split('/').includes('..')) return 'it contains ".."';
  return null;
}

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  const code = character.codePointAt(0) as number;
  return code < 0x20 || code === 0x7f ? `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${character}"`;
}

/** A value for an error message: JSON-quoted (control characters escaped) and cut to a readable length. */
function quoted(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}
