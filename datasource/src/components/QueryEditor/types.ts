import type { Site } from '@plenum/model';
import type { DataSource } from '../../datasource';
import type { PlenumQuery } from '../../types';

/** Props of the editor of one query type. */
export interface QueryTypeEditorProps<Q extends PlenumQuery> {
  query: Q;
  datasource: DataSource;
  /** the site's topology for the hall/row/rack/asset lists; unset while loading or when it failed */
  site?: Site;
  /** saves the query and runs it: every change made here is a finished one (a selection, a switch, a blur) */
  onChange: (query: Q) => void;
}
