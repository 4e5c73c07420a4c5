import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { DataSource } from '../../datasource';
import { matchSummary } from '../../data/editor-preview';
import type { PointSelector } from '../../types';
import { usePointPreview } from './usePointPreview';

interface Props {
  datasource: DataSource;
  selector: PointSelector;
}

/** "N points match" and the first few, so the selector can be checked before the panel draws. */
export function PointPreview({ datasource, selector }: Props) {
  const { page, error, stale } = usePointPreview(datasource, selector);
  const styles = useStyles2(getStyles);
  return (
    <div data-testid="plenum-point-preview" aria-live="polite" className={stale ? styles.stale : undefined}>
      {error ? (
        <Text color="error">Point search failed: {error}</Text>
      ) : !page ? (
        <Text color="secondary">Searching points…</Text>
      ) : (
        <>
          <Text color="secondary">{matchSummary(page.total, page.points.length)}</Text>
          {page.points.length > 0 && (
            <table className={styles.table}>
              <tbody>
                {page.points.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <code>{p.id}</code>
                    </td>
                    <td>{p.name}</td>
                    <td>{p.unit}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stale: css({ opacity: 0.6 }),
  table: css({
    fontSize: theme.typography.bodySmall.fontSize,
    marginTop: theme.spacing(0.5),
    td: { padding: theme.spacing(0, 2, 0, 0), verticalAlign: 'top' },
  }),
});
