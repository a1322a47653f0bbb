/**
 * Terraform's JSON form of values (state files as sent to UpgradeResourceState, and DynamicValue.json)
 * read into cty values of the current schema: the "trivial upgrade" of the reference doc §4.
 */
import { type CtyType, type CtyValue } from '../cty/types';
import { attributePath, errorDiagnostic, type Diagnostic } from './diagnostics';
import { type Schema } from './schema';

/** Thrown for a JSON value that cannot be read as the type; `where` names the place inside the value. */
class JsonValueError extends Error {
  constructor(readonly where: string, message: string) {
    super(message);
  }
}

function fromJson(json: unknown, type: CtyType, where: string): CtyValue {
  if (json === null || json === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        // cty converts primitives to string when a schema changes from number/bool to string.
        if (typeof json === 'string') return json;
        if (typeof json === 'number' || typeof json === 'boolean') return String(json);
        break;
      case 'number':
        if (typeof json === 'number') return json;
        if (typeof json === 'string' && json.trim() !== '' && Number.isFinite(Number(json))) return Number(json);
        break;
      case 'bool':
        if (typeof json === 'boolean') return json;
        if (json === 'true' || json === 'false') return json === 'true';
        break;
      case 'dynamic':
        if (typeof json === 'object' && json !== null && 'value' in json && 'type' in json) {
          const { value, type: valueType } = json as { value: unknown; type: CtyType };
          return { dynamicType: valueType, value: fromJson(value, valueType, where) };
        }
        break;
    }
    throw new JsonValueError(where, `expected a ${type}, found ${JSON.stringify(json)}`);
  }
  switch (type[0]) {
    case 'list':
    case 'set':
      if (!Array.isArray(json)) throw new JsonValueError(where, `expected a ${type[0]}, found ${JSON.stringify(json)}`);
      return json.map((element, index) => fromJson(element, type[1], `${where}[${index}]`));
    case 'tuple':
      if (!Array.isArray(json) || json.length !== type[1].length) throw new JsonValueError(where, `expected a tuple of ${type[1].length} elements`);
      return json.map((element, index) => fromJson(element, type[1][index] as CtyType, `${where}[${index}]`));
    case 'map':
      if (typeof json !== 'object' || Array.isArray(json)) throw new JsonValueError(where, `expected a map, found ${JSON.stringify(json)}`);
      return Object.fromEntries(Object.entries(json).map(([key, element]) => [key, fromJson(element, type[1], `${where}[${JSON.stringify(key)}]`)]));
    case 'object': {
      if (typeof json !== 'object' || Array.isArray(json)) throw new JsonValueError(where, `expected an object, found ${JSON.stringify(json)}`);
      const record = json as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(type[1]).map(([name, attributeType]) => [name, fromJson(record[name], attributeType, where === '' ? name : `${where}.${name}`)]),
      );
    }
  }
}

/** Reads a JSON value (already parsed) as the given type, or throws an Error naming where it failed. */
export function ctyValueFromJson(json: unknown, type: CtyType): CtyValue {
  try {
    return fromJson(json, type, '');
  } catch (error) {
    if (error instanceof JsonValueError) throw new Error(error.where === '' ? error.message : `${error.where}: ${error.message}`);
    throw error;
  }
}

/**
 * Reads a stored state object into the current schema: attributes no longer in the schema are dropped,
 * new ones are null, values are converted where cty would convert them. Problems are diagnostics with the
 * attribute path, never exceptions.
 */
export function stateFromJson(schema: Schema, stateJson: string): { state: Record<string, CtyValue> | null; diagnostics: Diagnostic[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stateJson);
  } catch (error) {
    return { state: null, diagnostics: [errorDiagnostic('Unreadable stored state', `The stored state is not valid JSON: ${(error as Error).message}`)] };
  }
  if (parsed === null) return { state: null, diagnostics: [] };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { state: null, diagnostics: [errorDiagnostic('Unreadable stored state', 'The stored state is not a JSON object.')] };
  }
  const record = parsed as Record<string, unknown>;
  const state: Record<string, CtyValue> = {};
  const diagnostics: Diagnostic[] = [];
  for (const [name, definition] of Object.entries(schema.attributes)) {
    try {
      state[name] = definition.writeOnly ? null : ctyValueFromJson(record[name], definition.type);
    } catch (error) {
      state[name] = null;
      diagnostics.push(
        errorDiagnostic('Unreadable stored state', `The stored value of ${name} cannot be read as the current schema's type: ${(error as Error).message}`, attributePath(name)),
      );
    }
  }
  return { state: diagnostics.length === 0 ? state : null, diagnostics };
}
