/**
 * A chat server: a real web page and the `aero.v1` WebSocket endpoint on one port, with rooms,
 * nicknames, presence, a typing indicator, history on join and reconnection that resumes
 * without losing messages. Embedded memory broker: no other process needed.
 *
 *     deno run -A examples/chat.ts [--port 8080] [--hostname 127.0.0.1] [--ops-port 9091]
 *
 * `/metrics` (Prometheus), `/healthz` and `/readyz` are served on `--ops-port` (default 9091, so
 * it runs next to `examples/echo.ts` on 9090); the router records RPC calls, publishes and
 * history recoveries in the same metrics as the connections.
 *
 * Then open http://127.0.0.1:8080/ in two browser windows. The page's client is the browser
 * bundle of `@aero/socket/sdk` (`deno task bundle:client`); it is built on first start when
 * missing.
 *
 * Every piece of chat text is untrusted: the server validates nicknames and room names,
 * normalizes and bounds text and strips control characters; clients cannot publish or join
 * presence directly (only through the `chat.*` methods); the page renders with `textContent`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { WebSocketConnection } from "../src/connection/mod.ts";
import {
  AERO_PROTOCOLS,
  createRouter,
  MemoryBroker,
  type Router,
  RpcError,
} from "../src/messaging/mod.ts";
import { Health, monitorEventLoop, serveOps, ServerMetrics } from "../src/observability/mod.ts";
import { serve, type Server } from "../src/server/mod.ts";
import { sanitizeText, validateNick, validateRoom } from "./chat/sanitize.ts";
import type { ChatMessage, HistoryEntry } from "./chat/schema.ts";

const _DIR = new URL("./chat/", import.meta.url);
const _BUNDLE = new URL("./chat/dist/aero-client.js", import.meta.url);
const _STATIC: Record<string, [file: URL, type: string]> = {
  "/": [new URL("index.html", _DIR), "text/html; charset=utf-8"],
  "/app.js": [new URL("app.js", _DIR), "text/javascript; charset=utf-8"],
  "/style.css": [new URL("style.css", _DIR), "text/css; charset=utf-8"],
  "/aero-client.js": [_BUNDLE, "text/javascript; charset=utf-8"],
};
// A typing notice per session and room at most this often.
const _TYPING_INTERVAL = 1_000;
const _HISTORY = 50;

/** Options for {@linkcode startChat}. */
export interface ChatOptions {
  /** TCP port; `0` picks a free one. @default {8080} */
  port?: number;
  /** Address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Rebuild the browser bundle even when it exists. @default {false} */
  rebuildBundle?: boolean;
  /**
   * Port of `/metrics`, `/healthz` and `/readyz` (on `hostname`); `0` picks a free one.
   * @default {undefined} (not served)
   */
  opsPort?: number;
}

/** A running chat server. */
export interface Chat extends AsyncDisposable {
  /** The page's URL. */
  readonly url: string;
  /** The WebSocket server. */
  readonly server: Server;
  /** The `aero.v1` router. */
  readonly router: Router;
  /** Metrics of the server and the router. */
  readonly metrics: ServerMetrics;
  /** The address of the operations endpoints, when served. */
  readonly opsAddr: Deno.NetAddr | undefined;
  /** Stops the server and the router. */
  close(): Promise<void>;
}

/**
 * Builds the browser bundle when needed and starts the chat server.
 *
 * @example
 * ```ts ignore
 * import { startChat } from "./chat.ts";
 *
 * await using chat = await startChat({ port: 0 });
 * console.log(chat.url);
 * ```
 */
