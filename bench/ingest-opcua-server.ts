/**
 * The OPC UA server of the ingest-opcua benchmark, run as a child process so its CPU is not the client's:
 *
 *   tsx bench/ingest-opcua-server.ts <points> <pkiDir>
 *
 * Serves `<points>` Double variables `nsu=urn:plenum:bench;s=v<i>` (i = 0 … points − 1) on 127.0.0.1 (a free
 * port; security None, anonymous) and prints `READY <port>` on stdout once listening. Each value is a sequence
 * number that goes up by one every time the server samples the variable (a getter counts reads), so with a
 * 1 000 ms sampling interval every variable changes every second and no change can fall between two samples:
 * a gap in the sequence numbers a client receives is a change lost between the server's queue and the client.
 * Stops on SIGTERM or when stdin closes (the parent died).
 */
import * as net from 'node:net';
import * as path from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  Variant,
} from 'node-opcua';

const BENCH_NAMESPACE = 'urn:plenum:bench';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const points = Number(process.argv[2]);
  const pkiDir = process.argv[3];
  if (!Number.isInteger(points) || points < 1 || !pkiDir) {
    throw new Error('usage: ingest-opcua-server.ts <points> <pkiDir>');
  }
  const port = await freePort();
  const server = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    }),
    securityPolicies: [SecurityPolicy.None],
    securityModes: [MessageSecurityMode.None],
    allowAnonymous: true,
    buildInfo: { productName: 'Plenum ingest-opcua benchmark', manufacturerName: 'Plenum' },
    serverCapabilities: {
      maxMonitoredItemsPerSubscription: 100_000,
      maxMonitoredItems: 200_000,
      operationLimits: { maxMonitoredItemsPerCall: 1000, maxNodesPerRead: 10_000 },
    },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('no address space');
  const ns = addressSpace.registerNamespace(BENCH_NAMESPACE);
  const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Bench' });
  const seq = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    ns.addVariable({
      componentOf: folder,
      nodeId: `s=v${i}`,
      browseName: `v${i}`,
      dataType: DataType.Double,
      minimumSamplingInterval: 1000,
      value: { get: () => new Variant({ dataType: DataType.Double, value: ++seq[i]! }) },
    });
  }
  await server.start();
  process.stdout.write(`READY ${port}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 3000);
    try {
      await server.shutdown(0);
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-opcua server: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
