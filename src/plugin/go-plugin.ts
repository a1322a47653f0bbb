/**
 * go-plugin's auxiliary gRPC services, which every plugin serves next to its own: the controller
 * (Shutdown), stdio forwarding and the health check.
 */
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { loadServiceDefinitions } from './proto-services';

/** The health service name go-plugin's Client.Ping() checks (GRPCServiceName). */
export const healthServiceName = 'plugin';

const servingStatus = { SERVING: 1, SERVICE_UNKNOWN: 3 } as const;

interface GoPluginDefinitions {
  controller: grpc.ServiceDefinition;
  stdio: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

function loadDefinitions(): GoPluginDefinitions {
  // protobufjs directly rather than @grpc/proto-loader: half the load time, paid at every provider start.
  const services = loadServiceDefinitions(
    [join(__dirname, 'proto', 'go-plugin.proto'), join(__dirname, 'proto', 'health.proto')],
    ['plugin.GRPCController', 'plugin.GRPCStdio', 'grpc.health.v1.Health'] as const,
  );
  return {
    controller: services['plugin.GRPCController'],
    stdio: services['plugin.GRPCStdio'],
    health: services['grpc.health.v1.Health'],
  };
}

export interface GoPluginServiceOptions {
  /** Called after the Shutdown response has been handed to grpc-js; expected to end the process soon. */
  onShutdown: () => void;
}

/** The controller, stdio and health services with their implementations, ready for Server.addService. */
export function goPluginServices(options: GoPluginServiceOptions): Array<{
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}> {
  const definitions = loadDefinitions();
  const healthStatus = (service: string) =>
    service === '' || service === healthServiceName ? servingStatus.SERVING : servingStatus.SERVICE_UNKNOWN;
  return [
    {
      definition: definitions.controller,
      implementation: {
        Shutdown: (_call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
          callback(null, {});
          options.onShutdown();
        },
      },
    },
    {
      definition: definitions.stdio,
      implementation: {
        // Nothing to forward: the runtime sends anything written to stdout to stderr, which go-plugin already
        // reads line by line into Terraform's log. Ending the stream at once is the documented "no stdio" answer.
        StreamStdio: (call: grpc.ServerWritableStream<object, object>) => {
          call.end();
        },
      },
    },
    {
      definition: definitions.health,
      implementation: {
        Check: (
          call: grpc.ServerUnaryCall<{ service: string }, object>,
          callback: grpc.sendUnaryData<{ status: number }>,
        ) => {
          callback(null, { status: healthStatus(call.request.service) });
        },
        // The status never changes while the process lives, so Watch sends it once and keeps the stream
        // open until the client goes away, as the health protocol asks.
        Watch: (call: grpc.ServerWritableStream<{ service: string }, { status: number }>) => {
          call.write({ status: healthStatus(call.request.service) });
        },
      },
    },
  ];
}
