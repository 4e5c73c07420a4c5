import { DEFAULT_QUERY, QUERY_SCHEMA_VERSION, type PlenumQuery } from '../types';
import { migrateQuery } from './migrations';

describe('migrateQuery', () => {
  it('turns an empty query Grafana created into the default query, keeping refId and datasource', () => {
    const ds = { type: 'plenum-itot-datasource', uid: 'plenum' };
    expect(migrateQuery({ refId: 'B', datasource: ds })).toEqual({ ...DEFAULT_QUERY, refId: 'B', datasource: ds });
  });

  it('reads a hand-written query without queryType and with single strings as a timeseries query', () => {
    const saved = { refId: 'A', selector: { rack: '$rack', quantity: 'temperature,power' } } as unknown as PlenumQuery;
    expect(migrateQuery(saved)).toEqual({
      refId: 'A',
      queryType: 'timeseries',
      selector: { rack: ['$rack'], quantity: ['temperature', 'power'] },
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
  });

  it('makes top-level lists of events queries lists and adds a missing selector', () => {
    const events = { refId: 'E', queryType: 'events', types: 'job', hall: 'hall1' } as unknown as PlenumQuery;
    expect(migrateQuery(events)).toMatchObject({ types: ['job'], hall: ['hall1'], schemaVersion: 1 });
    const latest = { refId: 'L', queryType: 'latest' } as unknown as PlenumQuery;
    expect(migrateQuery(latest)).toMatchObject({ selector: {}, schemaVersion: 1 });
  });

  it('returns a current query unchanged (same object) and keeps unknown types for the backend to name', () => {
    const current: PlenumQuery = { refId: 'A', queryType: 'catalog', selector: {}, schemaVersion: 1 };
    expect(migrateQuery(current)).toBe(current);
    const odd = { refId: 'X', queryType: 'anomalies' } as unknown as PlenumQuery;
    expect(migrateQuery(odd)).toEqual({ refId: 'X', queryType: 'anomalies', schemaVersion: 1 });
  });
});

describe('migrateQuery, prediction queries', () => {
  it('adds a missing selector to a hand-written forecast query and keeps its numbers', () => {
    const saved = { refId: 'F', queryType: 'forecast', limit: 27, top: 5 } as unknown as PlenumQuery;
    expect(migrateQuery(saved)).toEqual({
      refId: 'F',
      queryType: 'forecast',
      selector: {},
      limit: 27,
      top: 5,
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
  });
  it('leaves a predictions query as written, with no selector', () => {
    const saved = { refId: 'P', queryType: 'predictions', output: 'detectors' } as unknown as PlenumQuery;
    expect(migrateQuery(saved)).toEqual({ ...saved, schemaVersion: QUERY_SCHEMA_VERSION });
  });
});
