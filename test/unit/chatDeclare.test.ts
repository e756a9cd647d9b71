import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { parseChatCommand } from "#shared/chat/commands.ts";
import { roomTopic } from "#shared/chat/roomTopic.ts";
import { assignRole, initIncident, setSeverity, setStatus } from "#shared/doc/index.ts";

describe("declaring from chat", () => {
  it("reads a declaration with its severity and summary, however the severity is written", () => {
    for (const text of [
      "hotdoc declare sev2 Checkout is failing",
      "hotdoc declare sev 2 Checkout is failing",
      "/hotdoc declare SEV-2: Checkout is failing",
      "Hotdoc declare s2 Checkout is failing",
      "/hotdoc declare sev2   Checkout is failing",
    ]) {
      expect(parseChatCommand(text), text).toEqual({
        command: { type: "declare", severity: 2, summary: "Checkout is failing" },
      });
    }
  });

  it("declares only when the bot is addressed: talk that starts with 'declare' is talk", () => {
    expect(parseChatCommand("declare victory, the graphs are green")).toEqual({ plain: true });
    expect(parseChatCommand("Declare sev1 if the error rate keeps climbing")).toEqual({
      plain: true,
    });
    expect(parseChatCommand("/hotdoc declare Checkout is failing")).toMatchObject({
      malformed: expect.stringContaining("declare needs a severity and a summary"),
    });
    expect(parseChatCommand("hotdoc declare sev2")).toMatchObject({
      malformed: expect.stringContaining("declare needs a severity and a summary"),
    });
    expect(parseChatCommand("hotdoc declare sev4 something")).toMatchObject({
      malformed: expect.stringContaining("declare needs a severity"),
    });
  });

  it("reads every other command after /hotdoc or hotdoc, and leaves 'hotdoc is slow' as talk", () => {
    expect(parseChatCommand("/hotdoc sev 1")).toEqual({
      command: { type: "severity", severity: 1 },
    });
    expect(parseChatCommand("hotdoc tl @ana")).toEqual({
      command: { type: "role", role: "tech_lead", holder: "ana" },
    });
    expect(parseChatCommand("hotdoc is slow today")).toEqual({ plain: true });
  });
});

describe("the room topic", () => {
  it("says the key, severity, status, summary and who holds which role, and follows changes", () => {
    const doc = new Y.Doc();
    const actor = { name: "Ana", source: "api" as const };
    initIncident(doc, {
      key: "HOT-42",
      summary: "Checkout is failing",
      severity: 2,
      actor,
      now: new Date("2026-11-21T10:00:00Z"),
    });
    expect(roomTopic(doc)).toBe("HOT-42 · SEV2 · new · Checkout is failing");
    assignRole(doc, { role: "incident_manager", holder: "Ana Diaz" }, actor);
    assignRole(doc, { role: "tech_lead", holder: "Bo" }, actor);
    assignRole(doc, { role: "comms_manager", holder: "Cy" }, actor);
    setSeverity(doc, 1, actor);
    // Naming the IM does not move the status; the IM does.
    expect(roomTopic(doc)).toContain("· new ·");
    setStatus(doc, "fixing", actor);
    expect(roomTopic(doc)).toBe(
      "HOT-42 · SEV1 · fixing · Checkout is failing · IM: Ana Diaz · TL: Bo · Comms: Cy",
    );
    setStatus(doc, "resolved", actor);
    expect(roomTopic(doc)).toContain("· resolved ·");
  });
});
