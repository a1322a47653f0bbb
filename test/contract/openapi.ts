import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validates HTTP exchanges against Atlassian's OpenAPI 3.0 document for Bitbucket Data Center 9.4 (a copy of
 * https://dac-static.atlassian.com/server/bitbucket/9.4.swagger.v3.json kept in the repository at
 * `test/contract/fixtures/`, see the README there), with ajv 8.
 *
 * OpenAPI 3.0 schemas are not JSON Schema, so each schema is converted first: `nullable` becomes a `null`
 * type, `#/components/schemas/X` references point into one shared schema document, and OpenAPI's annotation
 * keywords (`example`, `xml`, …) are declared so ajv's strict mode accepts them while still rejecting any
 * other unknown keyword. Formats come from ajv-formats; a format it does not know is accepted and listed
 * in `unknownFormats`.
 */

/** The repository's own copy of the document (fixtures/README.md says where it comes from). */
const SPEC_FILE = join(__dirname, 'fixtures', 'bitbucket-dc-9.4-openapi.json');
const SCHEMA_DOCUMENT_ID = 'https://liftgate.invalid/bitbucket-dc-9.4/components.json';
/** OpenAPI 3.0 keywords that only annotate a schema. */
const OPENAPI_ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator'];

/**
 * Places where Atlassian's document contradicts what Bitbucket DC 9.4 sends, each patched here with the
 * evidence (Bitbucket DC 9.4 responses as recorded by its users). Everything else is validated as published.
 */
const SPEC_ERRATA: Array<{ schema: string; property: string; patch: Record<string, unknown>; why: string }> = [
  {
    schema: 'RestErrorMessage',
    property: 'context',
    patch: { nullable: true },
    why: 'real error bodies carry "context": null (recorded 401 and 404 responses)',
  },
  {
    schema: 'RestErrorMessage',
    property: 'exceptionName',
    patch: { nullable: true },
    why: 'errors raised outside a Java exception carry "exceptionName": null',
  },
  {
    schema: 'RestDetailedInvocation',
    property: 'start',
    patch: { format: 'int64' },
    why: 'start is epoch milliseconds, which does not fit the declared int32',
  },
  {
    schema: 'RestDetailedInvocation',
    property: 'finish',
    patch: { format: 'int64' },
    why: 'finish is epoch milliseconds, which does not fit the declared int32',
  },
];

/**
 * Statuses the document omits for one operation while documenting them for its twin at the other scope;
 * the emulator answers both scopes alike, as Bitbucket's shared webhook resource does.
 */
const STATUS_ERRATA: Array<{ path: string; method: string; status: string; sameAs: { path: string; method: string }; why: string }> = [
  {
    path: '/api/latest/projects/{projectKey}/webhooks/{webhookId}/latest',
    method: 'get',
    status: '204',
    sameAs: { path: '/api/latest/projects/{projectKey}/repos/{repositorySlug}/webhooks/{webhookId}/latest', method: 'get' },
    why: 'the repository-scope getLatestInvocation_1 documents 204 "no invocations"; the project scope omits it',
  },
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** OpenAPI 3.0 schema → JSON Schema (draft-07 as ajv's default dialect reads it). */
function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    const match = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref);
    if (match === null) throw new Error(`unsupported $ref ${schema.$ref}`);
    const ref: Schema = { $ref: `${SCHEMA_DOCUMENT_ID}#/$defs/${match[1]}` };
    return schema.nullable === true ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const converted: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      converted.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      converted[key] = toJsonSchema(value);
    } else {
      converted[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof converted.type === 'string') converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum)) converted.enum = [...converted.enum, null];
    if (converted.type === undefined && converted.enum === undefined) return { anyOf: [converted, { type: 'null' }] };
  }
  return converted;
}

