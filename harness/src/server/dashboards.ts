import fs from 'node:fs';
import path from 'node:path';

/** One provisioned dashboard: its JSON model and where it came from. */
export interface ProvisionedDashboard {
  uid: string;
  title: string;
  tags: string[];
  /** path relative to the dashboards directory, as Grafana's `provisionedExternalId` */
  file: string;
  json: Record<string, unknown>;
  updated: Date;
}

/** Grafana's `slugify` for dashboard URLs: lower case, runs of other characters → `-`. */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Dashboards from a directory of `*.json` files (subdirectories too), as Grafana's file provisioning provider
 * reads them; read again on every call, so an edited file shows on the next page load (Grafana polls every
 * `updateIntervalSeconds`). A file that is not JSON or has no title is skipped and logged, as Grafana does; one
 * without a `uid` gets its file name as uid (Grafana would generate one); a duplicate uid keeps the first file.
 */
export class DashboardDirectory {
  constructor(
    private readonly dir: string | undefined,
    private readonly log: (line: string) => void = () => {},
  ) {}

  list(): ProvisionedDashboard[] {
    if (!this.dir || !fs.existsSync(this.dir)) return [];
    const found = new Map<string, ProvisionedDashboard>();
    for (const file of jsonFiles(this.dir)) {
      const rel = path.relative(this.dir, file);
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        this.log(`dashboard ${rel} skipped: ${(err as Error).message}`);
        continue;
      }
      // a file may hold the dashboard itself or an API export `{dashboard, meta}`
      if (json.dashboard && typeof json.dashboard === 'object') json = json.dashboard as Record<string, unknown>;
      const title = typeof json.title === 'string' ? json.title.trim() : '';
      if (!title) {
        this.log(`dashboard ${rel} skipped: Dashboard title cannot be empty`);
        continue;
      }
      const uid = typeof json.uid === 'string' && json.uid ? json.uid : path.basename(file, '.json');
      if (found.has(uid)) {
        this.log(`dashboard ${rel} skipped: uid ${uid} is already provisioned by ${found.get(uid)!.file}`);
        continue;
      }
      const tags = Array.isArray(json.tags) ? json.tags.filter((t): t is string => typeof t === 'string') : [];
      found.set(uid, { uid, title, tags, file: rel, json: { ...json, uid }, updated: fs.statSync(file).mtime });
    }
    return [...found.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  get(uid: string): ProvisionedDashboard | undefined {
    return this.list().find((d) => d.uid === uid);
  }
}

function jsonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return jsonFiles(full);
      return entry.isFile() && entry.name.endsWith('.json') ? [full] : [];
    });
}

/** Grafana's `GET /api/search` hit for a dashboard (`type=dash-db`). */
export function searchHit(d: ProvisionedDashboard, index: number, basePath: string) {
  const slug = slugify(d.title);
  return {
    id: index + 1,
    uid: d.uid,
    orgId: 1,
    title: d.title,
    uri: `db/${slug}`,
    url: `${basePath}/d/${d.uid}/${slug}`,
    slug: '',
    type: 'dash-db',
    tags: d.tags,
    isStarred: false,
    sortMeta: 0,
    isDeleted: false,
  };
}

/**
 * Grafana's `GET /api/search` over the provisioned dashboards: `query` (title substring, case-insensitive), every
 * `tag` required, `type` `dash-db` (folders are not modelled, so `dash-folder` finds nothing), `limit`; by title.
 */
export function searchDashboards(all: ProvisionedDashboard[], params: URLSearchParams, basePath: string) {
  const type = params.get('type');
  if (type && type !== 'dash-db') return [];
  const query = (params.get('query') ?? '').toLowerCase();
  const tags = params.getAll('tag');
  const limit = Number(params.get('limit') ?? 1000) || 1000;
  return all
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.title.toLowerCase().includes(query) && tags.every((t) => d.tags.includes(t)))
    .slice(0, limit)
    .map(({ d, i }) => searchHit(d, i, basePath));
}

/** Grafana's `GET /api/dashboards/uid/:uid` answer for a provisioned dashboard a viewer opens. */
export function dashboardWithMeta(all: ProvisionedDashboard[], uid: string, basePath: string) {
  const index = all.findIndex((d) => d.uid === uid);
  if (index === -1) return undefined;
  const d = all[index]!;
  const slug = slugify(d.title);
  return {
    dashboard: { ...d.json, id: index + 1, uid: d.uid, version: Number(d.json.version ?? 1) },
    meta: {
      type: 'db',
      canSave: false,
      canEdit: false,
      canAdmin: false,
      canStar: false,
      canDelete: false,
      slug,
      url: `${basePath}/d/${d.uid}/${slug}`,
      expires: '0001-01-01T00:00:00Z',
      created: d.updated.toISOString(),
      updated: d.updated.toISOString(),
      updatedBy: 'Anonymous',
      createdBy: 'Anonymous',
      version: Number(d.json.version ?? 1),
      hasAcl: false,
      isFolder: false,
      folderId: 0,
      folderUid: '',
      folderTitle: 'Dashboards',
      folderUrl: '',
      provisioned: true,
      provisionedExternalId: d.file,
    },
  };
}
