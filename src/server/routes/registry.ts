import { z } from 'zod';
import { ApiError } from '../../clients/errors';
import { compareVersionsDescending } from '../../domain/modules';
import type { Module, ModuleVersion } from '../../domain/model';
import { bearerAuth, type RoutePlugin, type ServerContext } from '../context';
import { BadGatewayError, NotFoundError } from '../errors';
import { errorResponses, registryParams, registryVersionParams } from '../schemas';
import { ArchiveCache } from './archive-cache';
import { findDefaultIntegration, findIntegration } from '../store/integrations';
import { findModuleWithVersions, type ModuleKey } from '../store/modules';

/**
 * Terraform's module registry protocol (SPEC §10): service discovery, the versions of a module and where to download
 * one. `terraform init` sends the API key of a `credentials "<host>"` block as a Bearer token; a key that cannot read
 * the module's space gets 404, as for a module that does not exist.
 */

const tags = ['registry'];
export const REGISTRY_BASE = '/registry/modules/v1/';

/** Download links are good for this long: `terraform init` follows them at once. */
const LINK_LIFETIME_MS = 10 * 60 * 1000;
/** The largest module archive streamed from Bitbucket. */
const MAX_MODULE_ARCHIVE_BYTES = 256 * 1024 * 1024;
/** Archives kept in memory after their first download: 64 MiB in all, none over 4 MiB (modules are small). */
const ARCHIVE_CACHE_BYTES = 64 * 1024 * 1024;
const ARCHIVE_CACHE_ENTRY_BYTES = 4 * 1024 * 1024;
const LINK_CONTEXT = 'liftgate:module-archive-link';

const versionsAnswer = z.object({ modules: z.array(z.object({ versions: z.array(z.object({ version: z.string() })) })) });
const archiveParams = z.object({
  moduleId: z.string().min(1).max(200),
  version: z.string().min(1).max(200),
  expiresAt: z.coerce.number().int(),
  signature: z.string().min(1).max(100),
});

/** What a download link grants: the archive of this version of this module at this commit, until `expiresAt` (ms). */
interface ArchiveLink {
  moduleId: string;
  version: string;
  commit: string;
  expiresAt: number;
}

function linkData(link: ArchiveLink): string {
  return JSON.stringify([link.moduleId, link.version, link.commit, link.expiresAt]);
}

/**
 * Terraform sends no credentials when it follows X-Terraform-Get (hashicorp/terraform#28659), so the archive URL
 * carries its own authority: the module, version, commit and expiry, signed with a key derived from the control
 * plane's. The commit is signed but not in the URL: a version tagged again at another commit invalidates its links.
 */
function archivePath(context: ServerContext, link: ArchiveLink): string {
  const signature = context.secrets.sign(linkData(link), LINK_CONTEXT);
  const parts = [link.moduleId, link.version, String(link.expiresAt), signature].map(encodeURIComponent);
  return `${REGISTRY_BASE}archives/${parts.join('/')}/module.tar.gz`;
}

/**
 * A module with its versions (only `version`, when given), or null. Every registry request reads one, so it is kept
 * in the context's reads until a module or a version changes (a retracted tag, a detached module, a deleted module).
 * A module or version that does not exist is not kept: made-up addresses and links cannot push real ones out.
 */
function moduleWithVersions(context: ServerContext, key: ModuleKey, version?: string): Promise<{ module: Module; versions: ModuleVersion[] } | null> {
  return context.reads.get(
    `module ${JSON.stringify([key, version ?? null])}`,
    () => findModuleWithVersions(context.db, key, version),
    (found) => found !== null && (version === undefined || found.versions.length > 0),
  );
}

/**
 * The module at a registry address with its versions (only `version`, when given) if the caller may read it; 404
 * otherwise (existence does not leak).
 */
async function readableModule(
  context: ServerContext,
  request: Parameters<ServerContext['authenticate']>[0],
  params: z.infer<typeof registryParams>,
  version?: string,
): Promise<{ module: Module; versions: ModuleVersion[] }> {
  const caller = await context.authenticate(request);
  const found = await moduleWithVersions(context, { spaceId: params.spaceId, name: params.name, provider: params.provider }, version);
  if (found === null || !caller.can('read', found.module.spaceId)) {
    throw new NotFoundError(`module ${params.spaceId}/${params.name}/${params.provider} not found`);
  }
  return found;
}

/** `subdir` of a tar.gz source: Terraform extracts the archive and uses this directory of it (go-getter's `//`). */
function subdirectory(projectRoot: string): string {
  return projectRoot === '' ? '' : `//${projectRoot.split('/').map(encodeURIComponent).join('/')}`;
}

