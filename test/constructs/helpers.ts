import { App, TerraformStack, Testing } from 'cdktf';
import { bitbucketdc, liftgate } from '../../src';

/** A Terraform stack with both providers configured, as a user's app has it. */
export function newStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'test');
  new liftgate.provider.LiftgateProvider(stack, 'liftgate', { endpoint: 'http://127.0.0.1:8710', apiKey: 'key' });
  new bitbucketdc.provider.BitbucketdcProvider(stack, 'bitbucketdc', { serverUrl: 'http://127.0.0.1:7990', token: 'token' });
  return stack;
}

/** Resources of one type in the synthesized stack, by logical id. */
export type SynthesizedResources = Record<string, Record<string, unknown>>;

export interface Synthesized {
  resource: Record<string, SynthesizedResources>;
  data?: Record<string, SynthesizedResources>;
}

export function synthesize(stack: TerraformStack): Synthesized {
  return JSON.parse(Testing.synth(stack, true)) as Synthesized;
}

/** The single resource of `type` (fails the test if there is not exactly one). */
export function onlyResource(synthesized: Synthesized, type: string): Record<string, unknown> {
  const resources = Object.values(synthesized.resource[type] ?? {});
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  return resources[0];
}

/** The message of the error `build` throws (fails if it does not throw). */
export function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}
