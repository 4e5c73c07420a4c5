import { auditTrace } from './sync-audit';

describe('sync audit (acknowledged before fsync)', () => {
  it('flags an acknowledgement printed while its store’s WAL holds an unsynced write, and passes a synced one', () => {
    const trace = [
      '101 pwrite64(21</d/events.db-wal>, "\\0\\0"..., 4120, 32) = 4120',
      '101 fdatasync(21</d/events.db-wal>) = 0',
      '101 write(1<pipe:[7]>, "e 1\\n", 4) = 4',
      '101 pwrite64(22</d/automation.db-wal>, "\\0"..., 4120, 0) = 4120',
      '101 write(1<pipe:[7]>, "v 1\\n", 4) = 4',
      '101 fdatasync(22</d/automation.db-wal>) = 0',
      '101 write(1<pipe:[7]>, "k 1\\n", 4) = 4',
    ].join('\n');
    expect(auditTrace(trace)).toEqual({
      acks: 3,
      early: ['v 1: automation.db-wal'],
      syncs: { 'events.db-wal': 1, 'automation.db-wal': 1 },
    });
  });
});
