import crypto from "node:crypto";

/**
 * Deliveries shaped like the platforms' real ones and signed the way each platform
 * signs them, for tests and the demo.
 */
export const SECRETS = {
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
  MATTERMOST_TOKEN: "xbxu6nq8ajgb8qbmcfqqxo9tqe",
  MATRIX_HS_TOKEN: "hs-token-6ea9c1d2b7f8",
  TEAMS_SECRET: Buffer.from("teams-outgoing-webhook-secret-32b").toString("base64"),
  WEBHOOK_SECRET: "generic-webhook-secret-0123456789",
};

export interface Hook {
  method: "POST" | "PUT";
  path: string;
  headers: Record<string, string>;
  body: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function slackSigned(payload: unknown, options: { timestamp?: number; secret?: string; retry?: number } = {}): Hook {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = `v0=${crypto.createHmac("sha256", options.secret ?? SECRETS.SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": signature,
  };
  if (options.retry) {
    headers["x-slack-retry-num"] = String(options.retry);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return { method: "POST", path: "/hooks/slack", headers, body };
}

let eventCounter = 0;
/** An Events API `event_callback` wrapping a `message` event. */
export function slackEvent(event: Record<string, unknown>, eventId = `Ev${(++eventCounter).toString().padStart(8, "0")}`) {
  return {
    token: "XXYYZZ",
    team_id: "T0HOTDOC",
    api_app_id: "A0HOTDOC",
    type: "event_callback",
    event_id: eventId,
    event_time: nowSeconds(),
    event: { event_ts: event.ts ?? `${nowSeconds()}.000100`, ...event },
  };
}

export function slackMessage(channel: string, user: string, text: string, ts: string, extra: Record<string, unknown> = {}) {
  return slackEvent({ type: "message", channel, channel_type: "channel", user, text, ts, ...extra });
}

export function mattermostForm(fields: Record<string, string>, token = SECRETS.MATTERMOST_TOKEN): Hook {
  const body = new URLSearchParams({ token, team_id: "tm1", team_domain: "acme", trigger_word: "", ...fields }).toString();
  return { method: "POST", path: "/hooks/mattermost", headers: { "content-type": "application/x-www-form-urlencoded" }, body };
}

export function matrixTransaction(txnId: string, events: unknown[], token = SECRETS.MATRIX_HS_TOKEN): Hook {
  return {
    method: "PUT",
    path: `/_matrix/app/v1/transactions/${txnId}`,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
  };
}

export function matrixMessage(room: string, eventId: string, sender: string, body: string, ts: number, content: Record<string, unknown> = {}) {
  return { type: "m.room.message", event_id: eventId, room_id: room, sender, origin_server_ts: ts, content: { msgtype: "m.text", body, ...content }, unsigned: { age: 10 } };
}

export function teamsSigned(activity: unknown, secret = SECRETS.TEAMS_SECRET): Hook {
  const body = JSON.stringify(activity);
  const mac = crypto.createHmac("sha256", Buffer.from(secret, "base64")).update(body).digest("base64");
  return { method: "POST", path: "/hooks/teams", headers: { "content-type": "application/json", authorization: `HMAC ${mac}` }, body };
}

export function teamsActivity(id: string, channelId: string, from: string, html: string, timestamp: string) {
  return {
    type: "message",
    id,
    timestamp,
    localTimestamp: timestamp,
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelId: "msteams",
    from: { id: `29:${from}`, name: from, aadObjectId: "00000000-0000-0000-0000-000000000001" },
    conversation: { isGroup: true, id: `${channelId};messageid=${id}`, name: null, conversationType: "channel" },
    recipient: null,
    textFormat: "plain",
    attachmentLayout: null,
    membersAdded: [],
    membersRemoved: [],
    topicName: null,
    historyDisclosed: null,
    locale: "en-US",
    text: html,
    speak: null,
    inputHint: null,
    summary: null,
    suggestedActions: null,
    attachments: [{ contentType: "text/html", content: `<div>${html}</div>` }],
    entities: [{ type: "clientInfo", locale: "en-US", country: "US", platform: "Web" }],
    channelData: { teamsChannelId: channelId, teamsTeamId: "19:team@thread.skype", channel: { id: channelId }, team: { id: "19:team@thread.skype" }, tenant: { id: "tenant-1" } },
  };
}

export function genericSigned(payload: unknown, options: { timestamp?: number; secret?: string } = {}): Hook {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = `v1=${crypto.createHmac("sha256", options.secret ?? SECRETS.WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
  return { method: "POST", path: "/hooks/generic", headers: { "content-type": "application/json", "x-hotdoc-timestamp": String(timestamp), "x-hotdoc-signature": signature }, body };
}

export async function deliver(baseUrl: string, hook: Hook): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${hook.path}`, { method: hook.method, headers: hook.headers, body: hook.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: response.status, body };
}
