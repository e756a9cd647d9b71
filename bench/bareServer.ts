/**
 * The bench's baseline: bare Hocuspocus (no extensions, memory only) on @hocuspocus/server
 * and ws, on port 0 of 127.0.0.1. Prints `{"port":N}` once it listens. With
 * BARE_STATE_FILE set, every document it loads starts from that Yjs update, so the
 * cold-load scenario can give it the same state hotdoc has stored.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import * as Y from "yjs";

const stateFile = process.env.BARE_STATE_FILE;
const state = stateFile ? new Uint8Array(fs.readFileSync(stateFile)) : null;

const hocuspocus = new Hocuspocus({
  quiet: true,
  // A configuration hook, not an extension: it only applies the stored state, as a store would.
  async onLoadDocument({ document }) {
    if (state) Y.applyUpdate(document, state);
  },
});
const server = http.createServer();
const wss = new WebSocketServer({ server });
wss.on("connection", (ws, request) => {
  const client = hocuspocus.handleConnection(
    ws as never,
    new Request(`http://localhost${request.url}`, { headers: {} }),
  );
  ws.on("message", (data: Buffer) => client.handleMessage(new Uint8Array(data)));
  ws.on("close", (code, reason) => client.handleClose({ code, reason: reason.toString() }));
});
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
// Exit normally on SIGTERM so that `--cpu-prof` (BENCH_BARE_NODE_ARGS) writes its profile.
process.once("SIGTERM", () => process.exit(0));
