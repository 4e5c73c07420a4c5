import type { Point, PointSearch } from '@plenum/model';
import type { PointSelector } from '../types';
import type { EditorOption } from './editor-options';

/** points listed under the selector */
export const PREVIEW_SIZE = 10;
/** wait after the last change before searching, ms */
export const PREVIEW_DEBOUNCE_MS = 300;
/** points whose tags make the tag suggestions; the API's largest page */
export const TAG_SAMPLE_SIZE = 1000;

/**
 * The point search for an interpolated selector. Lists stay strings: an interpolated variable may hold a value the
 * model's enums do not know, and the backend names it in its error, which the preview shows.
 */
export const pointSearch = (selector: PointSelector, pageSize: number): PointSearch =>
  ({ ...selector, pageSize }) as PointSearch;

export function matchSummary(total: number, shown: number): string {
  const matches = total === 1 ? '1 point matches' : `${total} points match`;
  return shown < total ? `${matches}; the first ${shown}:` : matches;
}

/** Tags of the points, sorted, as options whose text contains `input`. */
export function tagOptions(points: Point[], input: string): EditorOption[] {
  const needle = input.toLowerCase();
  const tags = new Set(points.flatMap((p) => p.tags));
  return [...tags]
    .filter((t) => t.toLowerCase().includes(needle))
    .sort()
    .map((t) => ({ value: t, label: t }));
}

/** The text to show for a failed request (`request` names it, e.g. "point search"); never blank. */
export function errorText(err: unknown, request: string): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return text || `the ${request} failed without a message; check the data source settings`;
}
