/** Which proxies to believe about the client's address. */
export interface TrustedProxyOptions {
  /**
   * Addresses of the proxies in front of the server: exact IPs (`"10.0.0.5"`, `"::1"`) or IPv4
   * CIDR ranges (`"10.0.0.0/8"`). Only a peer in this list may name the client.
   */
  addresses: readonly string[];
  /** The header the proxies set. @default {"x-forwarded-for"} */
  header?: "x-forwarded-for" | "forwarded";
}

/**
 * The client's IP address. Without `trust` it is the peer's address and the forwarding headers
 * are ignored (anyone can send them). With `trust`, when the peer is a trusted proxy the header
 * is read right to left, skipping trusted proxies: the first untrusted hop is the client.
 *
 * @example
 * ```ts
 * import { clientIp } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers({ "x-forwarded-for": "203.0.113.9, 10.0.0.2" });
 * const peer = { transport: "tcp", hostname: "10.0.0.1", port: 4000 } as const;
 * assert.equal(clientIp(peer, headers), "10.0.0.1");
 * assert.equal(clientIp(peer, headers, { addresses: ["10.0.0.0/8"] }), "203.0.113.9");
 * ```
 */
export function clientIp(
  peer: Deno.NetAddr | undefined,
  headers: Headers,
  trust?: TrustedProxyOptions,
): string {
  const address = peer?.hostname ?? "unknown";
  if (trust === undefined || !_isTrusted(address, trust.addresses)) return address;
  const hops = trust.header === "forwarded"
    ? _forwardedFor(headers.get("forwarded"))
    : (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = _stripPort(hops[i] ?? "");
    if (hop === "") break;
    if (!_isTrusted(hop, trust.addresses)) return hop;
  }
  return address;
}

// RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:80"`.
function _forwardedFor(value: string | null): string[] {
  if (value === null) return [];
  const hops: string[] = [];
  for (const element of value.split(",")) {
    const match = /(?:^|;)\s*for=("[^"]*"|[^;,\s]*)/i.exec(element);
    hops.push(match?.[1] === undefined ? "" : match[1].replace(/^"|"$/g, ""));
  }
  return hops;
}

function _stripPort(hop: string): string {
  if (hop.startsWith("[")) return hop.slice(1, hop.indexOf("]") >>> 0);
  const colon = hop.indexOf(":");
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  return colon !== -1 && colon === hop.lastIndexOf(":") ? hop.slice(0, colon) : hop;
}

function _isTrusted(ip: string, addresses: readonly string[]): boolean {
  for (const entry of addresses) {
    const slash = entry.indexOf("/");
    if (
      slash === -1
        ? entry === ip
        : _inCidr4(ip, entry.slice(0, slash), Number(entry.slice(slash + 1)))
    ) {
      return true;
    }
  }
  return false;
}

function _inCidr4(ip: string, base: string, bits: number): boolean {
  const a = _ipv4(ip);
  const b = _ipv4(base);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function _ipv4(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}
