import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { fakeRoomWebhook } from "../helpers/roomWebhook.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("announcements back into the room", () => {
  let server: TestServer;
  const hook = fakeRoomWebhook();
  let key: string;

  beforeAll(async () => {
    const url = await hook.listen();
    server = await startTestServer({ env: { ...SECRETS, ANNOUNCE_INTERVAL_MS: "400" } });
    key = (await server.api("POST", "/api/incidents", { summary: "Announce me", severity: 3 })).body
      .key;
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel: "C0ANN",
          webhookUrl: url,
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await hook.close();
  });

  it("announces severity, status, IM and change-log events, batched and rate-limited per room", async () => {
    const seconds = Math.floor(Date.now() / 1000);
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 2 });
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
    await deliver(
      server.url,
      slackSigned(slackMessage("C0ANN", "U0PRIYA", "im @priya", `${seconds}.000100`)),
    );
    // Naming the IM leaves the status alone; the IM moves it to fixing.
    await deliver(
      server.url,
      slackSigned(slackMessage("C0ANN", "U0PRIYA", "status fixing", `${seconds}.000150`)),
    );
    await deliver(
      server.url,
      slackSigned(
        slackMessage(
          "C0ANN",
          "U0MARCO",
          "change: restarted the queue revert: none",
          `${seconds}.000200`,
        ),
      ),
    );
    await hook.until(() =>
      hook.posts
        .map((p) => p.text)
        .join("\n")
        .includes("restarted the queue"),
    );
    const all = hook.posts.map((p) => p.text).join("\n");
    expect(all).toContain(`${key}: Severity changed from 3 (Minor) to 2 (Major)`);
    expect(all).toContain(`${key}: Severity changed from 2 (Major) to 1 (Critical)`);
    expect(all).toContain(`${key}: priya is Incident manager`);
    expect(all).toContain("The status is still new: say `status fixing`");
    expect(all).toContain(`${key}: Status changed from new to fixing`);
    expect(all).toContain("Change (applied): restarted the queue");
    expect(hook.posts.every((p) => p.text.startsWith("[hotdoc] "))).toBe(true);
    // Seven lines, but posts are at least the interval apart, so they were batched.
    expect(hook.posts.length).toBeLessThan(5);
    for (let i = 1; i < hook.posts.length; i++)
      expect(hook.posts[i].at - hook.posts[i - 1].at).toBeGreaterThanOrEqual(350);

    // What hotdoc posted, delivered back by Slack as a bot message, is not mirrored.
    const echoed = hook.posts[0].text;
    await deliver(
      server.url,
      slackSigned({
        type: "event_callback",
        event_id: "EvEcho",
        team_id: "T",
        event_time: seconds,
        event: {
          type: "message",
          subtype: "bot_message",
          bot_id: "B1",
          channel: "C0ANN",
          text: echoed,
          ts: `${seconds}.000300`,
        },
      }),
    );
    const timeline = (await server.api("GET", `/api/incidents/${key}`)).body.timeline as {
      text: string;
    }[];
    expect(timeline.some((e) => e.text === echoed)).toBe(false);
  });

  it("answers a malformed command from Slack through the room's webhook", async () => {
    const before = hook.posts.length;
    await deliver(
      server.url,
      slackSigned(
        slackMessage("C0ANN", "U0DANA", "sev 9", `${Math.floor(Date.now() / 1000)}.000400`),
      ),
    );
    await hook.until(() =>
      hook.posts.slice(before).some((p) => p.text.includes("sev needs 1, 2 or 3")),
    );
  });
});
