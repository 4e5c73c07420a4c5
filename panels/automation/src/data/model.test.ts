import { parseEvents, parseStatus, ShapeError } from './model';

const status = {
  stopped: false,
  rules: [
    {
      id: 'inlet-high',
      version: 1,
      origin: 'file',
      mode: 'dry-run',
      priority: 5,
      kind: 'threshold',
      active: false,
      summary: 'none of 40 above 27',
      locked: false,
      holds: [],
    },
  ],
  leases: [],
  proposals: [],
};

describe('parseStatus', () => {
  it('accepts the backend’s GET /api/automation answer', () => {
    expect(parseStatus(status)).toEqual(status);
  });

  it('names the first field that is not what the automation API answers', () => {
    expect(() => parseStatus([])).toThrow(ShapeError);
    expect(() => parseStatus({ results: {} })).toThrow('stopped: expected true or false');
    expect(() => parseStatus({ ...status, leases: undefined })).toThrow('leases: expected a list');
    expect(() => parseStatus({ ...status, rules: [{ ...status.rules[0], mode: 'manual' }] })).toThrow(
      'rules[0].mode: expected one of observe, dry-run, approve, auto; got "manual"'
    );
    expect(() => parseStatus({ ...status, proposals: [{ id: '1' }] })).toThrow('proposals[0].id: expected a number');
  });

  it('fills a missing holds list', () => {
    const { holds: _h, ...noHolds } = status.rules[0]!;
    expect(parseStatus({ ...status, rules: [noHolds] }).rules[0]!.holds).toEqual([]);
  });
});

describe('parseEvents', () => {
  it('keeps the events with an id and a time', () => {
    const e = { id: 1, time: 5, type: 'automation', severity: 'info', title: 't', tags: [], source: 'automation' };
    expect(parseEvents({ events: [e, { title: 'no id' }] })).toEqual([e]);
    expect(() => parseEvents({})).toThrow('events: expected a list');
  });
});
