import { isLoopback } from '../../api/auth';

/**
 * Whether the simulator accepts any client certificate without a person trusting it: only when it listens on
 * loopback, where only this machine can reach it. Elsewhere an unknown client certificate lands in
 * `<pkiDir>/server/rejected/` until moved to `trusted/certs/`, as on a real server.
 */
export function autoAcceptClientCertificates(host: string): boolean {
  return isLoopback(host);
}