function collectFormats(schema: Json, into: Set<string>): void {
  if (Array.isArray(schema)) schema.forEach((entry) => collectFormats(entry, into));
  else if (schema !== null && typeof schema === 'object') {
    if (typeof schema.format === 'string') into.add(schema.format);
    Object.values(schema).forEach((entry) => collectFormats(entry, into));
  }
}

interface PathTemplate {
  template: string;
  pattern: RegExp;
  /** Literal segments, for preferring `webhooks/search` over `webhooks/{webhookId}`. */
  literals: boolean[];
}

class OpenApiContract {
  readonly document: OpenApiDocument;
  readonly unknownFormats: string[] = [];
  private readonly ajv: Ajv;
  private readonly templates: PathTemplate[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.document = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
    for (const erratum of SPEC_ERRATA) {
      const properties = this.document.components.schemas[erratum.schema]?.properties as Record<string, Schema> | undefined;
      const property = properties?.[erratum.property];
      if (property === undefined) throw new Error(`erratum for ${erratum.schema}.${erratum.property} no longer applies`);
      Object.assign(property, erratum.patch);
    }
    for (const erratum of STATUS_ERRATA) {
      const target = this.document.paths[erratum.path]?.[erratum.method];
      const twin = this.document.paths[erratum.sameAs.path]?.[erratum.sameAs.method]?.responses?.[erratum.status];
      if (target?.responses === undefined || twin === undefined || target.responses[erratum.status] !== undefined) {
        throw new Error(`status erratum for ${erratum.method.toUpperCase()} ${erratum.path} no longer applies`);
      }
      target.responses[erratum.status] = twin;
    }
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, strictTuples: false });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_ANNOTATIONS);
    const formats = new Set<string>();
    collectFormats(this.document as unknown as Json, formats);
    for (const format of formats) {
      if (this.ajv.formats[format] === undefined) {
        this.ajv.addFormat(format, true);
        this.unknownFormats.push(format);
      }
    }
    const $defs = Object.fromEntries(
      Object.entries(this.document.components.schemas).map(([name, schema]) => [name, toJsonSchema(schema)]),
    );
    this.ajv.addSchema({ $id: SCHEMA_DOCUMENT_ID, $defs });
    this.templates = Object.keys(this.document.paths).map((template) => {
      const segments = template.split('/').slice(1);
      // A trailing `{path}` (raw, browse) is a file path: it spans slashes.
      const last = segments.length - 1;
      const pattern = new RegExp(
        `^/${segments
          .map((segment, index) =>
            /^\{.+\}$/.test(segment) ? (index === last && segment === '{path}' ? '.+' : '[^/]+') : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('/')}$`,
      );
      return { template, pattern, literals: segments.map((segment) => !/^\{.+\}$/.test(segment)) };
    });
  }

  /** Maps `/rest/api/1.0/projects/P/repos/r/webhooks/5?x` (or a template) to the document's path template. */
  resolvePath(path: string): string {
    let normalized = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0]!.replace(/\/+$/, '');
    normalized = normalized.replace(/^\/rest(?=\/)/, '').replace(/^\/(api|access-tokens|build-status)\/1\.0\//, '/$1/latest/');
    if (this.document.paths[normalized] !== undefined) return normalized;
    const candidates = this.templates.filter((candidate) => candidate.pattern.test(normalized));
    if (candidates.length === 0) throw new Error(`no path of the OpenAPI document matches ${path} (normalized ${normalized})`);
    candidates.sort((a, b) => {
      for (let index = 0; index < a.literals.length; index += 1) {
        if (a.literals[index] !== b.literals[index]) return a.literals[index] ? -1 : 1;
      }
      return 0;
    });
    return candidates[0]!.template;
  }

  operation(method: string, path: string): { template: string; operation: Operation } {
    const template = this.resolvePath(path);
    const operation = this.document.paths[template]![method.toLowerCase()];
    if (operation === undefined || !HTTP_METHODS.includes(method.toLowerCase())) {
      throw new Error(`${method.toUpperCase()} ${template} is not an operation of the OpenAPI document`);
    }
    return { template, operation };
  }

  validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }

  componentValidator(name: string): ValidateFunction {
    if (this.document.components.schemas[name] === undefined) throw new Error(`the OpenAPI document has no schema ${name}`);
    return this.validator(`component:${name}`, { $ref: `#/components/schemas/${name}` });
  }
}

