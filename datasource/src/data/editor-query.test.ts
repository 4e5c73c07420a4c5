import { DEFAULT_QUERY, QUERY_SCHEMA_VERSION, QUERY_TYPES, type PlenumQuery } from '../types';
import { editableQuery, listValue, parseLimit, parseNumber, queryOfType } from './editor-query';

const timeseries: PlenumQuery = {
  refId: 'B',
  hide: true,
  datasource: { type: 'plenum-itot-datasource', uid: 'x' },
  queryType: 'timeseries',
  selector: { rack: ['r01'] },
  alias: '{{rack}}',
};

describe('queryOfType', () => {
  it.each(QUERY_TYPES.map((t) => [t.value, t.defaultQuery] as const))('starts %s from its default', (type, def) => {
    expect(queryOfType(timeseries, type)).toEqual({
      ...def,
      refId: 'B',
      hide: true,
      datasource: timeseries.datasource,
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
  });

  it('adds no hide or datasource the query did not have', () => {
    expect(queryOfType({ refId: 'A', queryType: 'catalog', selector: {} }, 'events')).toEqual({
      refId: 'A',
      queryType: 'events',
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
  });
});

describe('editableQuery', () => {
  it('keeps a query of a known type, migrated to the current saved shape', () => {
    expect(editableQuery(timeseries)).toEqual({ ...timeseries, schemaVersion: 1 });
    const current = { ...timeseries, schemaVersion: 1 };
    expect(editableQuery(current)).toBe(current);
  });
  it('shows a query of an unknown type (a newer plugin) as the default query', () => {
    expect(editableQuery({ refId: 'F', queryType: 'anomalies' } as unknown as PlenumQuery)).toEqual({
      refId: 'F',
      ...DEFAULT_QUERY,
    });
  });
  it('shows the default query for a row without a type', () => {
    expect(editableQuery({ refId: 'C' } as PlenumQuery)).toEqual({ refId: 'C', ...DEFAULT_QUERY });
  });
});

describe('listValue', () => {
  it('unsets an empty list', () => {
    expect(listValue([])).toBeUndefined();
    expect(listValue(['a'])).toEqual(['a']);
  });
});

describe('parseLimit', () => {
  it('leaves a blank limit unset', () => {
    expect(parseLimit(' ')).toEqual({});
  });
  it('accepts whole numbers in range', () => {
    expect(parseLimit('250')).toEqual({ limit: 250 });
  });
  it.each(['0', '1.5', '10001', 'ten'])('refuses %s, saying why', (text) => {
    expect(parseLimit(text).error).toBe('Limit must be a whole number from 1 to 10000');
  });
});

describe('parseNumber', () => {
  const horizon = { label: 'Horizon', min: 1, max: 10080 };
  it('leaves a blank field unset (the backend default)', () => {
    expect(parseNumber('', horizon)).toEqual({});
  });
  it('accepts decimals and negatives unless the rule says otherwise', () => {
    expect(parseNumber('27.5', { label: 'Limit' })).toEqual({ value: 27.5 });
    expect(parseNumber('-3', { label: 'Limit' })).toEqual({ value: -3 });
    expect(parseNumber('90', horizon)).toEqual({ value: 90 });
  });
  it('names the field and its bounds when refusing', () => {
    expect(parseNumber('0', horizon).error).toBe('Horizon must be a number from 1 to 10080');
    expect(parseNumber('2.5', { label: 'Top', min: 1, max: 200, integer: true }).error).toBe(
      'Top must be a whole number from 1 to 200'
    );
    expect(parseNumber('hot', { label: 'Limit' }).error).toBe('Limit must be a number');
  });
});

describe('QUERY_TYPES', () => {
  it('starts a forecast on the rack inlets against the ASHRAE recommended 27 °C, five soonest', () => {
    expect(QUERY_TYPES.find((t) => t.value === 'forecast')?.defaultQuery).toEqual({
      queryType: 'forecast',
      selector: { quantity: ['temperature'], tags: ['inlet'] },
      limit: 27,
      top: 5,
    });
    expect(QUERY_TYPES.find((t) => t.value === 'predictions')?.defaultQuery).toEqual({
      queryType: 'predictions',
      output: 'scores',
    });
  });
});
