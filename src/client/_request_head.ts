/**
 * @internal Formats the opening handshake request (RFC 6455 §4.1): request line with path and
 * query, `Host` (with the port when it is not the scheme's default), the handshake headers, then
 * the caller's headers. Header bytes are written as Latin-1, as `Headers` holds them.
 */
export function _formatRequestHead(
  url: URL,
  key: string,
  headers: Headers,
  protocols: readonly string[],
  extensions: string,
): Uint8Array {
  // URL.host keeps IPv6 brackets and drops default ports (80 for ws:, 443 for wss:).
  let head =
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${headers.get("host") ?? url.host}\r\n` +
    "upgrade: websocket\r\nconnection: Upgrade\r\n" +
    `sec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n`;
  if (protocols.length > 0) head += `sec-websocket-protocol: ${protocols.join(", ")}\r\n`;
  if (extensions !== "") head += `sec-websocket-extensions: ${extensions}\r\n`;
  for (const [name, value] of headers) {
    if (name !== "host") head += `${name}: ${value}\r\n`;
  }
  head += "\r\n";
  const bytes = new Uint8Array(head.length);
  for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
  return bytes;
}
