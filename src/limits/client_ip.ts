/** Which proxies to believe about the client's address. */
export interface TrustedProxyOptions {
  /**
   * Addresses of the proxies in front of the server: exact IPs (`"10.0.0.5"`, `"::1"`) or CIDR
   * ranges (`"10.0.0.0/8"`, `"fd00::/8"`). IPv4-mapped IPv6 addresses (`"::ffff:10.0.0.5"`, as
   * a dual-stack listener reports IPv4 peers) match their IPv4 entries. Only a peer in this list
   * may name the client.
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
  const address = _parseIp(ip);
  if (address === undefined) return false;
  for (const entry of addresses) {
    const slash = entry.indexOf("/");
    const base = _parseIp(slash === -1 ? entry : entry.slice(0, slash));
    if (base === undefined || base.bits !== address.bits) continue;
    const prefix = slash === -1 ? base.bits : Number(entry.slice(slash + 1));
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > base.bits) continue;
    const shift = BigInt(base.bits - prefix);
    if (address.value >> shift === base.value >> shift) return true;
  }
  return false;
}

// An address as an integer and its width (32 or 128 bits); IPv4-mapped IPv6 becomes IPv4.
function _parseIp(ip: string): { value: bigint; bits: 32 | 128 } | undefined {
  const v4 = _ipv4(ip);
  if (v4 !== undefined) return { value: BigInt(v4), bits: 32 };
  const v6 = _ipv6(ip);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { value: v6 & 0xffffffffn, bits: 32 };
  return { value: v6, bits: 128 };
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

// RFC 4291 §2.2 text forms: eight groups, `::` once, an embedded IPv4 tail; no zone id.
function _ipv6(ip: string): bigint | undefined {
  if (ip.length > 45 || !ip.includes(":")) return undefined;
  let text = ip.toLowerCase();
  const groups: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const tail = _ipv4(text.slice(lastColon + 1));
  if (tail !== undefined) text = text.slice(0, lastColon + 1) + "0:0";
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    for (const group of half.split(":")) {
      if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + rest.length > 7) return undefined;
  groups.push(...head, ...new Array(8 - head.length - rest.length).fill(0), ...rest);
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  if (tail !== undefined) value = (value & ~0xffffffffn) | BigInt(tail);
  return value;
}
