import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Sends raw bytes and resolves with the first line the server answers (or "closed"). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let data = "";
    socket.on("data", (chunk) => {
      data += String(chunk);
      if (data.includes("\r\n")) {
        socket.destroy();
        resolve(data.split("\r\n")[0]);
      }
    });
    socket.on("close", () => resolve(data.split("\r\n")[0] || "closed"));
    socket.on("error", () => resolve("error"));
  });
}

const upgrade = (path: string, host = "localhost") =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

describe("hostile requests cost the sender, not the server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers malformed upgrade paths and hosts and keeps serving", async () => {
    expect(await raw(server.hotdoc.port, upgrade("/yjs/%E0%A4%A"))).toMatch(
      /^HTTP\/1\.1 (400|404)/,
    );
    expect(await raw(server.hotdoc.port, upgrade("/collab", "[x"))).toMatch(
      /^HTTP\/1\.1 (101|400)/,
    );
    expect(await raw(server.hotdoc.port, upgrade("//"))).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect(await raw(server.hotdoc.port, "GET // HTTP/1.1\r\nHost: localhost\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 \d{3}/,
    );
    expect(
      await raw(server.hotdoc.port, "GET /api/incidents HTTP/1.1\r\nHost: [x\r\n\r\n"),
    ).toMatch(/^HTTP\/1\.1 \d{3}/);
    expect((await server.api("GET", "/healthz", undefined, null)).status).toBe(200);
  });
});
