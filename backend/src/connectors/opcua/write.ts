/**
 * Writes of the opcua connector (README "Writes"), over the current link of `OpcUaSubscriber` or `OpcUaPoller`:
 *
 * 1. the node: the point's `writeAddress` (else its address), its namespace URI resolved in the NamespaceArray of
 *    this session, like reads;
 * 2. its type: DataType and ValueRank read on the first write to the node and kept for the session (a DataType
 *    that is not built-in is followed up its HasSubtype chain; an abstract one — BaseDataType, Number… — takes the
 *    type of the node's current value); the value is checked against it and refused before anything is sent;
 * 3. the Write service, calls split by MaxNodesPerWrite (link.ts);
 * 4. a Read of the node with maxAge 0: the outcome is what the server holds.
 *
 * There is no queue: without a usable session (connecting, reconnecting, rebuilding) a write fails at once with a
 * `device` WriteError. A late write to a plant is worse than a failed one; the caller (the automation guard)
 * decides what to do.
 */
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  Variant,
  VariantArrayType,
  type DataValue,
  type NodeId,
  type StatusCode,
  type WriteValueOptions,
} from 'node-opcua';
import type { SampleValue } from '@plenum/model';
import { errorMessage } from '../../common/errors';
import { WriteError, type WriteOutcome, type WriteRequest } from '../types';
import { nodeIdText, nodeRefText, resolveNamespace } from './address';
import type { OpcUaLink } from './link';
import type { OpcUaPoint } from './points';
import { convert } from './samples';
import { STATUS } from './status';
import { ABSTRACT_TYPES, coerce, DATA_TYPE, dataTypeName, takesScalar, WRITABLE_TYPES } from './write-value';

/** HasSubtype and HasProperty (Part 5 ReferenceTypes) */
const HAS_SUBTYPE = 'i=45';
const HAS_PROPERTY = 'i=46';
/** DataType hops followed from a vendor type to its built-in base before giving up */
const MAX_SUPERTYPES = 10;

/** What the connector writes to a node: the built-in type its Variants carry. */
interface NodeType {
  builtIn: number;
  /** the node's DataType for messages: `Double`, `Duration (Double)`, `ns=2;i=3001 (Int32)` */
  label: string;
}

export interface WriterContext {
  source: string;
  /** the source's points by id: writes go to their `writeNode` */
  points: ReadonlyMap<string, OpcUaPoint>;
  /** the run's clock, Unix ms: `WriteOutcome.at` */
  clock: () => number;
  /** one service call, ms (the session's own transaction timeout; this bounds it once more) */
  requestTimeoutMs: number;
}

/** Counters since `init`, for tests and metrics. */
export interface WriteStats {
  /** nodes the server wrote (Good) */
  written: number;
  /** nodes the server refused (Bad status) */
  refused: number;
}

/** `BadOutOfRange (0x803C0000)` */
export function statusText(s: StatusCode | number): string {
  const value = typeof s === 'number' ? s : s.value;
  const name = typeof s === 'number' ? undefined : s.name;
  return `${name ?? 'status'} (0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')})`;
}

const isBad = (status: number) => (status & 0x80000000) !== 0;

/** One write on its way: the request, its point and node, then its type and Variant. */
interface Pending {
  i: number;
  req: WriteRequest;
  /** `point "…" (node nsu=…;s=…` — closed with the type once known */
  what: string;
  nodeId: string;
  type?: NodeType;
  variant?: Variant;
}

export class OpcUaWriter {
  readonly stats: WriteStats = { written: 0, refused: 0 };
  /** node types per session: a new session (a restarted server) reads them again */
  private readonly types = new WeakMap<OpcUaLink, Map<string, NodeType>>();

  constructor(private readonly ctx: WriterContext) {}

  /** One write; throws its WriteError. */
  async write(link: OpcUaLink | undefined, unusable: string | undefined, req: WriteRequest): Promise<WriteOutcome> {
    const [r] = await this.writeMany(link, unusable, [req]);
    if (r instanceof WriteError) throw r;
    return r as WriteOutcome;
  }

