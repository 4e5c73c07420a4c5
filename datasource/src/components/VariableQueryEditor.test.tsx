import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { VariableQuery } from '../types';
import { fakeLayout } from './testing';
import { VariableQueryEditor } from './VariableQueryEditor';

beforeAll(fakeLayout);

function renderEditor(query: VariableQuery) {
  const onChange = jest.fn();
  render(<VariableQueryEditor query={query} onChange={onChange} datasource={{} as DataSource} />);
  return onChange;
}

describe('VariableQueryEditor', () => {
  it('offers the filters of the kind, as free text', () => {
    renderEditor({ kind: 'racks' });
    expect(screen.getByLabelText('Hall')).toBeInTheDocument();
    expect(screen.getByLabelText('Site')).toBeInTheDocument();
    expect(screen.getByLabelText('Row')).toBeInTheDocument();
    expect(screen.queryByLabelText('Quantity')).not.toBeInTheDocument();
  });

  it('saves a filter with the definition Grafana lists', () => {
    const onChange = renderEditor({ kind: 'racks' });
    const hall = screen.getByLabelText('Hall');
    fireEvent.change(hall, { target: { value: '$hall' } });
    fireEvent.blur(hall);
    expect(onChange).toHaveBeenCalledWith({ kind: 'racks', hall: '$hall' }, 'racks(hall=$hall)');
  });

  it('drops the filters the new kind does not take', async () => {
    const onChange = renderEditor({ kind: 'points', hall: 'h1', tags: 'inlet' });
    fireEvent.click(screen.getByLabelText('List'));
    fireEvent.click(await screen.findByRole('option', { name: /Rows/ }));
    expect(onChange).toHaveBeenCalledWith({ kind: 'rows', hall: 'h1' }, 'rows(hall=h1)');
  });
});
