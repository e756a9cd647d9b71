import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { type ChildServer, killAll, spawnServer } from "../helpers/childServer.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { callApi, startTestServer, TEST_TOKEN, tempDataDir } from "../helpers/testServer.ts";

describe("nothing accepted is ever lost", () => {
  const providers: HocuspocusProvider[] = [];
  const children: ChildServer[] = [];
  afterEach(async () => {
    providers.splice(0).forEach((p) => {
      p.destroy();
    });
    await killAll(children);
  });

  it("a server killed with SIGKILL after 200 acknowledged updates serves all 200 after restart", async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer(dataDir);
    children.push(first);
    const created = await callApi(first.url, "POST", "/api/incidents", {
      summary: "Disk full on db-3",
      severity: 2,
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;

    const writer = connectProvider(first.wsUrl, key, TEST_TOKEN);
    providers.push(writer);
    await whenSynced(writer);
    for (let i = 0; i < 200; i++) {
      // One transaction per entry: 200 separate updates, each acknowledged on its own.
      appendTimelineEntry(writer.document, { author: "Load", text: `entry ${i}`, kind: "note" });
    }
    await whenAcknowledged(writer);
    // A REST write answered 2xx counts as accepted too.
    const posted = await callApi(first.url, "POST", `/api/incidents/${key}/timeline`, {
      text: "via REST",
    });
    expect(posted.status).toBe(201);

    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    writer.destroy();

    const second = await spawnServer(dataDir);
    children.push(second);
    const reader = connectProvider(second.wsUrl, key, TEST_TOKEN);
    providers.push(reader);
    await whenSynced(reader);
    const texts = new Set(readTimeline(reader.document).map((e) => e.text));
    for (let i = 0; i < 200; i++) expect(texts.has(`entry ${i}`), `entry ${i}`).toBe(true);
    expect(texts.has("via REST")).toBe(true);
  });

  it("a chat message answered 2xx survives SIGKILL and restart", async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer(dataDir, SECRETS);
    children.push(first);
    const key = (
      await callApi(first.url, "POST", "/api/incidents", {
        summary: "Bridge durability",
        severity: 2,
      })
    ).body.key;
    await callApi(first.url, "POST", `/api/incidents/${key}/channels`, {
      platform: "slack",
      channel: "C0DURABLE",
    });
    const seconds = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 20; i++) {
      const answer = await deliver(
        first.url,
        slackSigned(slackMessage("C0DURABLE", "U0A", `chat ${i}`, `${seconds}.0000${i + 10}`)),
      );
      expect(answer.status).toBe(200);
    }
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await spawnServer(dataDir, SECRETS);
    children.push(second);
    const { body } = await callApi(second.url, "GET", `/api/incidents/${key}`);
    const texts = body.timeline.map((e: { text: string }) => e.text);
    for (let i = 0; i < 20; i++) expect(texts).toContain(`chat ${i}`);
  });

  it("a clean restart keeps the whole document", async () => {
    const dataDir = tempDataDir();
    const server = await startTestServer({ dataDir });
    const { body } = await server.api("POST", "/api/incidents", {
      summary: "Queue backlog",
      severity: 3,
      products: ["Email"],
    });
    const provider = connectProvider(server.wsUrl, body.key, server.token);
    await whenSynced(provider);
    appendTimelineEntry(provider.document, {
      author: "Ana",
      text: "Backlog at 2M messages",
      kind: "observation",
    });
    await whenAcknowledged(provider);
    await server.api("PATCH", `/api/incidents/${body.key}`, {
      service: "mailer",
      customersAffected: "All email senders",
    });
    const before = (await server.api("GET", `/api/incidents/${body.key}`)).body;
    provider.destroy();
    await server.close();

    const again = await startTestServer({ dataDir });
    try {
      const after = (await again.api("GET", `/api/incidents/${body.key}`)).body;
      expect(after).toEqual(before);
      expect(
        after.timeline.some((e: { text: string }) => e.text === "Backlog at 2M messages"),
      ).toBe(true);
      expect(after.service).toBe("mailer");
      const next = await again.api("POST", "/api/incidents", { summary: "Second", severity: 3 });
      expect(next.body.key).toBe("HOT-2");
    } finally {
      await again.close();
    }
  });
});
