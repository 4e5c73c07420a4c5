/**
 * The part of net-snmp 3.29 (pure JavaScript, no type declarations of its own) this connector uses, typed from
 * its index.js. Counter64 values arrive as a Buffer holding the BER content octets (big-endian, possibly with a
 * leading zero); OctetString values as a Buffer.
 */
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  export const Version1: 0;
  export const Version2c: 1;
  export const Version3: 3;

  export const ObjectType: {
    Boolean: 1;
    Integer: 2;
    BitString: 3;
    OctetString: 4;
    Null: 5;
    OID: 6;
    IpAddress: 64;
    Counter: 65;
    Gauge: 66;
    TimeTicks: 67;
    Opaque: 68;
    Counter64: 70;
    NoSuchObject: 128;
    NoSuchInstance: 129;
    EndOfMibView: 130;
  } & Record<number, string>;

  export const SecurityLevel: { noAuthNoPriv: 1; authNoPriv: 2; authPriv: 3 };
  export const AuthProtocols: {
    none: '1';
    md5: '2';
    sha: '3';
    sha224: '4';
    sha256: '5';
    sha384: '6';
    sha512: '7';
  };
  export const PrivProtocols: { none: '1'; des: '2'; aes: '4'; aes256b: '6'; aes256r: '8' };
  export const ErrorStatus: Record<number, string>;

  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: 0 | 1 | 3;
    idBitsSize?: 16 | 32;
    context?: string;
    backwardsGetNexts?: boolean;
    reportOidMismatchErrors?: boolean;
  }

  export interface User {
    name: string;
    level: 1 | 2 | 3;
    authProtocol?: string;
    authKey?: string;
    privProtocol?: string;
    privKey?: string;
  }

  type Callback<T> = (error: Error | null, result: T) => void;

  export interface Session extends EventEmitter {
    get(oids: string[], cb: Callback<Varbind[]>): this;
    /** varbinds: one entry per non-repeater, then one array per repeater OID holding its successive varbinds */
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      cb: Callback<Array<Varbind | Varbind[]>>,
    ): this;
    /** SetRequest: the agent answers with the varbinds it set, or an error-status (a RequestFailedError) */
    set(varbinds: Varbind[], cb: Callback<Varbind[]>): this;
    close(): this;
    cancelRequests(error: Error): void;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;

  export function isVarbindError(vb: Varbind): boolean;

  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }

  export interface Notification {
    pdu: {
      type: number;
      id?: number;
      enterprise?: string;
      agentAddr?: string;
      generic?: number;
      specific?: number;
      upTime?: number;
      varbinds: Varbind[];
    };
    rinfo: { address: string; port: number; family: string; size: number };
  }

  export interface ReceiverOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    includeAuthentication?: boolean;
    engineID?: string;
    accessControlModelType?: number;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
  }

  export function createReceiver(
    options: ReceiverOptions,
    cb: (error: Error | null, notification?: Notification) => void,
  ): Receiver;

  // the agent side, used by the twin's rPDU2-shaped face (sim/snmp/)
  export const MibProviderType: { Scalar: 1; Table: 2 };
  export const MaxAccess: { 'not-accessible': 0; 'read-only': 2; 'read-write': 3 };

  export interface MibColumn {
    number: number;
    name: string;
    type: number;
    maxAccess: number;
  }

  export interface MibProvider {
    name: string;
    type: 1 | 2;
    oid: string;
    scalarType?: number;
    maxAccess?: number;
    tableColumns?: MibColumn[];
    tableIndex?: Array<{ columnName: string }>;
    handler?: (request: { done(error?: { errorStatus: number }): void }) => void;
  }

  export interface Mib {
    registerProvider(provider: MibProvider): void;
    setScalarValue(name: string, value: unknown): void;
    addTableRow(table: string, row: unknown[]): void;
    setTableSingleCell(table: string, column: number, rowIndex: unknown[], value: unknown): void;
  }

  export interface AgentOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    accessControlModelType?: number;
    /** a module shaped like node:dgram: the agent creates its socket with it */
    dgramModule?: { createSocket(type: 'udp4' | 'udp6'): import('node:dgram').Socket };
  }

  export interface Agent {
    getAuthorizer(): Authorizer;
    getMib(): Mib;
    close(cb?: () => void): void;
  }

  export function createAgent(options: AgentOptions, cb: (error: Error | null, data?: unknown) => void): Agent;
}
