/**
 * The `tfplugin6.Provider` gRPC service for a provider definition. Deliberately thin: decode the
 * request's values, call the framework (framework/provider-server.ts), encode the answer. Nothing
 * thrown ever crosses the wire: a surprise becomes an error diagnostic saying it is a provider bug.
 */
import { type handleUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { decodeCtyValue, encodeCtyValue } from './cty/msgpack';
import { CtyCodecError } from './cty/path';
import { type CtyType, type CtyValue } from './cty/types';
import { errorDiagnostic, formatPath, thrownDiagnostic, type AttributePath, type Diagnostic } from './framework/diagnostics';
import { type ProviderDefinition } from './framework/definitions';
import { type ObjectValue } from './framework/planning';
import { ProviderServer, type PlanPrivate } from './framework/provider-server';
import { objectTypeOf, type Schema } from './framework/schema';
import { ctyValueFromJson } from './framework/state-json';
import { createLogger, type Logger } from './logging';
import { type PluginService } from './serve';
import {
  diagnosticSeverity,
  plainText,
  tfplugin6ProviderService,
  type AttributePathMessage,
  type DiagnosticMessage,
  type DynamicValue,
  type RawState,
  type SchemaMessage,
  type ServerCapabilities,
} from './tfplugin6';

const serverCapabilities: ServerCapabilities = {
  // Lets resources warn in the plan before they are destroyed (modifyPlan is called for destroys).
  plan_destroy: true,
  // Schemas are built from the definitions in every process, so Terraform may reuse a cached copy and
  // skip GetProviderSchema in later provider processes of the same command (a faster start).
  get_provider_schema_optional: true,
  move_resource_state: false,
};

function pathToProto(path: AttributePath): AttributePathMessage {
  return {
    steps: path.map((step) =>
      'attribute' in step ? { attribute_name: step.attribute } : 'key' in step ? { element_key_string: step.key } : { element_key_int: step.index },
    ),
  };
}

export function diagnosticsToProto(diagnostics: readonly Diagnostic[]): DiagnosticMessage[] {
  return diagnostics.map((diagnostic) => ({
    severity: diagnostic.severity === 'error' ? diagnosticSeverity.error : diagnosticSeverity.warning,
    summary: diagnostic.summary,
    detail: diagnostic.detail,
    ...(diagnostic.path === undefined || diagnostic.path.length === 0 ? {} : { attribute: pathToProto(diagnostic.path) }),
  }));
}

/** The attribute's description as users read it, including why it forces replacement. */
function attributeDescription(description: string, requiresReplace: string | undefined): string {
  return requiresReplace === undefined ? description : `${description} Changing it destroys and re-creates the object: ${requiresReplace}`;
}

export function schemaToProto(schema: Schema): SchemaMessage {
  return {
    version: schema.version ?? 0,
    block: {
      version: schema.version ?? 0,
      attributes: Object.entries(schema.attributes).map(([name, definition]) => ({
        name,
        type: Buffer.from(JSON.stringify(definition.type)),
        description: attributeDescription(definition.description, definition.requiresReplace),
        required: definition.required,
        optional: definition.optional,
        computed: definition.computed,
        sensitive: definition.sensitive,
        description_kind: plainText,
        deprecated: definition.deprecated !== undefined,
        write_only: definition.writeOnly,
      })),
      block_types: [],
      description: schema.description,
      description_kind: plainText,
      deprecated: false,
    },
  };
}

/**
 * A value from Terraform this provider cannot read, e.g. a configured number with more digits than a
 * JavaScript number carries. Reported on the attribute, and not as a provider bug: the configuration
 * can avoid it.
 */
class UnreadableValueError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.detail);
  }
}

/** A DynamicValue as a cty value: msgpack when present, else JSON, else null (Terraform's own rule). */
function decodeDynamic(value: DynamicValue | null | undefined, type: CtyType): CtyValue {
  try {
    if (value?.msgpack !== undefined && value.msgpack.length > 0) return decodeCtyValue(value.msgpack, type);
    if (value?.json !== undefined && value.json.length > 0) return ctyValueFromJson(JSON.parse(Buffer.from(value.json).toString('utf8')), type);
    return null;
  } catch (error) {
    if (error instanceof CtyCodecError && error.path.length > 0) {
      const path = error.path as AttributePath;
      throw new UnreadableValueError(errorDiagnostic('Unsupported value', `The provider cannot read ${formatPath(path)}: ${error.problem}.`, path));
    }
    throw error;
  }
}

function decodeObject(value: DynamicValue | null | undefined, schema: Schema): ObjectValue | null {
  return decodeDynamic(value, objectTypeOf(schema)) as ObjectValue | null;
}

function encodeObject(value: ObjectValue | null, schema: Schema): DynamicValue {
  return { msgpack: Buffer.from(encodeCtyValue(value, objectTypeOf(schema))) };
}

