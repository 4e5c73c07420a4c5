import { useEffect, useState } from 'react';
import type { Site } from '@plenum/model';
import type { DataSource } from '../../datasource';
import { errorText } from '../../data/editor-preview';

export interface TopologyState {
  site?: Site;
  error?: string;
}

/** The site's topology, fetched once per editor for the hall/row/rack/asset lists. */
export function useTopology(datasource: DataSource): TopologyState {
  const [state, setState] = useState<TopologyState>({});
  useEffect(() => {
    let mounted = true;
    datasource.api.topology().then(
      (site) => {
        if (mounted) {
          setState({ site });
        }
      },
      (err: unknown) => {
        if (mounted) {
          setState({ error: errorText(err, 'topology request') });
        }
      }
    );
    return () => {
      mounted = false;
    };
  }, [datasource]);
  return state;
}
