import { fireEvent, screen } from '@testing-library/react';
import type { Point, PointPage, PointSearch, Site } from '@plenum/model';
import type { DataSource } from '../datasource';

/** Shared set-up of the component tests. */

/**
 * jsdom lays nothing out and draws nothing; Grafana's comboboxes measure their text on a canvas, render their
 * virtual option list only inside a sized box and watch its scrolling with an IntersectionObserver.
 */
export function fakeLayout() {
  Object.defineProperty(Element.prototype, 'getBoundingClientRect', {
    configurable: true,
    value: () => ({ width: 400, height: 400, top: 0, left: 0, bottom: 0, right: 0, x: 0, y: 0 }),
  });
  for (const side of ['clientWidth', 'clientHeight']) {
    Object.defineProperty(HTMLElement.prototype, side, { configurable: true, get: () => 400 });
  }
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => ({ font: '', measureText: (text: string) => ({ width: text.length * 8 }) }),
  });
  Object.defineProperty(window, 'IntersectionObserver', {
    configurable: true,
    value: class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  });
}

export const SITE: Site = {
  id: 'dc1',
  halls: [
    { id: 'h1', rows: [{ id: 'a', racks: [{ id: 'r01', x: 0, y: 0, assets: [] }] }] },
    { id: 'h2', rows: [{ id: 'a', racks: [{ id: 'r77', x: 0, y: 0, assets: [] }] }] },
  ],
};

export const point = (id: string, name: string, tags: string[] = []): Point =>
  ({ id, name, unit: '°C', quantity: 'temperature', tags, location: { site: 'dc1' } }) as Point;

/** The part of the DataSource the editors use, with the API answered by plain functions. */
export function fakeDataSource(points: (q: PointSearch) => Promise<PointPage>, site: Site = SITE): DataSource {
  return {
    api: { topology: async () => site, points },
    interpolateSelector: (selector: unknown) => selector,
  } as unknown as DataSource;
}

/** Opens the list labelled `label` and returns the texts of its options. */
export async function openOptions(label: string): Promise<string[]> {
  fireEvent.click(screen.getByLabelText(label));
  const options = await screen.findAllByRole('option');
  return options.map((o) => o.textContent ?? '');
}
