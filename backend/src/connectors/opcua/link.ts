/**
 * One connection to an OPC UA server: certificate manager, client, session, the server's NamespaceArray and
 * OperationLimits. `openLink` makes one bounded attempt and classes its failure: `fatal` errors need a person
 * (untrusted server certificate, refused user, no such endpoint), the others are retried with backoff.
 *
 * node-opcua's own reconnection stays on (it repairs the channel, reactivates or recreates the session and
 * transfers or recreates the subscriptions); the link reports what happens through `LinkEvents` and hooks
 * `beforeSubscriptionRecreate` so the owner can move nodes to new namespace indexes before the items are
 * recreated on a restarted server. Every node-opcua emitter gets an error listener: nothing escapes as an
 * uncaught exception.
 */
import type { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  VariableIds,
  type BrowseDescriptionOptions,
  type BrowseResult,
  type ClientSession,
  type DataValue,
  type ReadValueIdOptions,
  type StatusCode,
  type UserIdentityInfo,
  type WriteValueOptions,
} from 'node-opcua';
import { errorMessage, PlenumError } from '../../common/errors';
import { AUTO_POLICIES, chooseSecurity, effectivePolicy, type OpcUaOptions, type WireSecurity } from './config';
import { CLIENT_APPLICATION_NAME, trustCommand } from './pki';
import { effectiveLimit } from './plan';
export { STATUS } from './status';

const BAD_SESSION_ID_INVALID = 0x80250000;
const BAD_SESSION_CLOSED = 0x80260000;

/** Session timeout the client asks for, ms: long enough to outlive a server-side network blip. */
export const SESSION_TIMEOUT_MS = 60_000;

/** The server's OperationLimits and capabilities the connector splits its calls by; undefined: not exposed. */
export interface ServerLimits {
  maxNodesPerRead?: number;
  maxNodesPerWrite?: number;
  maxNodesPerBrowse?: number;
  maxNodesPerTranslateBrowsePathsToNodeIds?: number;
  maxMonitoredItemsPerCall?: number;
  maxSubscriptionsPerSession?: number;
  maxMonitoredItemsPerSubscription?: number;
}

const LIMIT_NODES: Record<keyof ServerLimits, number> = {
  maxNodesPerRead: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
  maxNodesPerWrite: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerWrite,
  maxNodesPerBrowse: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse,
  maxNodesPerTranslateBrowsePathsToNodeIds:
    VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerTranslateBrowsePathsToNodeIds,
  maxMonitoredItemsPerCall: VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
  maxSubscriptionsPerSession: VariableIds.Server_ServerCapabilities_MaxSubscriptionsPerSession,
  maxMonitoredItemsPerSubscription: VariableIds.Server_ServerCapabilities_MaxMonitoredItemsPerSubscription,
};

const NAMESPACE_ARRAY = 'i=2255';

/** A service fault for a call with more operations than the server takes (OperationLimits exceeded). */
export function isTooManyOperations(err: unknown): boolean {
  return /BadTooManyOperations|0x80100000/i.test(errorMessage(err));
}

/**
 * Runs `call` over `items` in batches of at most `limit` (undefined: all at once). A batch the server refuses
 * with BadTooManyOperations is halved and tried again, down to one item, and the smaller size is kept for the
 * rest: servers that expose no limit, or a wrong one, are learnt from their answers. Returns the results in
 * order and the batch size that worked.
 */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number | undefined,
  call: (batch: T[]) => Promise<R[]>,
): Promise<{ results: R[]; limit: number | undefined }> {
  const results: R[] = [];
  let size = limit === undefined ? items.length : Math.max(1, Math.floor(limit));
  let learnt = limit;
  for (let i = 0; i < items.length;) {
    const batch = items.slice(i, i + Math.max(1, size));
    try {
      results.push(...(await call(batch)));
      i += batch.length;
    } catch (err) {
      if (!isTooManyOperations(err) || batch.length === 1) throw err;
      size = Math.ceil(batch.length / 2);
      learnt = size;
    }
  }
  return { results, limit: learnt };
}

