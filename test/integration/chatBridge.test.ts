import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readIncident, readTimeline } from "#shared/doc/index.ts";
import {
  copyOf,
  DOCUMENTED,
  deliver,
  genericSigned,
  matrixMessage,
  matrixTransaction,
  mattermostForm,
  SECRETS,
  slackEvent,
  slackMessage,
  slackSigned,
  teamsActivity,
  teamsSigned,
} from "../helpers/chatPayloads.ts";
import { connectProvider, whenDoc, whenSynced } from "../helpers/clients.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const t0 = Math.floor(Date.now() / 1000) - 600;
const ts = (offset: number) => `${t0 + offset}.000${String(100 + offset).padStart(3, "0")}`;

describe("chat bridge", () => {
  let server: TestServer;
  let key: string;
  let watcher: HocuspocusProvider;
  const send = (hook: Parameters<typeof deliver>[1]) => deliver(server.url, hook);
  const texts = (doc: Y.Doc = watcher.document) => readTimeline(doc).map((e) => e.text);
  const stored = async () => (await server.api("GET", `/api/incidents/${key}`)).body;

  beforeAll(async () => {
    server = await startTestServer({ env: SECRETS });
    key = (await server.api("POST", "/api/incidents", { summary: "Checkout errors", severity: 2 }))
      .body.key;
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel: "C0HOT1",
        })
      ).status,
    ).toBe(201);
    watcher = connectProvider(server.wsUrl, key, server.token);
    await whenSynced(watcher);
  });
  afterAll(async () => {
    watcher.destroy();
    await server.close();
  });

  describe("Slack", () => {
    it("echoes the url_verification challenge", async () => {
      const answer = await send(
        slackSigned({
          token: "x",
          challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
          type: "url_verification",
        }),
      );
      expect(answer).toEqual({
        status: 200,
        body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" },
      });
    });

    it("mirrors a message into the timeline of connected clients, with the message's own time", async () => {
      const answer = await send(
        slackSigned(slackMessage("C0HOT1", "U0PRIYA", "Joining the bridge now", ts(1))),
      );
      expect(answer.status).toBe(200);
      await whenDoc(watcher.document, () => texts().includes("Joining the bridge now"));
      const entry = readTimeline(watcher.document).find(
        (e) => e.text === "Joining the bridge now",
      )!;
      expect(entry).toMatchObject({
        author: "U0PRIYA",
        source: "slack",
        kind: "chat",
        at: new Date((t0 + 1) * 1000).toISOString(),
      });
      expect(entry.external).toMatchObject({
        platform: "slack",
        channel: "C0HOT1",
        messageId: ts(1),
      });
    });

    it("writes a retried or concurrently duplicated delivery once", async () => {
      const payload = slackMessage("C0HOT1", "U0MARCO", "5xx at 31% in EU", ts(2));
      const deliveries = [
        slackSigned(payload),
        ...Array.from({ length: 5 }, (_, i) => slackSigned(payload, { retry: i + 1 })),
      ];
      const answers = await Promise.all(deliveries.map(send));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(
        (await stored()).timeline.filter((e: { text: string }) => e.text === "5xx at 31% in EU"),
      ).toHaveLength(1);
    });

    it("follows edits and deletions", async () => {
      await send(slackSigned(slackMessage("C0HOT1", "U0AIKO", "db primary looks fine", ts(3))));
      await send(
        slackSigned(
          slackEvent({
            type: "message",
            subtype: "message_changed",
            channel: "C0HOT1",
            hidden: true,
            ts: ts(5),
            message: {
              type: "message",
              user: "U0AIKO",
              text: "db primary looks fine, replica lagging",
              ts: ts(3),
              edited: { user: "U0AIKO", ts: ts(5) },
            },
            previous_message: {
              type: "message",
              user: "U0AIKO",
              text: "db primary looks fine",
              ts: ts(3),
            },
          }),
        ),
      );
      await send(slackSigned(slackMessage("C0HOT1", "U0AIKO", "oops wrong room", ts(6))));
      await send(
        slackSigned(
          slackEvent({
            type: "message",
            subtype: "message_deleted",
            channel: "C0HOT1",
            hidden: true,
            ts: ts(7),
            deleted_ts: ts(6),
          }),
        ),
      );
      const timeline = (await stored()).timeline;
      expect(timeline.find((e: { text: string }) => e.text.startsWith("db primary"))).toMatchObject(
        { text: "db primary looks fine, replica lagging", editedAt: expect.any(String) },
      );
      expect(timeline.find((e: { text: string }) => e.text === "oops wrong room")).toMatchObject({
        deleted: true,
      });
    });

    it("orders out-of-order deliveries by the messages' timestamps and keeps thread replies with their parent", async () => {
      await send(slackSigned(slackMessage("C0HOT1", "U0B", "third", ts(12))));
      await send(slackSigned(slackMessage("C0HOT1", "U0B", "first", ts(10))));
      await send(
        slackSigned(
          slackMessage("C0HOT1", "U0B", "second (in thread)", ts(11), { thread_ts: ts(10) }),
        ),
      );
      const timeline = (await stored()).timeline as {
        text: string;
        external?: { threadId?: string };
      }[];
      const order = timeline
        .map((e) => e.text)
        .filter((t) => ["first", "second (in thread)", "third"].includes(t));
      expect(order).toEqual(["first", "second (in thread)", "third"]);
      expect(timeline.find((e) => e.text === "second (in thread)")?.external?.threadId).toBe(
        ts(10),
      );
    });

    it("marks a message as a key event when it gets a 📌 reaction", async () => {
      await send(slackSigned(slackMessage("C0HOT1", "U0PRIYA", "Rollback done", ts(20))));
      await send(
        slackSigned(
          slackEvent({
            type: "reaction_added",
            user: "U0MARCO",
            reaction: "pushpin",
            item: { type: "message", channel: "C0HOT1", ts: ts(20) },
            item_user: "U0PRIYA",
            event_ts: ts(21),
          }),
        ),
      );
      expect(
        (await stored()).timeline.find((e: { text: string }) => e.text === "Rollback done"),
      ).toMatchObject({ pinned: true });
    });

    it("runs commands: typed records, severity, status and roles", async () => {
      const commands = [
        "obs: payments-api pods log connection pool exhausted",
        "theory: the new release opens a connection per retry",
        "try: roll back payments-api in EU",
        "change: rolled back payments-api to v2024.11.2 how: deployctl rollback why: testing the retry theory revert: deployctl deploy payments-api v2024.11.3",
        "im @priya",
        // Naming the IM leaves the status alone: moving to fixing is said on its own.
        "status fixing",
        "sev 1",
        "decision: keep the rollback until the fix ships",
        "!key error rate back to normal",
      ];
      for (const [i, text] of commands.entries()) {
        expect(
          (await send(slackSigned(slackMessage("C0HOT1", "U0PRIYA", text, ts(30 + i))))).status,
        ).toBe(200);
      }
      const doc = await stored();
      expect(doc.observations.map((o: { text: string }) => o.text)).toContain(
        "payments-api pods log connection pool exhausted",
      );
      expect(doc.theories.map((o: { text: string }) => o.text)).toContain(
        "the new release opens a connection per retry",
      );
      expect(doc.experiments.map((o: { text: string }) => o.text)).toContain(
        "roll back payments-api in EU",
      );
      expect(
        doc.changes.find(
          (c: { what: string }) => c.what === "rolled back payments-api to v2024.11.2",
        ),
      ).toMatchObject({
        how: "deployctl rollback",
        why: "testing the retry theory",
        revertSteps: "deployctl deploy payments-api v2024.11.3",
        state: "applied",
      });
      expect(doc.stillToRevert.length).toBeGreaterThan(0);
      expect(doc.incidentManager).toBe("priya");
      expect(doc.status).toBe("fixing");
      expect(doc.severity).toBe(1);
      expect(
        doc.timeline.find(
          (e: { text: string }) => e.text === "decision: keep the rollback until the fix ships",
        ),
      ).toMatchObject({ kind: "decision", pinned: true });
      expect(
        doc.timeline.find((e: { text: string }) => e.text === "!key error rate back to normal"),
      ).toMatchObject({ pinned: true });
      const fromChat = doc.timeline.find(
        (e: { kind: string; text: string }) => e.kind === "observation",
      );
      expect(fromChat).toMatchObject({ source: "slack", author: "U0PRIYA" });
    });

    it("does not re-run a link command when Slack redelivers it", async () => {
      const a = (await server.api("POST", "/api/incidents", { summary: "Link A", severity: 3 }))
        .body.key;
      const b = (await server.api("POST", "/api/incidents", { summary: "Link B", severity: 3 }))
        .body.key;
      const first = slackMessage("C0MOVING", "U0IM", `link ${a}`, ts(40));
      await send(slackSigned(first));
      await send(slackSigned(slackMessage("C0MOVING", "U0IM", `link ${b}`, ts(41))));
      await send(slackSigned(first, { retry: 1 }));
      expect((await server.hotdoc.stores.chat.findChannelLink("slack", "C0MOVING"))?.incident).toBe(
        b,
      );
    });

    it("never mirrors hotdoc's own announcements back", async () => {
      const answer = await send(
        slackSigned(
          slackEvent({
            type: "message",
            subtype: "bot_message",
            channel: "C0HOT1",
            bot_id: "B0HOT",
            username: "hotdoc",
            text: "[hotdoc] HOT-1 severity is now 1",
            ts: ts(50),
          }),
        ),
      );
      // A 2xx means whatever the delivery writes is durable: the stored document is the proof.
      expect(answer.status).toBe(200);
      expect((await stored()).timeline.map((e: { text: string }) => e.text)).not.toContain(
        "[hotdoc] HOT-1 severity is now 1",
      );
    });
  });

  describe("Mattermost, Matrix, Teams and the generic webhook", () => {
    it("Mattermost: a room named after the key links itself; a malformed command is mirrored and answered", async () => {
      const room = key.toLowerCase();
      const ok = await send(
        mattermostForm({
          channel_id: "mm-ch-1",
          channel_name: room,
          timestamp: String(t0 + 60),
          user_id: "u1",
          user_name: "dana",
          post_id: "mm-post-1",
          text: "Customers report payment failures",
        }),
      );
      expect(ok).toEqual({ status: 200, body: {} });
      const bad = await send(
        mattermostForm({
          channel_id: "mm-ch-1",
          channel_name: room,
          timestamp: String(t0 + 61),
          user_id: "u1",
          user_name: "dana",
          post_id: "mm-post-2",
          text: "sev 7",
        }),
      );
      expect(bad.status).toBe(200);
      expect(bad.body.text).toMatch(/^\[hotdoc\] sev needs 1, 2 or 3/);
      const timeline = (await stored()).timeline;
      expect(
        timeline.find((e: { text: string }) => e.text === "Customers report payment failures"),
      ).toMatchObject({ source: "mattermost", author: "dana" });
      expect(timeline.find((e: { text: string }) => e.text === "sev 7")).toMatchObject({
        kind: "chat",
      });
      const links = await server.api("GET", `/api/incidents/${key}/channels`);
      expect(links.body.channels.map((c: { channel: string }) => c.channel)).toContain("mm-ch-1");
    });

    it("a responder of one incident cannot move another incident's room into theirs", async () => {
      const other = (await server.api("POST", "/api/incidents", { summary: "Other", severity: 3 }))
        .body.key;
      const link = await server.api("POST", `/api/incidents/${other}/links`, {
        role: "responder",
        name: "Eve",
      });
      const moved = await server.api(
        "POST",
        `/api/incidents/${other}/channels`,
        { platform: "slack", channel: "C0HOT1" },
        link.body.token,
      );
      expect(moved.status).toBe(403);
      const links = await server.api("GET", `/api/incidents/${key}/channels`);
      expect(links.body.channels.map((c: { channel: string }) => c.channel)).toContain("C0HOT1");
    });

    it("Mattermost also takes JSON", async () => {
      const body = JSON.stringify({
        token: SECRETS.MATTERMOST_TOKEN,
        channel_id: "mm-ch-1",
        channel_name: key.toLowerCase(),
        timestamp: (t0 + 62) * 1000,
        user_id: "u2",
        user_name: "sam",
        post_id: "mm-post-3",
        text: "json delivery",
      });
      const answer = await send({
        method: "POST",
        path: "/hooks/mattermost",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(answer.status).toBe(200);
      expect(texts(await docFromServer())).toContain("json delivery");
    });

    it("Matrix: a retried transaction is applied once; edits and redactions follow; m.room.name links the room", async () => {
      const room = "!incident:matrix.example.org";
      const naming = matrixTransaction("txn-1", [
        {
          type: "m.room.name",
          event_id: "$name",
          room_id: room,
          sender: "@ana:example.org",
          origin_server_ts: (t0 + 70) * 1000,
          state_key: "",
          content: { name: key.toLowerCase() },
        },
      ]);
      expect((await send(naming)).status).toBe(200);
      const transaction = matrixTransaction("txn-2", [
        matrixMessage(room, "$m1", "@ana:example.org", "Failover started", (t0 + 71) * 1000),
        matrixMessage(room, "$m2", "@ana:example.org", "typo mesage", (t0 + 72) * 1000),
      ]);
      const answers = await Promise.all([send(transaction), send(transaction), send(transaction)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await send(
        matrixTransaction("txn-3", [
          matrixMessage(room, "$m3", "@ana:example.org", "* typo message", (t0 + 73) * 1000, {
            "m.new_content": { msgtype: "m.text", body: "typo message" },
            "m.relates_to": { rel_type: "m.replace", event_id: "$m2" },
          }),
          {
            type: "m.room.redaction",
            event_id: "$r1",
            room_id: room,
            sender: "@ana:example.org",
            origin_server_ts: (t0 + 74) * 1000,
            redacts: "$m1",
            content: { redacts: "$m1" },
          },
        ]),
      );
      const timeline = (await stored()).timeline as {
        text: string;
        deleted?: boolean;
        source: string;
      }[];
      // A redaction removes the content: the entry stays, deleted and empty.
      expect(timeline.filter((e) => e.text === "Failover started")).toEqual([]);
      expect(timeline).toContainEqual(
        expect.objectContaining({ deleted: true, source: "matrix", text: "" }),
      );
      expect(timeline.filter((e) => e.text === "typo message")).toHaveLength(1);
    });

    it("Matrix: an event it cannot read is left out of its transaction, never blocking the rest", async () => {
      const room = "!unreadable:matrix.example.org";
      await linkRoom("matrix", room);
      const skippedBefore = await chatEventCount("matrix", "skipped");
      const good = (id: string, text: string) =>
        matrixMessage(room, id, "@ana:example.org", text, (t0 + 75) * 1000);
      const bad = [
        { ...good("$b1", "x"), content: { msgtype: "m.text", body: "z".repeat(45_000) } },
        { ...good("$b2", "x"), content: { msgtype: "m.text", body: 7 } },
        {
          type: "m.reaction",
          event_id: "$b3",
          room_id: room,
          sender: "@x:y",
          origin_server_ts: 1,
          content: { "m.relates_to": { rel_type: 5 } },
        },
        { ...good("$b4", "x"), origin_server_ts: 9e15 },
        "not an event",
      ];
      const answer = await send(
        matrixTransaction("txn-mixed", [
          ...bad,
          good("$g1", "still mirrored despite its neighbours"),
        ]),
      );
      expect(answer.status).toBe(200);
      expect((await stored()).timeline.map((e: { text: string }) => e.text)).toContain(
        "still mirrored despite its neighbours",
      );
      expect(await chatEventCount("matrix", "skipped")).toBe(skippedBefore + 5);
    });

    it("Teams: an HMAC-signed activity is mirrored without its bot mention, and answered within 5 s", async () => {
      const channel = "19:abc123@thread.tacv2";
      await server.api("POST", `/api/incidents/${key}/channels`, { platform: "teams", channel });
      const started = Date.now();
      const answer = await send(
        teamsSigned(
          teamsActivity(
            "1700000000001",
            channel,
            "Kim Lee",
            "<at>hotdoc</at> obs: EU checkout error rate 30%",
            new Date().toISOString(),
          ),
        ),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(answer).toEqual({ status: 200, body: { type: "message", text: "" } });
      const doc = await stored();
      expect(
        doc.timeline.find((e: { text: string }) => e.text === "obs: EU checkout error rate 30%"),
      ).toMatchObject({ author: "Kim Lee", source: "teams" });
      expect(doc.observations.map((o: { text: string }) => o.text)).toContain(
        "EU checkout error rate 30%",
      );
    });

    it("generic webhook: HMAC with a timestamp, for alerting tools", async () => {
      await server.api("POST", `/api/incidents/${key}/channels`, {
        platform: "webhook",
        channel: "grafana",
      });
      const answer = await send(
        genericSigned({
          id: "alert-42",
          channel: "grafana",
          author: "Grafana",
          text: "[FIRING] payments 5xx > 10%",
          at: new Date((t0 + 90) * 1000).toISOString(),
        }),
      );
      expect(answer.status).toBe(200);
      expect(
        (await stored()).timeline.find(
          (e: { text: string }) => e.text === "[FIRING] payments 5xx > 10%",
        ),
      ).toMatchObject({ source: "webhook", author: "Grafana" });
    });

    it("generic webhook: an edit changes the entry's text, a delete marks it, a pin makes it a key event", async () => {
      await linkRoom("webhook", "deploy-bot");
      const hook = (payload: Record<string, unknown>) =>
        send(genericSigned({ channel: "deploy-bot", author: "deploybot", ...payload }));
      const posts = [
        ["gw-edit", "disk at 91% on db-3"],
        ["gw-delete", "test alert, ignore"],
        ["gw-pin", "failover to db-4 complete"],
      ];
      for (const [i, [id, text]] of posts.entries())
        expect(
          (await hook({ id, text, at: new Date((t0 + 91 + i) * 1000).toISOString() })).status,
        ).toBe(200);
      expect(
        (await stored()).timeline.find(
          (e: { text: string }) => e.text === "failover to db-4 complete",
        ),
      ).toMatchObject({ pinned: false });

      for (const payload of [
        { id: "gw-edit", action: "edit", text: "disk at 97% on db-3" },
        { id: "gw-delete", action: "delete" },
        { id: "gw-pin", action: "pin" },
      ])
        expect((await hook(payload)).status, payload.action).toBe(200);

      const timeline = (await stored()).timeline as {
        text: string;
        source: string;
        pinned: boolean;
        deleted?: boolean;
        editedAt?: string;
      }[];
      const mine = timeline.filter((e) => e.source === "webhook");
      expect(mine.map((e) => e.text)).not.toContain("disk at 91% on db-3");
      expect(mine.find((e) => e.text === "disk at 97% on db-3")).toMatchObject({
        editedAt: expect.any(String),
      });
      expect(mine.find((e) => e.text === "test alert, ignore")).toMatchObject({ deleted: true });
      expect(mine.find((e) => e.text === "failover to db-4 complete")).toMatchObject({
        pinned: true,
      });
      expect(await keyEventTexts()).toContain("failover to db-4 complete");
    });

    it("Matrix: a 📌 reaction makes the message it annotates a key event, another reaction does not", async () => {
      const room = "!reactions:matrix.example.org";
      await linkRoom("matrix", room);
      await send(
        matrixTransaction("txn-react-1", [
          matrixMessage(
            room,
            "$react-a",
            "@ana:example.org",
            "Rollback verified in EU",
            (t0 + 100) * 1000,
          ),
          matrixMessage(room, "$react-b", "@ana:example.org", "Coffee is ready", (t0 + 101) * 1000),
        ]),
      );
      const reaction = (eventId: string, target: string, emoji: string, offset: number) => {
        const event = copyOf(DOCUMENTED.matrixReaction);
        Object.assign(event, {
          event_id: eventId,
          room_id: room,
          origin_server_ts: (t0 + offset) * 1000,
        });
        Object.assign(event.content["m.relates_to"], { event_id: target, key: emoji });
        return event;
      };
      expect(
        (
          await send(
            matrixTransaction("txn-react-2", [
              reaction("$pin-reaction", "$react-a", "📌", 102),
              reaction("$thumbs", "$react-b", "👍", 103),
            ]),
          )
        ).status,
      ).toBe(200);
      const timeline = (await stored()).timeline as { text: string; pinned: boolean }[];
      expect(timeline.find((e) => e.text === "Rollback verified in EU")).toMatchObject({
        pinned: true,
      });
      expect(timeline.find((e) => e.text === "Coffee is ready")).toMatchObject({ pinned: false });
      expect(await keyEventTexts()).toContain("Rollback verified in EU");
    });

    it("Matrix: a message pinned in the room (m.room.pinned_events) becomes a key event", async () => {
      const room = "!pinned:matrix.example.org";
      await linkRoom("matrix", room);
      await send(
        matrixTransaction("txn-pinned-1", [
          matrixMessage(
            room,
            "$pinned-a",
            "@ana:example.org",
            "Error budget exhausted",
            (t0 + 110) * 1000,
          ),
          matrixMessage(room, "$pinned-b", "@ana:example.org", "Lunch order in", (t0 + 111) * 1000),
        ]),
      );
      const pins = copyOf(DOCUMENTED.matrixPinnedEvents);
      Object.assign(pins, {
        event_id: "$pins-state",
        room_id: room,
        origin_server_ts: (t0 + 112) * 1000,
        content: { pinned: ["$pinned-a"] },
      });
      expect((await send(matrixTransaction("txn-pinned-2", [pins]))).status).toBe(200);
      const timeline = (await stored()).timeline as { text: string; pinned: boolean }[];
      expect(timeline.find((e) => e.text === "Error budget exhausted")).toMatchObject({
        pinned: true,
      });
      expect(timeline.find((e) => e.text === "Lunch order in")).toMatchObject({ pinned: false });
      expect(await keyEventTexts()).toContain("Error budget exhausted");
    });
  });

  describe("bad input is refused and changes nothing", () => {
    it("refuses wrong signatures, stale timestamps, malformed bodies, oversized bodies and texts, and ignores unknown rooms", async () => {
      const before = Y.encodeStateVector(server.hotdoc.hocuspocus.documents.get(key)!);
      const message = slackMessage("C0HOT1", "U0EVE", "should never appear", ts(100));
      const huge = "x".repeat(1024 * 1024 + 10);
      const cases: [string, Parameters<typeof deliver>[1], number, string][] = [
        [
          "wrong Slack signature",
          slackSigned(message, { secret: "not-the-secret" }),
          401,
          "signature_invalid",
        ],
        [
          "stale Slack timestamp (a replay)",
          slackSigned(message, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
          401,
          "timestamp_stale",
        ],
        [
          "Slack body not JSON",
          { ...slackSigned(message), body: "{not json" },
          401,
          "signature_invalid",
        ],
        [
          "Slack signed but malformed",
          slackSigned({
            type: "event_callback",
            event_id: "x",
            team_id: "T",
            event_time: 1,
            event: { type: "message", channel: "C0HOT1", ts: "not-a-ts" },
          }),
          400,
          "invalid_payload",
        ],
        [
          "Slack text over the limit",
          slackSigned(slackMessage("C0HOT1", "U0EVE", "y".repeat(40_001), ts(101))),
          400,
          "invalid_payload",
        ],
        ["body over 1 MiB", slackSigned({ pad: huge }), 413, "payload_too_large"],
        [
          "wrong Mattermost token",
          mattermostForm(
            {
              channel_id: "mm-ch-1",
              timestamp: "1",
              user_name: "eve",
              post_id: "p-bad",
              text: "should never appear",
            },
            "wrong",
          ),
          401,
          "signature_invalid",
        ],
        [
          "malformed Mattermost form",
          {
            ...mattermostForm({
              channel_id: "mm-ch-1",
              user_name: "eve",
              post_id: "p-bad2",
              text: "should never appear",
            }),
          },
          400,
          "invalid_payload",
        ],
        [
          "wrong Matrix token",
          matrixTransaction(
            "txn-bad",
            [
              matrixMessage(
                "!incident:matrix.example.org",
                "$bad",
                "@eve:x",
                "should never appear",
                Date.now(),
              ),
            ],
            "wrong",
          ),
          401,
          "signature_invalid",
        ],
        [
          "wrong Teams HMAC",
          {
            ...teamsSigned(
              teamsActivity(
                "1",
                "19:abc123@thread.tacv2",
                "Eve",
                "should never appear",
                new Date().toISOString(),
              ),
            ),
            headers: { "content-type": "application/json", authorization: "HMAC AAAA" },
          },
          401,
          "signature_invalid",
        ],
        [
          "stale generic timestamp",
          genericSigned(
            { id: "a-old", channel: "grafana", text: "should never appear" },
            { timestamp: Math.floor(Date.now() / 1000) - 301 },
          ),
          401,
          "timestamp_stale",
        ],
        [
          "generic with an unknown field",
          genericSigned({
            id: "a-x",
            channel: "grafana",
            text: "should never appear",
            colour: "red",
          }),
          400,
          "invalid_payload",
        ],
        [
          "generic for a room linked to no incident",
          genericSigned({ id: "a-y", channel: "nobody-linked-this", text: "should never appear" }),
          404,
          "room_not_linked",
        ],
      ];
      for (const [what, hook, status, code] of cases) {
        const answer = await send(hook);
        expect(answer.status, what).toBe(status);
        expect(answer.body.error?.code, what).toBe(code);
        expect(answer.body.error?.message, what).toEqual(expect.any(String));
      }
      const unknownRoom = await send(
        slackSigned(slackMessage("C0UNLINKED", "U0EVE", "should never appear", ts(102))),
      );
      expect(unknownRoom.status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        /hotdoc_chat_events_total\{platform="slack",outcome="unlinked",process="[^"]+"\} [1-9]/,
      );
      expect(Y.encodeStateVector(server.hotdoc.hocuspocus.documents.get(key)!)).toEqual(before);
      expect(JSON.stringify(await stored())).not.toContain("should never appear");
      expect((await server.api("GET", "/healthz", undefined, null)).status).toBe(200);
    });

    it("says an adapter without its secret is off, and never opens it", async () => {
      const bare = await startTestServer();
      try {
        const answer = await deliver(
          bare.url,
          slackSigned(slackMessage("C0HOT1", "U0EVE", "x", ts(103))),
        );
        expect(answer.status).toBe(503);
        expect(answer.body.error).toMatchObject({
          code: "adapter_disabled",
          message: expect.stringContaining("SLACK_SIGNING_SECRET"),
        });
        expect(
          (await deliver(bare.url, genericSigned({ id: "1", channel: "c", text: "x" }))).body.error
            .message,
        ).toContain("WEBHOOK_SECRET");
      } finally {
        await bare.close();
      }
    });
  });

  /** The key events of the postmortem export, where a pinned message must show. */
  async function keyEventTexts(): Promise<string[]> {
    const exported = await server.api("GET", `/api/incidents/${key}/export?format=json`);
    expect(exported.status).toBe(200);
    return exported.body.keyEvents.map((e: { text: string }) => e.text);
  }

  /** Links a room to the test incident, so a test does not rely on another having linked it. */
  async function linkRoom(platform: string, channel: string): Promise<void> {
    const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
      platform,
      channel,
    });
    expect(linked.status).toBe(201);
  }

  /** `hotdoc_chat_events_total` for one platform and outcome (0 before the first such event). */
  async function chatEventCount(platform: string, outcome: string): Promise<number> {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const line = metrics
      .split("\n")
      .find((l) =>
        l.startsWith(
          `hotdoc_chat_events_total{platform="${platform}",outcome="${outcome}",process=`,
        ),
      );
    return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
  }

  async function docFromServer(): Promise<Y.Doc> {
    const state = await server.hotdoc.stores.log.loadState(key);
    const doc = new Y.Doc();
    if (state) Y.applyUpdate(doc, state);
    return doc;
  }
  void readIncident;
});