  /**
   * Several writes in as few calls as the server's limits allow (Reads of the types, Write, read-back Read); one
   * result per request, in order: the outcome or the WriteError of that request. `unusable` says why there is no
   * link to use (then every request fails at once, `device`).
   */
  async writeMany(
    link: OpcUaLink | undefined,
    unusable: string | undefined,
    reqs: readonly WriteRequest[],
  ): Promise<Array<WriteOutcome | WriteError>> {
    const out: Array<WriteOutcome | WriteError> = new Array(reqs.length);
    const src = `source "${this.ctx.source}"`;
    const problem = unusable ?? linkProblem(link);
    let pending: Pending[] = [];
    reqs.forEach((req, i) => {
      const p = this.ctx.points.get(req.point.id);
      if (!p) {
        out[i] = new WriteError('config', `${src}: point "${req.point.id}" is not configured in this source`);
        return;
      }
      if (!p.writeNode || !p.point.writable) {
        out[i] = new WriteError('config', `${src}: point "${req.point.id}" is not writable (writable: false)`);
        return;
      }
      const what = `point "${req.point.id}" (node ${nodeRefText(p.writeNode)}`;
      if (problem !== undefined || !link) {
        out[i] = new WriteError('device', `${src}: cannot write ${what}): ${problem}; nothing was sent`);
        return;
      }
      const ns = resolveNamespace(p.writeNode, link.namespaces);
      if (ns === undefined) {
        out[i] = new WriteError(
          'config',
          `${src}: cannot write ${what}): namespace "${String(p.writeNode.namespace)}" is not in the server's NamespaceArray (${link.namespaces.join(', ')}); nothing was sent`,
          STATUS.badNodeIdUnknown,
        );
        return;
      }
      pending.push({ i, req, what, nodeId: nodeIdText(p.writeNode, ns) });
    });
    if (pending.length === 0 || !link) return out;

    // the type of every node, read once per session
    try {
      await this.learnTypes(link, pending);
    } catch (err) {
      for (const w of pending) {
        out[w.i] = new WriteError(
          'device',
          `${src}: cannot write ${w.what}): reading its DataType failed: ${oneLine(err)}; nothing was sent`,
        );
      }
      return out;
    }
    const known = this.types.get(link);
    pending = pending.filter((w) => {
      const t = known?.get(w.nodeId);
      if (!t) {
        out[w.i] =
          this.typeErrors.get(w) ??
          new WriteError('config', `${src}: cannot write ${w.what}): its DataType is unknown; nothing was sent`);
        return false;
      }
      w.type = t;
      w.what += `, ${t.label})`;
      const value = w.req.value;
      if (value === null) {
        // relinquish: a Null variant (servers whose override nodes allow nulls hand control back)
        w.variant = new Variant({ dataType: DataType.Null });
        return true;
      }
      const c = coerce(t.builtIn, value);
      if (!c.ok) {
        out[w.i] = new WriteError('refused', `${src}: cannot write ${w.what}: ${c.reason}; nothing was sent`);
        return false;
      }
      try {
        w.variant = new Variant({ dataType: t.builtIn, arrayType: VariantArrayType.Scalar, value: c.value });
      } catch (err) {
        out[w.i] = new WriteError('refused', `${src}: cannot write ${w.what}: ${oneLine(err)}; nothing was sent`);
        return false;
      }
      return true;
    });
    if (pending.length === 0) return out;

    // the Write service; a call that fails leaves open what the server did
    let statuses: StatusCode[];
    try {
      const nodes: WriteValueOptions[] = pending.map((w) => ({
        nodeId: w.nodeId,
        attributeId: AttributeIds.Value,
        value: { value: w.variant },
      }));
      statuses = await this.bounded(link.write(nodes), 'Write');
    } catch (err) {
      for (const w of pending) {
        out[w.i] = new WriteError(
          'device',
          `${src}: writing ${show(w.req.value)} to ${w.what} failed: ${oneLine(err)}; it may or may not have been applied (writes are not repeated)`,
        );
      }
      return out;
    }

    const written: Pending[] = [];
    for (const [k, w] of pending.entries()) {
      const status = statuses[k];
      const code = status?.value ?? STATUS.badUnexpectedError;
      if (!isBad(code)) {
        written.push(w);
        this.stats.written++;
        continue;
      }
      this.stats.refused++;
      const range = code === STATUS.badOutOfRange ? await this.rangeOf(link, w.nodeId) : undefined;
      out[w.i] = new WriteError(
        'refused',
        `${src}: the server refused writing ${show(w.req.value)} to ${w.what}: ${statusText(status ?? code)}${range ? `; the node's ${range}` : ''}`,
        code,
      );
    }
    if (written.length === 0) return out;

    // what the server holds now (maxAge 0: not a cached value)
    let values: DataValue[];
    try {
      values = await this.bounded(
        link.read(written.map((w) => ({ nodeId: w.nodeId, attributeId: AttributeIds.Value }))),
        'Read',
      );
    } catch (err) {
      for (const w of written) {
        out[w.i] = new WriteError(
          'device',
          `${src}: the server accepted ${show(w.req.value)} for ${w.what} (Good) but the read-back failed: ${oneLine(err)}`,
        );
      }
      return out;
    }
    const at = this.ctx.clock();
    written.forEach((w, k) => {
      const dv = values[k];
      const status = dv?.statusCode?.value ?? STATUS.badUnexpectedError;
      let readBack: SampleValue | null = null;
      if (dv && !isBad(status)) {
        const v = convert(dv.value, w.req.point.valueType);
        readBack = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
      }
      out[w.i] = { readBack, rawStatus: status, at };
    });
    return out;
  }

