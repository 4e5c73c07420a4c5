/**
 * `tsx backend/src/connectors/bacnet/cli.ts <command>`: the operator's side of the bacnet connector.
 *
 *   discover [--to <host:port>] [--low <id> --high <id>] [--wait 3000] [--bbmd <host:port>] [socket options]
 *            Who-Is (broadcast, or unicast to --to; through the BBMD when --bbmd), lists the I-Ams heard
 *   browse   --device <host:port> [--id <instance>] [--name bms] [--asset hall1/-/-/bms] [--max 1000] [socket options]
 *            reads the device's object list and prints point templates (YAML) for a bacnet source
 *
 * Socket options: --local-port (@default 47808: where broadcast I-Ams arrive; another port when a BACnet
 * application already has it), --local-address (@default 0.0.0.0), --broadcast (@default 255.255.255.255: on a
 * real site the subnet's directed broadcast, e.g. 10.20.0.255), --timeout (ms, @default 2000).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../../common/errors';
import { BacnetLink, type DeviceAddress } from './link';
import { browse, discover, pointTemplates } from './discover';

const USAGE = `usage: cli.ts <command> [options]
  discover [--to <host:port>] [--low <id> --high <id>] [--wait <ms>] [--bbmd <host:port>]
  browse   --device <host:port> [--id <instance>] [--name <device name>] [--asset <asset ref>] [--max <n>]
  socket:  [--local-port 47808] [--local-address 0.0.0.0] [--broadcast 255.255.255.255] [--timeout 2000]`;

class UsageError extends Error {}

function hostPort(v: string | undefined, name: string): DeviceAddress {
  const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(v ?? '');
  if (!m) throw new UsageError(`${name}: expected <host>[:<port>]; got ${JSON.stringify(v)}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 47808 };
}

function num(v: string | undefined, name: string, fallback?: number): number | undefined {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: expected a whole number; got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function runCli(argv: string[], out: (line: string) => void): Promise<void> {
  const [command, ...rest] = argv;
  const { values: v } = parseArgs({
    args: rest,
    options: {
      to: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      wait: { type: 'string' },
      bbmd: { type: 'string' },
      device: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      asset: { type: 'string' },
      max: { type: 'string' },
      'local-port': { type: 'string' },
      'local-address': { type: 'string' },
      broadcast: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  if (command !== 'discover' && command !== 'browse') throw new UsageError(USAGE);
  const timeoutMs = num(v.timeout, '--timeout', 2000)!;
  const link = new BacnetLink({
    localAddress: v['local-address'] ?? '0.0.0.0',
    localPort: num(v['local-port'], '--local-port', 47808)!,
    broadcastAddress: v.broadcast ?? '255.255.255.255',
    timeoutMs,
    retries: 1,
  });
  try {
    if (command === 'discover') {
      const bbmd = v.bbmd ? hostPort(v.bbmd, '--bbmd') : undefined;
      if (bbmd) await link.registerForeignDevice(bbmd, 60);
      const low = num(v.low, '--low');
      const heard = await discover(
        link,
        v.to ? hostPort(v.to, '--to') : undefined,
        { low, high: num(v.high, '--high', low) },
        num(v.wait, '--wait', 3000)!,
        bbmd,
      );
      if (heard.length === 0)
        out('no I-Am heard (no device in range, or broadcasts do not reach it: try --to <host:port> or --bbmd)');
      for (const i of heard)
        out(
          `device ${i.deviceId} at ${i.address}${i.network !== undefined ? ` net ${i.network} mac ${i.mac}` : ''}: max APDU ${i.maxApdu}, segmentation ${['both', 'transmit', 'receive', 'none'][i.segmentation] ?? i.segmentation}, vendor ${i.vendorId}`,
        );
      return;
    }
    const d = hostPort(v.device, '--device');
    let id = num(v.id, '--id');
    if (id === undefined) {
      const heard = await discover(link, d, {}, timeoutMs);
      const it = heard.find((i) => i.address === `${d.host}:${d.port}`);
      if (!it) throw new Error(`no I-Am from ${d.host}:${d.port} within ${timeoutMs} ms; give --id <device instance>`);
      id = it.deviceId;
    }
    const dev = await browse(link, d, id, { max: num(v.max, '--max', 1000) });
    out(
      `# device ${dev.deviceId} "${dev.name ?? ''}" (${dev.vendor ?? 'unknown vendor'}) at ${d.host}:${d.port}: ${dev.objects.length} objects`,
    );
    for (const line of pointTemplates(dev, v.name ?? 'bms', v.asset ?? 'hall1/-/-/bms')) out(line);
  } finally {
    await link.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), (l) => console.log(l)).catch((e: unknown) => {
    console.error(e instanceof UsageError ? e.message : `bacnet: ${errorMessage(e)}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