/** Private state is opaque to the framework: whatever came in goes back out. */
function bytes(value: Buffer | Uint8Array | null | undefined): Buffer {
  return value === null || value === undefined ? Buffer.alloc(0) : Buffer.from(value);
}

/** A plan's private data: `{"replacing":true}` for a planned replacement, nothing otherwise. */
function encodePlanPrivate(plan: PlanPrivate): Buffer {
  return plan.replacing ? Buffer.from(JSON.stringify(plan)) : Buffer.alloc(0);
}

function decodePlanPrivate(value: Buffer | Uint8Array | null | undefined): PlanPrivate {
  try {
    return { replacing: (JSON.parse(bytes(value).toString('utf8')) as { replacing?: unknown }).replacing === true };
  } catch {
    return { replacing: false };
  }
}

// The request shapes below are what proto-services.ts decodes (snake_case fields, defaults filled in).
interface TypedConfigRequest {
  type_name: string;
  config: DynamicValue | null;
}

type Handler = (request: never) => Promise<object>;

/**
 * Builds the gRPC service for a provider. Throws at once when the definition is invalid (a schema
 * Terraform would reject), so a broken provider fails its own tests instead of a user's plan.
 */
export function providerService(provider: ProviderDefinition, { logger = createLogger(provider.typeName) }: { logger?: Logger } = {}): PluginService {
  const server = new ProviderServer(provider);
  const resourceSchema = (typeName: string): Schema => {
    const schema = server.resourceSchema(typeName);
    if (schema === undefined) throw new Error(`this provider has no resource type "${typeName}"`);
    return schema;
  };
  const dataSourceSchema = (typeName: string): Schema => {
    const schema = server.dataSourceSchema(typeName);
    if (schema === undefined) throw new Error(`this provider has no data source "${typeName}"`);
    return schema;
  };

  let schemaResponse: object | undefined;
  const unsupported = (what: string) => ({ diagnostics: diagnosticsToProto([errorDiagnostic(`${what} not supported`, `The ${provider.typeName} provider does not support ${what}.`)]) });

  const handlers: Record<string, Handler> = {
    GetMetadata: async () => ({
      server_capabilities: serverCapabilities,
      diagnostics: [],
      resources: server.resourceDefinitions().map((resource) => ({ type_name: resource.typeName })),
      data_sources: server.dataSourceDefinitions().map((dataSource) => ({ type_name: dataSource.typeName })),
    }),

    GetProviderSchema: async () => {
      schemaResponse ??= {
        provider: schemaToProto(provider.schema),
        resource_schemas: Object.fromEntries(server.resourceDefinitions().map((resource) => [resource.typeName, schemaToProto(resource.schema)])),
        data_source_schemas: Object.fromEntries(server.dataSourceDefinitions().map((dataSource) => [dataSource.typeName, schemaToProto(dataSource.schema)])),
        functions: {},
        ephemeral_resource_schemas: {},
        diagnostics: [],
        server_capabilities: serverCapabilities,
      };
      return schemaResponse;
    },

    ValidateProviderConfig: async (request: { config: DynamicValue | null }) => ({
      diagnostics: diagnosticsToProto(await server.validateProviderConfig(decodeObject(request.config, provider.schema) ?? {})),
    }),

    ConfigureProvider: async (request: { terraform_version: string; config: DynamicValue | null }) => ({
      diagnostics: diagnosticsToProto(await server.configure(decodeObject(request.config, provider.schema) ?? {}, request.terraform_version)),
    }),

    ValidateResourceConfig: async (request: TypedConfigRequest) => ({
      diagnostics: diagnosticsToProto(
        await server.validateResourceConfig(request.type_name, decodeObject(request.config, resourceSchema(request.type_name)) ?? {}),
      ),
    }),

    ValidateDataResourceConfig: async (request: TypedConfigRequest) => ({
      diagnostics: diagnosticsToProto(
        await server.validateDataSourceConfig(request.type_name, decodeObject(request.config, dataSourceSchema(request.type_name)) ?? {}),
      ),
    }),

    UpgradeResourceState: async (request: { type_name: string; version: number; raw_state: RawState | null }) => {
      const schema = resourceSchema(request.type_name);
      const json = request.raw_state?.json;
      if (json === undefined || json.length === 0) {
        // Only providers from before Terraform 0.12 stored the legacy "flatmap" form.
        return { diagnostics: diagnosticsToProto([errorDiagnostic('Unsupported state format', 'The stored state is in the legacy flatmap format, which this provider cannot read.')]) };
      }
      const result = await server.upgradeResourceState(request.type_name, request.version, Buffer.from(json).toString('utf8'));
      return { upgraded_state: encodeObject(result.state, schema), diagnostics: diagnosticsToProto(result.diagnostics) };
    },

    ReadResource: async (request: { type_name: string; current_state: DynamicValue | null; private: Buffer }) => {
      const schema = resourceSchema(request.type_name);
      const current = decodeObject(request.current_state, schema);
      if (current === null) return { new_state: encodeObject(null, schema), diagnostics: [], private: bytes(request.private) };
      const result = await server.readResource(request.type_name, current);
      return { new_state: encodeObject(result.state, schema), diagnostics: diagnosticsToProto(result.diagnostics), private: bytes(request.private) };
    },

    PlanResourceChange: async (request: {
      type_name: string;
      prior_state: DynamicValue | null;
      proposed_new_state: DynamicValue | null;
      config: DynamicValue | null;
      prior_private: Buffer;
    }) => {
      const schema = resourceSchema(request.type_name);
      const prior = decodeObject(request.prior_state, schema);
      const result = await server.planResourceChange(
        request.type_name,
        prior,
        decodeObject(request.proposed_new_state, schema),
        decodeObject(request.config, schema),
      );
      // Terraform plans a replacement in two calls: the change (requires_replace), then the new object with no prior
      // state and the first call's private data; the change keeps the second call's, so that call passes it on.
      const replacing = result.requiresReplace.length > 0 || (prior === null && decodePlanPrivate(request.prior_private).replacing);
      return {
        planned_state: encodeObject(result.planned, schema),
        requires_replace: result.requiresReplace.map(pathToProto),
        planned_private: encodePlanPrivate({ replacing }),
        diagnostics: diagnosticsToProto(result.diagnostics),
      };
    },

    ApplyResourceChange: async (request: {
      type_name: string;
      prior_state: DynamicValue | null;
      planned_state: DynamicValue | null;
      config: DynamicValue | null;
      planned_private: Buffer;
    }) => {
      const schema = resourceSchema(request.type_name);
      const result = await server.applyResourceChange(
        request.type_name,
        decodeObject(request.prior_state, schema),
        decodeObject(request.planned_state, schema),
        decodeObject(request.config, schema),
        decodePlanPrivate(request.planned_private),
      );
      // The plan's private data is about the apply only: nothing is kept in the state.
      return { new_state: encodeObject(result.state, schema), private: Buffer.alloc(0), diagnostics: diagnosticsToProto(result.diagnostics) };
    },

    ImportResourceState: async (request: { type_name: string; id: string }) => {
      const schema = resourceSchema(request.type_name);
      const result = await server.importResourceState(request.type_name, request.id);
      return {
        imported_resources: result.state === null ? [] : [{ type_name: request.type_name, state: encodeObject(result.state, schema), private: Buffer.alloc(0) }],
        diagnostics: diagnosticsToProto(result.diagnostics),
      };
    },

    MoveResourceState: async () => unsupported('moving resource state between resource types'),

    ReadDataSource: async (request: TypedConfigRequest) => {
      const schema = dataSourceSchema(request.type_name);
      const result = await server.readDataSource(request.type_name, decodeObject(request.config, schema) ?? {});
      return { state: encodeObject(result.state, schema), diagnostics: diagnosticsToProto(result.diagnostics) };
    },

    // The provider declares no ephemeral resources and no functions, so Terraform 1.11 never calls these.
    ValidateEphemeralResourceConfig: async () => unsupported('ephemeral resources'),
    OpenEphemeralResource: async () => unsupported('ephemeral resources'),
    RenewEphemeralResource: async () => unsupported('ephemeral resources'),
    CloseEphemeralResource: async () => unsupported('ephemeral resources'),
    GetFunctions: async () => ({ functions: {}, diagnostics: [] }),
    CallFunction: async (request: { name: string }) => ({ error: { text: `The ${provider.typeName} provider has no function "${request.name}".` } }),

    StopProvider: async () => {
      server.stop();
      return { Error: '' };
    },
  };

  /** What an RPC answers when its handler failed unexpectedly: diagnostics, or the error field of the two RPCs without them. */
  const failureResponse = (method: string, error: unknown): object => {
    const diagnostic = error instanceof UnreadableValueError ? error.diagnostic : thrownDiagnostic(`the ${method} request`, error);
    if (method === 'CallFunction') return { error: { text: `${diagnostic.summary}: ${diagnostic.detail}` } };
    if (method === 'StopProvider') return { Error: diagnostic.detail };
    return { diagnostics: diagnosticsToProto([diagnostic]) };
  };

  const implementation: UntypedServiceImplementation = Object.fromEntries(
    Object.entries(handlers).map(([method, handler]): [string, handleUnaryCall<unknown, object>] => [
      method,
      (call, callback) => {
        const started = performance.now();
        const typeName = (call.request as { type_name?: string }).type_name;
        handler(call.request as never)
          .catch((error: unknown) => {
            logger.error('request failed', { rpc: method, type: typeName, error });
            return failureResponse(method, error);
          })
          .then((response) => {
            if (logger.enabled('trace')) logger.trace('served', { rpc: method, type: typeName, ms: Math.round(performance.now() - started) });
            callback(null, response);
          });
      },
    ]),
  );

  return { definition: tfplugin6ProviderService(), implementation };
}
