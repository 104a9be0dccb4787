import assert from "node:assert/strict";
import { profileTicks, splitLogLine } from "../../bench/tools/v8_ticks.ts";

Deno.test("splitLogLine splits on commas outside quotes and undoubles quotes", () => {
  assert.deepEqual(splitLogLine("a,b,,c"), ["a", "b", "", "c"]);
  assert.deepEqual(splitLogLine('shared-library,"/a,b/lib.so",0x10,0x20,0'), [
    "shared-library",
    "/a,b/lib.so",
    "0x10",
    "0x20",
    "0",
  ]);
  assert.deepEqual(splitLogLine('x,"say ""hi""",y'), ["x", 'say "hi"', "y"]);
  assert.deepEqual(splitLogLine("x,"), ["x", ""]);
});

Deno.test("profileTicks attributes each tick to the code there at that moment", () => {
  const log = [
    "shared-library,/usr/lib/libc.so.6,0x9000,0x9fff,0",
    "code-creation,Builtin,3,1,0x1000,0x100,StringFromCharCode",
    "code-creation,JS,12,2,0x2000,0x80,send file:///a.ts:1:1,0x5,*'",
    "tick,0x1010,10,0,0x0,0", // the builtin
    "tick,0x2040,11,0,0x0,0", // send
    "tick,0x3000,12,0,0x0,1", // nothing there yet
    "code-creation,JS,10,3,0x3000,0x10,late file:///a.ts:2:1,0x6,~",
    "tick,0x3008,13,0,0x0,0", // late, now created
    "code-move,0x2000,0x4000",
    "tick,0x2040,14,0,0x0,0", // send moved away: nothing
    "tick,0x4040,15,0,0x0,6", // send at its new place
    "code-delete,0x1000",
    "tick,0x1010,16,0,0x0,0", // deleted: nothing
    "tick,0x9100,17,0,0x0,6", // the library
    "tick,0x4080,18,0,0x0,0", // just past send's end
  ];
  const profile = profileTicks(log);
  assert.deepEqual(profile.total, 9);
  assert.deepEqual(Object.fromEntries(profile.byName), {
    "Builtin: StringFromCharCode": 1,
    "JS: send file:///a.ts:1:1 (TurboFan)": 2,
    "JS: late file:///a.ts:2:1 (interpreted)": 1,
    "library: libc.so.6": 1,
    unknown: 4,
  });
  assert.deepEqual(Object.fromEntries(profile.byState), {
    JavaScript: 6,
    "garbage collection": 1,
    external: 2,
  });
});
