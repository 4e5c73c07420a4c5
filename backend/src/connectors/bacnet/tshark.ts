/**
 * Test helpers (not shipped code): a loopback capture with Debian's dumpcap, decoded by tshark — Wireshark's
 * BACnet dissector, an implementation independent of @bacnet-js/client — into the BACnet PDUs each side sent.
 *
 * `tshark -V` prints each PDU as an indented tree; `parseTshark` keeps what the tests compare: the APDU type and
 * service, invoke id, the object identifiers with their properties and values as Wireshark decoded them, the
 * write priority, and error class/code or abort reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CAPTURE_HINT =
  'the BACnet tests capture loopback traffic with dumpcap and decode it with tshark (apt-get install -y tshark, run as root or in the wireshark group); CI installs it in .ci/run';

export interface TsharkProperty {
  property: string;
  /** the value's line as Wireshark prints it: `Present Value (real): 20.6000003814697`, `units:  Degrees Celsius (62)` */
  value?: string;
  /** status-flags that are TRUE */
  flags?: string[];
  /** a property-access error: `property: unknown-property` */
  error?: string;
}

export interface TsharkPdu {
  frame: number;
  srcPort: number;
  dstPort: number;
  /** `Confirmed-REQ`, `Complex-ACK`, `Simple-ACK`, `Error`, `Abort`, `Unconfirmed-REQ` */
  type: string;
  service?: string;
  invokeId?: number;
  /** objects in order, `analog-input:102`, with what was said of each */
  objects: Array<{ object: string; properties: TsharkProperty[] }>;
  priority?: number;
  /** `property: value-out-of-range` of an Error PDU */
  error?: string;
  abortReason?: string;
  /** who-Is limits, i-Am device */
  text: string;
  /** the BVLC function: `Original-Unicast-NPDU`, `Register-Foreign-Device`, `BVLC-Result` */
  bvlc?: string;
  /** the BVLC block (TTL, result code) */
  bvlcText?: string;
  /** the NPDU's destination network and MAC (a routed device) */
  dnet?: number;
  /** as tshark prints it: `12` for a one-octet MS/TP MAC */
  dadr?: string;
}

const NOISE =
  /Tag Class|Tag Number|Length Value Type|Named Tag|^\s*Context Tag:|^\s*Application Tag:|^\s*[{}]\[\d+\]$|Object Type:|Instance Number:/;

export function parseTshark(text: string): TsharkPdu[] {
  const out: TsharkPdu[] = [];
  for (const block of text.split(/^(?=Frame \d+:)/m)) {
    const frame = /^Frame (\d+):/.exec(block);
    const bvlcAt = block.indexOf('BACnet Virtual Link Control');
    if (!frame || bvlcAt < 0) continue;
    const npduAt = block.indexOf('Building Automation and Control Network NPDU');
    const apduAt0 = block.indexOf('Building Automation and Control Network APDU');
    const apduAt = apduAt0 < 0 ? block.length : apduAt0;
    const udp = /User Datagram Protocol, Src Port: (\d+), Dst Port: (\d+)/.exec(block);
    const lines = block
      .slice(apduAt)
      .split('\n')
      .filter((l) => l.trim() !== '' && !NOISE.test(l));
    const pdu: TsharkPdu = {
      frame: Number(frame[1]),
      srcPort: Number(udp?.[1]),
      dstPort: Number(udp?.[2]),
      type: /APDU Type: ([\w-]+)/.exec(block)?.[1] ?? 'BVLC',
      objects: [],
      text: lines.join('\n'),
      bvlcText: block.slice(bvlcAt, apduAt),
    };
    const fn = /Function: ([\w-]+) \(0x/.exec(pdu.bvlcText!);
    if (fn) pdu.bvlc = fn[1];
    const npdu = npduAt < 0 ? '' : block.slice(npduAt, apduAt);
    const dnet = /Destination Network Address: (\d+)/.exec(npdu);
    if (dnet) pdu.dnet = Number(dnet[1]);
    const dadr = /DADR: (\S+)/.exec(npdu);
    if (dadr) pdu.dadr = dadr[1];
    const service = /(?:Unconfirmed )?Service Choice: ([\w-]+)/.exec(block);
    if (service) pdu.service = service[1];
    const invoke = /Invoke ID: (\d+)/.exec(block);
    if (invoke) pdu.invokeId = Number(invoke[1]);
    const pri = /Priority: \(Unsigned\) (\d+)/.exec(block);
    if (pri) pdu.priority = Number(pri[1]);
    const abort = /Abort Reason: ([\w-]+)/.exec(block);
    if (abort) pdu.abortReason = abort[1];
    let cur: { object: string; properties: TsharkProperty[] } | undefined;
    let prop: (TsharkProperty & { indent: number }) | undefined;
    let errClass: string | undefined;
    for (const line of lines) {
      const indent = line.length - line.trimStart().length;
      const t = line.trim();
      const oid = /^(?:\w*[Ii]dentifier|ObjectIdentifier): ([a-z-]+), (\d+)$/.exec(t);
      if (oid && !t.startsWith('Property Identifier')) {
        cur = { object: `${oid[1]}:${oid[2]}`, properties: [] };
        pdu.objects.push(cur);
        prop = undefined;
        continue;
      }
      const p = /^Property Identifier: ([\w-]+) \(\d+\)$/.exec(t);
      if (p) {
        if (prop && prop.property === p[1] && indent > prop.indent && prop.value === undefined) continue; // its inner line
        if (!cur) {
          cur = { object: '?', properties: [] };
          pdu.objects.push(cur);
        }
        prop = { property: p[1]!, indent };
        cur.properties.push(prop);
        continue;
      }
      const ec = /^Error Class: ([\w-]+)/.exec(t);
      if (ec) {
        errClass = ec[1];
        continue;
      }
      const code = /^Error Code: ([\w-]+)/.exec(t);
      if (code) {
        const e = `${errClass}: ${code[1]}`;
        if (prop && prop.value === undefined && pdu.type === 'Complex-ACK') prop.error = e;
        else pdu.error = e;
        continue;
      }
      if (!prop) continue;
      const flag = /^([\w-]+) = (TRUE|FALSE)$/.exec(t);
      if (flag) {
        if (flag[2] === 'TRUE') (prop.flags ??= []).push(flag[1]!);
        continue;
      }
      if (
        prop.value === undefined &&
        !/^(Unused bits|Priority|listOfResults|propertyAccessError|property Array Index)/.test(t)
      )
        prop.value = t;
    }
    for (const o of pdu.objects) for (const x of o.properties) delete (x as { indent?: number }).indent;
    out.push(pdu);
  }
  return out;
}

/** The number at the end of a value line (`Present Value (real): 20.6000003814697` → 20.6000003814697). */
export function valueNumber(line: string | undefined): number | undefined {
  const m = /:\s*(-?[\d.]+(?:e[-+]?\d+)?)\)?$/i.exec(line ?? '') ?? /\((\d+)\)$/.exec(line ?? '');
  return m ? Number(m[1]) : undefined;
}

