import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { branchNameProblem, canonicalCommit, commitProblem, projectRootProblem, requireCommit } from '../../src/domain/git';

describe('commit ids', () => {
  it('accepts exactly 40 hex digits and writes them in lower case', () => {
    expect(commitProblem('0123456789abcdef0123456789ABCDEF01234567')).toBeNull();
    expect(canonicalCommit('0123456789abcdef0123456789ABCDEF01234567')).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(requireCommit('F'.repeat(40))).toBe('f'.repeat(40));
  });

  it.each([
    ['a short id', 'abc123'],
    ['41 digits', 'a'.repeat(41)],
    ['a SHA-256 id', 'a'.repeat(64)],
    ['a command substitution', '$(id)'],
    ['a path', '../../etc/passwd'],
    ['a NUL', '\u0000'],
    ['the empty string', ''],
    ['a ref name', 'main'],
  ])('refuses %s', (_what, value) => {
    expect(commitProblem(value)).toMatch(/^must be a full commit id \(40 hexadecimal digits\), got /);
    expect(() => requireCommit(value, 'vcs.commit')).toThrow(/^vcs\.commit must be a full commit id/);
  });

  it('quotes a hostile value readably and cut short', () => {
    expect(commitProblem('\u0000')).toContain('"\\u0000"');
    expect(commitProblem('x'.repeat(500))).toContain('…"');
  });
});

describe('branch names (git check-ref-format --branch)', () => {
  it.each(['main', 'feature/subnet-2', 'release/1.x', 'refs/heads/main', 'user@host', 'a.b', '$(id)', 'ünïcode', 'x-'])('accepts %j', (name) => {
    expect(branchNameProblem(name)).toBeNull();
  });

  it.each([
    ['', 'it is empty'],
    ['refs/heads/', 'it is empty'],
    ['@', 'it is "@" alone'],
    ['-rf', 'it starts with "-"'],
    ['a b', 'it contains a space'],
    ['a\tb', 'it contains the control character U+0009'],
    ['a\u0000b', 'it contains the control character U+0000'],
    ['a\u007fb', 'it contains the control character U+007F'],
    ['a~1', 'it contains "~"'],
    ['a^', 'it contains "^"'],
    ['a:b', 'it contains ":"'],
    ['a?', 'it contains "?"'],
    ['a*', 'it contains "*"'],
    ['a[b', 'it contains "["'],
    ['a\\b', 'it contains "\\"'],
    ['../etc', 'it contains ".."'],
    ['a..b', 'it contains ".."'],
    ['a@{1}', 'it contains "@{"'],
    ['/main', 'it has an empty path component'],
    ['main/', 'it has an empty path component'],
    ['a//b', 'it has an empty path component'],
    ['main.', 'it ends with "."'],
    ['.hidden', 'a path component starts with "."'],
    ['feature/.x', 'a path component starts with "."'],
    ['main.lock', 'a path component ends with ".lock"'],
    ['a.lock/b', 'a path component ends with ".lock"'],
  ])('refuses %j: %s', (name, why) => {
    expect(branchNameProblem(name)).toBe(`must be a valid Git branch name (${why}), got ${JSON.stringify(name)}`);
  });

  // "@" is the one difference: git reads it as HEAD's shorthand and passes it, Liftgate refuses it as a branch.
  it('agrees with git itself', () => {
    const names = ['main', 'a..b', 'x.lock', '.x', 'a b', 'a~b', '@{x', 'a/b/c', '-x', 'x.', 'a//b', 'ok-1.2', '$(id)', 'a[b', 'é', 'a:b', 'a\\b'];
    for (const name of names) {
      let gitAccepts = true;
      try {
        execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore', cwd: tmpdir() });
      } catch {
        gitAccepts = false;
      }
      expect([name, branchNameProblem(name) === null]).toEqual([name, gitAccepts]);
    }
  });
});

describe('project roots', () => {
  it.each(['', 'infra', 'infra/prod', 'infra/prod/', './infra', 'a.b/c..d', '$(id)'])('accepts %j', (root) => {
    expect(projectRootProblem(root)).toBeNull();
  });

  it.each([
    ['/etc', 'it is absolute'],
    ['..', 'it contains ".."'],
    ['../x', 'it contains ".."'],
    ['infra/../../x', 'it contains ".."'],
    ['infra/..', 'it contains ".."'],
    ['a\\..\\b', 'it contains a backslash; use "/"'],
    ['a\u0000b', 'it contains the control character U+0000'],
    ['a\nb', 'it contains the control character U+000A'],
  ])('refuses %j: %s', (root, why) => {
    expect(projectRootProblem(root)).toBe(`must be a relative path inside the repository (${why}), got ${JSON.stringify(root)}`);
  });
});
