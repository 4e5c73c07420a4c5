/**
 * The points of a source as the connector uses them (pure, no node-opcua): address parsed, monitoring parameters
 * resolved from the options and the address overrides. `parsePoints` reports every bad address at once.
 */
import { PlenumError } from '../../common/errors';
import type { SourceInstance, SourcePoint } from '../types';
import { parseAddress, type NodeRef, type OpcUaAddress } from './address';
import type { OpcUaOptions } from './config';
import type { MonitorParams } from './plan';

export interface OpcUaPoint {
  point: SourcePoint;
  address: OpcUaAddress;
  params: MonitorParams;
  /** where writes go, for writable points: the node of `writeAddress`, else the read node */
  writeNode?: NodeRef;
}

/** Publishing interval in effect, ms: the option, else the source's interval. */
export function publishingInterval(source: SourceInstance<OpcUaOptions>): number {
  return source.options.publishingIntervalMs ?? source.intervalMs;
}

/** Parses every point; throws one config error listing each bad point (source, point, what is expected). */
export function parsePoints(source: SourceInstance<OpcUaOptions>): OpcUaPoint[] {
  const o = source.options;
  const errors: string[] = [];
  const out: OpcUaPoint[] = [];
  const sampling = o.samplingIntervalMs ?? publishingInterval(source);
  for (const p of source.points) {
    const text = p.source.address;
    const r = parseAddress(text);
    if (!r.ok) {
      errors.push(`bad address "${text}" of point "${p.id}" in source "${source.name}": ${r.error}`);
      continue;
    }
    const a = r.address;
    const deadband = a.deadband ?? o.deadband;
    if (a.deadband && a.deadband.type !== 'none' && p.valueType !== 'number') {
      errors.push(
        `address "${text}" of point "${p.id}" in source "${source.name}" sets ${a.deadband.type === 'absolute' ? 'an absolute' : 'a percent'} deadband but the point's valueType is ${p.valueType}; expected no deadband (deadbands apply to numbers; the source's deadband skips other types)`,
      );
      continue;
    }
    let writeNode: NodeRef | undefined;
    if (p.writable) {
      const w = p.source.writeAddress;
      if (w === undefined) writeNode = a.node;
      else {
        const wr = parseAddress(w);
        if (!wr.ok) {
          errors.push(`bad writeAddress "${w}" of point "${p.id}" in source "${source.name}": ${wr.error}`);
          continue;
        }
        const { node, ...overrides } = wr.address;
        if (Object.keys(overrides).length > 0) {
          errors.push(
            `writeAddress "${w}" of point "${p.id}" in source "${source.name}" has ${Object.keys(overrides)
              .map((k) => ({ samplingIntervalMs: 'sampling=', queueSize: 'queue=', deadband: 'deadband=' })[k] ?? k)
              .join(', ')}; expected a node id only (sampling=, queue= and deadband= belong to the address)`,
          );
          continue;
        }
        writeNode = node;
      }
    }
    out.push({
      point: p,
      address: a,
      ...(writeNode ? { writeNode } : {}),
      params: {
        samplingIntervalMs: a.samplingIntervalMs ?? sampling,
        queueSize: a.queueSize ?? o.queueSize,
        deadband: p.valueType === 'number' ? deadband : { type: 'none', value: 0 },
      },
    });
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
}
