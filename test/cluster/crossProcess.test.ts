import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import {
  appendTimelineEntry,
  readIncident,
  readTimeline,
  setIncidentFields,
} from "#shared/doc/index.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import {
  connectProvider,
  whenAcknowledged,
  whenDoc,
  whenRefused,
  whenSynced,
  withTimeout,
} from "../helpers/clients.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { TEST_DATABASE_URL } from "../helpers/postgresSchema.ts";
import { fakeRoomWebhook } from "../helpers/roomWebhook.ts";
import { callApi, TEST_TOKEN } from "../helpers/testServer.ts";

const SHARED_REDIS = "redis://127.0.0.1:6379";
const ANNOUNCE_INTERVAL_MS = 100;

/** How many times `line` was said across all posts (a post may batch several lines). */
const timesSaid = (posts: string[], line: string) =>
  posts.reduce((n, post) => n + post.split(line).length - 1, 0);

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The sum of one counter's samples matching `labels` in a Prometheus text exposition. */
function counterSum(text: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(" ").at(-1));
  return sum;
}

describe("one cluster: what must happen once, or everywhere", () => {
  let cluster: Cluster;
  const hook = fakeRoomWebhook();
  const providers: HocuspocusProvider[] = [];
  let webhookUrl = "";
  const url = (i: number) => cluster.processes[i]!.url;
  const wsUrl = (i: number) => cluster.processes[i]!.wsUrl;

  async function declare(summary: string, severity = 3): Promise<string> {
    const created = await callApi(cluster.proxy.url, "POST", "/api/incidents", {
      summary,
      severity,
    });
    expect(created.status).toBe(201);
    return created.body.key;
  }

  function connect(i: number, key: string, token = TEST_TOKEN): HocuspocusProvider {
    const provider = connectProvider(wsUrl(i), key, token, new Y.Doc());
    providers.push(provider);
    return provider;
  }

  beforeAll(async () => {
    webhookUrl = await hook.listen();
    expect(webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    cluster = await startCluster({
      processes: 3,
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: SHARED_REDIS,
      env: {
        ...SECRETS,
        ALLOW_PRIVATE_WEBHOOKS: "1",
        ANNOUNCE_INTERVAL_MS: String(ANNOUNCE_INTERVAL_MS),
      },
    });
  });

  afterAll(async () => {
    for (const provider of providers.splice(0)) provider.destroy();
    await cluster?.destroy();
    await hook.close();
  });

  it("a Slack event posted to two processes at once is applied once, its command included", async () => {
    const key = await declare("Chat delivered twice");
    const linked = await callApi(cluster.proxy.url, "POST", `/api/incidents/${key}/channels`, {
      platform: "slack",
      channel: "C0TWICE",
    });
    expect(linked.status).toBe(201);
    // A client of process 3 follows the writes of all three.
    const watcher = connect(2, key);
    await whenSynced(watcher);
    const duplicatesBefore = await Promise.all(
      [0, 1, 2].map(async (i) =>
        counterSum(
          await (await fetch(`${url(i)}/metrics`)).text(),
          "hotdoc_chat_events_total",
          'outcome="duplicate"',
        ),
      ),
    );

    const t0 = Math.floor(Date.now() / 1000) - 60;
    const messages = [
      "db-3 replication lag climbing",
      "paging the storage on-call",
      "im @priya",
      "sev 1",
      "obs: replica lag 40s on db-3",
      "status fixing",
      "failing over to db-4",
      "checkout error rate back under 1%",
      "watching for 10 more minutes",
      "all clear from storage",
    ];
    const timings: number[] = [];
    for (const [n, text] of messages.entries()) {
      // One signed delivery, the same bytes sent to two processes at the same moment.
      const delivery = slackSigned(slackMessage("C0TWICE", "U0PRIYA", text, `${t0 + n}.000100`));
      const pair = [n % 3, (n + 1) % 3];
      const started = performance.now();
      const answers = await Promise.all(pair.map((i) => deliver(url(i), delivery)));
      timings.push(performance.now() - started);
      for (const answer of answers) {
        expect(answer.status, `${text}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(
          200,
        );
        expect(answer.status, `${text}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
      }
    }

    // The entries mirroring a message name it; a command's effects (severity…) are entries of their own.
    const slackIds = (body: {
      timeline: { external?: { platform: string; messageId: string } }[];
    }) =>
      body.timeline
        .filter((e) => e.external?.platform === "slack")
        .map((e) => e.external?.messageId);
    // Process 1 reads the document as it holds it: the last message may have been
    // applied by another process a moment ago and still be on its way through Redis
    // (edits converge everywhere within a second), so read until every message is
    // there or two seconds have passed, then check what was read.
    let incident = (await callApi(url(0), "GET", `/api/incidents/${key}`)).body;
    const readUntil = Date.now() + 2000;
    while (slackIds(incident).length < messages.length && Date.now() < readUntil) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      incident = (await callApi(url(0), "GET", `/api/incidents/${key}`)).body;
    }
    const chat = slackIds(incident);
    const byMessage = new Map<string, number>();
    for (const id of chat) byMessage.set(id as string, (byMessage.get(id as string) ?? 0) + 1);
    // Each message is one timeline entry.
    expect([...byMessage.keys()].toSorted()).toEqual(
      messages.map((_, n) => `${t0 + n}.000100`).toSorted(),
    );
    expect(
      [...byMessage.values()].every((count) => count === 1),
      JSON.stringify(chat),
    ).toBe(true);
    // Each command took effect once: one severity change, one status change, one IM, one observation.
    const kinds = (kind: string) =>
      incident.timeline
        .filter((e: { kind: string }) => e.kind === kind)
        .map((e: { text: string }) => e.text);
    expect(kinds("severity").filter((t: string) => t.includes("to 1 (Critical)"))).toHaveLength(1);
    expect(kinds("status").filter((t: string) => t.includes("to fixing"))).toHaveLength(1);
    expect(kinds("role")).toHaveLength(1);
    expect(incident.severity).toBe(1);
    expect(incident.status).toBe("fixing");
    expect(incident.observations).toHaveLength(1);
    expect(
      incident.roles.filter((r: { role: string }) => r.role === "incident_manager"),
    ).toHaveLength(1);
    // The client ends with the same document.
    await whenDoc(
      watcher.document,
      () => readTimeline(watcher.document).length === incident.timeline.length,
    );
    expect(readIncident(watcher.document)).toEqual(incident);

    // Each pair: one process applied it, the other answered it as a duplicate.
    const duplicatesAfter = await Promise.all(
      [0, 1, 2].map(async (i) =>
        counterSum(
          await (await fetch(`${url(i)}/metrics`)).text(),
          "hotdoc_chat_events_total",
          'outcome="duplicate"',
        ),
      ),
    );
    const duplicates =
      duplicatesAfter.reduce((a, b) => a + b, 0) - duplicatesBefore.reduce((a, b) => a + b, 0);
    expect(duplicates).toBe(messages.length);
    const sorted = timings.toSorted((a, b) => a - b);
    console.log(
      `FIGURES ${JSON.stringify({
        test: "slack-twice",
        deliveries: messages.length * 2,
        timelineEntries: chat.length,
        duplicatesAnswered: duplicates,
        pairP50Ms: Math.round(sorted[Math.floor(sorted.length / 2)]!),
        pairMaxMs: Math.round(sorted.at(-1)!),
      })}`,
    );
  });

  it("two processes declaring 50 incidents each at once hand out 100 distinct keys", async () => {
    const started = performance.now();
    const results = await Promise.all(
      [0, 1].flatMap((p) =>
        Array.from({ length: 50 }, async (_, i) => {
          const summary = `Declared on p${p + 1} #${i}`;
          const created = await callApi(url(p), "POST", "/api/incidents", { summary, severity: 3 });
          return { summary, status: created.status, key: created.body.key as string };
        }),
      ),
    );
    const elapsed = Math.round(performance.now() - started);
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));
    const keys = new Set(results.map((r) => r.key));
    expect(keys.size).toBe(100);
    // Each key holds the incident its creator declared, as the third process reads it.
    const listed = (await callApi(url(2), "GET", "/api/incidents")).body.incidents as {
      key: string;
      summary: string;
    }[];
    const summaries = new Map(listed.map((i) => [i.key, i.summary]));
    for (const { key, summary } of results) expect(summaries.get(key), key).toBe(summary);
    for (const { key, summary } of results.slice(45, 55)) {
      const read = await callApi(url(2), "GET", `/api/incidents/${key}`);
      expect(read.body.summary).toBe(summary);
    }
    console.log(
      `FIGURES ${JSON.stringify({ test: "concurrent-declarations", declared: 100, distinctKeys: keys.size, elapsedMs: elapsed })}`,
    );
  });

  it("a change is announced once in the room, with the incident loaded on every process", async () => {
    const key = await declare("Announced once");
    const linked = await callApi(cluster.proxy.url, "POST", `/api/incidents/${key}/channels`, {
      platform: "slack",
      channel: "C0ONCE",
      webhookUrl,
    });
    expect(linked.status).toBe(201);
    const clients = [0, 1, 2].map((i) => connect(i, key));
    await Promise.all(clients.map((c) => whenSynced(c)));
    for (let i = 0; i < 3; i++)
      expect(
        (await callApi(url(i), "GET", "/healthz", undefined, null)).body.documents,
      ).toBeGreaterThan(0);

    // Through the REST API of process 1, then by a client of process 3.
    const patched = await callApi(url(0), "PATCH", `/api/incidents/${key}`, { severity: 2 });
    expect(patched.status).toBe(200);
    const byRest = `${key}: Severity changed from 3 (Minor) to 2 (Major)`;
    const byClient = `${key}: Severity changed from 2 (Major) to 1 (Critical)`;
    await whenDoc(clients[2]!.document, () => readIncident(clients[2]!.document).severity === 2);
    setIncidentFields(clients[2]!.document, { severity: 1 }, { name: "Aiko", source: "editor" });
    await whenAcknowledged(clients[2]!);
    const started = performance.now();
    await until("both announcements", () =>
      [byRest, byClient].every((line) => timesSaid(hook.texts(), line) > 0),
    );
    const firstSeenMs = Math.round(performance.now() - started);
    // Long past every process's batching interval: a second copy would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 20 * ANNOUNCE_INTERVAL_MS));
    expect(timesSaid(hook.texts(), byRest), hook.texts().join("\n---\n")).toBe(1);
    expect(timesSaid(hook.texts(), byClient), hook.texts().join("\n---\n")).toBe(1);
    console.log(
      `FIGURES ${JSON.stringify({ test: "announce-once", posts: hook.posts.length, waitedAfterMs: 20 * ANNOUNCE_INTERVAL_MS, announcedWithinMs: firstSeenMs })}`,
    );
  });

  it("revoking a link through one process closes its connections on every process within 1 s", async () => {
    const key = await declare("Revoked everywhere");
    const mint = (name: string) =>
      callApi(cluster.proxy.url, "POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name,
      });
    const link = (await mint("On-call")).body;
    const other = (await mint("Bystander")).body;
    expect(link.token).toBeTruthy();

    const revoked = [0, 1, 2].flatMap((i) =>
      [0, 1].map(() => ({ process: i, provider: connect(i, key, link.token) })),
    );
    const bystanders = [0, 1, 2].map((i) => connect(i, key, other.token));
    await Promise.all(
      [...revoked, ...bystanders.map((provider) => ({ provider }))].map((c) =>
        whenSynced(c.provider),
      ),
    );

    const closedAt = revoked.map(({ provider }) =>
      withTimeout(
        new Promise<number>((resolve) =>
          provider.on("close", ({ event }: { event: { code: number; reason: string } }) => {
            if (event.reason === CLOSE_REASONS.token_revoked.reason) resolve(performance.now());
          }),
        ),
        5000,
        "a revoked connection to close with token-revoked",
      ),
    );
    const started = performance.now();
    const answer = await callApi(url(1), "DELETE", `/api/incidents/${key}/links/${link.id}`);
    const answeredMs = performance.now() - started;
    expect(answer.status).toBe(204);
    const latencies = (await Promise.all(closedAt)).map((at) => at - started);
    for (const { provider } of revoked) provider.destroy();

    const perProcess = [0, 1, 2].map((i) =>
      Math.round(Math.max(...latencies.filter((_, n) => revoked[n]!.process === i))),
    );
    const worst = Math.max(...latencies);
    console.log(
      `FIGURES ${JSON.stringify({ test: "revoke-everywhere", connections: revoked.length, deleteAnsweredMs: Math.round(answeredMs), closedByMsPerProcess: perProcess, closedAllByMs: Math.round(worst) })}`,
    );
    expect(worst).toBeLessThan(1000);

    // The link is refused everywhere from now on; the other link's clients stay and still edit.
    for (let i = 0; i < 3; i++) {
      const again = connect(i, key, link.token);
      expect(await whenRefused(again)).toBe(CLOSE_REASONS.token_revoked.reason);
      again.destroy();
    }
    for (const bystander of bystanders) expect(bystander.isSynced).toBe(true);
    appendTimelineEntry(bystanders[0]!.document, {
      author: "Bystander",
      text: "still here",
      kind: "note",
    });
    await whenDoc(bystanders[2]!.document, (doc) =>
      readTimeline(doc).some((e) => e.text === "still here"),
    );
  });

  it("each process's /metrics carries its own process label on every series", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url(i)}/metrics`);
      expect(response.status).toBe(200);
      const samples = (await response.text()).split("\n").filter((l) => l && !l.startsWith("#"));
      expect(samples.length).toBeGreaterThan(20);
      const own = `process="p${i + 1}"`;
      expect(samples.filter((l) => !l.includes(own))).toEqual([]);
      expect(samples.some((l) => l.startsWith("hotdoc_connections{"))).toBe(true);
    }
  });
});
