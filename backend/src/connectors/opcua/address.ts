/**
 * Point addresses of the opcua connector (pure): an OPC UA NodeId in its standard text form, by namespace URI
 * (`nsu=urn:plenum:sim;s=hall1.crah1.supply_temp`, resolved to an index at every connect) or by index
 * (`ns=2;i=1042`, `i=2258`), then optional per-point overrides `;sampling=<ms>;queue=<n>;deadband=abs:<v>`.
 */
import { didYouMean } from '../../config/schema';
import type { DeadbandType } from './config';

export const ID_TYPES = ['i', 's', 'g', 'b'] as const;
export type IdType = (typeof ID_TYPES)[number];

/** A node by namespace index or URI; `value` is the identifier as written (numeric ids as decimal text). */
export interface NodeRef {
  /** namespace index, or the namespace URI to look up in the server's NamespaceArray */
  namespace: number | string;
  idType: IdType;
  value: string;
}

export interface Deadband {
  type: DeadbandType;
  value: number;
}

export interface OpcUaAddress {
  node: NodeRef;
  /** per-point overrides of the source options */
  samplingIntervalMs?: number;
  queueSize?: number;
  deadband?: Deadband;
}

export type ParseResult = { ok: true; address: OpcUaAddress } | { ok: false; error: string };

const OVERRIDES = ['sampling', 'queue', 'deadband'] as const;
const EXPECTED =
  'expected e.g. "nsu=urn:plenum:sim;s=hall1.crah1.supply_temp" or "ns=2;i=1042": nsu=<namespace URI> or ns=<index>, then one of i=<number>, s=<string>, g=<GUID>, b=<base64>, then optionally ;sampling=<ms>;queue=<n>;deadband=abs:<v>|pct:<v>|none';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function parseDeadband(text: string): Deadband | string {
  const t = text.trim().toLowerCase();
  if (t === 'none') return { type: 'none', value: 0 };
  const m = /^(abs|absolute|pct|percent):\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)$/.exec(t);
  if (!m) return `deadband=${text}: expected abs:<value> (source unit), pct:<0–100> (% of the EURange) or none`;
  const value = Number(m[2]);
  const type: DeadbandType = m[1]!.startsWith('a') ? 'absolute' : 'percent';
  if (type === 'percent' && value > 100) return `deadband=${text}: a percent deadband is 0–100`;
  return { type, value };
}

/**
 * Parses one address. Overrides are recognised only as trailing `;key=value` parts with a known key (a near miss
 * such as `samplng=` is an error), so a string identifier may itself contain `;` and `=`.
 */
export function parseAddress(input: string): ParseResult {
  const text = input.trim();
  if (text === '') return { ok: false, error: `empty address; ${EXPECTED}` };
  const parts = text.split(';');
  const overrides: OpcUaAddress = { node: { namespace: 0, idType: 'i', value: '' } };
  const seen = new Set<string>();
  // trailing key=value parts that are overrides (or look like misspelt ones)
  while (parts.length > 1) {
    const last = parts[parts.length - 1] as string;
    const m = /^\s*([A-Za-z]+)\s*=(.*)$/.exec(last);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (!(OVERRIDES as readonly string[]).includes(key)) {
      // a misspelt override is an error; any other `word=` belongs to the node id (`ns=2;i=5`, `s=Line1;Tank=3`)
      const hint = didYouMean(key, OVERRIDES);
      if (hint === '') break;
      return {
        ok: false,
        error: `unknown part "${last.trim()}"${hint}; expected overrides ${OVERRIDES.map((o) => `${o}=`).join(', ')} after the node id`,
      };
    }
    if (seen.has(key)) return { ok: false, error: `"${key}=" appears twice; expected each override once` };
    seen.add(key);
    if (key === 'sampling') {
      const n = wholeNumber(value, 0, 3_600_000);
      if (n === undefined)
        return { ok: false, error: `sampling=${value}: expected a whole number of milliseconds 0–3600000` };
      overrides.samplingIntervalMs = n;
    } else if (key === 'queue') {
      const n = wholeNumber(value, 1, 10_000);
      if (n === undefined) return { ok: false, error: `queue=${value}: expected a whole number of values 1–10000` };
      overrides.queueSize = n;
    } else {
      const d = parseDeadband(value);
      if (typeof d === 'string') return { ok: false, error: d };
      overrides.deadband = d;
    }
    parts.pop();
  }
  const node = parseNodeId(parts.join(';'));
  if (typeof node === 'string') return { ok: false, error: node };
  return { ok: true, address: { ...overrides, node } };
}

