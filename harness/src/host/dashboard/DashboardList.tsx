import { useTheme2 } from '@grafana/ui';

/** A hit of Grafana's `GET /api/search?type=dash-db`, the fields the list shows. */
export interface DashboardHit {
  uid: string;
  title: string;
  url: string;
  tags: string[];
}

/** The landing page's list of provisioned dashboards, each a link to `?dashboard=<uid>`. */
export function DashboardList({ dashboards, theme }: { dashboards: DashboardHit[]; theme?: string }) {
  const t = useTheme2();
  const suffix = theme ? `&theme=${encodeURIComponent(theme)}` : '';
  return (
    <div data-testid="harness-dashboard-list" style={{ padding: t.spacing(2), maxWidth: 960 }}>
      <h1 style={{ fontSize: t.typography.h2.fontSize }}>Dashboards</h1>
      {dashboards.length === 0 ? (
        <p style={{ color: t.colors.text.secondary }}>
          No dashboards provisioned: put Grafana dashboard JSON files in the dashboards folder.
        </p>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0 }}>
          {dashboards.map((d) => (
            <li key={d.uid} style={{ padding: t.spacing(1, 0), borderBottom: `1px solid ${t.colors.border.weak}` }}>
              <a data-testid="harness-dashboard-link" href={`?dashboard=${encodeURIComponent(d.uid)}${suffix}`}>
                {d.title}
              </a>
              {d.tags.map((tag) => (
                <span
                  key={tag}
                  style={{
                    marginLeft: t.spacing(1),
                    padding: t.spacing(0, 0.5),
                    fontSize: t.typography.bodySmall.fontSize,
                    border: `1px solid ${t.colors.border.medium}`,
                    borderRadius: t.shape.radius.default,
                  }}
                >
                  {tag}
                </span>
              ))}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`?view=explore${suffix}`}>Explore: query the data source</a>
      </p>
    </div>
  );
}
