import { autoAcceptClientCertificates } from './client-trust';

describe("the simulator's trust in client certificates", () => {
  it('accepts unknown client certificates on loopback only', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect([host, autoAcceptClientCertificates(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '10.20.0.5', 'sim.example', '128.0.0.1'])
      expect([host, autoAcceptClientCertificates(host)]).toEqual([host, false]);
  });
});
