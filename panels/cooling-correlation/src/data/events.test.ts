import { toDataFrame } from '@grafana/data';
import { eventsFromAnnotations } from './events';

const frame = toDataFrame({
  fields: [
    { name: 'time', type: 'time', values: [3000, 1000, 2000] },
    { name: 'timeEnd', type: 'time', values: [9000, null, 2000] },
    { name: 'title', type: 'string', values: ['Job j-2 started', 'Job j-1 started', 'CRAH2 alarm'] },
    { name: 'text', type: 'string', values: ['8 racks', '2 racks', 'fan'] },
    { name: 'tags', type: 'other', values: [['job', 'row-a'], 'job,row-b', ['alarm']] },
  ],
});

describe('eventsFromAnnotations', () => {
  it('reads time, end, title, text and tags (array or comma text), sorted by time', () => {
    expect(eventsFromAnnotations([frame], '')).toEqual([
      { time: 1000, title: 'Job j-1 started', text: '2 racks', tags: ['job', 'row-b'] },
      { time: 2000, title: 'CRAH2 alarm', text: 'fan', tags: ['alarm'] },
      { time: 3000, timeEnd: 9000, title: 'Job j-2 started', text: '8 racks', tags: ['job', 'row-a'] },
    ]);
  });

  it('filters by text in title, text or tags, and by time range', () => {
    expect(eventsFromAnnotations([frame], 'JOB').map((e) => e.time)).toEqual([1000, 3000]);
    expect(eventsFromAnnotations([frame], 'row-a').map((e) => e.time)).toEqual([3000]);
    expect(eventsFromAnnotations([frame], '', 1500, 2500).map((e) => e.time)).toEqual([2000]);
  });

  it('skips frames without time and copes with no annotations', () => {
    expect(eventsFromAnnotations([toDataFrame({ fields: [{ name: 'x', values: [1] }] })], '')).toEqual([]);
    expect(eventsFromAnnotations(undefined, '')).toEqual([]);
  });
});