/** What the link tells its owner; handlers must not throw (they are guarded anyway). */
export interface LinkEvents {
  /** the connection broke; node-opcua is reconnecting */
  lost(reason: string): void;
  /** node-opcua repaired the session (and its subscriptions) */
  restored(): void;
  /** a new session exists on a (maybe restarted) server: re-resolve namespaces before items are recreated */
  namespaces(uris: string[]): void;
  /** the client or session is gone for good (closed by the server, reconnection abandoned): rebuild */
  dead(reason: string): void;
}

/** A connection failure; `fatal` ones need a person (certificate, credentials, endpoint) and are not retried at start. */
export class LinkError extends PlenumError {
  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super('device', message);
  }
}

export interface LinkContext {
  source: string;
  options: OpcUaOptions;
  /**
   * What to do when node-opcua's reconnection gets a new session (the server restarted or dropped ours):
   * `repair` lets node-opcua transfer or recreate the subscriptions (poll mode has none); `rebuild` hands the link
   * to the owner to rebuild, because node-opcua's own recreation reads twelve OperationLimits in one Read — which
   * a server with MaxNodesPerRead < 12 refuses — and then leaves subscriptions without monitored items, silently.
   * @default repair
   */
  onNewSession?: 'repair' | 'rebuild';
  /** absolute PKI folder */
  pkiDir: string;
  events: LinkEvents;
  log: (message: string) => void;
  /** resolves when the owner stops: an attempt in progress is abandoned */
  aborted?: Promise<void>;
}

/** Reads the user identity of `auth` (certificate files are read here, at connect, never in init). */
function identity(o: OpcUaOptions, source: string): UserIdentityInfo {
  const a = o.auth;
  if (a.type === 'anonymous') return { type: UserTokenType.Anonymous };
  if (a.type === 'username') return { type: UserTokenType.UserName, userName: a.username, password: a.password };
  let cert: Buffer;
  let key: string;
  try {
    cert = fs.readFileSync(path.resolve(a.certificateFile));
    key = fs.readFileSync(path.resolve(a.privateKeyFile), 'utf8');
  } catch (err) {
    throw new LinkError(
      `source "${source}": cannot read auth.certificateFile/privateKeyFile: ${errorMessage(err)}`,
      true,
    );
  }
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(cert.toString('latin1'));
  const der = pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : cert;
  return { type: UserTokenType.Certificate, certificateData: der, privateKey: key };
}

