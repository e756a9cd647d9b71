import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import { createSampleIncident } from "../../server/demo/sampleIncident.ts";
import { DEMO_CONVERSATION, replaySlackConversation } from "../../server/demo/slackReplay.ts";
import { SECRETS } from "../helpers/chatPayloads.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("the demo", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: SECRETS });
  });
  afterAll(async () => {
    await server.close();
  });

  it("declares a populated sample incident and replays its Slack room through the signed adapter", async () => {
    const key = await createSampleIncident(server.hotdoc.incidents, {
      ...SYSTEM_PRINCIPAL,
      name: "Demo",
    });
    const sample = (await server.api("GET", `/api/incidents/${key}`)).body;
    expect(sample).toMatchObject({
      status: "fixing",
      incidentManager: "Priya Natarajan",
      severity: 2,
    });
    expect(sample.changes).toHaveLength(2);
    expect(sample.theories.map((t: { state: string }) => t.state).sort()).toEqual([
      "confirmed",
      "disproved",
    ]);

    await server.hotdoc.stores.chat.linkChannel({
      platform: "slack",
      channel: "C0DEMO",
      incident: key,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: "test",
    });
    await replaySlackConversation({
      baseUrl: server.hotdoc.localUrl,
      signingSecret: SECRETS.SLACK_SIGNING_SECRET,
      channel: "C0DEMO",
      logger: server.hotdoc.logger,
      delayMs: 5,
    });
    const after = (await server.api("GET", `/api/incidents/${key}`)).body;
    const texts = after.timeline.map((e: { text: string }) => e.text);
    for (const message of DEMO_CONVERSATION) expect(texts).toContain(message.text);
    expect(after.status).toBe("resolved");
    expect(after.observations.map((o: { text: string }) => o.text)).toContain(
      "orders DB connections back to 310 of 800",
    );
  });
});
