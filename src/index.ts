// The public jsii surface of the package: CDKTF constructs and the generated provider bindings.
// Runtime parts (control plane, providers, emulator, clients) are reached through the `liftgate` CLI.
export * from './constructs';
export * from './providers';
