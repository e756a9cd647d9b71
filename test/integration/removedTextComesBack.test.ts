import type { HocuspocusProvider } from "@hocuspocus/provider";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { collection } from "#shared/doc/fields.ts";
import {
  appendTimelineEntry,
  correctTimelineEntry,
  readTimelineEntry,
  removeTimelineEntry,
} from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenDoc, whenSynced } from "../helpers/clients.ts";
import { startTestServer } from "../helpers/testServer.ts";

const SECRET = "ghp_not-a-real-token-90210";
const ALICE = { name: "Alice", source: "editor" as const };
const BOB = { name: "Bob", source: "editor" as const };

/** Whether a document's encoded state still holds `needle` anywhere. */
const holds = (doc: Y.Doc, needle: string) =>
  Buffer.from(Y.encodeStateAsUpdate(doc)).includes(Buffer.from(needle, "utf8"));

const storedText = (doc: Y.Doc, id: string) => collection(doc, "timeline").get(id)?.get("text");

describe("text removed while someone offline edits it", () => {
  it("the server blanks it again when the edit arrives: in its document, the peers', REST and exports", async () => {
    const server = await startTestServer();
    // Yjs settles two concurrent writes of one map key by client id, the higher winning:
    // Bob's offline edit is made to win, the case where the removed text came back.
    const aliceDoc = new Y.Doc();
    aliceDoc.clientID = 1;
    const bobDoc = new Y.Doc();
    bobDoc.clientID = 0xffff_fff0;
    const providers: HocuspocusProvider[] = [];
    try {
      const key = (await server.api("POST", "/api/incidents", { summary: "Leaky", severity: 3 }))
        .body.key;
      const a = connectProvider(server.wsUrl, key, server.token, aliceDoc);
      providers.push(a);
      await whenSynced(a);
      const { id } = appendTimelineEntry(aliceDoc, { author: "Alice", text: `token ${SECRET}` });
      // A first correction, so the two below do not race to create the correction list.
      correctTimelineEntry(aliceDoc, id, { pinned: true }, ALICE);
      await whenAcknowledged(a);
      // Bob had the page open, then lost the network: his copy is what the server had.
      Y.applyUpdate(bobDoc, Y.encodeStateAsUpdate(aliceDoc));

      // Offline, Bob fixes a typo, the secret still in the text; meanwhile Alice removes it.
      correctTimelineEntry(bobDoc, id, { text: `token: ${SECRET}` }, BOB);
      removeTimelineEntry(aliceDoc, id, { reason: "pasted a token" }, ALICE);
      await whenAcknowledged(a);
      // Bob's page reconnects: his edit reaches the server after the removal, and wins the merge.
      const b = connectProvider(server.wsUrl, key, server.token, bobDoc);
      providers.push(b);
      await whenSynced(b);
      await whenAcknowledged(b);

      const live = server.hotdoc.hocuspocus.documents.get(key);
      expect(live).toBeDefined();
      for (const doc of [live as Y.Doc, aliceDoc, bobDoc]) {
        await whenDoc(doc, (d) => storedText(d, id) === "", 5_000);
        expect(holds(doc, SECRET)).toBe(false);
        expect(readTimelineEntry(doc, id)).toMatchObject({ removal: { by: "Alice" } });
      }
      const state = await server.api("GET", `/api/incidents/${key}`);
      expect(state.status).toBe(200);
      expect(JSON.stringify(state.body)).not.toContain(SECRET);
      const exported = await server.api("GET", `/api/incidents/${key}/export?format=markdown`);
      expect(exported.status).toBe(200);
      expect(exported.body).toContain("Entry removed by Alice");
      expect(exported.body).not.toContain(SECRET);
    } finally {
      for (const p of providers) p.destroy();
      await server.close();
    }
  }, 30_000);
});
