/**
 * One agent's session (net-snmp over UDP): GET, GETBULK and SET as promises, one request at a time (a queue shared
 * by polls and writes), errors classed into AgentError kinds. The socket is opened on the first request (never in
 * init) and closed by `close()`, which also ends a request in flight.
 */
import snmp from 'net-snmp';
import { agentTarget, type ResolvedAgent, type SnmpUser } from './config';
import { SNMP_STATUS, type Varbind } from './decode';

const AUTH: Record<string, string> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, string> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};
const LEVEL = { noAuthNoPriv: 1, authNoPriv: 2, authPriv: 3 } as const;

/** A configured USM user as net-snmp takes it (sessions and the trap listener). */
export function usmUser(u: SnmpUser): snmp.User {
  return {
    name: u.name,
    level: LEVEL[u.level],
    ...(u.level !== 'noAuthNoPriv' ? { authProtocol: AUTH[u.authProtocol], authKey: u.authKey } : {}),
    ...(u.level === 'authPriv' ? { privProtocol: PRIV[u.privProtocol], privKey: u.privKey } : {}),
  };
}

/** Response-invalid codes of net-snmp that mean USM refused us: could not decrypt, auth failure, time window. */
const SECURITY_CODES: ReadonlySet<number> = new Set([4, 5, 14]);

export const ERROR_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'tooBig',
  2: 'noSuchName',
  3: 'badValue',
  4: 'readOnly',
  5: 'genErr',
  6: 'noAccess',
  7: 'wrongType',
  8: 'wrongLength',
  9: 'wrongEncoding',
  10: 'wrongValue',
  11: 'noCreation',
  12: 'inconsistentValue',
  13: 'resourceUnavailable',
  14: 'commitFailed',
  15: 'undoFailed',
  16: 'authorizationError',
  17: 'notWritable',
  18: 'inconsistentName',
};