export async function startChat(options: ChatOptions = {}): Promise<Chat> {
  await ensureBundle(options.rebuildBundle ?? false);
  const broker = new MemoryBroker({ maxHistory: 200 });
  const nicks = new WeakMap<WebSocketConnection, string>();
  const lastTyping = new Map<string, number>();
  const metrics = new ServerMetrics();
  const router = createRouter({
    broker,
    metrics,
    maxEnvelopeSize: 16 * 1024,
    onConnect({ conn, data }) {
      const nick = validateNick((data as { nick?: unknown } | undefined)?.nick);
      if (!nick.ok) throw new RpcError("forbidden", `Cannot connect: ${nick.reason}`);
      nicks.set(conn, nick.value);
      return { nick: nick.value };
    },
    // Clients read rooms and typing notices and list presence; they write only through methods,
    // so every message and every presence entry carries a server-checked nickname.
    authorize({ action, topic }) {
      if (action === "publish" || action === "join") return false;
      const [kind, room, ...rest] = topic.split(".");
      if (rest.length > 0 || !validateRoom(room).ok) return false;
      return kind === "chat" || (kind === "typing" && action === "subscribe");
    },
  });
  const nickOf = (conn: WebSocketConnection): string => {
    const nick = nicks.get(conn);
    if (nick === undefined) throw new RpcError("forbidden", "Cannot chat: no nickname");
    return nick;
  };
  const roomOf = (data: unknown): string => {
    const room = validateRoom((data as { room?: unknown } | null)?.room);
    if (!room.ok) throw new RpcError("invalid_params", `Cannot chat: ${room.reason}`);
    return room.value;
  };
  router.method("chat.enter", async ({ conn, data, session }) => {
    await router.join(session, `chat.${roomOf(data)}`, { nick: nickOf(conn) });
    return null;
  });
  router.method("chat.leave", async ({ data, session }) => {
    await router.leave(session, `chat.${roomOf(data)}`);
    return null;
  });
  router.method("chat.send", async ({ conn, data }) => {
    const room = roomOf(data);
    const text = sanitizeText((data as { text?: unknown }).text);
    if (!text.ok) throw new RpcError("invalid_params", `Cannot send: ${text.reason}`);
    const message: ChatMessage = { nick: nickOf(conn), text: text.value, at: Date.now() };
    const { message: stored } = await router.publish(`chat.${room}`, message);
    return { offset: stored.offset };
  });
  router.method("chat.typing", async ({ conn, data, session }) => {
    const room = roomOf(data);
    const key = `${session} ${room}`;
    const now = Date.now();
    if (now - (lastTyping.get(key) ?? 0) < _TYPING_INTERVAL) return null;
    lastTyping.set(key, now);
    if (lastTyping.size > 10_000) lastTyping.clear();
    await router.publish(`typing.${room}`, { nick: nickOf(conn) });
    return null;
  });
  router.method("chat.history", async ({ data }) => {
    const history = await broker.history(`chat.${roomOf(data)}`, { limit: _HISTORY });
    const messages: HistoryEntry[] = history.messages.map((m) => ({
      ...(m.data as ChatMessage),
      offset: m.offset,
    }));
    return { epoch: history.position.epoch, messages };
  });
  const server = serve({
    port: options.port ?? 8080,
    hostname: options.hostname ?? "127.0.0.1",
    protocols: AERO_PROTOCOLS,
    metrics,
    fetch: serveStatic,
    onListen() {},
  }, (conn) => router.handle(conn));
  const url = `http://${server.addr.hostname}:${server.addr.port}/`;
  const lag = monitorEventLoop(metrics);
  const ops = options.opsPort === undefined ? undefined : serveOps({
    port: options.opsPort,
    hostname: options.hostname ?? "127.0.0.1",
    metrics,
    health: new Health().watch(server),
  });
  const close = async () => {
    // The operations port keeps answering (/readyz: 503) while the chat server drains.
    await server.shutdown({ timeout: 1_000 });
    await router.close();
    await broker.close();
    lag[Symbol.dispose]();
    await ops?.shutdown();
  };
  return {
    url,
    server,
    router,
    metrics,
    opsAddr: ops?.addr,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function serveStatic(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const entry = _STATIC[path];
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method Not Allowed", { status: 405 });
  }
  if (path === "/healthz") return new Response("ok\n");
  if (entry === undefined) return new Response("Not Found", { status: 404 });
  const [file, type] = entry;
  return new Response(request.method === "HEAD" ? null : await Deno.readFile(file), {
    headers: {
      "content-type": type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self'; base-uri 'none'; form-action 'none'",
    },
  });
}

/** Runs `deno task bundle:client` when the bundle is missing (or `force`). */
async function ensureBundle(force: boolean): Promise<void> {
  if (!force) {
    try {
      await Deno.stat(_BUNDLE);
      return;
    } catch {
      // Missing: build it.
    }
  }
  const cwd = new URL("../", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bundle:client"],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`Cannot build the client bundle:\n${new TextDecoder().decode(output.stderr)}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8080" },
      hostname: { type: "string", default: "127.0.0.1" },
      "ops-port": { type: "string", default: "9091" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Cannot start: invalid --port ${values.port}`);
    Deno.exit(2);
  }
  const opsPort = Number(values["ops-port"]);
  if (!Number.isInteger(opsPort) || opsPort < 0 || opsPort > 65535) {
    console.error(`Cannot start: invalid --ops-port ${values["ops-port"]}`);
    Deno.exit(2);
  }
  const chat = await startChat({ port, hostname: values.hostname, opsPort });
  console.log(`Chat on ${chat.url} (Ctrl+C to stop)`);
  console.log(`/metrics, /healthz, /readyz on port ${chat.opsAddr?.port}`);
  const stop = async () => {
    await chat.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
