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

  /** Text a rule of the domain layer accepts; `problemOf` says why a value breaks it, or answers null. */
  public checkRule(field: string, value: string | undefined, problemOf: (value: string) => string | null): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const problem = problemOf(value);
    if (problem !== null) this.report(field, problem);
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

/** A rule whose problem does not name the value, as one that does: `"plat" must be …`. */
export function naming(problemOf: (value: string) => string | null): (value: string) => string | null {
  return (value) => {
    const problem = problemOf(value);
    return problem === null ? null : `${JSON.stringify(value)} ${problem}`;
  };
}