export class AgentError extends Error {
  constructor(
    /** `timeout` no answer; `status` the agent answered an error-status; `malformed` an answer net-snmp rejected;
     * `security` USM refused; `closed` the connector is closing */
    readonly kind: 'timeout' | 'status' | 'malformed' | 'security' | 'closed',
    message: string,
    readonly rawStatus: number,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export class AgentLink {
  private session?: snmp.Session;
  private closed = false;
  /** the last datagram net-snmp could not decode, for the timeout message (garbage on the port) */
  private lastGarbage?: string;
  /** requests sent (not counting net-snmp's own retries) */
  requests = 0;
  /** the request in flight (one at a time per agent), failed directly when net-snmp throws on its answer */
  private inflight?: (err: AgentError) => void;
  /** the tail of the request queue: a write waits for the poll's request in flight, and the other way round */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly agent: ResolvedAgent) {}

  get target(): string {
    return agentTarget(this.agent);
  }

  private open(): snmp.Session {
    if (this.session) return this.session;
    const a = this.agent;
    const options: snmp.SessionOptions = {
      port: a.port,
      retries: a.retries,
      timeout: a.timeoutMs,
      backoff: 1,
      transport: a.host.includes(':') ? 'udp6' : 'udp4',
      version: a.version === '3' ? snmp.Version3 : snmp.Version2c,
      ...(a.context !== undefined ? { context: a.context } : {}),
    };
    let s: snmp.Session;
    if (a.version === '3' && a.user) {
      s = snmp.createV3Session(a.host, usmUser(a.user), options);
    } else {
      s = snmp.createSession(a.host, a.community ?? 'public', options);
    }
    // net-snmp emits "error" for datagrams it cannot decode; without a listener that would crash the process
    s.on('error', (err: Error) => {
      this.lastGarbage = err.message;
    });
    // and some answers make its message handler throw after it has dropped the request (a v2c Report PDU reads
    // v3 security parameters that are not there): that would be an uncaught exception and a request that never
    // ends, so the handler runs inside a guard that fails the request in flight instead
    const socket = (s as unknown as { dgram: import('node:dgram').Socket }).dgram;
    const handlers = socket.listeners('message') as Array<(msg: Buffer, rinfo: unknown) => void>;
    socket.removeAllListeners('message');
    socket.on('message', (msg: Buffer, rinfo: unknown) => {
      try {
        for (const h of handlers) h(msg, rinfo);
      } catch (e) {
        const fail = this.inflight;
        this.inflight = undefined;
        fail?.(
          new AgentError(
            'malformed',
            `the agent's answer could not be processed: ${(e as Error).message}`,
            SNMP_STATUS.malformed,
          ),
        );
      }
    });
    this.session = s;
    return s;
  }

  private classify(err: Error, what: string): AgentError {
    const a = this.agent;
    if (err instanceof snmp.RequestTimedOutError) {
      const garbage = this.lastGarbage ? `; it sent an undecodable answer: ${this.lastGarbage}` : '';
      this.lastGarbage = undefined;
      return new AgentError(
        'timeout',
        `no answer to ${what} within ${a.timeoutMs} ms after ${a.retries} ${a.retries === 1 ? 'retry' : 'retries'} (agent down or unreachable, or a wrong ${a.version === '3' ? 'privacy passphrase: agents drop what they cannot decrypt' : 'community: agents drop those silently'})${garbage}`,
        SNMP_STATUS.timeout,
      );
    }
    if (err instanceof snmp.RequestFailedError) {
      const name = ERROR_STATUS_NAMES[err.status] ?? `error-status ${err.status}`;
      return new AgentError(
        'status',
        `the agent answered ${what} with ${name} (${err.status}): ${err.message}`,
        err.status,
      );
    }
    if (err instanceof snmp.ResponseInvalidError) {
      if (SECURITY_CODES.has(err.code)) {
        return new AgentError('security', `SNMPv3 USM refused ${what}: ${err.message}`, SNMP_STATUS.security);
      }
      return new AgentError('malformed', `invalid answer to ${what}: ${err.message}`, SNMP_STATUS.malformed);
    }
    if (this.closed) return new AgentError('closed', 'closed', SNMP_STATUS.timeout);
    return new AgentError('malformed', `${what} failed: ${err.message}`, SNMP_STATUS.malformed);
  }

  /** Runs `send` after every request queued before it: one request at a time per agent, polls and writes alike. */
  private enqueue<T>(send: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      this.closed ? Promise.reject(new AgentError('closed', 'closed', SNMP_STATUS.timeout)) : send(),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  get(oids: string[]): Promise<Varbind[]> {
    const what = `GET of ${oids.length} OID${oids.length === 1 ? '' : 's'} (${oids[0]}${oids.length > 1 ? ' …' : ''})`;
    return this.enqueue(
      () =>
        new Promise((resolve, reject) => {
          this.requests++;
          this.inflight = reject;
          this.open().get(oids, (err, vbs) => {
            this.inflight = undefined;
            if (err) reject(this.classify(err, what));
            else resolve(vbs as Varbind[]);
          });
        }),
    );
  }

  /** GETBULK with no non-repeaters: one array of successive varbinds per requested OID. */
  getBulk(oids: string[], maxRepetitions: number): Promise<Varbind[][]> {
    const what = `GETBULK from ${oids[0]}${oids.length > 1 ? ` and ${oids.length - 1} more` : ''}`;
    return this.enqueue(
      () =>
        new Promise((resolve, reject) => {
          this.requests++;
          this.inflight = reject;
          this.open().getBulk(oids, 0, maxRepetitions, (err, vbs) => {
            this.inflight = undefined;
            if (err) reject(this.classify(err, what));
            else resolve((vbs as Varbind[][]).map((col) => col ?? []));
          });
        }),
    );
  }

  /**
   * SET of one varbind, sent once: net-snmp's retries are off for it (a SET repeated after a lost answer is a
   * second command to the plant), so a timeout means it may or may not have been applied. v2c sends the agent's
   * `writeCommunity` when set (else its community), v3 the agent's user. A v3 session that has not discovered the
   * agent's engine yet does that first with a GET of the same OID (net-snmp would otherwise send the SET after
   * its discovery with the retries back on).
   */
  set(vb: Varbind): Promise<Varbind[]> {
    const what = `SET of ${vb.oid}`;
    return this.enqueue(async () => {
      const s = this.open() as snmp.Session & { retries: number; community?: string; msgSecurityParameters?: unknown };
      if (this.agent.version === '3' && s.msgSecurityParameters === undefined) {
        await this.request((cb) => s.get([vb.oid], cb), `GET of ${vb.oid} (engine discovery before the SET)`);
      }
      return this.request(
        (cb) => {
          // net-snmp copies both into the request it builds synchronously: only this SET sees them
          const { retries, community } = s;
          const write = this.agent.version === '2c' ? this.agent.writeCommunity : undefined;
          s.retries = 0;
          if (write !== undefined) s.community = write;
          try {
            s.set([vb], cb);
          } finally {
            s.retries = retries;
            if (write !== undefined) s.community = community;
          }
        },
        what,
        true,
      );
    });
  }

  /** One request on the open session as a promise; `once`: a SET, whose timeout message says it was not retried. */
  private request(send: (cb: (err: Error | null, vbs: Varbind[]) => void) => void, what: string, once = false) {
    return new Promise<Varbind[]>((resolve, reject) => {
      this.requests++;
      this.inflight = reject;
      send((err, vbs) => {
        this.inflight = undefined;
        if (!err) resolve(vbs);
        else if (once && err instanceof snmp.RequestTimedOutError)
          reject(
            new AgentError(
              'timeout',
              `no answer to ${what} within ${this.agent.timeoutMs} ms (a SET is not retried: it may or may not have been applied)`,
              SNMP_STATUS.timeout,
            ),
          );
        else reject(this.classify(err, what));
      });
    });
  }

  /** Closes the socket; a request in flight ends at once (net-snmp cancels it with an error). */
  close(): void {
    this.closed = true;
    const s = this.session;
    this.session = undefined;
    if (s) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}
