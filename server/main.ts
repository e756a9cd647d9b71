import { randomBytes } from "node:crypto";
import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createSampleIncident } from "./demo/sampleIncident.ts";
import { replaySlackConversation } from "./demo/slackReplay.ts";
import { startHotdoc } from "./hotdoc.ts";

/** Entry point: `npm start` (and `npm run demo`, which adds `--demo`). */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`hotdoc: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const demo = process.argv.includes("--demo");
  // The demo replays a Slack conversation through the real, signed adapter; without a
  // configured signing secret it uses one of its own for this run.
  if (demo && !config.chat.slack.signingSecret)
    config.chat.slack.signingSecret = randomBytes(16).toString("hex");
  const hotdoc = await startHotdoc(config);
  const log = hotdoc.logger.child({ category: "main" });
  log.info(
    { url: hotdoc.url, port: hotdoc.port, dataDir: config.dataDir, store: hotdoc.stores.kind },
    "hotdoc listening",
  );

  let sampleKey: string | null = null;
  if (demo) {
    const key = await createSampleIncident(hotdoc.incidents, { ...SYSTEM_PRINCIPAL, name: "Demo" });
    const channel = `C0DEMO${key.replace(/\W/g, "")}`;
    await hotdoc.stores.chat.linkChannel({
      platform: "slack",
      channel,
      incident: key,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: "demo",
    });
    log.info({ incident: key }, "sample incident created; replaying its Slack room");
    sampleKey = key;
    void replaySlackConversation({
      baseUrl: hotdoc.localUrl,
      signingSecret: config.chat.slack.signingSecret as string,
      channel,
      logger: log,
    });
  }

  // Written straight to stdout: console.* is routed into the JSON log once the server runs.
  const banner = [`\n  hotdoc is listening on ${hotdoc.url}  (data in ${config.dataDir})`];
  if (hotdoc.adminTokenGenerated)
    banner.push(`  A new admin token was generated into ${config.dataDir}/admin-token.`);
  const where = config.adminToken ? "ADMIN_TOKEN" : `${config.dataDir}/admin-token`;
  // The link to open and share is the dashboard's: it is the team's way in for every
  // incident, so it must not drop everyone who opens it into one of them. The demo's
  // sample incident gets a line of its own.
  if (config.oidc || !hotdoc.teamLink) {
    banner.push(
      `  Sign in with ${config.oidc?.providerName ?? "your identity provider"}: ${hotdoc.url}/`,
    );
  } else {
    banner.push(`  Open: ${hotdoc.url}/#token=${hotdoc.teamLink}`);
    banner.push(
      "  Share this link with your team: each person who opens it gives their name once and gets a personal link.",
    );
  }
  if (sampleKey) banner.push(`  The sample incident ${sampleKey} is at ${hotdoc.url}/${sampleKey}`);
  banner.push(`  The admin token (in ${where}) is for the API and the CLI.\n`);
  process.stdout.write(`${banner.join("\n")}\n`);

  // A stray rejection in a library (a Redis or database client between reconnects) is
  // logged, not fatal: every acknowledged update is already durable, and dying here would
  // drop every client of this process for nothing.
  process.on("unhandledRejection", (reason) => {
    log.error(
      { err: reason instanceof Error ? reason.message : String(reason) },
      "unhandled rejection",
    );
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    await hotdoc.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("hotdoc failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
