import assert from "node:assert/strict";
import { _Info } from "../../src/connection/_info.ts";
import { _headersLater, _headTextOf } from "../../src/protocol/http_head.ts";

Deno.test("info.headers is made on first read, once, and can be replaced", () => {
  let made = 0;
  const info = new _Info(
    undefined,
    "ws://127.0.0.1/",
    () => {
      made++;
      return new Headers({ "x-a": "1" });
    },
    "",
    [],
  );
  assert.equal(made, 0, "not made before it is read");
  const first = info.headers;
  assert.equal(first.get("x-a"), "1");
  assert.equal(info.headers, first);
  assert.equal(made, 1);
  const other = new Headers({ "x-b": "2" });
  info.headers = other;
  assert.equal(info.headers, other);
  assert.equal(new _Info(undefined, undefined, undefined, "", []).headers.get("x-a"), null);
});

Deno.test("_headTextOf and _headersLater round-trip request headers, made once by info", () => {
  const headers = new Headers();
  headers.append("X-Repeated", "one");
  headers.append("X-Repeated", "two");
  headers.set("Cookie", "a=b; c=d");
  headers.set("X-Latin1", "caf\u00e9");
  headers.set("X-Empty", "");
  const info = new _Info(undefined, undefined, _headersLater(_headTextOf(headers)), "", []);
  const made = info.headers;
  assert.deepEqual([...made], [...headers]);
  assert.equal(info.headers, made);
});
