/**
 * Point discovery: browses the hierarchy below a root node (Organizes, HasComponent, … — not properties) down to
 * `maxDepth` levels, collects at most `maxVariables` variables, reads their data type, access level,
 * EngineeringUnits and EURange, and turns them into point templates for `plenum.yaml` (addresses by namespace
 * URI, so they survive a reordered NamespaceArray).
 */
import { SOURCE_UNITS, type Quantity } from '@plenum/model';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  NodeClassMask,
  ReferenceTypeIds,
  resolveNodeId,
  type BrowseResult,
  type NodeId,
  type ReferenceDescription,
} from 'node-opcua';
import { stringify } from 'yaml';
import { nodeIdText, nodeRefText, parseNodeId, resolveNamespace, type IdType, type NodeRef } from './address';
import type { OpcUaLink } from './link';

export interface BrowseOptions {
  /** levels below the root to visit (1: its children), @default 3 */
  maxDepth?: number;
  /** stop after this many variables (the result says it was truncated), @default 500 */
  maxVariables?: number;
}

export interface BrowsedVariable {
  /** address by namespace URI (`nsu=…;s=…`), or index for namespace 0 */
  address: string;
  /** browse names from the root's child down to the variable's parent */
  path: string[];
  browseName: string;
  displayName: string;
  valueType: 'number' | 'boolean' | 'string';
  writable: boolean;
  /** EngineeringUnits display name (`°C`) when the variable has one */
  unit?: string;
  range?: { low: number; high: number };
}

export interface BrowseOutcome {
  rootName: string;
  variables: BrowsedVariable[];
  /** stopped at maxVariables */
  truncated: boolean;
  /** objects at maxDepth not looked into */
  unexplored: number;
}

const NUMERIC = new Set<number>([
  DataType.SByte,
  DataType.Byte,
  DataType.Int16,
  DataType.UInt16,
  DataType.Int32,
  DataType.UInt32,
  DataType.Int64,
  DataType.UInt64,
  DataType.Float,
  DataType.Double,
]);

/** `NodeId` → address text by namespace URI. */
function addressOf(nodeId: NodeId, namespaces: readonly string[]): string {
  const idType = (['i', 's', 'g', 'b'] as IdType[])[nodeId.identifierType - 1] ?? 'i';
  const raw = nodeId.value as unknown;
  const value = Buffer.isBuffer(raw) ? raw.toString('base64') : String(raw);
  const ns = nodeId.namespace;
  const node: NodeRef = { namespace: ns === 0 ? 0 : (namespaces[ns] ?? ns), idType, value };
  return nodeRefText(node);
}

/** Browses `nodes` (in calls within the server's MaxNodesPerBrowse) and follows every continuation point. */
async function browseAll(link: OpcUaLink, nodes: NodeId[], mask: number, refType: number) {
  const out: ReferenceDescription[][] = [];
  const results = await link.browse(
    nodes.map((nodeId) => ({
      nodeId,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: refType,
      includeSubtypes: true,
      nodeClassMask: mask,
      resultMask: 0x3f,
    })),
  );
  for (const r of results) {
    const refs = [...(r.references ?? [])];
    let cp = r.continuationPoint;
    while (cp && cp.length > 0) {
      const next: BrowseResult = await link.session.browseNext(cp, false);
      refs.push(...(next.references ?? []));
      cp = next.continuationPoint;
    }
    out.push(refs);
  }
  return out;
}

/**
 * Browses below `root` (an address: `nsu=urn:plenum:sim;s=hall1`, `ns=2;i=5`, `i=85` for Objects); Browse and
 * Read calls stay within the server's operation limits (the link splits them).
 */
