import { arrayToDataFrame, DataTopic, type AnnotationQuery, type DataFrame, type GrafanaTheme2 } from '@grafana/data';
import type { HarnessTimeRange } from '../api';
import { runAnnotationQuery } from '../annotations';
import type { HarnessDataSourceSrv } from '../datasource-srv';
import type { AnnotationJson } from './model';

/** The events of one annotation query, and which panels show them. */
export interface AnnotationLayer {
  name: string;
  frame: DataFrame;
  filter?: AnnotationJson['filter'];
}

/**
 * Whether an annotation query runs here: enabled and not Grafana's built-in "Annotations & Alerts" (datasource
 * `-- Grafana --`), which reads Grafana's own database — there is none outside Grafana.
 */
export function isRunnable(annotation: AnnotationJson): boolean {
  const ds = annotation.datasource;
  const uid = typeof ds === 'string' ? ds : ds?.uid;
  const type = typeof ds === 'object' ? ds?.type : undefined;
  return annotation.enable !== false && !annotation.builtIn && uid !== '-- Grafana --' && type !== 'grafana';
}

/**
 * Runs every runnable annotation query of a dashboard against the dashboard's range, as Grafana's
 * DashboardQueryRunner does; each layer's events become one frame (the annotations data topic). A failing query
 * is reported through `onError` and left out, as Grafana shows it on the annotation toggle, not on panels.
 */
export async function runDashboardAnnotations(
  annotations: AnnotationJson[],
  datasourceSrv: HarnessDataSourceSrv,
  range: HarnessTimeRange,
  theme: GrafanaTheme2,
  onError: (name: string, err: unknown) => void,
): Promise<AnnotationLayer[]> {
  const layers = await Promise.all(
    annotations.filter(isRunnable).map(async (annotation): Promise<AnnotationLayer | undefined> => {
      const name = annotation.name ?? 'Annotations';
      try {
        const ds = await datasourceSrv.get(annotation.datasource as never);
        const events = await runAnnotationQuery(ds, annotation as AnnotationQuery, { range }, theme);
        const frame = arrayToDataFrame(events);
        frame.meta = { ...frame.meta, dataTopic: DataTopic.Annotations };
        return { name, frame, filter: annotation.filter };
      } catch (err) {
        onError(name, err);
        return undefined;
      }
    }),
  );
  return layers.filter((l): l is AnnotationLayer => l !== undefined);
}

/** The annotation frames a panel shows: every layer whose `filter` lets the panel's id through. */
export function annotationsForPanel(layers: AnnotationLayer[], panelId: number | undefined): DataFrame[] {
  return layers
    .filter(({ filter }) => {
      if (!filter?.ids?.length) return true;
      const listed = panelId !== undefined && filter.ids.includes(panelId);
      return filter.exclude ? !listed : listed;
    })
    .map((l) => l.frame);
}
