/**
 * Comparisons and checks over cty values the way Terraform makes them, so the framework reaches the
 * same verdicts Terraform will (sets and maps compare regardless of order; unknowns are not values).
 */
import { isUnknown, type CtyType, type CtyValue } from '../cty/types';

function isRecord(value: CtyValue): value is { [key: string]: CtyValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** True when the value contains no unknown anywhere inside it. */
export function isWhollyKnown(value: CtyValue): boolean {
  if (value === null) return true;
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  // Objects, maps, and the {dynamicType, value} pair of a dynamic value (whose type part is never unknown).
  if (typeof value === 'object') return Object.values(value).every((element) => isWhollyKnown(element as CtyValue));
  return true;
}

/**
 * Exact equality under a type, treating sets as sets. Unknown equals only unknown (the same as cty's
 * RawEquals, which is what Terraform uses to decide whether a planned value matches the config).
 */
export function valuesEqual(a: CtyValue, b: CtyValue, type: CtyType): boolean {
  if (a === null || b === null) return a === b;
  if (isUnknown(a) || isUnknown(b)) return isUnknown(a) && isUnknown(b);
  if (typeof type === 'string') {
    if (type === 'dynamic') return JSON.stringify(a) === JSON.stringify(b);
    return a === b;
  }
  switch (type[0]) {
    case 'list': {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      return a.every((element, index) => valuesEqual(element, b[index] as CtyValue, type[1]));
    }
    case 'set': {
      // Membership both ways rather than counts: a cty set holds each value once, so a provider returning
      // ["a", "a"] for the set ["a"] stores exactly what Terraform would compare as equal.
      if (!Array.isArray(a) || !Array.isArray(b)) return false;
      const contains = (set: CtyValue[], element: CtyValue) => set.some((candidate) => valuesEqual(element, candidate, type[1]));
      return a.every((element) => contains(b, element)) && b.every((element) => contains(a, element));
    }
    case 'tuple': {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      return a.every((element, index) => valuesEqual(element, b[index] as CtyValue, type[1][index] as CtyType));
    }
    case 'map': {
      if (!isRecord(a) || !isRecord(b)) return false;
      const keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      return keys.every((key) => key in b && valuesEqual(a[key] as CtyValue, b[key] as CtyValue, type[1]));
    }
    case 'object': {
      if (!isRecord(a) || !isRecord(b)) return false;
      return Object.entries(type[1]).every(([name, attributeType]) =>
        valuesEqual(a[name] ?? null, b[name] ?? null, attributeType),
      );
    }
  }
}

/**
 * Whether a value that may be partly unknown can still turn out to be `actual`: known parts must match,
 * unknown parts may become anything. This is Terraform's rule for "planned" against "applied".
 */
export function compatibleWithPlanned(planned: CtyValue, actual: CtyValue, type: CtyType): boolean {
  if (isUnknown(planned)) return true;
  if (isWhollyKnown(planned)) return valuesEqual(planned, actual, type);
  if (typeof type === 'string' || planned === null || actual === null || isUnknown(actual)) return false;
  switch (type[0]) {
    case 'list':
    case 'tuple': {
      if (!Array.isArray(planned) || !Array.isArray(actual) || planned.length !== actual.length) return false;
      return planned.every((element, index) =>
        compatibleWithPlanned(element, actual[index] as CtyValue, type[0] === 'list' ? type[1] : (type[1][index] as CtyType)),
      );
    }
    case 'set':
      // Set elements have no identity to pair planned and actual by once some are unknown; Terraform only
      // checks the count then.
      return Array.isArray(planned) && Array.isArray(actual) && planned.length === actual.length;
    case 'map': {
      if (!isRecord(planned) || !isRecord(actual)) return false;
      const keys = Object.keys(planned);
      if (keys.length !== Object.keys(actual).length) return false;
      return keys.every((key) => key in actual && compatibleWithPlanned(planned[key] as CtyValue, actual[key] as CtyValue, type[1]));
    }
    case 'object': {
      if (!isRecord(planned) || !isRecord(actual)) return false;
      return Object.entries(type[1]).every(([name, attributeType]) =>
        compatibleWithPlanned(planned[name] ?? null, actual[name] ?? null, attributeType),
      );
    }
  }
}

/** Why a value does not conform to a type, or undefined when it does. Unknowns conform to any type. */
export function nonConformance(value: CtyValue, type: CtyType): string | undefined {
  if (value === null || isUnknown(value)) return undefined;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return typeof value === 'string' ? undefined : `a string is required, got ${describeValue(value)}`;
      case 'number':
        return typeof value === 'number' && Number.isFinite(value) ? undefined : `a number is required, got ${describeValue(value)}`;
      case 'bool':
        return typeof value === 'boolean' ? undefined : `a bool is required, got ${describeValue(value)}`;
      case 'dynamic':
        return undefined;
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return `a ${type[0]} is required, got ${describeValue(value)}`;
      for (const [index, element] of value.entries()) {
        const problem = nonConformance(element, type[1]);
        if (problem !== undefined) return `element ${index}: ${problem}`;
      }
      return undefined;
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== type[1].length) return `a tuple of ${type[1].length} elements is required`;
      for (const [index, element] of value.entries()) {
        const problem = nonConformance(element, type[1][index] as CtyType);
        if (problem !== undefined) return `element ${index}: ${problem}`;
      }
      return undefined;
    }
    case 'map': {
      if (!isRecord(value)) return `a map is required, got ${describeValue(value)}`;
      for (const [key, element] of Object.entries(value)) {
        const problem = nonConformance(element, type[1]);
        if (problem !== undefined) return `key ${JSON.stringify(key)}: ${problem}`;
      }
      return undefined;
    }
    case 'object': {
      if (!isRecord(value)) return `an object is required, got ${describeValue(value)}`;
      for (const key of Object.keys(value)) {
        if (!(key in type[1])) return `unsupported attribute ${JSON.stringify(key)}`;
      }
      for (const [name, attributeType] of Object.entries(type[1])) {
        if (!(name in value)) return `attribute ${JSON.stringify(name)} is missing`;
        const problem = nonConformance(value[name] as CtyValue, attributeType);
        if (problem !== undefined) return `attribute ${JSON.stringify(name)}: ${problem}`;
      }
      return undefined;
    }
  }
}

/** A short rendering of a value for messages: JSON, with unknowns shown the way Terraform shows them. */
export function describeValue(value: CtyValue | undefined): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value, (_key, element: unknown) => (isUnknown(element) ? '(known after apply)' : element)) ?? String(value);
}

/** A copy of the value with every unknown replaced by null (for state saved next to an error). */
export function unknownsAsNull(value: CtyValue): CtyValue {
  if (value === null || isUnknown(value)) return null;
  if (Array.isArray(value)) return value.map(unknownsAsNull);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, unknownsAsNull(element as CtyValue)])) as CtyValue;
  }
  return value;
}