/** Classes a connect failure: the message names the source, the endpoint and what to do. */
export function classify(err: unknown, ctx: Pick<LinkContext, 'source' | 'options' | 'pkiDir'>): LinkError {
  if (err instanceof LinkError) return err;
  // node-opcua's messages span lines ("…\nPlease check that the server is up…\nErr = (connect ECONNREFUSED …)")
  const msg = errorMessage(err)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  const o = ctx.options;
  const where = `source "${ctx.source}": ${o.endpoint}`;
  if (
    /BadCertificateUntrusted|server certificate verification failed|BadCertificate(Invalid|TimeInvalid|IssuerRevoked|Revoked|UriInvalid|HostNameInvalid)/i.test(
      msg,
    )
  ) {
    const status = /Bad[A-Za-z]+/.exec(msg)?.[0] ?? 'BadCertificateUntrusted';
    return new LinkError(
      `${where}: the server certificate is not trusted (${status}); it was saved to ${path.join(ctx.pkiDir, 'rejected')}. ` +
        `Check its thumbprint with the server's administrator, then trust it: ${trustCommand(ctx.pkiDir, o.endpoint)} (and restart the source)`,
      true,
    );
  }
  if (/BadUserAccessDenied|BadIdentityToken(Rejected|Invalid)|BadUserSignatureInvalid/.test(msg)) {
    const who =
      o.auth.type === 'username'
        ? `user "${o.auth.username}"`
        : o.auth.type === 'certificate'
          ? `the user certificate ${o.auth.certificateFile}`
          : 'anonymous access';
    const status = /Bad[A-Za-z]+/.exec(msg)?.[0];
    return new LinkError(`${where}: the server refused ${who} (${status}); check auth in the source's options`, true);
  }
  if (/BadSecurityChecksFailed|BadCertificateUseNotAllowed|BadApplicationSignatureInvalid/.test(msg)) {
    return new LinkError(
      `${where}: the server refused this client's certificate (${/Bad[A-Za-z]+/.exec(msg)?.[0]}); trust ${path.join(ctx.pkiDir, 'own', 'certs', 'client_certificate.pem')} on the server`,
      true,
    );
  }
  if (
    /BadSecurityPolicyRejected|BadSecurityModeRejected|cannot find an? endpoint|no endpoint|endpoint.*not found|BadTcpEndpointUrlInvalid/i.test(
      msg,
    )
  ) {
    const wanted =
      o.securityMode === 'auto'
        ? `SignAndEncrypt or Sign with ${o.securityPolicy ?? AUTO_POLICIES.join(', ')}${o.securityPolicy ? '' : ', or None'} (securityMode auto)`
        : `securityMode ${o.securityMode} and securityPolicy ${effectivePolicy(o)}`;
    return new LinkError(
      `${where}: the server offers no endpoint with ${wanted}${/Bad[A-Za-z]+/.test(msg) ? ` (${/Bad[A-Za-z]+/.exec(msg)?.[0]})` : ''}; list its endpoints: npx tsx backend/src/connectors/opcua/cli.ts endpoints --endpoint ${o.endpoint}`,
      true,
    );
  }
  return new LinkError(`${where}: ${msg}`, false);
}

/** the endpoints a server offers, as mode and policy names (policies this client does not know are left out) */
async function offeredSecurity(endpoint: string, manager: OPCUACertificateManager): Promise<WireSecurity[]> {
  // GetEndpoints needs no security: a discovery channel with None, closed again at once
  const probe = OPCUAClient.create({
    applicationName: CLIENT_APPLICATION_NAME,
    endpointMustExist: false,
    clientCertificateManager: manager,
    connectionStrategy: { maxRetry: 0 },
  });
  (probe as unknown as EventEmitter).on('error', () => undefined);
  try {
    await probe.connect(endpoint);
    const byUri = new Map<string, WireSecurity['policy']>(
      (Object.entries(SecurityPolicy) as Array<[WireSecurity['policy'], string]>).map(([name, uri]) => [uri, name]),
    );
    return (await probe.getEndpoints()).flatMap((e) => {
      const policy = byUri.get(e.securityPolicyUri ?? '');
      const mode = MessageSecurityMode[e.securityMode] as WireSecurity['mode'] | undefined;
      return policy && (mode === 'None' || mode === 'Sign' || mode === 'SignAndEncrypt') ? [{ mode, policy }] : [];
    });
  } finally {
    await probe.disconnect().catch(() => undefined);
  }
}

/**
 * The mode and policy to connect with: as configured, or for `auto` the most secure the server offers now (asked
 * at every connect: a server reconfigured to offer SignAndEncrypt gets it at the next reconnect). Never a silent
 * downgrade: when SignAndEncrypt is offered and the server's certificate is not trusted, the connect fails and says
 * how to trust it, as for an explicit SignAndEncrypt.
 */