let contract: OpenApiContract | null = null;

/** The loaded document and its validators (loaded once per test file). */
export function bitbucketContract(): OpenApiContract {
  contract ??= new OpenApiContract(SPEC_FILE);
  return contract;
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((error) => `  ${error.instancePath || '(root)'} ${error.message ?? ''}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`)
    .join('\n');
}

/** The JSON content of a request or response; `*\/*` (the build-status POST's only type) takes JSON too. */
function jsonContent(content: Record<string, { schema?: Schema }>): { type: string; schema?: Schema } | null {
  const entry = Object.entries(content).find(([type]) => type.startsWith('application/json')) ?? Object.entries(content).find(([type]) => type === '*/*');
  return entry === undefined ? null : { type: entry[0], schema: entry[1].schema };
}

/** The statuses the document lists for an operation (e.g. ['200', '401', '404']). */
export function documentedStatuses(method: string, path: string): string[] {
  return Object.keys(bitbucketContract().operation(method, path).operation.responses ?? {});
}

/**
 * Throws unless `status` is documented for the operation and `body` matches its response schema. `path` is a
 * concrete request path (with /rest, /api/1.0 or /api/latest, query ignored) or a template of the document.
 * A documented response without content (204) requires an empty body.
 */
export function expectResponseToMatchSpec(method: string, path: string, status: number, body: unknown): void {
  const openApi = bitbucketContract();
  const { template, operation } = openApi.operation(method, path);
  const what = `${method.toUpperCase()} ${template} (${operation.operationId ?? 'no operationId'})`;
  const response = operation.responses?.[String(status)] ?? operation.responses?.default;
  if (response === undefined) {
    throw new Error(`${what}: status ${status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`);
  }
  const content = response.content === undefined ? null : jsonContent(response.content);
  if (content === null) {
    if (body !== undefined && body !== null && body !== '') {
      throw new Error(`${what}: status ${status} is documented without a body, got ${JSON.stringify(body).slice(0, 200)}`);
    }
    return;
  }
  if (body === undefined || body === '') throw new Error(`${what}: status ${status} is documented with a JSON body, got none`);
  // "A page of webhooks" is documented without a schema: any JSON body satisfies the document.
  if (content.schema === undefined) return;
  const validate = openApi.validator(`response:${what}:${status}`, content.schema);
  if (!validate(body)) {
    throw new Error(`${what}: the ${status} body does not match the documented schema:\n${describeErrors(validate)}`);
  }
}

/** Throws unless `body` matches the operation's documented JSON request body schema. */
export function expectRequestBodyToMatchSpec(method: string, pathTemplate: string, body: unknown): void {
  const openApi = bitbucketContract();
  const { template, operation } = openApi.operation(method, pathTemplate);
  const what = `${method.toUpperCase()} ${template} (${operation.operationId ?? 'no operationId'})`;
  const content = operation.requestBody?.content === undefined ? null : jsonContent(operation.requestBody.content);
  if (content === null) throw new Error(`${what}: the document declares no JSON request body`);
  if (content.schema === undefined) return;
  const validate = openApi.validator(`request:${what}`, content.schema);
  if (!validate(body)) {
    throw new Error(`${what}: the request body does not match the documented schema:\n${describeErrors(validate)}`);
  }
}

/** Throws unless `value` matches a named schema of `components.schemas` (e.g. `RestWebhook`). */
export function expectToMatchComponentSchema(name: string, value: unknown): void {
  const validate = bitbucketContract().componentValidator(name);
  if (!validate(value)) {
    throw new Error(`the value does not match components.schemas.${name}:\n${describeErrors(validate)}`);
  }
}
