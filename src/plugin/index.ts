/**
 * The Terraform plugin runtime's public surface for the providers in src/terraform/: the framework to
 * define a provider, and what it takes to serve one (used by src/cli/provider.ts).
 */
export * from './framework';
export { providerService } from './provider-service';
export { servePlugin, type PluginService } from './serve';
export { createLogger, type Logger } from './logging';
