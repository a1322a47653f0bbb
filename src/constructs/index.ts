export * from './space';
export * from './integration';
export * from './stack';
export * from './module';
export { WebhookEvent } from './webhook-events';
export * from './vcs-agent-pool';
