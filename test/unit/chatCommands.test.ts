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
      // A keyword is followed by a space, a colon, a bracket or nothing.
      "tl;dr",
      "tl;dr: the replica is behind",
      "sev/2 maybe?",
      "obs!",
      // `lead` is not a command word (`tl` is): these are talk.
      "lead time",
      "lead them",
      "lead poisoning?",
      "lead @ana",
      "lead: ana",
      "lead [db] @ana",
    ]) {
      expect(parseChatCommand(text), text).toEqual({ plain: true });
    }
  });
});

describe("work streams in chat", () => {
  it("starts a stream with its lead, or without one", () => {
    expect(parseChatCommand("stream: Database failover lead @ana")).toStrictEqual({
      command: { type: "stream", name: "Database failover", lead: "ana" },
    });
    expect(parseChatCommand("Stream: Comms with the bank lead: @dana")).toStrictEqual({
      command: { type: "stream", name: "Comms with the bank", lead: "dana" },
    });
    expect(parseChatCommand("stream: Database failover\nlead @ana")).toStrictEqual({
      command: { type: "stream", name: "Database failover", lead: "ana" },
    });
    // "lead" inside the name is part of the name unless a person follows it.
    expect(parseChatCommand("stream: Fix the lead pipeline")).toStrictEqual({
      command: { type: "stream", name: "Fix the lead pipeline", lead: "" },
    });
    expect(parseChatCommand("stream:")).toMatchObject({
      malformed: expect.stringContaining("name"),
    });
    expect(parseChatCommand("stream: lead @ana")).toMatchObject({ malformed: expect.any(String) });
  });

  it("takes the lead as one word at the very end, and nothing else after `lead`", () => {
    for (const text of [
      "Stream: lag on the replicas, can someone lead @ana this?",
      "stream: Comms with the bank lead: Dana Kim",
      "stream: Database failover lead @",
      "stream: Database failover lead:",
      "stream: Database failover lead: ana\nand more text",
      "stream: Database failover lead @ana lead @bo",
    ]) {
      expect(parseChatCommand(text), text).toStrictEqual({
        malformed: expect.stringContaining("one person at the end"),
      });
    }
    // Longer than a name and a lead can be: all name, which the stream then refuses as too long.
    const long = parseChatCommand(`stream: db lead: ${" ".repeat(39_000)}ana bo`);
    expect(long).toMatchObject({ command: { type: "stream", lead: "" } });
  });

  it("tags what a command adds with the stream named in brackets after the keyword", () => {
    expect(parseChatCommand("obs [db]: replica lag 40s")).toStrictEqual({
      command: { type: "observation", text: "replica lag 40s", stream: "db" },
    });
    expect(parseChatCommand("theory [Database failover]: disk full")).toStrictEqual({
      command: { type: "theory", text: "disk full", stream: "Database failover" },
    });
    expect(parseChatCommand("try[db]: fail over to eu-2")).toStrictEqual({
      command: { type: "experiment", text: "fail over to eu-2", stream: "db" },
    });
    expect(parseChatCommand("decision [ db ]: keep eu-2 primary")).toStrictEqual({
      command: { type: "decision", text: "keep eu-2 primary", stream: "db" },
    });
    expect(parseChatCommand("change [db]: failed over revert: fail back")).toStrictEqual({
      command: {
        type: "change",
        what: "failed over",
        how: "",
        why: "",
        revertSteps: "fail back",
        stream: "db",
      },
    });
    expect(parseChatCommand("!key [db] eu-2 is primary")).toStrictEqual({
      command: { type: "key", text: "eu-2 is primary", stream: "db" },
    });
    expect(parseChatCommand("📌 [db] eu-2 is primary")).toStrictEqual({
      command: { type: "key", text: "eu-2 is primary", stream: "db" },
    });
    // Without a tag nothing changes.
    expect(parseChatCommand("obs: replica lag 40s")).toStrictEqual({
      command: { type: "observation", text: "replica lag 40s" },
    });
  });

  it("changes a stream's lead, ends it, reopens it, and lists the streams", () => {
    expect(parseChatCommand("tl [db] @bo")).toStrictEqual({
      command: { type: "role", role: "tech_lead", holder: "bo", stream: "db" },
    });
    expect(parseChatCommand("tl [db] bo")).toStrictEqual({
      command: { type: "role", role: "tech_lead", holder: "bo", stream: "db" },
    });
    expect(parseChatCommand("stream [db] done")).toStrictEqual({
      command: { type: "streamState", stream: "db", state: "done" },
    });
    expect(parseChatCommand("stream [db] reopen")).toStrictEqual({
      command: { type: "streamState", stream: "db", state: "active" },
    });
    expect(parseChatCommand("streams")).toStrictEqual({ command: { type: "streams" } });
  });

  it("says what is wrong with a stream command or a tag where none fits", () => {
    expect(parseChatCommand("stream [db] paused")).toMatchObject({
      malformed: expect.stringContaining("done or reopen"),
    });
    expect(parseChatCommand("stream [db]: x")).toMatchObject({
      malformed: expect.stringContaining("without brackets"),
    });
    expect(parseChatCommand("obs []: x")).toMatchObject({
      malformed: expect.stringContaining("name of a work stream"),
    });
    expect(parseChatCommand("sev [db] 1")).toMatchObject({
      malformed: expect.stringContaining("takes no work stream"),
    });
    expect(parseChatCommand("im [db] @ana")).toMatchObject({
      malformed: expect.stringContaining("takes no work stream"),
    });
  });

  it("never reads a bracket in ordinary talk or in an alert as a tag", () => {
    for (const text of [
      "[FIRING] payments 5xx > 10%",
      "[db] looking at the replicas",
      "obs [db] the replica lags",
      "the stream of errors keeps growing",
      "stream [db] is looking better now",
      "streams are flowing again",
      "theory [db] might be wrong",
    ]) {
      expect(parseChatCommand(text), text).toEqual({ plain: true });
    }
    // Brackets after the colon are the text's own.
    expect(parseChatCommand("obs: [FIRING] payments 5xx")).toStrictEqual({
      command: { type: "observation", text: "[FIRING] payments 5xx" },
    });
  });
});
