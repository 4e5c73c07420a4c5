/**
 * `npm start -- --pdus snmp` (launch.ts): the site config with its Modbus `pdus` source replaced by an `snmp` source
 * reading the same PDU points from the twin's rPDU2-shaped agents (snmp-server.ts) through the connector's shipped
 * `apc-rpdu2` profile — same point ids; one agent per PDU (`pdu-<rack>`), unit n's on `port + n − 1`. Energy is read
 * as rPDU2 serves it, in tenths of kWh (the point's unit becomes kWh; ingest converts). Pure (text in, text out).
 */
import path from 'node:path';
import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';

export interface PdusOverSnmp {
  /** unit 1's agent port (the twin's --snmp-port); unit n's is port + n − 1 */
  port: number;
  /** rack id → port, instead of `port + n − 1` (a twin started with --snmp-port 0) */
  ports?: Record<string, number>;
  /** @default public */
  community?: string;
}

/** The rPDU2 object each Modbus PDU signal is read from (its unit after the profile's scale). */
export const RPDU2_POINTS: Record<string, { address: string; unit: string }> = {
  power: { address: 'object=apc-rpdu2:device.power;index=1', unit: 'kW' },
  energy: { address: 'object=apc-rpdu2:device.energy;index=1', unit: 'kWh' },
  voltage: { address: 'object=apc-rpdu2:phase.voltage;index=1', unit: 'V' },
  current: { address: 'object=apc-rpdu2:phase.current;index=1', unit: 'A' },
};

interface RackYaml {
  id?: unknown;
  assets?: Array<{ type?: unknown }>;
}

/** Rack ids of the first hall with a PDU, in file order (rows, then racks): the twin's Modbus unit order. */
function pduRacks(site: unknown): string[] {
  const halls = (site as { halls?: Array<{ rows?: Array<{ racks?: RackYaml[] }> }> })?.halls ?? [];
  const racks = (halls[0]?.rows ?? []).flatMap((r) => r.racks ?? []);
  return racks.filter((r) => (r.assets ?? []).some((a) => a.type === 'pdu')).map((r) => String(r.id));
}

/**
 * `text` (a plenum.yaml read from `file`) with its PDUs read over SNMP; a relative `historian.dataDir` is made
 * absolute (the result is written elsewhere). Throws naming what is missing.
 */
export function pdusOverSnmp(text: string, file: string, opts: PdusOverSnmp): string {
  const doc = parseDocument(text);
  const sources = doc.get('sources');
  if (!isSeq(sources)) throw new Error(`${file}: no sources list to move the PDU points from`);
  const items = (sources as YAMLSeq).items;
  const pdus = items.find((s) => isMap(s) && s.get('name') === 'pdus') as YAMLMap | undefined;
  const points = pdus?.get('points');
  if (!pdus || !isSeq(points))
    throw new Error(`${file}: no source named "pdus" with points (the Modbus one of plenum.yaml)`);
  const racks = pduRacks((doc.toJS() as { site?: unknown }).site);
  if (racks.length === 0) throw new Error(`${file}: site: no rack with an asset of type pdu in the first hall`);
  const moved = (points as YAMLSeq).items.map((item) => {
    const point = (isMap(item) ? item.toJSON() : item) as Record<string, unknown>;
    const rpdu2 = RPDU2_POINTS[String(point.signal)];
    if (!rpdu2) throw new Error(`${file}: pdus: no rPDU2 object for signal "${String(point.signal)}"`);
    return { ...point, unit: rpdu2.unit, address: `agent=pdu-{rack};${rpdu2.address}` };
  });
  const agents = racks.map((rack, i) => {
    const port = opts.ports?.[rack] ?? opts.port + i;
    return { name: `pdu-${rack}`, host: '${SIM_HOST:-127.0.0.1}', port, community: opts.community ?? 'public' };
  });
  items.splice(
    items.indexOf(pdus),
    1,
    doc.createNode({
      name: 'pdus',
      connector: 'snmp',
      interval: pdus.get('interval') ?? '2s',
      options: { agents, timeoutMs: 1000, retries: 1, concurrency: 8 },
      points: moved,
    }),
  );
  const dataDir = doc.getIn(['historian', 'dataDir']);
  if (typeof dataDir === 'string' && !path.isAbsolute(dataDir))
    doc.setIn(['historian', 'dataDir'], path.resolve(path.dirname(file), dataDir));
  return doc.toString({ lineWidth: 0 });
}
