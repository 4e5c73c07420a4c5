import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { QUERY_SCHEMA_VERSION, type PlenumQuery } from '../types';
import { QueryEditor } from './QueryEditor';
import { fakeDataSource, fakeLayout } from './testing';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [] }),
}));

beforeAll(fakeLayout);

const datasource = fakeDataSource(async () => ({ total: 0, page: 1, pageSize: 10, points: [] }));

function renderEditor(query: PlenumQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor query={query} datasource={datasource} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('replaces the query with the default of the type chosen, keeping refId', async () => {
    const { onChange, onRunQuery } = renderEditor({
      refId: 'B',
      queryType: 'timeseries',
      selector: { rack: ['r01'] },
      alias: '{{rack}}',
    });
    fireEvent.click(screen.getByLabelText('Query type'));
    fireEvent.click(await screen.findByRole('option', { name: /Rack layout/ }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'B',
      queryType: 'rackLayout',
      selector: { quantity: ['temperature'], tags: ['inlet'] },
      aggregate: 'max',
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
    expect(onRunQuery).toHaveBeenCalled();
    await screen.findByTestId('plenum-point-preview');
  });

  it('shows the editor of the query type', async () => {
    renderEditor({ refId: 'A', queryType: 'events', types: ['job'] });
    expect(screen.getByLabelText('Event types')).toBeInTheDocument();
    expect(screen.getByLabelText('Limit')).toBeInTheDocument();
    expect(screen.queryByTestId('plenum-point-preview')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('job')).toBeInTheDocument());
  });

  it('saves text on blur, then runs the query', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', queryType: 'latest', selector: {} });
    const alias = screen.getByLabelText('Alias');
    fireEvent.change(alias, { target: { value: '{{rack}}' } });
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(alias);
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'latest',
      selector: {},
      alias: '{{rack}}',
      schemaVersion: 1,
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await screen.findByText('0 points match');
  });
});

describe('QueryEditor, prediction queries', () => {
  it('offers Forecast and starts it from its default', async () => {
    const { onChange } = renderEditor({ refId: 'A', queryType: 'events' });
    fireEvent.click(screen.getByLabelText('Query type'));
    fireEvent.click(await screen.findByRole('option', { name: /Forecast/ }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'forecast',
      selector: { quantity: ['temperature'], tags: ['inlet'] },
      limit: 27,
      top: 5,
      schemaVersion: QUERY_SCHEMA_VERSION,
    });
  });

  it('shows a forecast’s selector, limit, horizon and window in minutes, top and alias, with the defaults', async () => {
    renderEditor({ refId: 'F', queryType: 'forecast', selector: {}, limit: 27, horizonMs: 5_400_000 });
    expect(screen.getByLabelText('Limit')).toHaveValue(27);
    expect(screen.getByLabelText('Horizon (min)')).toHaveValue(90);
    expect(screen.getByLabelText('Window (min)')).toHaveValue(null);
    expect(screen.getByLabelText('Window (min)')).toHaveAttribute('placeholder', '30');
    expect(screen.getByLabelText('Top')).toHaveAttribute('placeholder', '10');
    expect(screen.getByLabelText('Alias')).toBeInTheDocument();
    await screen.findByTestId('plenum-point-preview');
  });

  it('saves the horizon in ms on blur, clears a field to the backend default, refuses what the backend would', async () => {
    const query: PlenumQuery = { refId: 'F', queryType: 'forecast', selector: {}, limit: 27, top: 5, schemaVersion: 1 };
    const { onChange, onRunQuery } = renderEditor(query);
    const horizon = screen.getByLabelText('Horizon (min)');
    fireEvent.change(horizon, { target: { value: '45' } });
    fireEvent.blur(horizon);
    expect(onChange).toHaveBeenLastCalledWith({ ...query, horizonMs: 2_700_000 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    const top = screen.getByLabelText('Top');
    fireEvent.change(top, { target: { value: '' } });
    fireEvent.blur(top);
    expect(onChange).toHaveBeenLastCalledWith({ ...query, top: undefined });

    const window = screen.getByLabelText('Window (min)');
    fireEvent.change(window, { target: { value: '2000' } });
    fireEvent.blur(window);
    expect(await screen.findByText('Window (min) must be a number from 1 to 1440')).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(2);
    await screen.findByTestId('plenum-point-preview');
  });

  it('switches a predictions query between scores and detectors', async () => {
    const { onChange } = renderEditor({ refId: 'P', queryType: 'predictions', schemaVersion: 1 });
    expect(screen.getByLabelText('Output')).toHaveValue('scores');
    fireEvent.click(screen.getByLabelText('Output'));
    fireEvent.click(await screen.findByRole('option', { name: /^detectors/ }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'P',
      queryType: 'predictions',
      output: 'detectors',
      schemaVersion: 1,
    });
    expect(screen.queryByTestId('plenum-point-preview')).not.toBeInTheDocument();
  });
});
