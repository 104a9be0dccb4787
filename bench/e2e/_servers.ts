/**
 * The echo servers the end-to-end benchmark compares, and how to start and stop them.
 *
 * Every server is a child process listening on 127.0.0.1; the harness keeps its PID and stops it
 * itself. The `ws` package for Node and Bun are installed into `bench/e2e/.node` (gitignored)
 * when they are missing.
 *
 * @module
 */
import { pinned } from "./_wsload.ts";

/** Identifiers of the compared servers. */
export type ServerId = "streams" | "native" | "deno" | "ws" | "bun" | "floor";

/** A server the harness can start. */
export interface ServerSpec {
  id: ServerId;
  /** Column heading in the report. */
  label: string;
  /** What runs, for the report. */
  description: string;
  /** Makes the server runnable; returns a reason to skip it, or `null`. */
  prepare(): Promise<string | null>;
  /** The command line that serves on `port`. */
  command(port: number): string[];
  /** Runtime version, once prepared. */
  version(): Promise<string>;
}

/** A running server. */
export interface ServerProcess {
  pid: number;
  port: number;
  /** Stops the process (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** The last lines it printed. */
  output(): string;
}

/** Versions pinned for the reference servers. */
export const WS_VERSION = "8.23.0";
export const BUN_VERSION = "1.4.5";

const _root = new URL("../../", import.meta.url).pathname;
const _nodeDir = `${_root}bench/e2e/.node`;
let _bunPath: string | null = null;

/** The servers in report order. */
export const SERVERS: readonly ServerSpec[] = [
  {
    id: "streams",
    label: "aero streams",
    description: "`examples/echo.ts --engine streams` (Deno.listen + this library's pipeline)",
    prepare: () => _requireFile("examples/echo.ts"),
    command: (port) => _deno("examples/echo.ts", port, ["--engine", "streams"]),
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
  {
    id: "native",
    label: "aero native",
    description: "`examples/echo.ts --engine native` (Deno.serve + upgradeWebSocket, adapted)",
    prepare: () => _requireFile("examples/echo.ts"),
    command: (port) => _deno("examples/echo.ts", port, ["--engine", "native"]),
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
  {
    id: "deno",
    label: "Deno native",
    description:
      "`bench/e2e/servers/deno_native_echo.ts` (plain Deno.serve + Deno.upgradeWebSocket)",
    prepare: () => _requireFile("bench/e2e/servers/deno_native_echo.ts"),
    command: (port) => _deno("bench/e2e/servers/deno_native_echo.ts", port, []),
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
  {
    id: "ws",
    label: "ws (Node)",
    description: `\`bench/e2e/servers/ws_echo.mjs\` (ws@${WS_VERSION} on Node)`,
    prepare: _prepareWs,
    command: (port) => ["node", `${_root}bench/e2e/servers/ws_echo.mjs`, ..._listen(port)],
    version: async () => `Node ${await _versionOf("node")}, ws ${WS_VERSION}`,
  },
  {
    id: "bun",
    label: "Bun",
    description: "`bench/e2e/servers/bun_echo.ts` (Bun.serve with a websocket handler)",
    prepare: _prepareBun,
    command: (
      port,
    ) => [_bunPath ?? "bun", `${_root}bench/e2e/servers/bun_echo.ts`, ..._listen(port)],
    version: async () => `Bun ${await _versionOf(_bunPath ?? "bun")}`,
  },
  {
    id: "floor",
    label: "Deno floor",
    description:
      "`bench/e2e/servers/deno_floor_echo.ts` (not a usable server: the least any Deno echo must do, `conn.read`/`conn.write` with frames unmasked in place)",
    prepare: () => _requireFile("bench/e2e/servers/deno_floor_echo.ts"),
    command: (port) => _deno("bench/e2e/servers/deno_floor_echo.ts", port, []),
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
];

/**
 * Starts `spec` on a free port and resolves once it accepts TCP connections. With `cpus` (a
 * `taskset` CPU list) the server and every thread it starts run only there.
 */
export async function startServer(spec: ServerSpec, cpus?: string): Promise<ServerProcess> {
  const port = _freePort();
  const child = new Deno.Command("bash", {
    // The idle-connection case needs more descriptors than the usual soft limit.
    args: [
      "-c",
      'ulimit -n "$(ulimit -Hn)" && exec "$@"',
      "bash",
      ...pinned(cpus, spec.command(port)),
    ],
    cwd: _root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const keep = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      tail = (tail + text).slice(-4000);
    }
  };
  const drained = Promise.all([keep(child.stdout), keep(child.stderr)]).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const server: ServerProcess = {
    pid: child.pid,
    port,
    output: () => tail,
    stop: async () => {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // Exited meanwhile.
        }
        const timer = setTimeout(() => {
          if (!exited) child.kill("SIGKILL");
        }, 3000);
        await status;
        clearTimeout(timer);
      }
      await drained;
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const probe = await Deno.connect({ hostname: "127.0.0.1", port });
      probe.close();
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await server.stop();
  throw new Error(`${spec.label} did not start on port ${port}:\n${tail}`);
}

function _listen(port: number): string[] {
  return ["--port", String(port), "--hostname", "127.0.0.1"];
}

function _deno(script: string, port: number, extra: string[]): string[] {
  return [Deno.execPath(), "run", "-A", `${_root}${script}`, ..._listen(port), ...extra];
}

function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function _requireFile(path: string): Promise<string | null> {
  try {
    await Deno.stat(`${_root}${path}`);
    return null;
  } catch {
    return `${path} does not exist`;
  }
}

async function _run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const decoder = new TextDecoder();
    return { ok: o.success, out: decoder.decode(o.stdout) + decoder.decode(o.stderr) };
  } catch (error) {
    return { ok: false, out: String(error) };
  }
}

async function _versionOf(cmd: string): Promise<string> {
  const { out } = await _run(cmd, ["--version"]);
  return out.trim().replace(/^v/, "");
}

async function _npmInstall(spec: string): Promise<boolean> {
  console.error(`installing ${spec} into bench/e2e/.node`);
  const { ok, out } = await _run("npm", ["install", "--prefix", _nodeDir, "--no-fund", spec]);
  if (!ok) console.error(out);
  return ok;
}

async function _prepareWs(): Promise<string | null> {
  if (!(await _run("node", ["--version"])).ok) return "node is not installed";
  const manifest = `${_nodeDir}/node_modules/ws/package.json`;
  const installed = async () => {
    try {
      return JSON.parse(await Deno.readTextFile(manifest)).version === WS_VERSION;
    } catch {
      return false;
    }
  };
  if (await installed()) return null;
  if (!(await _npmInstall(`ws@${WS_VERSION}`)) || !(await installed())) {
    return `npm install ws@${WS_VERSION} failed`;
  }
  return null;
}

async function _prepareBun(): Promise<string | null> {
  for (const candidate of ["bun", `${_nodeDir}/node_modules/.bin/bun`]) {
    if ((await _run(candidate, ["--version"])).ok) {
      _bunPath = candidate;
      return null;
    }
  }
  const local = `${_nodeDir}/node_modules/.bin/bun`;
  if (await _npmInstall(`bun@${BUN_VERSION}`) && (await _run(local, ["--version"])).ok) {
    _bunPath = local;
    return null;
  }
  return `Bun is not installed and \`npm install bun@${BUN_VERSION}\` did not give a working binary`;
}
