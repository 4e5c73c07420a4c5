import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { PointPage, PointSearch } from '@plenum/model';
import { PlenumApiError } from '../../data/api';
import type { PointSelector } from '../../types';
import { fakeDataSource, fakeLayout, openOptions, point, SITE } from '../testing';
import { SelectorEditor } from './SelectorEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'hall', label: 'Hall' }, { name: 'rack' }] }),
}));

beforeAll(fakeLayout);

const page = (total: number, ...points: PointPage['points']): PointPage => ({ total, page: 1, pageSize: 10, points });

function renderSelector(selector: PointSelector, points: (q: PointSearch) => Promise<PointPage>) {
  const onChange = jest.fn();
  render(<SelectorEditor selector={selector} datasource={fakeDataSource(points)} site={SITE} onChange={onChange} />);
  return onChange;
}

describe('SelectorEditor', () => {
  it("offers the topology and the dashboard's variables in each list", async () => {
    renderSelector({}, async () => page(0));
    const options = await openOptions('Rack');
    expect(options).toEqual(expect.arrayContaining([expect.stringMatching(/^r01/), expect.stringMatching(/^r77/)]));
    expect(options).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\$hall/), expect.stringMatching(/^\$rack/)])
    );
    await screen.findByText('0 points match');
  });

  it('narrows the racks by the halls chosen', async () => {
    renderSelector({ hall: ['h2'] }, async () => page(0));
    const options = await openOptions('Rack');
    expect(options.some((o) => o.startsWith('r77'))).toBe(true);
    expect(options.some((o) => o.startsWith('r01'))).toBe(false);
    await screen.findByText('0 points match');
  });

  it('saves a chosen variable in the list', async () => {
    const onChange = renderSelector({ rack: ['r01'] }, async () => page(0));
    await openOptions('Hall');
    fireEvent.click(screen.getByRole('option', { name: /\$hall/ }));
    expect(onChange).toHaveBeenCalledWith({ rack: ['r01'], hall: ['$hall'] });
    await screen.findByText('0 points match');
  });

  it('suggests the tags of the points the rest of the selector finds', async () => {
    const points = jest.fn(async () => page(2, point('p1', 'P1', ['temp', 'inlet']), point('p2', 'P2', ['outlet'])));
    renderSelector({ quantity: ['temperature'], tags: ['inlet'] }, points);
    const options = await openOptions('Tags');
    expect(options).toEqual(expect.arrayContaining(['inlet', 'outlet', 'temp', expect.stringMatching(/^\$hall/)]));
    expect(points).toHaveBeenCalledWith({ quantity: ['temperature'], pageSize: 1000 });
  });

  it('previews the first points the selector matches', async () => {
    const points = jest.fn(async () => page(42, point('dc1/h1/a/r01/s1/inletTemp', 'Inlet temperature')));
    renderSelector({ quantity: ['temperature'] }, points);
    const preview = screen.getByTestId('plenum-point-preview');
    expect(await within(preview).findByText('42 points match; the first 1:')).toBeInTheDocument();
    expect(within(preview).getByText('dc1/h1/a/r01/s1/inletTemp')).toBeInTheDocument();
    expect(within(preview).getByText('Inlet temperature')).toBeInTheDocument();
    expect(points).toHaveBeenCalledWith({ quantity: ['temperature'], pageSize: 10 });
  });

  it('shows why the point search failed', async () => {
    renderSelector({}, async () => {
      throw new PlenumApiError('cannot reach the Plenum backend at http://plenum:8080', 'unreachable', 502);
    });
    expect(
      await screen.findByText('Point search failed: cannot reach the Plenum backend at http://plenum:8080')
    ).toBeInTheDocument();
  });
});
