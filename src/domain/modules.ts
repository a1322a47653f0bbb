/**
 * Rules of the module registry (SPEC §10): module names, versions taken from tags, and what makes a tagged commit a
 * Terraform module.
 */

/** A module's name and its Terraform provider: the last two parts of its registry address, so plain lower-case words. */
const MODULE_PART = /^[a-z0-9][a-z0-9-]*$/;

/** Why `value` cannot be a module's `name` or `terraformProvider`, or null when it can. */
export function modulePartProblem(value: string): string | null {
  if (value.length > 64) return `"${value.slice(0, 64)}…" is longer than 64 characters`;
  return MODULE_PART.test(value)
    ? null
    : `"${value}" must start with a lower-case letter or digit and hold only lower-case letters, digits and hyphens`;
}

// Semantic Versioning 2.0.0's grammar (semver.org), pre-releases and build metadata included.
const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^v?((?:${NUMBER})\\.(?:${NUMBER})\\.(?:${NUMBER})(?:-${IDENTIFIER}(?:\\.${IDENTIFIER})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?)$`,
);

/** The version a tag publishes (`v1.2.3` and `1.2.3` both publish `1.2.3`), or null when the tag is not semver. */
export function versionOfTag(tag: string): string | null {
  return SEMVER.exec(tag)?.[1] ?? null;
}

/** Orders versions by semver precedence, newest first (build metadata ignored, a pre-release below its release). */
export function compareVersionsDescending(a: string, b: string): number {
  const parse = (version: string) => {
    const [core = '', pre] = version.split('+')[0]!.split(/-(.*)/s);
    return { core: core.split('.').map(Number), pre: pre === undefined ? [] : pre.split('.') };
  };
  const left = parse(a);
  const right = parse(b);
  for (let i = 0; i < 3; i++) {
    const difference = (right.core[i] ?? 0) - (left.core[i] ?? 0);
    if (difference !== 0) return difference;
  }
  if (left.pre.length === 0 || right.pre.length === 0) return left.pre.length - right.pre.length;
  for (let i = 0; i < Math.max(left.pre.length, right.pre.length); i++) {
    const [x, y] = [left.pre[i], right.pre[i]];
    if (x === undefined || y === undefined) return x === undefined ? 1 : -1;
    if (x === y) continue;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (numeric) return Number(y) - Number(x);
    if (/^\d+$/.test(x) !== /^\d+$/.test(y)) return /^\d+$/.test(x) ? 1 : -1;
    return x < y ? 1 : -1;
  }
  return 0;
}

/** Whether a file name is Terraform configuration (`.tf` or `.tf.json`), as `terraform` reads a module directory. */
export function isTerraformFile(name: string): boolean {
  return name.endsWith('.tf') || name.endsWith('.tf.json');
}

/** Why a tagged commit cannot be published as a version, given the names of the files directly in its project root. */
export function moduleRootProblem(projectRoot: string, files: readonly string[]): string | null {
  if (files.some(isTerraformFile)) return null;
  const where = projectRoot === '' ? 'the repository root' : `the project root "${projectRoot}"`;
  return `${where} holds no .tf file at this commit, so it is not a Terraform module`;
}
