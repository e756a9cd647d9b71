import { appendTimelineEntry } from "#shared/doc/index.ts";
import type { TestServer } from "./testServer.ts";

/** The admin actor the seed and the tests' server-side writes use. */
export const LOADER = { subject: "load", name: "Load", role: "admin", scope: "*" } as const;

/**
 * A new incident with `entries` chat entries (one a second from 2026-11-20 10:00 UTC,
 * written in one transaction) and a responder link for Ana.
 */
export async function seedLongIncident(
  server: TestServer,
  incident: { summary: string; severity: number; entries: number },
): Promise<{ key: string; url: string }> {
  const { summary, severity } = incident;
  const key: string = (await server.api("POST", "/api/incidents", { summary, severity })).body.key;
  await server.hotdoc.incidents.write(key, LOADER, (doc) => {
    for (let i = 0; i < incident.entries; i++) {
      appendTimelineEntry(doc, {
        author: `user${i % 17}`,
        source: "slack",
        kind: "chat",
        text: `chat message ${i}`,
        at: new Date(Date.UTC(2026, 10, 20, 10) + i * 1000).toISOString(),
      });
    }
  });
  const link = await server.api("POST", `/api/incidents/${key}/links`, {
    role: "responder",
    name: "Ana",
  });
  return { key, url: link.body.url };
}
