import type { Extension, ExtensionFactory } from "../../src/extensions/mod.ts";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";

/** Counts compressed (RSV1) messages an extension sent and received. */
export interface WireCounts {
  sent: number;
  received: number;
  responses: string[];
}

/**
 * Wraps a factory so that every extension it creates counts the messages it compressed and the
 * compressed frames it received, to prove compression happened on the wire.
 */
export function spy(factory: ExtensionFactory, counts: WireCounts): ExtensionFactory {
  const wrap = (extension: Extension): Extension => ({
    name: extension.name,
    rsv: extension.rsv,
    decode(frame) {
      if ((frame.rsv & 0b100) !== 0) counts.received++;
      return extension.decode(frame);
    },
    encode(opcode, payload) {
      const encoded = extension.encode(opcode, payload);
      if ((encoded.rsv & 0b100) !== 0) counts.sent++;
      return encoded;
    },
    encodeLater(opcode, payload) {
      return extension.encodeLater?.(opcode, payload)?.then((encoded) => {
        if ((encoded.rsv & 0b100) !== 0) counts.sent++;
        return encoded;
      });
    },
    close: () => extension.close(),
  });
  return {
    name: factory.name,
    rsv: factory.rsv,
    accept(offers, limits) {
      const accepted = factory.accept(offers, limits);
      if (accepted === null) return null;
      counts.responses.push(
        [
          accepted.response.name,
          ...accepted.response.params.map(([k, v]) => v === true ? k : `${k}=${v}`),
        ]
          .join("; "),
      );
      return { response: accepted.response, extension: wrap(accepted.extension) };
    },
    offer: () => factory.offer(),
    accepted: (response, limits) => wrap(factory.accepted(response, limits)),
  };
}

/** The next `count` messages of a connection. */
export async function take(conn: WebSocketConnection, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

/** The messages every round trip sends: compressible text and binary, incompressible, empty. */
export function sampleMessages(): (string | Uint8Array)[] {
  const json = JSON.stringify(
    Array.from({ length: 80 }, (_, i) => ({ id: i, user: `user${i % 7}`, text: "hello ✓" })),
  );
  const noise = new Uint8Array(3000);
  for (let i = 0, x = 7; i < noise.length; i++) {
    noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  }
  const repeated = new Uint8Array([...noise, ...noise]); // matches 3000 bytes back
  return [json, noise, repeated, json, "", "short"];
}

/** Every combination of the four permessage-deflate parameters a client can request. */
export function clientRequests(): {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}[] {
  const out = [];
  for (const serverNoContextTakeover of [false, true]) {
    for (const clientNoContextTakeover of [false, true]) {
      for (const sBits of [undefined, 8, 11, 15]) {
        for (const cBits of [undefined, 8, 12, 15]) {
          out.push({
            serverNoContextTakeover,
            clientNoContextTakeover,
            ...(sBits === undefined ? {} : { serverMaxWindowBits: sBits }),
            ...(cBits === undefined ? {} : { clientMaxWindowBits: cBits }),
          });
        }
      }
    }
  }
  return out;
}
