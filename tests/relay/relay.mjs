// A real Nostr relay for the tests (@nostr-relay/core with SQLite), on
// loopback only. Run under Node from this folder:
//
//   node relay.mjs [--port N] [--db FILE] [--refuse REASON] [--rate-limit MS] [--auth HOSTNAME] [--log FILE]
//                  [--limits JSON]
//
// --refuse makes every EVENT fail with `OK false` and the reason; --rate-limit
// answers an EVENT that comes less than MS after the last one it took with
// `OK false` and `rate-limited:`, as public relays do; --auth turns
// on NIP-42 for that host name and refuses events and reads from clients that
// have not authenticated (`OK false` / `CLOSED` with `auth-required:`); --log appends
// every EVENT received, with the time it arrived, to FILE as a JSON line (the soak
// reads it: a replaceable event's earlier versions are gone from the store); --limits publishes a NIP-11 `limitation`
// object (answering GET with `Accept: application/nostr+json`) and refuses events over its max_content_length or
// max_event_tags with `OK false` and `invalid:`, as relays that publish limits do. It prints
// {"port": N} on its first line once it listens, and stops on SIGTERM.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import common from "@nostr-relay/common";
import core from "@nostr-relay/core";
import sqlite from "@nostr-relay/event-repository-sqlite";
import validation from "@nostr-relay/validator";

const { createOutgoingNoticeMessage } = common;
const { NostrRelay } = core;
const { EventRepositorySqlite } = sqlite;
const { Validator } = validation;
import { WebSocketServer } from "ws";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    db: { type: "string", default: ":memory:" },
    refuse: { type: "string" },
    "rate-limit": { type: "string" },
    auth: { type: "string" },
    log: { type: "string" },
    limits: { type: "string" },
  },
});
const limits = values.limits ? JSON.parse(values.limits) : undefined;
const repository = new EventRepositorySqlite(values.db);
await repository.init?.();
// No filter-result cache (its default keeps a REQ's answer for 1 s): tests read back what they just wrote.
// With --rate-limit, no cache of what an EVENT got either (its default answers a resent event as it answered it within
// 10 minutes): a relay that limits the rate takes the same event once it comes slowly enough.
const relay = new NostrRelay(repository, {
  filterResultCacheTtl: 0,
  ...(values["rate-limit"] ? { eventHandlingResultCacheTtl: 0 } : {}),
  ...(values.auth ? { hostname: values.auth } : {}),
});
if (values.refuse) {
  relay.register({ beforeHandleEvent: () => ({ canHandle: false, message: values.refuse }) });
}
if (values["rate-limit"]) {
  const interval = Number(values["rate-limit"]);
  let last = -Infinity;
  relay.register({
    beforeHandleEvent: () => {
      const now = performance.now();
      if (now - last < interval) return { canHandle: false, message: "rate-limited: slow down" };
      last = now;
      return { canHandle: true };
    },
  });
}
if (values.auth) {
  relay.register({
    handleMessage: async (ctx, message, next) => {
      if (message[0] === "EVENT" && !ctx.pubkey) {
        ctx.sendMessage(["OK", message[1].id, false, "auth-required: authenticate first"]);
        return { messageType: "EVENT", success: false };
      }
      if (message[0] === "REQ" && !ctx.pubkey) {
        ctx.sendMessage(["CLOSED", message[1], "auth-required: authenticate first"]);
        return { messageType: "REQ", success: false };
      }
      return await next();
    },
  });
}
if (limits) {
  relay.register({
    beforeHandleEvent: (event) => {
      if (limits.max_content_length && Buffer.byteLength(event.content) > limits.max_content_length) {
        return { canHandle: false, message: "invalid: content longer than max_content_length" };
      }
      if (limits.max_event_tags && event.tags.length > limits.max_event_tags) {
        return { canHandle: false, message: "invalid: more tags than max_event_tags" };
      }
      return { canHandle: true };
    },
  });
}
const validator = new Validator();
// NIP-11: the relay's information document, for a GET that asks for it; everything else is the WebSocket's.
const http = createServer((request, response) => {
  if (request.headers.accept === "application/nostr+json") {
    response.writeHead(200, { "content-type": "application/nostr+json", "access-control-allow-origin": "*" });
    response.end(JSON.stringify({ name: "test relay", supported_nips: [1, 11, 42], ...(limits ? { limitation: limits } : {}) }));
  } else {
    response.writeHead(404);
    response.end();
  }
});
const server = new WebSocketServer({ server: http });
server.on("connection", (socket) => {
  relay.handleConnection(socket);
  socket.on("message", async (data) => {
    try {
      const message = await validator.validateIncomingMessage(data);
      if (values.log && message[0] === "EVENT") {
        appendFileSync(values.log, JSON.stringify({ receivedAt: Date.now(), event: message[1] }) + "\n");
      }
      await relay.handleMessage(socket, message);
    } catch (error) {
      socket.send(JSON.stringify(createOutgoingNoticeMessage(error.message)));
    }
  });
  socket.on("close", () => relay.handleDisconnect(socket));
  socket.on("error", () => relay.handleDisconnect(socket));
});
http.listen(Number(values.port), "127.0.0.1", () => console.log(JSON.stringify({ port: http.address().port })));
process.on("SIGTERM", async () => {
  server.close();
  http.close();
  await relay.destroy();
  await repository.destroy?.();
  process.exit(0);
});