export interface Capture {
  file: string;
  /** stops dumpcap and decodes what it captured */
  stop(): Promise<TsharkPdu[]>;
}

/** Starts dumpcap on lo for these UDP ports; resolves once it captures. Throws naming why it could not start. */
export async function startCapture(ports: number[]): Promise<Capture> {
  const which = spawnSync('sh', ['-c', 'command -v dumpcap && command -v tshark'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error(`dumpcap/tshark not found: ${CAPTURE_HINT}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bacnet-pcap-'));
  const file = path.join(dir, 'capture.pcapng');
  // a port nobody listens on: datagrams sent there prove the capture is live (see below)
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const probePort = probe.address().port;
  const filter = [...ports, probePort].map((p) => `udp port ${p}`).join(' or ');
  const child: ChildProcess = spawn('dumpcap', ['-i', 'lo', '-f', filter, '-w', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dumpcap did not start capturing within 10 s: ${err.trim()} (${CAPTURE_HINT})`)),
      10_000,
    );
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dumpcap exited (${code}) before capturing: ${err.trim()} (${CAPTURE_HINT})`));
    });
  }).catch((e: unknown) => {
    probe.close();
    throw e;
  });
  child.removeAllListeners('exit');
  // "Capturing on" comes before the kernel filter delivers packets, and dumpcap writes what it captured a little
  // later: probe datagrams until the file grows, so the exchange that follows is captured from its first datagram
  try {
    await probeUntilWritten(probe, file, 10_000);
  } catch (e) {
    probe.close();
    child.kill('SIGTERM');
    throw e;
  }
  return {
    file,
    async stop() {
      // dumpcap reads the kernel's capture buffer in order and late under load (a SIGTERM drops what it has not
      // read): a probe sent after the exchange, and the file settled, means the exchange is in it
      // (if even that times out, what is in the file is decoded and the assertions say what is missing)
      await probeUntilWritten(probe, file, 10_000).catch(() => undefined);
      probe.close();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      const args = ['-r', file, ...ports.flatMap((p) => ['-d', `udp.port==${p},bvlc`]), '-V', '-Y', 'bvlc'];
      const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
      return parseTshark(r.stdout);
    },
  };
}

/**
 * Sends probe datagrams (to a port nobody listens on, inside the capture filter) until the capture file has grown
 * and then stayed the same size for 100 ms. Throws after `ms` naming the hint.
 */
async function probeUntilWritten(probe: dgram.Socket, file: string, ms: number): Promise<void> {
  const size = () => (fs.existsSync(file) ? fs.statSync(file).size : 0);
  const port = probe.address().port;
  const end = Date.now() + ms;
  const wait = (t: number) => new Promise((r) => setTimeout(r, t));
  const before = size();
  while (size() <= before) {
    if (Date.now() > end) throw new Error(`dumpcap captured nothing on lo within ${ms / 1000} s (${CAPTURE_HINT})`);
    probe.send('plenum capture probe', port, '127.0.0.1');
    await wait(50);
  }
  for (let last = -1; size() !== last && Date.now() <= end;) {
    last = size();
    await wait(100);
  }
}