export async function browsePoints(link: OpcUaLink, root: string, opts: BrowseOptions = {}): Promise<BrowseOutcome> {
  const namespaces = link.namespaces;
  const maxDepth = opts.maxDepth ?? 3;
  const maxVariables = opts.maxVariables ?? 500;
  const ref = parseNodeId(root);
  if (typeof ref === 'string') throw new Error(`--root: ${ref}`);
  const ns = resolveNamespace(ref, namespaces);
  if (ns === undefined)
    throw new Error(`--root: namespace "${String(ref.namespace)}" is not on the server (${namespaces.join(', ')})`);
  const rootId = nodeIdText(ref, ns);
  const [rootName] = await link.read([{ nodeId: rootId, attributeId: AttributeIds.BrowseName }]);
  if (!rootName?.statusCode.isGood())
    throw new Error(`--root: ${root} is not on the server (${rootName?.statusCode.toString()})`);

  const found: { nodeId: NodeId; path: string[]; browseName: string; displayName: string }[] = [];
  let level: { nodeId: NodeId; path: string[] }[] = [{ nodeId: resolveNodeId(rootId), path: [] }];
  let truncated = false;
  let unexplored = 0;
  for (let depth = 1; depth <= maxDepth && level.length > 0 && !truncated; depth++) {
    const refs = await browseAll(
      link,
      level.map((l) => l.nodeId),
      NodeClassMask.Object | NodeClassMask.Variable,
      ReferenceTypeIds.HierarchicalReferences,
    );
    const next: { nodeId: NodeId; path: string[] }[] = [];
    level.forEach((parent, i) => {
      for (const r of refs[i] ?? []) {
        if (r.referenceTypeId.value === ReferenceTypeIds.HasProperty && r.referenceTypeId.namespace === 0) continue;
        const name = r.browseName.name ?? '';
        const nodeId = r.nodeId as unknown as NodeId;
        if (r.nodeClass === NodeClass.Variable) {
          if (found.length >= maxVariables) {
            truncated = true;
            continue;
          }
          found.push({ nodeId, path: parent.path, browseName: name, displayName: r.displayName.text ?? name });
        } else if (r.nodeClass === NodeClass.Object) next.push({ nodeId, path: [...parent.path, name] });
      }
    });
    level = next;
    if (depth === maxDepth) unexplored = next.length;
  }

  // data type, access level, and the EngineeringUnits / EURange properties
  const props = await browseAll(
    link,
    found.map((f) => f.nodeId),
    NodeClassMask.Variable,
    ReferenceTypeIds.HasProperty,
  );
  const reads = found.flatMap((f, i) => {
    const byName = new Map((props[i] ?? []).map((p) => [p.browseName.name, p.nodeId as unknown as NodeId]));
    return [
      { nodeId: f.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: f.nodeId, attributeId: AttributeIds.AccessLevel },
      {
        nodeId: byName.get('EngineeringUnits') ?? f.nodeId,
        attributeId: byName.has('EngineeringUnits') ? AttributeIds.Value : AttributeIds.Description,
      },
      {
        nodeId: byName.get('EURange') ?? f.nodeId,
        attributeId: byName.has('EURange') ? AttributeIds.Value : AttributeIds.Description,
      },
    ];
  });
  const values = await link.read(reads);
  const variables = found.map((f, i): BrowsedVariable => {
    const [dt, access, eu, range] = values.slice(i * 4, i * 4 + 4);
    const dataType = dt?.value.value as NodeId | undefined;
    const t = dataType && dataType.namespace === 0 ? Number(dataType.value) : -1;
    const unit = (eu?.value.value as { displayName?: { text?: string } } | null)?.displayName?.text || undefined;
    const r = range?.value.value as { low?: number; high?: number } | null;
    return {
      address: addressOf(f.nodeId, namespaces),
      path: f.path,
      browseName: f.browseName,
      displayName: f.displayName,
      valueType:
        t === DataType.Boolean
          ? 'boolean'
          : NUMERIC.has(t)
            ? 'number'
            : t === DataType.String || t === DataType.LocalizedText
              ? 'string'
              : 'number',
      writable: (Number(access?.value.value ?? 0) & 0x02) !== 0,
      ...(unit && typeof unit === 'string' ? { unit } : {}),
      ...(r && typeof r.low === 'number' && typeof r.high === 'number' ? { range: { low: r.low, high: r.high } } : {}),
    };
  });
  return {
    rootName: String((rootName.value.value as { name?: string })?.name ?? root),
    variables,
    truncated,
    unexplored,
  };
}

/** The quantity a unit measures, with hints from the name where a unit is shared (% of speed, of a valve). */
export function guessQuantity(unit: string | undefined, name: string): Quantity | undefined {
  if (unit === undefined) return undefined;
  const n = name.toLowerCase();
  if (unit === '%') {
    if (/speed|fan|pump/.test(n)) return 'speed';
    if (/valve|position|damper/.test(n)) return 'position';
    if (/humid|rh/.test(n)) return 'humidity';
    return 'utilization';
  }
  if (/air/.test(n) && /m³\/h|m3\/h/.test(unit)) return 'airflow';
  if (unit === 'Pa' && /dp|diff/.test(n)) return 'differentialPressure';
  return SOURCE_UNITS[unit]?.quantity;
}

/**
 * Point templates as YAML for a source's `points:`. The asset is `<hall>/-/-/<object>` for variables one object
 * below the root and `<hall>/<row>/<rack>/<asset>` for three; deeper or other layouts get the path joined by `_`
 * and a comment — templates are a start, to be checked.
 */
export function pointTemplates(outcome: BrowseOutcome, hall = outcome.rootName): string {
  const points = outcome.variables.map((v) => {
    const p = v.path;
    const asset =
      p.length === 1
        ? `${hall}/-/-/${p[0]}`
        : p.length === 3
          ? `${hall}/${p[0]}/${p[1]}/${p[2]}`
          : `${hall}/-/-/${p.length === 0 ? outcome.rootName : p.join('_')}`;
    const unit = v.unit === 'm³/h' && guessQuantity(v.unit, v.browseName) === 'airflow' ? 'm³/h air' : v.unit;
    const quantity = guessQuantity(v.unit, v.browseName) ?? (v.valueType === 'number' ? 'count' : 'state');
    return {
      asset,
      signal: v.browseName.replace(/[^A-Za-z0-9_.-]/g, '_'),
      quantity,
      ...(unit && SOURCE_UNITS[unit] ? { unit } : {}),
      ...(v.valueType !== 'number' ? { valueType: v.valueType } : {}),
      ...(v.writable ? { kind: 'setpoint', writable: true } : {}),
      // min/max are in canonical units: only when the source unit is already canonical
      ...(v.range &&
      v.valueType === 'number' &&
      unit &&
      SOURCE_UNITS[unit]?.scale === 1 &&
      SOURCE_UNITS[unit]?.offset === 0
        ? { min: v.range.low, max: v.range.high }
        : {}),
      address: v.address,
      ...(v.displayName !== v.browseName ? { name: v.displayName } : {}),
    };
  });
  const head = [
    `# ${outcome.variables.length} variables below ${outcome.rootName}` +
      (outcome.truncated ? ' (stopped at --max: more exist)' : '') +
      (outcome.unexplored > 0 ? ` (${outcome.unexplored} objects below --depth not visited)` : ''),
    `# assets in hall "${hall}" (--hall, @default the root's name); quantity and unit are guessed from EngineeringUnits;`,
    '# min/max are the EURange (check they suit as limits)',
  ];
  return `${head.join('\n')}\n${stringify(points, { lineWidth: 0 })}`;
}
