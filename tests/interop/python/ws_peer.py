"""Python's `websockets` library (Debian's python3-websockets), as a peer we did not write.

Runs with Debian's /usr/bin/python3. Three modes, each printing only ASCII, one line per event:

  ws_peer.py echo URL DIR [CA_PEM]     sends the messages stored in DIR (000.text, 001.binary...,
                                       text as UTF-8), prints "open <Sec-WebSocket-Extensions>",
                                       then each message received back as "text <payload>" or
                                       "binary <payload>", then pings and prints "pong", then closes
                                       with 4001 and prints "close <code> <reason hex> <clean>"
  ws_peer.py shutdown URL [CA_PEM]     sends "go", counts the messages "message 0", "message 1"...
                                       arriving in order until the server closes, prints
                                       "received <count>" and "close <code> <clean>"
  ws_peer.py oversize URL SIZE         sends a text of SIZE bytes ("x" repeated: compressed, it is
                                       tiny) and prints "close <code> <reason hex> <clean>" once the
                                       server has closed
  ws_peer.py soak URL CONNS MESSAGES   opens CONNS connections at once, each sending MESSAGES
                                       messages of random size (0 to 256 KiB, text and binary, some
                                       compressible, seeded per connection) and checking every echo;
                                       prints "ok <messages echoed>" or "mismatch <connection> <i>"
  ws_peer.py server [CERT_PEM KEY_PEM] serves an echo (path /close: closes at once with 4002 and
                                       "server bye"), prints its URL, runs until killed

A payload is its bytes as hex up to 1,024 bytes, otherwise "sha256:<hex> length:<n>".
permessage-deflate is offered and accepted (the library's default); messages up to 32 MiB.
"""

import asyncio
import hashlib
import os
import ssl
import sys

import websockets

MAX_SIZE = 32 * 1024 * 1024


def payload(data):
    if len(data) <= 1024:
        return data.hex()
    return "sha256:%s length:%d" % (hashlib.sha256(data).hexdigest(), len(data))


def client_tls(url, ca):
    if not url.startswith("wss:"):
        return None
    return ssl.create_default_context(cafile=ca)


def clean(code):
    return "true" if code not in (None, 1006) else "false"


async def client(url, directory, ca=None):
    async with websockets.connect(url, ssl=client_tls(url, ca), max_size=MAX_SIZE) as ws:
        print("open %s" % (ws.response_headers.get("Sec-WebSocket-Extensions") or ""), flush=True)
        names = sorted(os.listdir(directory))
        for name in names:
            with open(os.path.join(directory, name), "rb") as f:
                data = f.read()
            await ws.send(data.decode("utf-8") if name.endswith(".text") else data)
        for _ in names:
            message = await ws.recv()
            if isinstance(message, str):
                print("text %s" % payload(message.encode("utf-8")), flush=True)
            else:
                print("binary %s" % payload(message), flush=True)
        pong = await ws.ping(b"ping \xe2\x9c\x93")
        await asyncio.wait_for(pong, 10)
        print("pong", flush=True)
        await ws.close(4001, "bye \u2713")
        print(
            "close %s %s %s"
            % (ws.close_code, (ws.close_reason or "").encode("utf-8").hex(), clean(ws.close_code)),
            flush=True,
        )


async def shutdown(url, ca=None):
    received = 0
    out_of_order = 0
    async with websockets.connect(url, ssl=client_tls(url, ca), max_size=MAX_SIZE) as ws:
        await ws.send("go")
        try:
            async for message in ws:
                if message == "message %d" % received:
                    received += 1
                else:
                    out_of_order += 1
        except websockets.ConnectionClosed:
            pass
        print("received %d" % received, flush=True)
        if out_of_order:
            print("out of order %d" % out_of_order, flush=True)
        print("close %s %s" % (ws.close_code, clean(ws.close_code)), flush=True)


async def oversize(url, size):
    async with websockets.connect(url, max_size=MAX_SIZE) as ws:
        try:
            await ws.send("x" * int(size))
            await ws.recv()
        except websockets.ConnectionClosed:
            pass
        await ws.wait_closed()
        print(
            "close %s %s %s"
            % (ws.close_code, (ws.close_reason or "").encode("utf-8").hex(), clean(ws.close_code)),
            flush=True,
        )


async def soak_one(url, seed, count):
    import random

    rng = random.Random(seed)
    async with websockets.connect(url, max_size=MAX_SIZE) as ws:
        for i in range(count):
            size = rng.choice([0, 1, 125, 126, 1000, 5000, 70000, 262144]) + rng.randrange(64)
            if rng.random() < 0.5:
                unit = rng.choice(["a", "\u00e9", "\u2713", "\U0001f680", "{\"id\": 1}, "])
                message = (unit * (size // len(unit.encode("utf-8")) + 1))[: max(size // 4, 0)]
            elif rng.random() < 0.5:
                message = bytes(rng.getrandbits(8) for _ in range(min(size, 4096))) * (size // 4096 + 1)
                message = message[:size]
            else:
                message = bytes([i % 251]) * size
            await ws.send(message)
            echo = await ws.recv()
            if echo != message:
                return "mismatch %d %d" % (seed, i)
    return None


async def soak(url, conns, count):
    results = await asyncio.gather(*(soak_one(url, seed, int(count)) for seed in range(int(conns))))
    failures = [r for r in results if r is not None]
    print(failures[0] if failures else "ok %d" % (int(conns) * int(count)), flush=True)


async def serve(cert=None, key=None):
    context = None
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

    async def handler(ws, path):
        if path.startswith("/close"):
            await ws.close(4002, "server bye")
            return
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    async with websockets.serve(handler, "127.0.0.1", 0, ssl=context, max_size=MAX_SIZE) as server:
        port = server.sockets[0].getsockname()[1]
        print("%s://127.0.0.1:%d/" % ("wss" if context else "ws", port), flush=True)
        await asyncio.Future()


def main(argv):
    mode = argv[1]
    if mode == "echo":
        asyncio.run(asyncio.wait_for(client(*argv[2:]), 60))
    elif mode == "shutdown":
        asyncio.run(asyncio.wait_for(shutdown(*argv[2:]), 60))
    elif mode == "oversize":
        asyncio.run(asyncio.wait_for(oversize(*argv[2:]), 60))
    elif mode == "soak":
        asyncio.run(asyncio.wait_for(soak(*argv[2:]), 300))
    elif mode == "server":
        asyncio.run(serve(*argv[2:]))
    else:
        sys.exit("unknown mode %s" % mode)


if __name__ == "__main__":
    main(sys.argv)
