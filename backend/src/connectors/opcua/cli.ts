/**
 * `tsx backend/src/connectors/opcua/cli.ts <command>`: the operator's side of the opcua connector.
 *
 *   browse    --endpoint <url> --root <node> [--depth 3] [--max 500] [--hall <id>] [connection options]
 *             prints point templates (YAML) for the variables below <node>
 *   trust     --pki <dir> --endpoint <url>   fetches the server certificate, shows it, moves it to trusted/
 *   trust     --pki <dir> --cert <file>      trusts a certificate file (DER or PEM)
 *   rejected  --pki <dir>                    lists refused server certificates
 *   endpoints --endpoint <url>               lists the server's endpoints (security mode, policy, user tokens)
 *
 * Connection options (browse): --pki <dir> (@default data/pki/opcua), --security-mode None|Sign|SignAndEncrypt,
 * --security-policy <policy>, --user <name> with the password in $OPCUA_PASSWORD (never on the command line).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../common/errors';
import { formatIssues } from '../../common/zod-issues';
import { opcuaOptions, type OpcUaOptionsInput } from './config';

const USAGE = `usage: cli.ts <command> [options]
  browse    --endpoint <url> --root <node id> [--depth 3] [--max 500] [--hall <id>]
            [--pki <dir>] [--security-mode <m>] [--security-policy <p>] [--user <name>]   (password: $OPCUA_PASSWORD)
  trust     --pki <dir> --endpoint <url>      fetch the server certificate and trust it
  trust     --pki <dir> --cert <file>         trust a certificate file (DER or PEM)
  rejected  --pki <dir>                       list refused server certificates
  endpoints --endpoint <url>                  list the server's endpoints`;

class UsageError extends Error {}

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`${name} is required`);
  return v;
}

function count(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`${name}: expected a whole number ≥ 1; got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Runs one command; output lines go to `out`. Returns the exit code. */
export async function runCli(argv: string[], out: (line: string) => void, env = process.env): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        endpoint: { type: 'string' },
        root: { type: 'string' },
        depth: { type: 'string' },
        max: { type: 'string' },
        hall: { type: 'string' },
        pki: { type: 'string' },
        cert: { type: 'string' },
        'security-mode': { type: 'string' },
        'security-policy': { type: 'string' },
        user: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  const v = parsed.values;
  const pki = path.resolve(v.pki ?? 'data/pki/opcua');
  const pkiMod = await import('./pki');
  switch (command) {
    case 'trust': {
      required(v.pki, '--pki');
      if ((v.endpoint === undefined) === (v.cert === undefined))
        throw new UsageError('trust needs one of --endpoint or --cert');
      const info = v.cert ? await pkiMod.trustFile(pki, v.cert) : await pkiMod.trustServer(pki, v.endpoint as string);
      out(`trusted ${info.subject}`);
      out(`  application URI ${info.applicationUri ?? '-'}`);
      out(`  SHA-1 thumbprint ${info.thumbprint}`);
      out(`  valid ${info.notBefore} … ${info.notAfter}`);
      out(`  in ${path.join(pki, 'trusted', 'certs')}`);
      return 0;
    }
    case 'rejected': {
      required(v.pki, '--pki');
      const list = pkiMod.listRejected(pki);
      if (list.length === 0) out(`no rejected certificates in ${path.join(pki, 'rejected')}`);
      for (const c of list) out(`${c.thumbprint}  ${c.subject}  valid until ${c.notAfter}  ${c.file}`);
      return 0;
    }
    case 'endpoints': {
      const { OPCUAClient, OPCUACertificateManager, MessageSecurityMode, UserTokenType } = await import('node-opcua');
      const endpoint = required(v.endpoint, '--endpoint');
      const m = new OPCUACertificateManager({
        rootFolder: pki,
        automaticallyAcceptUnknownCertificate: false,
        disableFileWatchers: true,
      });
      const client = OPCUAClient.create({
        endpointMustExist: false,
        clientCertificateManager: m,
        connectionStrategy: { maxRetry: 0 },
      });
      try {
        await m.initialize();
        await client.connect(endpoint);
        for (const e of await client.getEndpoints()) {
          const tokens = (e.userIdentityTokens ?? []).map((t) => UserTokenType[t.tokenType]).join(', ');
          out(
            `${e.endpointUrl}  ${MessageSecurityMode[e.securityMode]}  ${e.securityPolicyUri?.split('#')[1]}  users: ${tokens}`,
          );
        }
      } finally {
        await client.disconnect().catch(() => undefined);
        await m.dispose().catch(() => undefined);
      }
      return 0;
    }
    case 'browse': {
      const input: OpcUaOptionsInput = {
        endpoint: required(v.endpoint, '--endpoint'),
        pkiDir: pki,
        mode: 'poll',
        ...(v['security-mode'] ? { securityMode: v['security-mode'] as OpcUaOptionsInput['securityMode'] } : {}),
        ...(v['security-policy']
          ? { securityPolicy: v['security-policy'] as OpcUaOptionsInput['securityPolicy'] }
          : {}),
        ...(v.user ? { auth: { type: 'username', username: v.user, password: env.OPCUA_PASSWORD ?? '' } } : {}),
      };
      const parsed = opcuaOptions.safeParse(input);
      if (!parsed.success) throw new UsageError(formatIssues(parsed.error.issues).join('\n'));
      const root = required(v.root, '--root');
      const { OpcUaLink } = await import('./link');
      const { browsePoints, pointTemplates } = await import('./browse');
      const link = await OpcUaLink.open({
        source: 'cli',
        options: parsed.data,
        pkiDir: pki,
        log: (m) => console.error(m),
        events: {
          lost: () => undefined,
          restored: () => undefined,
          namespaces: () => undefined,
          dead: () => undefined,
        },
      });
      try {
        const outcome = await browsePoints(link, root, {
          maxDepth: count(v.depth, '--depth', 3),
          maxVariables: count(v.max, '--max', 500),
        });
        out(pointTemplates(outcome, v.hall).trimEnd());
      } finally {
        await link.close();
      }
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  }
}

if (require.main === module) {
  // node-opcua logs with console.log: keep stdout for the output (browse YAML can be redirected to a file)
  const print = (line: string) => void process.stdout.write(`${line}\n`);
  console.log = console.error;
  runCli(process.argv.slice(2), print)
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${err.message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(errorMessage(err));
      process.exit(1);
    });
}