/** `nsu=<uri>;s=…`, `ns=<i>;i=…`, `i=2258` (namespace 0) → NodeRef, or an error message. */
export function parseNodeId(text: string): NodeRef | string {
  let rest = text.trim();
  let namespace: number | string = 0;
  const nsu = /^nsu=/i.exec(rest);
  const ns = /^ns=([^;]*);/i.exec(rest);
  if (nsu) {
    // the URI runs to the first ;i= ;s= ;g= ;b=
    const m = /^nsu=(.*?);\s*([isgb])=/i.exec(rest);
    if (!m) return `"${text}": nsu= needs an identifier after it (;i=, ;s=, ;g= or ;b=); ${EXPECTED}`;
    namespace = m[1]!.trim();
    if (namespace === '') return `"${text}": empty namespace URI after nsu=; ${EXPECTED}`;
    rest = rest.slice(m[0].length - 2);
  } else if (ns) {
    const n = wholeNumber(ns[1]!, 0, 65535);
    if (n === undefined) return `"${text}": ns=${ns[1]} is not a namespace index 0–65535; ${EXPECTED}`;
    namespace = n;
    rest = rest.slice(ns[0].length).trimStart();
  }
  const id = /^([A-Za-z])=(.*)$/s.exec(rest);
  if (!id) return `"${text}": no identifier; ${EXPECTED}`;
  const idType = id[1]!.toLowerCase() as IdType;
  const value = idType === 's' ? id[2]! : id[2]!.trim();
  if (!(ID_TYPES as readonly string[]).includes(idType)) {
    return `"${text}": unknown identifier type "${id[1]}="; expected i= (numeric), s= (string), g= (GUID) or b= (opaque, base64)`;
  }
  if (idType === 'i' && wholeNumber(value, 0, 0xffffffff) === undefined) {
    return `"${text}": i=${value} is not a numeric identifier 0–4294967295`;
  }
  if (idType === 's' && value === '') return `"${text}": empty string identifier after s=`;
  if (idType === 'g' && !GUID.test(value))
    return `"${text}": g=${value} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`;
  if (idType === 'b' && !BASE64.test(value)) return `"${text}": b=${value} is not base64`;
  return { namespace, idType, value: idType === 'i' ? String(Number(value)) : value };
}

/** The NodeId text node-opcua reads (`ns=3;s=hall1.crah1.supply_temp`) for a namespace index. */
export function nodeIdText(node: NodeRef, namespaceIndex: number): string {
  return namespaceIndex === 0 ? `${node.idType}=${node.value}` : `ns=${namespaceIndex};${node.idType}=${node.value}`;
}

/** The address text of a node by URI, for templates and messages: `nsu=urn:plenum:sim;s=hall1.crah1.supply_temp`. */
export function nodeRefText(node: NodeRef): string {
  const ns =
    typeof node.namespace === 'string' ? `nsu=${node.namespace};` : node.namespace === 0 ? '' : `ns=${node.namespace};`;
  return `${ns}${node.idType}=${node.value}`;
}

/**
 * Namespace index of a node in a server's NamespaceArray: the index as written, or the URI's position. Undefined
 * when the URI is not in the array (or an index is past its end).
 */
export function resolveNamespace(node: NodeRef, namespaceArray: readonly string[]): number | undefined {
  if (typeof node.namespace === 'number')
    return node.namespace < namespaceArray.length || node.namespace === 0 ? node.namespace : undefined;
  const i = namespaceArray.indexOf(node.namespace);
  return i < 0 ? undefined : i;
}
