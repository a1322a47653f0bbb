/**
 * gRPC service definitions for grpc-js straight from .proto files with protobufjs. Used instead of
 * @grpc/proto-loader, which also builds reflection descriptors nothing here uses and so about doubles
 * the time to load a protocol; Terraform starts a provider process several times per command.
 *
 * Decoded messages have snake_case field names, int64 as JS numbers, enums as numbers, absent fields
 * as their defaults (empty lists, maps and bytes; null messages), and a oneof's set member named by a
 * virtual field (e.g. `selector`).
 */
import { type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { Root, type IConversionOptions, type Type } from 'protobufjs';

const conversion: IConversionOptions = { longs: Number, enums: Number, defaults: true, oneofs: true };

function serializerFor(type: Type): (value: object) => Buffer {
  return (value) => Buffer.from(type.encode(type.fromObject(value)).finish());
}

function deserializerFor(type: Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), conversion);
}

/** Parses the .proto files once and returns the definitions of the named services (full names, e.g. `tfplugin6.Provider`). */
export function loadServiceDefinitions<Name extends string>(protoFiles: string[], serviceNames: readonly Name[]): Record<Name, ServiceDefinition> {
  const root = new Root().loadSync(protoFiles, { keepCase: true });
  const services = {} as Record<Name, ServiceDefinition>;
  for (const serviceName of serviceNames) {
    const service = root.lookupService(serviceName);
    const definition: Record<string, MethodDefinition<object, object>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = method.resolvedRequestType as Type;
      const responseType = method.resolvedResponseType as Type;
      definition[method.name] = {
        path: `/${serviceName}/${method.name}`,
        requestStream: method.requestStream === true,
        responseStream: method.responseStream === true,
        requestSerialize: serializerFor(requestType),
        requestDeserialize: deserializerFor(requestType),
        responseSerialize: serializerFor(responseType),
        responseDeserialize: deserializerFor(responseType),
        originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
      };
    }
    services[serviceName] = definition;
  }
  return services;
}
