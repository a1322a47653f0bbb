import type { JSX } from 'preact';
import { DeliveryLogPage } from './pages/DeliveryLog';
import { IntegrationFormPage } from './pages/IntegrationForm';
import { SourceCodePage } from './pages/SourceCode';
import { SpacesPage } from './pages/Spaces';
import { StackFormPage } from './pages/StackForm';
import { RunPage } from './pages/Run';
import { StackPage } from './pages/Stack';
import { StacksPage } from './pages/Stacks';

/**
 * Every page of the console by path. The sections of the main navigation are the first path segments. A new page
 * (the run page at /stacks/:id/runs/:runId, say) is one more entry here.
 */
export interface Route {
  pattern: string;
  /** The document title (before " · Liftgate"). */
  title: string;
  render: (params: Record<string, string>) => JSX.Element;
}

export const routes: Route[] = [
  { pattern: '/source-code', title: 'Source code', render: () => <SourceCodePage /> },
  { pattern: '/source-code/new', title: 'Set up integration', render: () => <IntegrationFormPage /> },
  { pattern: '/source-code/:id/edit', title: 'Edit integration', render: ({ id }) => <IntegrationFormPage id={id} /> },
  { pattern: '/source-code/:id/deliveries', title: 'Delivery log', render: ({ id }) => <DeliveryLogPage id={id as string} /> },
  { pattern: '/stacks', title: 'Stacks', render: () => <StacksPage /> },
  { pattern: '/stacks/new', title: 'Create stack', render: () => <StackFormPage /> },
  { pattern: '/stacks/:id', title: 'Stack', render: ({ id }) => <StackPage id={id as string} /> },
  { pattern: '/stacks/:id/runs/:runId', title: 'Run', render: ({ id, runId }) => <RunPage stackId={id as string} runId={runId as string} /> },
  { pattern: '/spaces', title: 'Spaces', render: () => <SpacesPage /> },
];

/** The main navigation: label and the path prefix it stands for. */
export const sections = [
  { label: 'Source code', path: '/source-code' },
  { label: 'Stacks', path: '/stacks' },
  { label: 'Spaces', path: '/spaces' },
];

/** Where `/` leads. */
export const HOME = '/source-code';
