/**
 * Ready-made attribute validators. Each describes what a valid value looks like and reports every
 * problem with the attribute's path; values of sensitive attributes are never echoed.
 */
import { isUnknown, type CtyType } from '../cty/types';
import { atIndex, atKey, errorDiagnostic, formatPath, type AttributePath, type Diagnostic } from './diagnostics';
import { type ValidationContext, type Validator } from './schema';
import { describeValue } from './values';

/**
 * The diagnostic for a value that breaks a rule: "Invalid attribute value" on the attribute, with a
 * detail like `Attribute url must be an http(s) URL, got "ftp://x".`
 */
export function invalidValue(context: ValidationContext, requirement: string, value: unknown): Diagnostic {
  const got = context.sensitive ? '' : `, got ${describeValue(value as never)}`;
  return errorDiagnostic('Invalid attribute value', `Attribute ${formatPath(context.path)} ${requirement}${got}.`, context.path);
}

export function lengthBetween(min: number, max: number): Validator<string> {
  const description = `between ${min} and ${max} characters long`;
  return {
    description,
    validate: (value, context) =>
      value.length < min || value.length > max ? [invalidValue(context, `must be ${description}`, value)] : [],
  };
}

/** `what` says in words what the pattern accepts, e.g. "a project key such as PRJ". */
export function matchesPattern(pattern: RegExp, what: string): Validator<string> {
  return {
    description: `must be ${what}`,
    validate: (value, context) => (pattern.test(value) ? [] : [invalidValue(context, `must be ${what}`, value)]),
  };
}

/**
 * A rule given as a function that says why a value breaks it ("must be …"), or null when it does not; `what` says in
 * words what the rule accepts.
 */
export function satisfies(what: string, problemOf: (value: string) => string | null): Validator<string> {
  return {
    description: `must be ${what}`,
    validate: (value, context) => {
      const problem = problemOf(value);
      return problem === null ? [] : [invalidValue(context, problem, value)];
    },
  };
}

export function oneOf(allowed: readonly string[]): Validator<string> {
  const description = `one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
  return {
    description,
    validate: (value, context) => (allowed.includes(value) ? [] : [invalidValue(context, `must be ${description}`, value)]),
  };
}

/** An absolute URL whose scheme is one of `schemes` (e.g. ["http", "https"]) and that has a host. */
export function isUrl(schemes: readonly string[]): Validator<string> {
  const description = `an absolute URL with scheme ${schemes.join(' or ')}`;
  return {
    description,
    validate: (value, context) => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return [invalidValue(context, `must be ${description}`, value)];
      }
      const scheme = parsed.protocol.replace(/:$/, '');
      return schemes.includes(scheme) && parsed.hostname !== '' ? [] : [invalidValue(context, `must be ${description}`, value)];
    },
  };
}

export function numberBetween(min: number, max: number): Validator<number> {
  const description = `between ${min} and ${max}`;
  return {
    description,
    validate: (value, context) => (value < min || value > max ? [invalidValue(context, `must be ${description}`, value)] : []),
  };
}

export function isWholeNumber(): Validator<number> {
  return {
    description: 'a whole number',
    validate: (value, context) => (Number.isInteger(value) ? [] : [invalidValue(context, 'must be a whole number', value)]),
  };
}

type Collection = readonly unknown[] | Readonly<Record<string, unknown>>;

function sizeOf(value: Collection): number {
  return Array.isArray(value) ? value.length : Object.keys(value).length;
}

/** The number of elements of a list, set or map. */
export function sizeBetween<T extends Collection>(min: number, max: number = Number.MAX_SAFE_INTEGER): Validator<T> {
  const description = max === Number.MAX_SAFE_INTEGER ? `at least ${min} element${min === 1 ? '' : 's'}` : `between ${min} and ${max} elements`;
  return {
    description,
    validate: (value, context) => {
      const size = sizeOf(value);
      return size < min || size > max ? [invalidValue(context, `must have ${description}`, `${size} elements`)] : [];
    },
  };
}

/**
 * Applies an element validator to every known element of a list, set or map. Paths point at the element
 * for lists (index) and maps (key); a set element has no address in Terraform's paths, so problems point
 * at the set itself.
 */
export function eachElement<E>(validator: Validator<E>): Validator<E[] | Record<string, E>> {
  return {
    description: `each element ${validator.description}`,
    validate: (value, context) => {
      const collection = context.type;
      if (typeof collection === 'string' || !['list', 'set', 'map'].includes(collection[0])) {
        throw new Error(`eachElement validates lists, sets and maps, not ${JSON.stringify(collection)}`);
      }
      const elementType = collection[1] as CtyType;
      const entries: [AttributePath, unknown][] = Array.isArray(value)
        ? value.map((element, index) => [collection[0] === 'set' ? context.path : atIndex(context.path, index), element])
        : Object.entries(value).map(([key, element]) => [atKey(context.path, key), element]);
      return entries.flatMap(([path, element]) =>
        element === null || isUnknown(element) ? [] : validator.validate(element as E, { ...context, path, type: elementType }),
      );
    },
  };
}

/** Elements of a list must be distinct (sets are distinct by nature). */
export function uniqueElements<E>(): Validator<E[]> {
  return {
    description: 'elements must be distinct',
    validate: (value, context) => {
      const seen = new Set<string>();
      const duplicates = new Set<string>();
      for (const element of value) {
        const text = JSON.stringify(element);
        if (seen.has(text)) duplicates.add(text);
        seen.add(text);
      }
      return duplicates.size === 0 ? [] : [invalidValue(context, `must not repeat elements (repeated: ${[...duplicates].join(', ')})`, value)];
    },
  };
}