async function resolveSecurity(ctx: LinkContext, manager: OPCUACertificateManager): Promise<WireSecurity> {
  const o = ctx.options;
  if (o.securityMode !== 'auto') return chooseSecurity(o, []) as WireSecurity;
  const offered = await offeredSecurity(o.endpoint, manager);
  const chosen = chooseSecurity(o, offered);
  if (!chosen)
    throw new Error(
      `no endpoint found: offered ${offered.map((e) => `${e.mode}/${e.policy}`).join(', ') || 'none this client knows'}`,
    );
  if (chosen.mode === 'None')
    ctx.log(`securityMode auto: ${o.endpoint} offers no signed endpoint; messages are neither signed nor encrypted`);
  return chosen;
}

/** Settles within `ms` (or when `abort` resolves) whatever `work` does; returns whether it finished. */
export async function within(work: Promise<unknown>, ms: number, abort?: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ...(abort ? [abort.then(() => false)] : []),
  ]);
  clearTimeout(timer);
  return done;
}

export class OpcUaLink {
  namespaces: string[] = [];
  limits: ServerLimits = {};
  /** Unix ms since node-opcua has been reconnecting, else undefined */
  reconnectingSince?: number;
  /** why the link is unusable for good (then the owner rebuilds), else undefined */
  deadReason?: string;
  private closing = false;

  private constructor(
    readonly client: OPCUAClient,
    readonly session: ClientSession,
    private readonly manager: OPCUACertificateManager,
    private readonly ctx: LinkContext,
  ) {}

  get closed(): boolean {
    return this.closing;
  }

  /** One connection attempt, bounded by connectTimeoutMs; throws a classed LinkError. */
  static async open(ctx: LinkContext): Promise<OpcUaLink> {
    const o = ctx.options;
    fs.mkdirSync(ctx.pkiDir, { recursive: true });
    const manager = new OPCUACertificateManager({
      rootFolder: ctx.pkiDir,
      automaticallyAcceptUnknownCertificate: false,
      disableFileWatchers: true,
    });
    let client: OPCUAClient | undefined;
    let session: ClientSession | undefined;
    let abandoned = false;
    const attempt = (async () => {
      await manager.initialize();
      const user = identity(o, ctx.source);
      if (abandoned) throw new Error('abandoned');
      const security = await resolveSecurity(ctx, manager);
      if (abandoned) throw new Error('abandoned');
      client = OPCUAClient.create({
        applicationName: CLIENT_APPLICATION_NAME,
        endpointMustExist: false,
        securityMode: MessageSecurityMode[security.mode],
        securityPolicy: SecurityPolicy[security.policy],
        clientCertificateManager: manager,
        // maxRetry only gates node-opcua's reconnection (it then retries forever); a first connect is tried twice
        connectionStrategy: {
          maxRetry: 1,
          initialDelay: o.reconnect.initialDelayMs,
          maxDelay: o.reconnect.maxDelayMs,
          randomisationFactor: 0.1,
        },
        requestedSessionTimeout: SESSION_TIMEOUT_MS,
        keepSessionAlive: o.mode === 'poll',
        defaultTransactionTimeout: o.requestTimeoutMs,
      });
      // not in node-opcua's event types, but an EventEmitter that emits 'error' unheard would throw
      (client as unknown as EventEmitter).on('error', (err: unknown) => ctx.log(`client error: ${errorMessage(err)}`));
      await client.connect(o.endpoint);
      if (abandoned) throw new Error('abandoned');
      session = await client.createSession2(user);
      if (abandoned) throw new Error('abandoned');
    })();
    let failure: unknown;
    const finished = await within(
      attempt.catch((err: unknown) => {
        failure = err;
      }),
      o.connectTimeoutMs,
      ctx.aborted,
    );
    if (!finished || failure !== undefined || !client || !session) {
      // abandon the attempt: a late success is closed by the attempt itself; stop reconnecting, release the PKI
      abandoned = true;
      const late = attempt.catch(() => undefined);
      const c = client as OPCUAClient | undefined;
      await within(c ? c.disconnect() : late, 3000);
      await manager.dispose().catch(() => undefined);
      if (!finished) {
        // the attempt may still be inside connect(): disconnect once it returns
        void late.then(() => (client as OPCUAClient | undefined)?.disconnect().catch(() => undefined));
        throw new LinkError(
          `source "${ctx.source}": ${o.endpoint}: no session within connectTimeoutMs (${o.connectTimeoutMs} ms)`,
          false,
        );
      }
      throw classify(failure ?? new Error('no session'), ctx);
    }
    const link = new OpcUaLink(client, session, manager, ctx);
    link.wire();
    try {
      await link.readServerInfo();
    } catch (err) {
      await link.close();
      throw classify(err, ctx);
    }
    return link;
  }

