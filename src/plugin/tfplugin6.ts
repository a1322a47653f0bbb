/**
 * The tfplugin6 protocol (version 6.8, Terraform 1.11) loaded from proto/tfplugin6.proto, and the
 * TypeScript shapes of its messages as proto-services.ts decodes them.
 */
import { join } from 'node:path';
import { type ServiceDefinition } from '@grpc/grpc-js';
import { loadServiceDefinitions } from './proto-services';

let providerService: ServiceDefinition | undefined;

/** The `tfplugin6.Provider` service definition for grpc-js; the .proto is parsed once per process, on first use. */
export function tfplugin6ProviderService(): ServiceDefinition {
  providerService ??= loadServiceDefinitions([join(__dirname, 'proto', 'tfplugin6.proto')], ['tfplugin6.Provider'] as const)['tfplugin6.Provider'];
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