  /** errors of nodes whose type could not be learnt, by pending write (set by learnTypes) */
  private typeErrors = new WeakMap<Pending, WriteError>();

  /**
   * Reads DataType and ValueRank of the nodes not yet known in this session (one batched Read), follows vendor
   * DataTypes to their built-in base (Browse), and reads the current value of nodes with an abstract DataType.
   * A node that cannot be written by type gets its error in `typeErrors`; a failed call throws.
   */
  private async learnTypes(link: OpcUaLink, pending: Pending[]): Promise<void> {
    let known = this.types.get(link);
    if (!known) this.types.set(link, (known = new Map()));
    const cache = known;
    const src = `source "${this.ctx.source}"`;
    const todo = [...new Set(pending.map((w) => w.nodeId))].filter((id) => !cache.has(id));
    if (todo.length === 0) return;
    const attrs = await this.bounded(
      link.read(
        todo.flatMap((nodeId) => [
          { nodeId, attributeId: AttributeIds.DataType },
          { nodeId, attributeId: AttributeIds.ValueRank },
        ]),
      ),
      'Read',
    );
    const failed = new Map<string, string>();
    const abstract: Array<{ nodeId: string; label: string }> = [];
    for (const [k, nodeId] of todo.entries()) {
      const dt = attrs[2 * k];
      const rank = attrs[2 * k + 1];
      if (!dt || isBad(dt.statusCode.value)) {
        const s = dt?.statusCode;
        failed.set(
          nodeId,
          s?.value === STATUS.badNodeIdUnknown
            ? `the node does not exist on the server (${statusText(s)})`
            : `its DataType cannot be read (${s ? statusText(s) : 'no answer'}); is it a Variable?`,
        );
        continue;
      }
      const valueRank = typeof rank?.value?.value === 'number' ? (rank.value.value as number) : -1;
      if (!takesScalar(valueRank)) {
        failed.set(nodeId, `the node holds arrays (ValueRank ${valueRank}); Plenum writes scalars`);
        continue;
      }
      const typeId = dt.value.value as NodeId;
      let base: { id: number; label: string };
      try {
        base = await this.builtInOf(link, typeId);
      } catch (err) {
        failed.set(nodeId, `its DataType ${String(typeId)} cannot be followed to a built-in type: ${oneLine(err)}`);
        continue;
      }
      if (ABSTRACT_TYPES.has(base.id)) abstract.push({ nodeId, label: base.label });
      else if (WRITABLE_TYPES.has(base.id)) cache.set(nodeId, { builtIn: base.id, label: base.label });
      else
        failed.set(
          nodeId,
          `its DataType ${base.label} is not one Plenum writes (numbers, Boolean, String, LocalizedText, DateTime)`,
        );
    }
    if (abstract.length > 0) {
      // an abstract DataType (BaseDataType, Number, Integer, UInteger): the current value's type is one it takes
      const current = await this.bounded(
        link.read(abstract.map((a) => ({ nodeId: a.nodeId, attributeId: AttributeIds.Value }))),
        'Read',
      );
      abstract.forEach((a, k) => {
        const v = current[k]?.value;
        const t = v && v.arrayType === VariantArrayType.Scalar ? (v.dataType as number) : DATA_TYPE.Null;
        if (WRITABLE_TYPES.has(t)) cache.set(a.nodeId, { builtIn: t, label: `${a.label} (now ${dataTypeName(t)})` });
        else
          failed.set(
            a.nodeId,
            `its DataType ${a.label} is abstract and its current value (${dataTypeName(t)}) does not say which type to write`,
          );
      });
    }
    for (const w of pending) {
      const why = failed.get(w.nodeId);
      if (why !== undefined) {
        this.typeErrors.set(w, new WriteError('config', `${src}: cannot write ${w.what}): ${why}; nothing was sent`));
      }
    }
  }

