import { Token } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Collects every problem with a construct's props so the user sees them all at once, then throws one
 * error naming the construct path and each field. Values that are tokens (known only at deploy time)
 * are never checked: `check*` helpers return early for them.
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  public constructor(private readonly construct: IConstruct, private readonly constructType: string) {}

  public report(field: string, problem: string): void {
    this.problems.push(`${field}: ${problem}`);
  }

  /**
   * A required text. JavaScript apps can pass undefined where TypeScript would not (`process.env.X!` of a variable
   * that is not set): that is reported by field like any other mistake. Answers the value when it is plain text to
   * check further; undefined when it is missing, not text, blank, or a token known only at deploy time.
   */
  public requireText(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null) {
      this.report(field, `is required but is ${value} (is an environment variable it is read from unset?)`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.report(field, `must be text, got ${typeof value}`);
      return undefined;
    }
    if (Token.isUnresolved(value)) return undefined;
    if (value.trim().length === 0) {
      this.report(field, 'must not be empty');
      return undefined;
    }
    return value;
  }

  /** An optional text that, when given, must not be empty or blank. */
  public checkNotBlank(field: string, value: string | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (value.trim().length === 0) this.report(field, 'must not be empty');
  }

  /** Text that must match `pattern`; `rule` says what is expected in words. */
  public checkPattern(field: string, value: string | undefined, pattern: RegExp, rule: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!pattern.test(value)) this.report(field, `${JSON.stringify(value)} ${rule}`);
  }

  /** An environment variable name the control plane accepts: the pattern, and not a reserved name. */
  public checkEnvironmentVariableName(field: string, name: string): void {
    if (Token.isUnresolved(name)) return;
    if (!environmentVariableNamePattern.test(name) || name.length > 255) {
      this.report(field, `${JSON.stringify(name)} ${environmentVariableNameRule}`);
      return;
    }
    const reserved = reservedEnvironmentVariableNames.find((entry) => entry.pattern.test(name.toUpperCase()));
    if (reserved !== undefined) {
      this.report(field, `${JSON.stringify(name)} is reserved (${reserved.rule}): the worker sets it for runs, or it changes how Terraform runs`);
    }
  }

  /** An environment variable value: at most 64 KiB of UTF-8, without NUL. */
  public checkEnvironmentVariableValue(field: string, value: string): void {
    if (Token.isUnresolved(value)) return;
    if (value.includes('\u0000')) this.report(field, 'must not contain NUL characters');
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxEnvironmentVariableValueBytes) this.report(field, `is ${bytes} bytes; at most ${maxEnvironmentVariableValueBytes} bytes are allowed`);
  }

  /** Labels: non-empty, no duplicates (the control plane stores them as a set). */
  public checkLabels(field: string, labels: string[] | undefined): void {
    if (labels === undefined || Token.isUnresolved(labels)) return;
    const seen = new Set<string>();
    labels.forEach((label, index) => {
      if (Token.isUnresolved(label)) return;
      if (label.trim().length === 0) this.report(`${field}[${index}]`, 'must not be empty');
      else if (seen.has(label)) this.report(`${field}[${index}]`, `duplicate label ${JSON.stringify(label)}`);
      seen.add(label);
    });
  }

  /** Throws once if anything was reported. */
  public throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    throw new Error(
      `Invalid ${this.constructType} at "${this.construct.node.path}" (${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}):\n` +
        this.problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}

/** Bitbucket project keys: a letter, then letters, digits or underscores. */
export const projectKeyPattern = /^[A-Za-z][A-Za-z0-9_]*$/;
export const projectKeyRule = 'is not a Bitbucket project key (a letter, then letters, digits or underscores)';

/** Bitbucket repository slugs: lowercase letters, digits, dots, dashes and underscores. */
export const repositorySlugPattern = /^[a-z0-9][a-z0-9._-]*$/;
export const repositorySlugRule = 'is not a Bitbucket repository slug (lowercase letters, digits, ".", "-" or "_")';

/** Environment variable names: a letter or underscore, then letters, digits or underscores. */
export const environmentVariableNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const environmentVariableNameRule = 'is not an environment variable name (a letter or "_", then letters, digits or "_")';

/**
 * Names the control plane refuses for a stack's variables (compared in upper case), by the rule's form: the worker sets
 * them itself, or they change how Terraform runs. The control plane's own list is the reference; a test keeps the two
 * in step.
 */
export const reservedEnvironmentVariableNames: readonly { pattern: RegExp; rule: string }[] = [
  ...['TF_HTTP_', 'LIFTGATE_', 'TF_CLI_ARGS', 'TF_LOG'].map((prefix) => ({ pattern: new RegExp(`^${prefix}`), rule: `${prefix}*` })),
  ...['PATH', 'HOME', 'TF_IN_AUTOMATION', 'TF_INPUT', 'CHECKPOINT_DISABLE', 'TF_CLI_CONFIG_FILE', 'TF_WORKSPACE', 'TF_REATTACH_PROVIDERS', 'TF_APPEND_USER_AGENT'].map(
    (name) => ({ pattern: new RegExp(`^${name}$`), rule: name }),
  ),
];

/** The largest value a stack's environment variable may have, in UTF-8 bytes. */
export const maxEnvironmentVariableValueBytes = 64 * 1024;
