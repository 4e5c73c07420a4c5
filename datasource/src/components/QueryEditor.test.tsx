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
