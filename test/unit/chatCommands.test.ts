import { describe, expect, it } from "vitest";
import { chatEntryId } from "#shared/chat/chatEvent.ts";
import { parseChatCommand } from "#shared/chat/commands.ts";
import { IdSchema } from "#shared/doc/index.ts";

describe("chat entry ids", () => {
  it("never give two different messages the same id", () => {
    const ids = new Set(
      [
        ["grafana", "a/1"],
        ["grafana", "a:1"],
        ["grafana", "a_1"],
        ["grafana:a", "1"],
        ["grafana", "a:1"],
      ].map(([channel, messageId]) => chatEntryId({ platform: "webhook", channel, messageId })),
    );
    expect(ids.size).toBe(4);
    const long = chatEntryId({
      platform: "matrix",
      channel: "!".repeat(120),
      messageId: "$".repeat(120),
    });
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(
      chatEntryId({
        platform: "matrix",
        channel: "!".repeat(120),
        messageId: `${"$".repeat(119)}%`,
      }),
    );
    expect(IdSchema.safeParse(long).success).toBe(true);
    expect(
      IdSchema.safeParse(
        chatEntryId({ platform: "matrix", channel: "!room:example.org", messageId: "$ev/1+2" }),
      ).success,
    ).toBe(true);
  });
});

describe("chat commands", () => {
  it("reads each command", () => {
    expect(parseChatCommand("obs: 5xx at 30% in EU")).toEqual({
      command: { type: "observation", text: "5xx at 30% in EU" },
    });
    expect(parseChatCommand("Theory: pool exhausted")).toEqual({
      command: { type: "theory", text: "pool exhausted" },
    });
    expect(parseChatCommand("try: roll back")).toEqual({
      command: { type: "experiment", text: "roll back" },
    });
    expect(parseChatCommand("decision: fail over to eu-2")).toEqual({
      command: { type: "decision", text: "fail over to eu-2" },
    });
    expect(
      parseChatCommand(
        "change: rolled back api how: deployctl rollback why: theory 1 revert: deployctl deploy v2",
      ),
    ).toEqual({
      command: {
        type: "change",
        what: "rolled back api",
        how: "deployctl rollback",
        why: "theory 1",
        revertSteps: "deployctl deploy v2",
      },
    });
    expect(parseChatCommand("sev 1")).toEqual({ command: { type: "severity", severity: 1 } });
    expect(parseChatCommand("status resolved")).toEqual({
      command: { type: "status", status: "resolved" },
    });
    expect(parseChatCommand("im @alice")).toEqual({
      command: { type: "role", role: "incident_manager", holder: "alice" },
    });
    expect(parseChatCommand("tl bob")).toEqual({
      command: { type: "role", role: "tech_lead", holder: "bob" },
    });
    expect(parseChatCommand("link hot-12")).toEqual({ command: { type: "link", key: "HOT-12" } });
    expect(parseChatCommand("!key rollback complete")).toEqual({
      command: { type: "key", text: "rollback complete" },
    });
    expect(parseChatCommand("📌 rollback complete")).toEqual({
      command: { type: "key", text: "rollback complete" },
    });
    expect(parseChatCommand("help")).toEqual({ command: { type: "help" } });
  });
  it("says what is wrong with a malformed command", () => {
    expect(parseChatCommand("sev 5")).toMatchObject({
      malformed: expect.stringContaining("1, 2 or 3"),
    });
    expect(parseChatCommand("status done")).toMatchObject({
      malformed: expect.stringContaining("fixing, resolved or closed"),
    });
    expect(parseChatCommand("change: restarted the db")).toMatchObject({
      malformed: expect.stringContaining("revert steps"),
    });
    expect(parseChatCommand("obs:")).toMatchObject({ malformed: expect.any(String) });
    expect(parseChatCommand("link nothing")).toMatchObject({
      malformed: expect.stringContaining("incident key"),
    });
  });
  it("leaves ordinary talk alone", () => {
    for (const text of [
      "change the config later",
      "status of the db is unclear",
      "im not sure",
      "sev is probably 2",
      "help me look at this",
      "Looking at the dashboards",
    ]) {
      expect(parseChatCommand(text), text).toEqual({ plain: true });
    }
  });
});
