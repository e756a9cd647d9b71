/**
 * The bench's baseline: bare Hocuspocus (no extensions, memory only) on @hocuspocus/server
 * and ws, on port 0 of 127.0.0.1. Prints `{"port":N}` once it listens. With
 * BARE_STATE_FILE set, every document it loads starts from that Yjs update, so the
 * cold-load scenario can give it the same state hotdoc has stored.
 *
 * Two options give the scenarios hotdoc's other doors at their barest:
 * - BARE_REDIS_URL adds @hocuspocus/extension-redis and nothing else (the cluster baseline).
 * - BARE_CHAT=1 answers `POST /chat/<document>` with a Slack event callback by appending its
 *   text to the document's timeline (the same record hotdoc writes, through the same shared
 *   helper) and `GET /chat/<document>` with the timeline's texts: no signature check, no
 *   deduplication, no durable log, no channel lookup (the chat-ingest baseline).
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "@hocuspocus/extension-redis";
import { type DirectConnection, Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import * as Y from "yjs";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";

const stateFile = process.env.BARE_STATE_FILE;
const state = stateFile ? new Uint8Array(fs.readFileSync(stateFile)) : null;
const redisUrl = process.env.BARE_REDIS_URL ? new URL(process.env.BARE_REDIS_URL) : null;

const hocuspocus = new Hocuspocus({
  quiet: true,
  extensions: redisUrl
    ? [new Redis({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })]
    : [],
  // A configuration hook, not an extension: it only applies the stored state, as a store would.
  async onLoadDocument({ document }) {
    if (state) Y.applyUpdate(document, state);
  },
});

/** One direct connection per document the chat door writes to, kept open for the run. */
const direct = new Map<string, Promise<DirectConnection>>();
function chatDocument(name: string): Promise<DirectConnection> {
  let connection = direct.get(name);
  if (!connection) {
    connection = hocuspocus.openDirectConnection(name);
    direct.set(name, connection);
  }
  return connection;
}

async function chatDoor(request: http.IncomingMessage, response: http.ServerResponse) {
  const name = decodeURIComponent((request.url ?? "").slice("/chat/".length));
  const connection = await chatDocument(name);
  if (request.method === "GET") {
    let texts: string[] = [];
    await connection.transact((document) => {
      texts = readTimeline(document).map((entry) => entry.text);
    });
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(texts));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const { event } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
    event: { user: string; text: string };
  };
  await connection.transact((document) => {
    appendTimelineEntry(document, {
      author: event.user,
      text: event.text,
      kind: "chat",
      source: "slack",
    });
  });
  response.writeHead(200).end();
}

const server = http.createServer((request, response) => {
  if (process.env.BARE_CHAT === "1" && request.url?.startsWith("/chat/")) {
    chatDoor(request, response).catch((error: Error) => {
      response.writeHead(400).end(error.message);
    });
    return;
  }
  response.writeHead(404).end();
});
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
