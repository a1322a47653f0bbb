import type { Module, ModuleVersion, ModuleVersionState } from '../../domain/model';
import type { Queryable } from './database';
import { isoTimestamp, labelSet } from './rows';
import { integrationServesSql } from './serving';

interface ModuleRow {
  id: string;
  name: string;
  terraform_provider: string;
  space_id: string;
  integration_id: string | null;
  detached: boolean;
  project_key: string;
  repository_slug: string;
  branch: string;
  project_root: string;
  labels: string[];
  description: string;
  /** Date as a column, an ISO string inside JSON (findModuleWithVersions). */
  created_at: Date | string;
  updated_at: Date | string;
}

interface VersionRow {
  module_id: string;
  version: string;
  tag: string;
  commit_id: string;
  state: ModuleVersionState;
  reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function toModule(row: ModuleRow): Module {
  return {
    id: row.id,
    name: row.name,
    terraformProvider: row.terraform_provider,
    spaceId: row.space_id,
    vcs: {
      integrationId: row.integration_id,
      projectKey: row.project_key,
      repositorySlug: row.repository_slug,
      branch: row.branch,
      projectRoot: row.project_root,
    },
    labels: labelSet(row.labels),
    description: row.description,
    detached: row.detached,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

function toVersion(row: VersionRow): ModuleVersion {
  return {
    moduleId: row.module_id,
    version: row.version,
    tag: row.tag,
    commit: row.commit_id,
    state: row.state,
    reason: row.reason,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

/** The stored, writable fields of a module (name and terraformProvider are written once, by insertModule). */
export type ModuleFields = Pick<Module, 'name' | 'terraformProvider' | 'spaceId' | 'vcs' | 'labels' | 'description' | 'detached'>;

export async function findModule(db: Queryable, id: string): Promise<Module | null> {
  const [row] = await db.query<ModuleRow>('SELECT * FROM modules WHERE id = $1', [id]);
  return row === undefined ? null : toModule(row);
}

export async function listModules(db: Queryable): Promise<Module[]> {
  return (await db.query<ModuleRow>('SELECT * FROM modules ORDER BY created_at, id')).map(toModule);
}

/** The attached modules of a repository that an integration serves (a tag pushed there publishes their versions). */
export async function modulesOnRepository(
  db: Queryable,
  integration: { id: string; isDefault: boolean },
  repository: { projectKey: string; repositorySlug: string },
): Promise<Module[]> {
  const rows = await db.query<ModuleRow>(
    `SELECT * FROM modules m WHERE ${integrationServesSql('m', { id: '$1', isDefault: '$2' })}
       AND lower(m.project_key) = lower($3) AND lower(m.repository_slug) = lower($4) ORDER BY id`,
    [integration.id, integration.isDefault, repository.projectKey, repository.repositorySlug],
  );
  return rows.map(toModule);
}

function moduleParameters(id: string, fields: ModuleFields): unknown[] {
  return [
    id,
    fields.spaceId,
    fields.vcs.integrationId,
    fields.detached,
    fields.vcs.projectKey,
    fields.vcs.repositorySlug,
    fields.vcs.branch,
    fields.vcs.projectRoot,
    labelSet(fields.labels),
    fields.description,
  ];
}

/** Inserts a module; a module already at its address (space, name, provider) is a unique violation (modules_address). */
export async function insertModule(db: Queryable, id: string, fields: ModuleFields): Promise<Module> {
  const [row] = await db.query<ModuleRow>(
    `INSERT INTO modules (id, space_id, integration_id, detached, project_key, repository_slug, branch, project_root,
                          labels, description, name, terraform_provider)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11, $12) RETURNING *`,
    [...moduleParameters(id, fields), fields.name, fields.terraformProvider],
  );
  return toModule(row as ModuleRow);
}

export async function updateModule(db: Queryable, id: string, fields: ModuleFields): Promise<Module | null> {
  const [row] = await db.query<ModuleRow>(
    `UPDATE modules SET space_id = $2, integration_id = $3, detached = $4, project_key = $5, repository_slug = $6,
            branch = $7, project_root = $8, labels = $9::text[], description = $10, updated_at = now()
     WHERE id = $1 RETURNING *`,
    moduleParameters(id, fields),
  );
  return row === undefined ? null : toModule(row);
}

export async function deleteModule(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM modules WHERE id = $1 RETURNING id', [id])).length > 0;
}

/** Detaches every module the integration serves; run in the transaction that deletes the integration. */
export async function detachModulesOfIntegration(
  db: Queryable,
  integration: { id: string; isDefault: boolean },
): Promise<{ id: string; name: string }[]> {
  return db.query<{ id: string; name: string }>(
    `WITH detached AS (
       UPDATE modules m SET integration_id = NULL, detached = true, updated_at = now()
       WHERE ${integrationServesSql('m', { id: '$1', isDefault: '$2' })}
       RETURNING id, name
     )
     SELECT id, name FROM detached ORDER BY id`,
    [integration.id, integration.isDefault],
  );
}

/** Which module to read: by id (an archive link names it so) or by registry address. */
export type ModuleKey = { id: string } | { spaceId: string; name: string; provider: string };

/**
 * A module with its versions (only `version`, when given), or null when there is no such module. One statement:
 * each request of `terraform init` needs both. Rows come back as JSON, which PGlite hands over far cheaper than
 * the same values as columns (its cost is per column).
 */
export async function findModuleWithVersions(
  db: Queryable,
  key: ModuleKey,
  version?: string,
): Promise<{ module: Module; versions: ModuleVersion[] } | null> {
  const [where, params] =
    'id' in key ? ['m.id = $1', [key.id]] : ['m.space_id = $1 AND m.name = $2 AND m.terraform_provider = $3', [key.spaceId, key.name, key.provider]];
  const versionFilter = version === undefined ? '' : ` AND v.version = $${params.length + 1}`;
  const [row] = await db.query<{ module: ModuleRow; versions: VersionRow[] }>(
    `SELECT to_json(m) AS module,
            (SELECT coalesce(json_agg(v), '[]'::json) FROM module_versions v WHERE v.module_id = m.id${versionFilter}) AS versions
     FROM modules m WHERE ${where}`,
    version === undefined ? params : [...params, version],
  );
  return row === undefined ? null : { module: toModule(row.module), versions: row.versions.map(toVersion) };
}

export async function listModuleVersions(db: Queryable, moduleId: string): Promise<ModuleVersion[]> {
  return (await db.query<VersionRow>('SELECT * FROM module_versions WHERE module_id = $1', [moduleId])).map(toVersion);
}

export async function findModuleVersion(db: Queryable, moduleId: string, version: string): Promise<ModuleVersion | null> {
  const [row] = await db.query<VersionRow>('SELECT * FROM module_versions WHERE module_id = $1 AND version = $2', [moduleId, version]);
  return row === undefined ? null : toVersion(row);
}

/**
 * Records a version from a tag: new, or replacing a RETRACTED one. Null when the version is already held (ACTIVE or
 * FAILED) by a tag: a duplicate, refused.
 */
export async function recordModuleVersion(
  db: Queryable,
  version: Pick<ModuleVersion, 'moduleId' | 'version' | 'tag' | 'commit' | 'reason'>,
): Promise<ModuleVersion | null> {
  const [row] = await db.query<VersionRow>(
    `INSERT INTO module_versions (module_id, version, tag, commit_id, state, reason)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::text IS NULL THEN 'ACTIVE' ELSE 'FAILED' END, $5)
     ON CONFLICT (module_id, version) DO UPDATE
       SET tag = EXCLUDED.tag, commit_id = EXCLUDED.commit_id, state = EXCLUDED.state, reason = EXCLUDED.reason, updated_at = now()
       WHERE module_versions.state = 'RETRACTED'
     RETURNING *`,
    [version.moduleId, version.version, version.tag, version.commit, version.reason],
  );
  return row === undefined ? null : toVersion(row);
}

/** Retracts the version a deleted tag published (only if that tag published it); null when there was none. */
export async function retractModuleVersion(db: Queryable, moduleId: string, tag: string, reason: string): Promise<ModuleVersion | null> {
  const [row] = await db.query<VersionRow>(
    `UPDATE module_versions SET state = 'RETRACTED', reason = $3, updated_at = now()
     WHERE module_id = $1 AND tag = $2 AND state <> 'RETRACTED' RETURNING *`,
    [moduleId, tag, reason],
  );
  return row === undefined ? null : toVersion(row);
}
