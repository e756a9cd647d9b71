import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncidentDocument } from "#shared/doc/index.ts";
import {
  deliver,
  genericSigned,
  SECRETS,
  slackMessage,
  slackSigned,
} from "../helpers/chatPayloads.ts";
import { fakeRoomWebhook } from "../helpers/roomWebhook.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const t0 = Math.floor(Date.now() / 1000) - 300;
const ts = (offset: number) => `${t0 + offset}.000100`;

describe("work streams from chat", () => {
  let server: TestServer;
  let key: string;
  const room = fakeRoomWebhook();
  let counter = 0;
  const generic = async (text: string) =>
    (
      await deliver(
        server.url,
        genericSigned({
          id: `ops-${++counter}`,
          channel: "ops-bot",
          author: "Priya",
          text,
          at: new Date((t0 + counter) * 1000).toISOString(),
        }),
      )
    ).body as { ok: boolean; replies: string[] };
  const slack = async (text: string, offset: number, retry?: number) => {
    const answer = await deliver(
      server.url,
      slackSigned(slackMessage("C0STREAMS", "U0ANA", text, ts(offset)), { retry }),
    );
    expect(answer.status).toBe(200);
  };
  const stored = async (): Promise<IncidentDocument> =>
    (await server.api("GET", `/api/incidents/${key}`)).body;

  beforeAll(async () => {
    const url = await room.listen();
    server = await startTestServer({ env: { ...SECRETS, ANNOUNCE_INTERVAL_MS: "100" } });
    key = (await server.api("POST", "/api/incidents", { summary: "EU checkout down", severity: 1 }))
      .body.key;
    for (const link of [
      { platform: "webhook", channel: "ops-bot" },
      { platform: "slack", channel: "C0STREAMS", webhookUrl: url },
    ])
      expect((await server.api("POST", `/api/incidents/${key}/channels`, link)).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await room.close();
  });

  it("starts a stream with its lead, who is announced in the room as 'Tech lead · <stream>'", async () => {
    const answer = await generic("stream: Database failover lead @ana");
    expect(answer.replies).toEqual([
      expect.stringContaining("Work stream Database failover started, led by ana"),
    ]);
    const doc = await stored();
    expect(doc.streams).toEqual([
      expect.objectContaining({ name: "Database failover", techLead: "ana", state: "active" }),
    ]);
    const stream = doc.streams[0];
    expect(doc.roles).toContainEqual(
      expect.objectContaining({ role: "tech_lead", holder: "ana", streamId: stream.id }),
    );
    await room.until(
      () => room.texts().some((p) => p.includes("ana is Tech lead · Database failover")),
      "the announcement of the new stream's lead",
    );
    expect(room.texts().join("\n")).toContain(
      `${key}: ana is Tech lead · Database failover (new work stream) (Priya)`,
    );
  });

  it("tags what a command adds, and the message itself, with the stream named in brackets; a retry writes once", async () => {
    await slack("obs [database]: replica lag 40s on eu-1", 10);
    await slack("obs [database]: replica lag 40s on eu-1", 10, 1);
    await slack("theory [Database failover]: the eu-1 disk is full", 11);
    await slack("try [data]: fail over to eu-2", 12);
    await slack("change [database]: failed over to eu-2 revert: fail back to eu-1", 13);
    await slack("decision [database]: keep eu-2 primary overnight", 14);
    await slack("obs: payments retries are climbing", 15);

    const doc = await stored();
    const id = doc.streams[0].id;
    const observations = doc.observations.filter((o) => o.text === "replica lag 40s on eu-1");
    expect(observations).toHaveLength(1);
    expect(observations[0].streamId).toBe(id);
    expect(doc.theories.find((t) => t.text === "the eu-1 disk is full")?.streamId).toBe(id);
    expect(doc.experiments.find((x) => x.text === "fail over to eu-2")?.streamId).toBe(id);
    expect(doc.changes.find((c) => c.what === "failed over to eu-2")).toMatchObject({
      streamId: id,
      revertSteps: "fail back to eu-1",
    });
    // The chat messages are tagged, and so are the entries that stand for the records.
    const message = doc.timeline.find(
      (e) => e.text === "decision [database]: keep eu-2 primary overnight",
    );
    expect(message).toMatchObject({ kind: "decision", pinned: true, streamId: id });
    expect(
      doc.timeline.find((e) => e.text === "obs [database]: replica lag 40s on eu-1"),
    ).toMatchObject({ kind: "chat", streamId: id });
    expect(
      doc.timeline.find((e) => e.kind === "observation" && e.text === "replica lag 40s on eu-1")
        ?.streamId,
    ).toBe(id);
    // An untagged command stays untagged.
    expect(
      doc.observations.find((o) => o.text === "payments retries are climbing")?.streamId,
    ).toBeUndefined();
  });

  it("refuses a command naming a stream that does not exist, with a reply; the message stays, untagged", async () => {
    const before = await stored();
    const answer = await generic("obs [network]: packet loss at the edge");
    expect(answer.replies).toEqual([
      expect.stringMatching(
        /^Could not do that: there is no work stream "network" \(streams: Database failover\)/,
      ),
    ]);
    const after = await stored();
    expect(after.observations).toHaveLength(before.observations.length);
    const message = after.timeline.find((e) => e.text === "obs [network]: packet loss at the edge");
    expect(message).toBeDefined();
    expect(message?.streamId).toBeUndefined();
    expect(after.streams).toEqual(before.streams);

    const taken = await generic("stream: database FAILOVER lead @bo");
    expect(taken.replies[0]).toMatch(/^Could not do that: there is already a work stream named/);
    expect((await stored()).streams).toHaveLength(1);
  });

  it("hands a stream to a new lead, ends it, and lists the streams", async () => {
    await generic("stream: Cache warm-up");
    await generic("tl [database] @bo");
    let doc = await stored();
    const db = doc.streams.find((s) => s.name === "Database failover")!;
    expect(db.techLead).toBe("bo");
    expect(doc.roles.filter((r) => r.streamId === db.id).map((r) => r.holder)).toEqual(["bo"]);
    expect(
      doc.timeline.find((e) => e.text === "bo took over as Tech lead · Database failover from ana"),
    ).toMatchObject({ kind: "role", streamId: db.id });

    await generic("stream [database] done");
    doc = await stored();
    expect(doc.streams.find((s) => s.id === db.id)).toMatchObject({ state: "done" });
    expect(doc.roles.some((r) => r.streamId === db.id)).toBe(false);

    const list = await generic("streams");
    expect(list.replies).toEqual([
      "Work streams:\n[Database failover] led by bo (done)\n[Cache warm-up] no tech lead",
    ]);
  });

  it("reopens the done stream a shared start of names means, and says so when a stream already is as asked", async () => {
    await generic("stream: Database backups lead @cy");
    // "data" starts both names; only the done one can be reopened.
    expect((await generic("stream [data] reopen")).replies).toEqual([]);
    let doc = await stored();
    const db = doc.streams.find((s) => s.name === "Database failover")!;
    expect(db.state).toBe("active");
    expect(doc.roles.filter((r) => r.streamId === db.id).map((r) => r.holder)).toEqual(["bo"]);

    const entries = doc.timeline.length;
    expect((await generic("stream [database failover] reopen")).replies).toEqual([
      "Work stream Database failover is already active; nothing changed.",
    ]);
    expect((await generic("stream [cache] done")).replies).toEqual([]);
    expect((await generic("stream [cache] done")).replies).toEqual([
      "Work stream Cache warm-up is already done; nothing changed.",
    ]);
    doc = await stored();
    // The three messages and one stream ending, nothing else.
    expect(doc.timeline.length).toBe(entries + 4);
    expect(doc.streams.find((s) => s.name === "Cache warm-up")?.state).toBe("done");
  });
});