export const registryRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;
  const archives = new ArchiveCache(ARCHIVE_CACHE_BYTES, ARCHIVE_CACHE_ENTRY_BYTES);

  app.get(
    '/.well-known/terraform.json',
    { schema: { summary: "Terraform's service discovery: where the module registry is", tags, response: { 200: z.object({ 'modules.v1': z.string() }) } } },
    async () => ({ 'modules.v1': REGISTRY_BASE }),
  );

  app.get(
    `${REGISTRY_BASE}:spaceId/:name/:provider/versions`,
    {
      schema: {
        summary: "A module's ACTIVE versions (read on its space)",
        tags,
        security: bearerAuth,
        params: registryParams,
        response: { 200: versionsAnswer, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { versions: all } = await readableModule(context, request, request.params);
      const active = all.filter((version) => version.state === 'ACTIVE');
      const versions = active.map((version) => version.version).sort(compareVersionsDescending);
      return { modules: [{ versions: versions.map((version) => ({ version })) }] };
    },
  );

  app.get(
    `${REGISTRY_BASE}:spaceId/:name/:provider/:version/download`,
    {
      schema: {
        summary: 'Where to download an ACTIVE version: 204 with X-Terraform-Get, a link to its archive good for 10 minutes',
        tags,
        security: bearerAuth,
        params: registryVersionParams,
        response: { 204: z.undefined(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { module: found, versions } = await readableModule(context, request, request.params, request.params.version);
      const [version] = versions;
      if (version === undefined || version.state !== 'ACTIVE') {
        throw new NotFoundError(`module ${request.params.spaceId}/${found.name}/${found.terraformProvider} has no version ${request.params.version}`);
      }
      const link = { moduleId: found.id, version: version.version, commit: version.commit, expiresAt: Date.now() + LINK_LIFETIME_MS };
      reply.header('x-terraform-get', `${archivePath(context, link)}${subdirectory(found.vcs.projectRoot)}`);
      return reply.code(204).send();
    },
  );

  app.get(
    `${REGISTRY_BASE}archives/:moduleId/:version/:expiresAt/:signature/module.tar.gz`,
    {
      schema: {
        summary: "A version's code: the archive (tar.gz) of its commit's project root, streamed from Bitbucket (then kept: a commit never changes); the link is the authority",
        tags,
        params: archiveParams,
      },
    },
    async (request, reply) => {
      const { link, found } = await openLink(context, request.params, Date.now());
      const noIntegration = () => new NotFoundError(`module "${found.id}" has no integration to read its code with`);
      // Checked before the cache too, so whether a detached module's archive is served does not depend on what was kept.
      if (found.detached) throw noIntegration();
      const key = JSON.stringify([found.vcs.integrationId, found.vcs.projectKey, found.vcs.repositorySlug, link.commit, found.vcs.projectRoot]);
      const kept = archives.get(key);
      reply.header('content-type', 'application/gzip');
      if (kept !== undefined) return reply.code(200).send(kept);
      const integration = found.vcs.integrationId === null ? await findDefaultIntegration(db) : await findIntegration(db, found.vcs.integrationId);
      if (integration === null) throw noIntegration();
      const bitbucket = context.bitbucketFor(integration);
      if ('unavailable' in bitbucket) throw new BadGatewayError(`the Bitbucket of integration "${integration.name}" cannot be reached: ${bitbucket.unavailable}`);
      try {
        const answer = await bitbucket.client.content.archive(found.vcs.projectKey, found.vcs.repositorySlug, {
          commit: link.commit,
          format: 'tar.gz',
          ...(found.vcs.projectRoot === '' ? {} : { paths: [found.vcs.projectRoot] }),
          maxBytes: MAX_MODULE_ARCHIVE_BYTES,
        });
        answer.body.once('close', () => bitbucket.client.close());
        return reply.code(200).send(archives.keepWhileStreaming(key, answer.body));
      } catch (error) {
        bitbucket.client.close();
        if (!(error instanceof ApiError)) throw error;
        throw new BadGatewayError(`the Bitbucket of integration "${integration.name}" did not give the archive of ${link.commit}: ${error.message}`);
      }
    },
  );
};

/**
 * The module of a download link, if the link is one this control plane signed, has not expired, and its version is
 * still ACTIVE at the same commit (a retracted or re-tagged version is gone); 404 otherwise.
 */
async function openLink(context: ServerContext, params: z.infer<typeof archiveParams>, now: number): Promise<{ link: ArchiveLink; found: Module }> {
  const found = await moduleWithVersions(context, { id: params.moduleId }, params.version);
  const version = found?.versions[0];
  const link = { moduleId: params.moduleId, version: params.version, commit: version?.commit ?? '', expiresAt: params.expiresAt };
  if (found === null || version === undefined || !context.secrets.verify(linkData(link), LINK_CONTEXT, params.signature)) {
    throw new NotFoundError('no such module archive (the link is not one this control plane made, or its version was tagged again)');
  }
  if (link.expiresAt < now) throw new NotFoundError('the module archive link has expired: run terraform init again');
  if (version.state !== 'ACTIVE') throw new NotFoundError(`module version ${link.version} is no longer published (${version.reason})`);
  return { link, found: found.module };
}
