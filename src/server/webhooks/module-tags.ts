import { moduleRootProblem, versionOfTag } from '../../domain/modules';
import type { Module } from '../../domain/model';
import type { PushedTag, RepositoryRef } from '../../domain/runs';
import type { ServerContext } from '../context';
import { findIntegration } from '../store/integrations';
import { findModuleVersion, modulesOnRepository, recordModuleVersion, retractModuleVersion } from '../store/modules';

/** Reading a tagged commit's project root happens inside Bitbucket's webhook timeout: one quick retry at most. */
const LOOKUP_CLIENT = { retry: { maxRetries: 1, baseDelayMs: 100, maxDelayMs: 500, maxRetryAfterMs: 500, maxRateLimitWaitMs: 500 }, timeoutMs: 2_500 };

type RootCheck = (module: Module, commit: string) => Promise<string | null>;

/**
 * Why the project root of `module` at `commit` is not a Terraform module (no `.tf` file directly in it), or null when
 * it is; read from Bitbucket with the integration's credentials. A root Bitbucket cannot show is a reason too.
 */
function rootChecker(context: ServerContext, integration: { id: string; isDefault: boolean }): RootCheck {
  return async (module, commit) => {
    const stored = await findIntegration(context.db, integration.id);
    const bitbucket = stored === null ? { unavailable: 'the integration was deleted' } : context.bitbucketFor(stored, LOOKUP_CLIENT);
    if ('unavailable' in bitbucket) return `the code could not be read: ${bitbucket.unavailable}`;
    try {
      const entries = await bitbucket.client.content.directory(module.vcs.projectKey, module.vcs.repositorySlug, module.vcs.projectRoot, { commit });
      return moduleRootProblem(module.vcs.projectRoot, entries.filter((entry) => entry.type === 'FILE').map((entry) => entry.path.name));
    } catch (error) {
      const notFound = (error as { kind?: string }).kind === 'not-found';
      return notFound ? moduleRootProblem(module.vcs.projectRoot, []) : `the code could not be read from Bitbucket: ${(error as Error).message}`;
    } finally {
      bitbucket.client.close();
    }
  };
}

/** Publishes (or records as FAILED) the version a created tag names for one module; the delivery's note about it. */
async function publish(module: Module, pushed: PushedTag, version: string, checkRoot: RootCheck, context: ServerContext): Promise<string> {
  const problem = await checkRoot(module, pushed.commit);
  const recorded = await recordModuleVersion(context.db, { moduleId: module.id, version, tag: pushed.tag, commit: pushed.commit, reason: problem });
  if (recorded !== null) {
    return problem === null ? `module ${module.id} published version ${version}` : `module ${module.id} version ${version} FAILED: ${problem}`;
  }
  const held = await findModuleVersion(context.db, module.id, version);
  if (held !== null && held.tag === pushed.tag && held.commit === pushed.commit) return `module ${module.id} already has version ${version} from tag "${pushed.tag}"`;
  return `tag "${pushed.tag}" refused for module ${module.id}: version ${version} is already published from tag "${held?.tag}"`;
}

/**
 * What created and deleted tags do to the modules on the repository that this integration serves (SPEC §10): a
 * semver tag publishes a version at its commit (FAILED with the reason when its project root holds no `.tf` file), a
 * second tag of the same version is refused, a deleted tag retracts the version it published, and a tag that is not
 * semver is ignored. Returns one note per outcome, for the delivery's reason.
 */
export async function applyModuleTags(
  context: ServerContext,
  integration: { id: string; isDefault: boolean },
  repository: RepositoryRef,
  tags: readonly PushedTag[],
): Promise<string[]> {
  if (tags.length === 0) return [];
  const modules = await modulesOnRepository(context.db, integration, repository);
  if (modules.length === 0) return [];
  const checkRoot = rootChecker(context, integration);
  const notes: string[] = [];
  for (const pushed of tags) {
    const version = versionOfTag(pushed.tag);
    if (version === null) {
      notes.push(`tag "${pushed.tag}" ignored: not a semantic version (v1.2.3 or 1.2.3)`);
      continue;
    }
    for (const module of modules) {
      if (pushed.type === 'ADD') {
        notes.push(await publish(module, pushed, version, checkRoot, context));
        continue;
      }
      const retracted = await retractModuleVersion(context.db, module.id, pushed.tag, `tag "${pushed.tag}" was deleted`);
      if (retracted !== null) notes.push(`module ${module.id} retracted version ${retracted.version}`);
    }
  }
  return notes;
}
