// An instance that joins a member, says so, and waits to be killed (never leaving cleanly).
import { RedisBroker } from "@aero/socket/redis";

const broker = await RedisBroker.connect({ keyPrefix: Deno.args[0]!, presenceTtl: 300 });
await broker.join("room.1", { session: "crashed", data: 7 });
console.log("joined");
await new Promise(() => {});
