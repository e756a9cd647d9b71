import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ActorSchema,
  ChangeInput,
  ChangeRecord,
  CommsInput,
  ExperimentInput,
  ExperimentRecord,
  FollowUpInput,
  FollowUpRecord,
  IncidentCreateInput,
  IncidentFieldsInput,
  LinkInput,
  maxLengthOf,
  ObservationInput,
  ObservationRecord,
  RoleInput,
  type TextSchema,
  TheoryInput,
  TheoryRecord,
  TimelineEntryInput,
} from "#shared/doc/index.ts";
import { MAX } from "../../client/src/components/comms/commsText.ts";

const CLIENT = path.resolve(import.meta.dirname, "..", "..", "client", "src");

/** Every text field the page puts a `maxLength` on, by the schema the write is checked against. */
const FIELDS: Record<string, TextSchema> = {
  "declare: summary": IncidentCreateInput.shape.summary,
  "declare: service": IncidentCreateInput.shape.service,
  "header: service": IncidentFieldsInput.shape.service,
  "assessment: customers seeing": IncidentFieldsInput.shape.customersSeeing,
  "assessment: customers affected": IncidentFieldsInput.shape.customersAffected,
  "assessment: support cases": IncidentFieldsInput.shape.supportCases,
  "assessment: other factors": IncidentFieldsInput.shape.otherFactors,
  "your name": ActorSchema.shape.name,
  "quick add: entry": TimelineEntryInput.shape.text,
  "role: holder": RoleInput.shape.holder,
  "role: custom label": RoleInput.shape.label,
  "link: label": LinkInput.shape.label,
  "link: url": LinkInput.shape.url,
  "change: what": ChangeInput.shape.what,
  "change: how": ChangeInput.shape.how,
  "change: why": ChangeInput.shape.why,
  "change: revert steps": ChangeInput.shape.revertSteps,
  "change row: revert steps": ChangeRecord.shape.revertSteps,
  "observation: new": ObservationInput.shape.text,
  "observation: edit": ObservationRecord.shape.text,
  "theory: new": TheoryInput.shape.text,
  "theory: edit": TheoryRecord.shape.text,
  "experiment: new": ExperimentInput.shape.text,
  "experiment: edit": ExperimentRecord.shape.text,
  "experiment: outcome": ExperimentRecord.shape.outcome,
  "follow-up: new": FollowUpInput.shape.text,
  "follow-up: owner": FollowUpInput.shape.owner,
  "follow-up: ticket link": FollowUpInput.shape.url,
  "follow-up: edit": FollowUpRecord.shape.text,
  "follow-up row: owner": FollowUpRecord.shape.owner,
  "comms: title": CommsInput.shape.title,
  "comms: summary": CommsInput.shape.summary,
  "comms: next update": CommsInput.shape.nextUpdate,
  "comms: channel": CommsInput.shape.channel,
};

/** A value of exactly `length` characters that the field accepts apart from its length. */
function textOfLength(name: string, length: number): string {
  if (/url|ticket link/.test(name)) {
    const prefix = "https://example.com/";
    return prefix + "a".repeat(length - prefix.length);
  }
  return "a".repeat(length);
}

/** Every source file of the web client. */
function clientSources(dir = CLIENT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return clientSources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("the page's input limits are the schemas' limits", () => {
  it.each(Object.entries(FIELDS))(
    "%s: maxLengthOf is the longest text the schema accepts",
    (name, schema) => {
      const max = maxLengthOf(schema);
      expect(max).toBeGreaterThan(0);
      expect(schema.safeParse(textOfLength(name, max)).success).toBe(true);
      expect(schema.safeParse(textOfLength(name, max + 1)).success).toBe(false);
    },
  );

  it("refuses to read a limit from a text schema that sets none", () => {
    expect(() => maxLengthOf(z.string())).toThrow(/no maximum length/);
    expect(() => maxLengthOf(z.string().trim().optional())).toThrow(/no maximum length/);
  });

  it("the comms editor's limits are the comms record's", () => {
    for (const field of ["title", "summary", "nextUpdate", "channel"] as const) {
      const schema = CommsInput.shape[field];
      expect(schema.safeParse("a".repeat(MAX[field])).success).toBe(true);
      expect(schema.safeParse("a".repeat(MAX[field] + 1)).success).toBe(false);
    }
  });

  it("no maxLength in the client is a number written by hand", () => {
    const handWritten: string[] = [];
    for (const file of clientSources()) {
      const lines = fs.readFileSync(file, "utf8").split("\n");
      lines.forEach((line, index) => {
        // maxLength={8000}, maxLength = 8000 (a default), maxLength: 8000, title: 400 in a limits table.
        if (/maxLength\s*(=\s*\{?|:)\s*[\d_]+/.test(line))
          handWritten.push(`${path.relative(CLIENT, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(handWritten).toEqual([]);
  });
});