  /**
   * The built-in type a DataType is, or derives from (namespace 0 ids up to 29 are built-in or abstract;
   * Enumeration and its subtypes are Int32 on the wire); vendor and derived types are followed up HasSubtype.
   */
  private async builtInOf(link: OpcUaLink, typeId: NodeId): Promise<{ id: number; label: string }> {
    const first = String(typeId);
    let id: NodeId = typeId;
    for (let hop = 0; hop <= MAX_SUPERTYPES; hop++) {
      if (id.namespace === 0 && typeof id.value === 'number' && id.value <= DATA_TYPE.Enumeration) {
        const builtIn = id.value === DATA_TYPE.Enumeration ? DATA_TYPE.Int32 : id.value;
        const name = dataTypeName(id.value);
        return { id: builtIn, label: hop === 0 ? name : `${typeLabel(typeId)} (${name})` };
      }
      const [r] = await this.bounded(
        link.browse([
          {
            nodeId: id,
            browseDirection: BrowseDirection.Inverse,
            referenceTypeId: HAS_SUBTYPE,
            includeSubtypes: false,
            nodeClassMask: 0,
            resultMask: 63,
          },
        ]),
        'Browse',
      );
      const parent = r?.references?.[0]?.nodeId;
      if (!parent) throw new Error(`${String(id)} has no supertype (${r ? statusText(r.statusCode) : 'no answer'})`);
      id = parent;
    }
    throw new Error(`more than ${MAX_SUPERTYPES} supertypes above ${first}`);
  }

  /** `InstrumentRange is 14–27` (else the EURange) of a node, for a BadOutOfRange message; undefined on any failure. */
  private async rangeOf(link: OpcUaLink, nodeId: string): Promise<string | undefined> {
    try {
      const [r] = await this.bounded(
        link.browse([
          {
            nodeId,
            browseDirection: BrowseDirection.Forward,
            referenceTypeId: HAS_PROPERTY,
            includeSubtypes: true,
            nodeClassMask: 0,
            resultMask: 63,
          },
        ]),
        'Browse',
      );
      const refs = r?.references ?? [];
      for (const name of ['InstrumentRange', 'EURange']) {
        const ref = refs.find((x) => x.browseName?.name === name);
        if (!ref) continue;
        const [dv] = await this.bounded(link.read([{ nodeId: ref.nodeId, attributeId: AttributeIds.Value }]), 'Read');
        const range = dv?.value?.value as { low?: unknown; high?: unknown } | null | undefined;
        if (typeof range?.low === 'number' && typeof range.high === 'number') {
          return `${name} is ${range.low}–${range.high}`;
        }
      }
    } catch {
      // the range only adds to the message
    }
    return undefined;
  }

  /** Bounds a call by requestTimeoutMs (+ 1 s over the session's own timeout) so a write never hangs. */
  private async bounded<T>(work: Promise<T>, service: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.ctx.requestTimeoutMs + 1000;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to the ${service} within ${ms} ms (BadTimeout)`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Why a link cannot carry a write now, or undefined when it can. */
export function linkProblem(link: OpcUaLink | undefined): string | undefined {
  if (!link) return 'no session';
  if (link.closed) return 'the session is closed';
  if (link.deadReason !== undefined) return `the session is unusable (${link.deadReason})`;
  if (link.reconnectingSince !== undefined || link.client.isReconnecting) {
    return 'the connection is lost and being repaired';
  }
  return undefined;
}

function typeLabel(id: NodeId): string {
  if (id.namespace === 0 && typeof id.value === 'number') return NS0_TYPE_NAMES[id.value] ?? `i=${id.value}`;
  return String(id);
}

/** Namespace-0 DataTypes derived from built-in ones that servers use often, for messages. */
const NS0_TYPE_NAMES: Readonly<Record<number, string>> = {
  290: 'Duration',
  294: 'UtcTime',
  295: 'LocaleId',
  288: 'IntegerId',
  289: 'Counter',
  851: 'NodeClass',
};

function show(v: SampleValue | null): string {
  return v === null ? 'Null (relinquish)' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** node-opcua's messages span lines. */
function oneLine(err: unknown): string {
  return errorMessage(err)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