  /**
   * Reads NamespaceArray and the OperationLimits (missing or 0 = not exposed: undefined). MaxNodesPerRead is read
   * alone first, so a server that takes one node per Read still answers; the rest follow in batches within it
   * (one at a time when the server does not say).
   */
  async readServerInfo(session: ClientSession = this.session): Promise<void> {
    const limitOf = (dv: DataValue | undefined): number | undefined => {
      const v = dv?.value?.value as unknown;
      return dv?.statusCode.isGood() && typeof v === 'number' && v > 0 ? v : undefined;
    };
    const maxNodesPerRead = limitOf(
      await session.read({ nodeId: `i=${LIMIT_NODES.maxNodesPerRead}`, attributeId: AttributeIds.Value }),
    );
    const keys = (Object.keys(LIMIT_NODES) as (keyof ServerLimits)[]).filter((k) => k !== 'maxNodesPerRead');
    const nodes = [NAMESPACE_ARRAY, ...keys.map((k) => `i=${LIMIT_NODES[k]}`)].map((nodeId) => ({
      nodeId,
      attributeId: AttributeIds.Value,
    }));
    const { results: values, limit } = await inBatches(nodes, maxNodesPerRead ?? 1, (b) => session.read(b));
    const ns = values[0]?.value?.value as unknown;
    if (!Array.isArray(ns)) throw new Error('the server answered no NamespaceArray');
    this.namespaces = ns.map(String);
    const limits: ServerLimits = {};
    if (maxNodesPerRead !== undefined) limits.maxNodesPerRead = Math.min(maxNodesPerRead, limit ?? maxNodesPerRead);
    keys.forEach((k, i) => {
      const v = limitOf(values[i + 1]);
      if (v !== undefined) limits[k] = v;
    });
    this.limits = limits;
  }

  /**
   * Reads `nodes` (maxAge 0) in calls of at most `maxItemsPerCall` within MaxNodesPerRead — learnt from
   * BadTooManyOperations answers too.
   */
  async read(nodes: ReadValueIdOptions[]): Promise<DataValue[]> {
    const cap = effectiveLimit(this.ctx.options.maxItemsPerCall, this.limits.maxNodesPerRead);
    const { results, limit } = await inBatches(nodes, cap, (b) => this.session.read(b, 0));
    if (limit !== undefined && limit < cap) this.limits.maxNodesPerRead = limit;
    return results;
  }

  /**
   * Writes `nodes` in calls of at most `maxItemsPerCall` within MaxNodesPerWrite (learnt from BadTooManyOperations
   * answers as for reads: a refused call wrote nothing, so it is safe to split and send again); one StatusCode
   * per node, in order.
   */
  async write(nodes: WriteValueOptions[]): Promise<StatusCode[]> {
    const cap = effectiveLimit(this.ctx.options.maxItemsPerCall, this.limits.maxNodesPerWrite);
    const { results, limit } = await inBatches(nodes, cap, (b) => this.session.write(b));
    if (limit !== undefined && limit < cap) this.limits.maxNodesPerWrite = limit;
    return results;
  }

