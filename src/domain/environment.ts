/**
 * A stack's environment variables (SPEC §7.5): which names a stack may set, how large they may be, and how their
 * secret values are masked in what a run prints. Pure rules, used by the API, the Terraform provider and the worker.
 */

/** A portable environment variable name: what POSIX shells accept. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const MAX_NAME_LENGTH = 255;
/** Linux refuses a single `NAME=value` string over 128 KiB (MAX_ARG_STRLEN); this stays well under it. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** All of a stack's variables together, so they and the worker's own variables fit the kernel's limit for exec. */
export const MAX_TOTAL_BYTES = 1024 * 1024;
export const MAX_VARIABLES = 500;

/**
 * Names a stack may not set, and why. The worker sets the first group itself for every run, so a variable could only
 * contradict it; the second is terraform-exec's list of variables run input must not carry, because they change how
 * Terraform runs (its arguments, workspace, logging, or which provider processes it talks to). Compared case-
 * insensitively, so no spelling slips through on a system whose environment ignores case.
 */
export const RESERVED_NAMES: readonly { pattern: RegExp; example: string; reason: string }[] = [
  { pattern: /^TF_HTTP_/, example: 'TF_HTTP_*', reason: "they carry the state backend's address and the run's one-off credentials" },
  { pattern: /^LIFTGATE_/, example: 'LIFTGATE_*', reason: 'the worker sets them for every run (LIFTGATE_RUN_ID, LIFTGATE_COMMIT, …)' },
  { pattern: /^PATH$/, example: 'PATH', reason: 'the worker sets it for every run' },
  { pattern: /^HOME$/, example: 'HOME', reason: "the worker sets it to the run's directory" },
  { pattern: /^TF_IN_AUTOMATION$/, example: 'TF_IN_AUTOMATION', reason: 'the worker sets it for every run' },
  { pattern: /^TF_INPUT$/, example: 'TF_INPUT', reason: 'the worker sets it for every run (runs never prompt)' },
  { pattern: /^CHECKPOINT_DISABLE$/, example: 'CHECKPOINT_DISABLE', reason: 'the worker sets it for every run' },
  {
    pattern: /^TF_CLI_CONFIG_FILE$/,
    example: 'TF_CLI_CONFIG_FILE',
    reason: "the operator decides where providers come from (liftgate serve --terraform-cli-config)",
  },
  { pattern: /^TF_CLI_ARGS/, example: 'TF_CLI_ARGS*', reason: "they would add arguments to the worker's terraform commands" },
  { pattern: /^TF_WORKSPACE$/, example: 'TF_WORKSPACE', reason: 'a stack has one state; the http backend has no workspaces' },
  { pattern: /^TF_LOG/, example: 'TF_LOG*', reason: "Terraform's debug logs would bypass the run log and its masking of secrets" },
  { pattern: /^TF_REATTACH_PROVIDERS$/, example: 'TF_REATTACH_PROVIDERS', reason: 'it makes Terraform talk to provider processes that are already running' },
  { pattern: /^TF_APPEND_USER_AGENT$/, example: 'TF_APPEND_USER_AGENT', reason: 'terraform-exec refuses it as run input' },
];

/** Why `name` cannot be a stack's environment variable, or null when it can. */
export function environmentVariableNameProblem(name: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `the name must be at most ${MAX_NAME_LENGTH} characters long`;
  if (!NAME.test(name)) return `the name must match ^[A-Za-z_][A-Za-z0-9_]*$ (a letter or "_", then letters, digits or "_"), got ${JSON.stringify(name)}`;
  const upper = name.toUpperCase();
  const reserved = RESERVED_NAMES.find((entry) => entry.pattern.test(upper));
  return reserved === undefined ? null : `${name} is reserved (${reserved.example}): ${reserved.reason}`;
}

/** Why `value` cannot be an environment variable's value, or null when it can. */
export function environmentVariableValueProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'the value must not contain NUL characters (an environment cannot carry them)';
  const bytes = utf8Length(value);
  return bytes > MAX_VALUE_BYTES ? `the value is ${bytes} bytes; at most ${MAX_VALUE_BYTES} bytes are allowed` : null;
}

/**
 * Why a stack may not hold this set of variables, or null: too many, or too large together. `entries` are every
 * variable the stack would have (name and value size).
 */
export function environmentSizeProblem(entries: readonly { name: string; valueBytes: number }[]): string | null {
  if (entries.length > MAX_VARIABLES) return `a stack may have at most ${MAX_VARIABLES} environment variables`;
  // Each costs `NAME=value` and its terminating NUL.
  const total = entries.reduce((sum, entry) => sum + utf8Length(entry.name) + entry.valueBytes + 2, 0);
  return total > MAX_TOTAL_BYTES
    ? `the stack's environment variables would take ${total} bytes together; at most ${MAX_TOTAL_BYTES} bytes are allowed`
    : null;
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** What replaces a secret value wherever a run's output would show it. */
export const SECRET_MASK = '***';

/**
 * The strings to mask in a run's output, longest first (so a secret containing another is masked whole): every
 * non-empty secret value and, for a value of several lines, each of its lines too, because output is masked line by
 * line and such a value never appears whole on one line. Lines of fewer than 4 visible characters (a JSON brace) are
 * left out: they say nothing about the secret and would mask every brace a run prints.
 */
export function secretMasks(secretValues: readonly string[]): string[] {
  const masks = new Set<string>();
  for (const value of secretValues) {
    if (value !== '') masks.add(value);
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) masks.add(line);
  }
  return [...masks].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** `line` with every occurrence of each mask (from secretMasks) replaced by `***`. */
export function maskSecrets(line: string, masks: readonly string[]): string {
  let masked = line;
  for (const mask of masks) if (masked.includes(mask)) masked = masked.split(mask).join(SECRET_MASK);
  return masked;
}
