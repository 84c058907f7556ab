import { lookup } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { HttpPost } from '../core/outbound/deliver';
import {
  blockedReason,
  literalAddress,
  type OutboundPolicy,
  type ResolveAll,
  schemeProblem,
} from '../core/outbound/address-policy';

/** Every address of a name, as the system resolver answers (the same lookup sockets use). */
export const systemResolveAll: ResolveAll = (host) =>
  new Promise((resolve, reject) =>
    lookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/**
 * The outbound policy from the environment: private and loopback targets only in the explicit local
 * mode (`LEADFLOW_MODE=local`, set by the local runtime); plain http there or with
 * `OUTBOUND_ALLOW_INSECURE=true`. No other variable (such as a DynamoDB endpoint) relaxes it.
 */
/** Private and loopback targets only in the explicit local mode; plain http there or when opted in. */
export const outboundPolicy = ({
  localMode,
  allowInsecure,
}: {
  localMode: boolean;
  allowInsecure: boolean;
}): OutboundPolicy => ({
  allowPrivate: localMode,
  allowHttp: localMode || allowInsecure,
});

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/**
 * A socket `lookup` that resolves the name itself and refuses it when any address is blocked, so the
 * address the socket connects to is exactly one that was checked (no window for DNS rebinding).
 */
export const guardedLookup =
  (policy: OutboundPolicy, resolve: ResolveAll): LookupFunction =>
  (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        for (const { address } of wanted) {
          const reason = blockedReason(address, policy);
          if (reason)
            return callback(new OutboundRefused(`${hostname} resolves to ${address}, ${reason}; refused`), '', 0);
        }
        const [first] = wanted;
        if (!first)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if (options.all)
          return (callback as unknown as (e: null, a: readonly { address: string; family: number }[]) => void)(
            null,
            wanted,
          );
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

/**
 * POSTs a webhook under the outbound policy: the scheme and a literal IP are checked before
 * anything is sent, a name is checked on the address the socket connects to (the lookup above),
 * and redirects are never followed. The answer body is dropped unread, within the deadline.
 */
export const makeOutboundPost =
  (policy: OutboundPolicy, resolve: ResolveAll = systemResolveAll): HttpPost =>
  async (url, headers, body, timeoutMs) => {
    const target = new URL(url);
    // Sockets skip the lookup for a literal IP: it is decided here; a name is decided at connect time.
    const literal = literalAddress(target);
    const reason = literal ? blockedReason(literal, policy) : undefined;
    const problem = schemeProblem(target, policy) ?? (reason ? `${literal} is ${reason}` : undefined);
    if (problem) throw new OutboundRefused(`${url}: ${problem}; refused`);
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(policy, resolve),
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<{ status: number }>((resolvePost, reject) => {
      const req = send(target, options, (res) => {
        resolvePost({ status: res.statusCode ?? 0 });
        res.destroy();
      });
      req.on('error', reject);
      req.end(body);
    });
  };