  /** Browses `nodes` in calls within `maxItemsPerCall` and MaxNodesPerBrowse (learnt as for reads). */
  async browse(nodes: BrowseDescriptionOptions[]): Promise<BrowseResult[]> {
    const cap = effectiveLimit(this.ctx.options.maxItemsPerCall, this.limits.maxNodesPerBrowse);
    const { results, limit } = await inBatches(nodes, cap, (b) => this.session.browse(b));
    if (limit !== undefined && limit < cap) this.limits.maxNodesPerBrowse = limit;
    return results;
  }

  private wire(): void {
    const { client, session } = this;
    const guard =
      (what: string, f: (...args: unknown[]) => void) =>
      (...args: unknown[]) => {
        try {
          f(...args);
        } catch (err) {
          this.ctx.log(`${what} handler failed: ${errorMessage(err)}`);
        }
      };
    const ev = this.ctx.events;
    client.on(
      'connection_lost',
      guard('connection_lost', () => {
        if (this.closing) return;
        this.reconnectingSince ??= Date.now();
        ev.lost('connection lost');
      }),
    );
    client.on(
      'start_reconnection',
      guard('start_reconnection', () => {
        if (this.closing) return;
        this.reconnectingSince ??= Date.now();
        ev.lost('reconnecting');
      }),
    );
    client.on(
      'reconnection_canceled',
      guard('reconnection_canceled', () => this.die('node-opcua abandoned the reconnection')),
    );
    client.on(
      'close',
      guard('close', (err) => this.die(`the connection closed${err ? `: ${errorMessage(err)}` : ''}`)),
    );
    // a server that drops the session (timeout, restart of its session layer, an operator) answers every request
    // with BadSessionIdInvalid/BadSessionClosed while the channel stays up; node-opcua's publish engine then goes
    // quiet without an event. During node-opcua's own reconnection these answers are part of its repair: ignored.
    client.on(
      'receive_response',
      guard('receive_response', (response) => {
        const status = (response as { responseHeader?: { serviceResult?: { value?: number } } })?.responseHeader
          ?.serviceResult?.value;
        if (status !== BAD_SESSION_ID_INVALID && status !== BAD_SESSION_CLOSED) return;
        if (this.reconnectingSince !== undefined || client.isReconnecting) return;
        this.die(
          `the server closed the session (${status === BAD_SESSION_CLOSED ? 'BadSessionClosed' : 'BadSessionIdInvalid'})`,
        );
      }),
    );
    session.on(
      'session_closed',
      guard('session_closed', (status) => this.die(`the server closed the session (${String(status)})`)),
    );
    session.on(
      'session_restored',
      guard('session_restored', () => {
        if (this.closing) return;
        this.reconnectingSince = undefined;
        ev.restored();
      }),
    );
    (session as unknown as EventEmitter).on('error', (err: unknown) =>
      this.ctx.log(`session error: ${errorMessage(err)}`),
    );
    // a new session on a (maybe restarted) server: namespaces may have moved; runs before subscriptions are recreated
    (
      client as unknown as { beforeSubscriptionRecreate?: (s: ClientSession) => Promise<Error | undefined> }
    ).beforeSubscriptionRecreate = async (newSession) => {
      if (this.ctx.onNewSession === 'rebuild') {
        const reason =
          'the server gave a new session (it restarted or dropped ours); the connector recreates its subscriptions itself, within the server limits';
        this.die(reason);
        return new LinkError(reason, false);
      }
      try {
        await this.readServerInfo(newSession);
        ev.namespaces(this.namespaces);
        return undefined;
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    };
  }

  private die(reason: string): void {
    if (this.closing || this.deadReason !== undefined) return;
    this.deadReason = reason;
    this.ctx.events.dead(reason);
  }

  /** Closes session, client and PKI; bounded (≈ 4 s at worst), never rejects. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const reachable = !this.client.isReconnecting && this.deadReason === undefined;
    if (reachable) await within(this.session.close(true), 1500);
    await within(this.client.disconnect(), 2500);
    await this.manager.dispose().catch(() => undefined);
  }
}
