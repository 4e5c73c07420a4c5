import { useEffect, useState } from 'react';
import type { PointPage } from '@plenum/model';
import type { DataSource } from '../../datasource';
import { errorText, pointSearch, PREVIEW_DEBOUNCE_MS, PREVIEW_SIZE } from '../../data/editor-preview';
import type { PointSelector } from '../../types';

export interface PreviewState {
  page?: PointPage;
  error?: string;
  /** the shown answer is for an earlier selector; a new search is pending */
  stale: boolean;
}

/** The first points the selector matches, searched once the selector has been still for PREVIEW_DEBOUNCE_MS. */
export function usePointPreview(datasource: DataSource, selector: PointSelector): PreviewState {
  // the interpolated selector, as text, is what a new search depends on: a changed variable value counts too
  const key = JSON.stringify(datasource.interpolateSelector(selector));
  const [answer, setAnswer] = useState<{ key?: string; page?: PointPage; error?: string }>({});
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      datasource.api.points(pointSearch(JSON.parse(key), PREVIEW_SIZE)).then(
        (page) => {
          if (current) {
            setAnswer({ key, page });
          }
        },
        (err: unknown) => {
          if (current) {
            setAnswer({ key, error: errorText(err, 'point search') });
          }
        }
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [datasource, key]);
  return { page: answer.page, error: answer.error, stale: answer.key !== key };
}
