import { machineCpu, parseCpuTotals, parseIo, parseStatTicks, treeCpuSeconds, treeIo, treePids } from './proc';

describe('/proc readers', () => {
  it('reads utime + stime from a stat line whose name holds spaces and parentheses', () => {
    const line =
      '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 567 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
    expect(parseStatTicks(line)).toBe(1234 + 567);
    expect(() => parseStatTicks('garbage')).toThrow(/stat line/);
  });

  it('reads write_bytes and wchar', () => {
    const io =
      'rchar: 10\nwchar: 2000\nsyscr: 1\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n';
    expect(parseIo(io)).toEqual({ writeBytes: 4096, wchar: 2000 });
  });

  it('reads this process', () => {
    expect(treePids(process.pid)[0]).toBe(process.pid);
    const spin = Date.now() + 50;
    while (Date.now() < spin);
    expect(treeCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(treeIo(process.pid).wchar).toBeGreaterThanOrEqual(0);
  });

  it('reads the machine-wide cpu line of /proc/stat', () => {
    const stat = 'cpu  100 5 50 800 20 3 2 1 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\n';
    expect(parseCpuTotals(stat)).toEqual({ busy: 161, total: 981 });
    expect(machineCpu().total).toBeGreaterThan(0);
  });
});
