/**
 * The tfplugin6 protocol (version 6.8, Terraform 1.11) loaded from proto/tfplugin6.proto, and the
 * TypeScript shapes of its messages as decoded here (snake_case field names, int64 as JS numbers, enums
 * as numbers, absent fields as their defaults, a `selector` naming the set member of a oneof).
 *
 * Loaded with protobufjs directly rather than @grpc/proto-loader: proto-loader also builds reflection
 * descriptors nobody here uses, which doubled the time to load the protocol, and Terraform starts a
 * provider process several times per command (every start is measured by bench:provider).
 */
import { join } from 'node:path';
import { type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { Root, type IConversionOptions, type Type } from 'protobufjs';

const conversion: IConversionOptions = { longs: Number, enums: Number, defaults: true, oneofs: true };

function serializerFor(type: Type): (value: object) => Buffer {
  return (value) => Buffer.from(type.encode(type.fromObject(value)).finish());
}

function deserializerFor(type: Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), conversion);
}

let providerService: ServiceDefinition | undefined;

/** The `tfplugin6.Provider` service definition for grpc-js; the .proto is parsed once per process, on first use. */
export function tfplugin6ProviderService(): ServiceDefinition {
  if (providerService === undefined) {
    const root = new Root().loadSync(join(__dirname, 'proto', 'tfplugin6.proto'), { keepCase: true });
    const service = root.lookupService('tfplugin6.Provider');
    const definition: Record<string, MethodDefinition<object, object>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = method.resolvedRequestType as Type;
      const responseType = method.resolvedResponseType as Type;
      definition[method.name] = {
        path: `/tfplugin6.Provider/${method.name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: serializerFor(requestType),
        requestDeserialize: deserializerFor(requestType),
        responseSerialize: serializerFor(responseType),
        responseDeserialize: deserializerFor(responseType),
        originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
      };
    }
    providerService = definition;
  }
  return providerService;
}

export interface DynamicValue {
  msgpack?: Buffer | Uint8Array;
  json?: Buffer | Uint8Array;
}

/** Diagnostic.Severity values. */
export const diagnosticSeverity = { error: 1, warning: 2 } as const;

export type AttributePathStep = { attribute_name: string } | { element_key_string: string } | { element_key_int: number };

export interface AttributePathMessage {
  steps: AttributePathStep[];
}

export interface DiagnosticMessage {
  severity: (typeof diagnosticSeverity)[keyof typeof diagnosticSeverity];
  summary: string;
  detail: string;
  attribute?: AttributePathMessage;
}

export interface ClientCapabilities {
  deferral_allowed: boolean;
  write_only_attributes_allowed: boolean;
}

/** StringKind.PLAIN: descriptions are plain text. */
export const plainText = 0;

export interface SchemaAttributeMessage {
  name: string;
  type: Buffer;
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  description_kind: number;
  deprecated: boolean;
  write_only: boolean;
}

export interface SchemaMessage {
  version: number;
  block: {
    version: number;
    attributes: SchemaAttributeMessage[];
    block_types: never[];
    description: string;
    description_kind: number;
    deprecated: boolean;
  };
}

export interface ServerCapabilities {
  plan_destroy: boolean;
  get_provider_schema_optional: boolean;
  move_resource_state: boolean;
}

export interface RawState {
  json: Buffer;
  flatmap: Record<string, string>;
}
