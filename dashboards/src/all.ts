import type { Dashboard } from '@grafana/schema';
import { automation } from './automation';
import { dataQuality } from './data-quality';
import { hall } from './hall';
import { nocWall } from './noc-wall';
import { predictions } from './predictions';
import { rack } from './rack';
import { siteOverview } from './site-overview';
import { workloadCooling } from './workload-cooling';

/** Every provisioned dashboard by file name (dashboards/<name>.json). */
export const DASHBOARDS: Record<string, () => Dashboard> = {
  'site-overview': siteOverview,
  'noc-wall': nocWall,
  hall,
  rack,
  'workload-cooling': workloadCooling,
  'data-quality': dataQuality,
  automation,
  predictions,
};
