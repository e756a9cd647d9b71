import { afterEach, describe, expect, it } from "vitest";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { type ChildServer, killAll, spawnServer } from "../helpers/childServer.ts";
import { connectProvider, whenSynced } from "../helpers/clients.ts";
import { callApi, TEST_TOKEN, tempDataDir } from "../helpers/testServer.ts";

const ROUNDS = 5;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

describe(`crash under load (seed ${SEED})`, () => {
  const children: ChildServer[] = [];
  afterEach(async () => {
    await killAll(children);
  });

  it("writers on every door, SIGKILL at random points: every acknowledged write is present after restart", async () => {
    let state = SEED >>> 0;
    const rand = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const dataDir = tempDataDir();
    // Small checkpoints, so kills also land during compaction.
    const env = { ...SECRETS, CHECKPOINT_EVERY: "40" };
    let key = "";
    const acknowledged = new Set<string>();
    let attempted = 0;
    let slackSeq = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const server = await spawnServer(dataDir, env);
      children.push(server);
      if (round === 0) {
        key = (
          await callApi(server.url, "POST", "/api/incidents", {
            summary: "Crash under load",
            severity: 1,
          })
        ).body.key;
        await callApi(server.url, "POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel: "C0CRASHLOAD",
        });
      }
      let stopped = false;

      // Door 1: @hocuspocus/provider on /collab; acknowledged when its unsynced count reaches 0.
      const provider = connectProvider(server.wsUrl, key, TEST_TOKEN, new Y.Doc());
      await whenSynced(provider);
      const pending: string[] = [];
      provider.on("unsyncedChanges", ({ number }: { number: number }) => {
        if (number === 0) for (const text of pending.splice(0)) acknowledged.add(text);
      });
      const collabWriter = (async () => {
        for (let i = 0; !stopped && i < 2000; i++) {
          const text = `r${round} collab ${i}`;
          pending.push(text);
          attempted++;
          appendTimelineEntry(provider.document, { author: "Collab", text, kind: "note" });
          // Bursts of ten, then a pause for the acks, so acknowledgement points keep coming.
          if (i % 10 === 9) {
            const deadline = Date.now() + 300;
            while (!stopped && provider.hasUnsyncedChanges && Date.now() < deadline)
              await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      })();

      // Door 2: y-websocket on /yjs (its protocol has no acks: load only).
      const yDoc = new Y.Doc();
      const yws = new WebsocketProvider(`ws://127.0.0.1:${server.port}/yjs`, key, yDoc, {
        params: { token: TEST_TOKEN },
      });
      const yjsWriter = (async () => {
        for (let i = 0; !stopped && i < 2000; i++) {
          if (yws.synced)
            appendTimelineEntry(yDoc, { author: "Yjs", text: `r${round} yjs ${i}`, kind: "note" });
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
      })();

      // Door 3: REST, acknowledged by 201.
      const restWriter = (async () => {
        for (let i = 0; !stopped && i < 2000; i++) {
          const text = `r${round} rest ${i}`;
          attempted++;
          try {
            const answer = await callApi(server.url, "POST", `/api/incidents/${key}/timeline`, {
              text,
            });
            if (answer.status === 201) acknowledged.add(text);
          } catch {
            return;
          }
        }
      })();

      // Door 4: the Slack webhook, acknowledged by 200.
      const hookWriter = (async () => {
        const seconds = Math.floor(Date.now() / 1000);
        for (let i = 0; !stopped && i < 2000; i++) {
          const text = `r${round} slack ${i}`;
          attempted++;
          slackSeq++;
          try {
            const answer = await deliver(
              server.url,
              slackSigned(
                slackMessage(
                  "C0CRASHLOAD",
                  "U0LOAD",
                  text,
                  `${seconds}.${String(slackSeq).padStart(6, "0")}`,
                ),
              ),
            );
            if (answer.status === 200) acknowledged.add(text);
          } catch {
            return;
          }
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(rand() * 1200)));
      server.child.kill("SIGKILL");
      await server.exited;
      stopped = true;
      await Promise.all([collabWriter, yjsWriter, restWriter, hookWriter]);
      provider.destroy();
      yws.destroy();
    }

    const last = await spawnServer(dataDir, env);
    children.push(last);
    const { body } = await callApi(last.url, "GET", `/api/incidents/${key}`);
    const present = new Set<string>(body.timeline.map((e: { text: string }) => e.text));
    const missing = [...acknowledged].filter((text) => !present.has(text));
    console.info(
      `crash under load: ${ROUNDS} SIGKILLs, ${attempted} writes attempted, ${acknowledged.size} acknowledged, ${missing.length} missing`,
    );
    expect(acknowledged.size).toBeGreaterThan(ROUNDS * 20);
    expect(missing).toEqual([]);
  }, 120_000);
});
