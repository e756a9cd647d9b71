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

export function slackSigned(
  payload: unknown,
  options: { timestamp?: number; secret?: string; retry?: number } = {},
): Hook {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = `v0=${crypto
    .createHmac("sha256", options.secret ?? SECRETS.SLACK_SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex")}`;
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
export function slackEvent(
  event: Record<string, unknown>,
  eventId = `Ev${(++eventCounter).toString().padStart(8, "0")}`,
) {
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

export function slackMessage(
  channel: string,
  user: string,
  text: string,
  ts: string,
  extra: Record<string, unknown> = {},
) {
  return slackEvent({
    type: "message",
    channel,
    channel_type: "channel",
    user,
    text,
    ts,
    ...extra,
  });
}

export function mattermostForm(
  fields: Record<string, string>,
  token = SECRETS.MATTERMOST_TOKEN,
): Hook {
  const body = new URLSearchParams({
    token,
    team_id: "tm1",
    team_domain: "acme",
    trigger_word: "",
    ...fields,
  }).toString();
  return {
    method: "POST",
    path: "/hooks/mattermost",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  };
}

export function matrixTransaction(
  txnId: string,
  events: unknown[],
  token = SECRETS.MATRIX_HS_TOKEN,
): Hook {
  return {
    method: "PUT",
    path: `/_matrix/app/v1/transactions/${txnId}`,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
  };
}

export function matrixMessage(
  room: string,
  eventId: string,
  sender: string,
  body: string,
  ts: number,
  content: Record<string, unknown> = {},
) {
  return {
    type: "m.room.message",
    event_id: eventId,
    room_id: room,
    sender,
    origin_server_ts: ts,
    content: { msgtype: "m.text", body, ...content },
    unsigned: { age: 10 },
  };
}

export function teamsSigned(activity: unknown, secret = SECRETS.TEAMS_SECRET): Hook {
  const body = JSON.stringify(activity);
  const mac = crypto
    .createHmac("sha256", Buffer.from(secret, "base64"))
    .update(body)
    .digest("base64");
  return {
    method: "POST",
    path: "/hooks/teams",
    headers: { "content-type": "application/json", authorization: `HMAC ${mac}` },
    body,
  };
}

export function teamsActivity(
  id: string,
  channelId: string,
  from: string,
  html: string,
  timestamp: string,
) {
  return {
    type: "message",
    id,
    timestamp,
    localTimestamp: timestamp,
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelId: "msteams",
    from: { id: `29:${from}`, name: from, aadObjectId: "00000000-0000-0000-0000-000000000001" },
    conversation: {
      isGroup: true,
      id: `${channelId};messageid=${id}`,
      name: null,
      conversationType: "channel",
    },
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
    channelData: {
      teamsChannelId: channelId,
      teamsTeamId: "19:team@thread.skype",
      channel: { id: channelId },
      team: { id: "19:team@thread.skype" },
      tenant: { id: "tenant-1" },
    },
  };
}

export function genericSigned(
  payload: unknown,
  options: { timestamp?: number; secret?: string } = {},
): Hook {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = `v1=${crypto
    .createHmac("sha256", options.secret ?? SECRETS.WEBHOOK_SECRET)
    .update(`${timestamp}.${body}`)
    .digest("hex")}`;
  return {
    method: "POST",
    path: "/hooks/generic",
    headers: {
      "content-type": "application/json",
      "x-hotdoc-timestamp": String(timestamp),
      "x-hotdoc-signature": signature,
    },
    body,
  };
}

export async function deliver(baseUrl: string, hook: Hook): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${hook.path}`, {
    method: hook.method,
    headers: hook.headers,
    body: hook.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: response.status, body };
}

/**
 * Payloads exactly as the platforms document them, for tests that must hold against
 * the real wire format. Each is copied from the source cited next to it; tests that
 * need other values (a current time, a linked room) change named fields of a copy.
 */
export const DOCUMENTED = {
  /**
   * Slack Events API, `message.channels` example (https://api.slack.com/events/message.channels,
   * the event wrapper and event together as the page shows them).
   */
  slackMessage: {
    token: "one-long-verification-token",
    team_id: "T061EG9R6",
    api_app_id: "A0PNCHHK2",
    event: {
      type: "message",
      channel: "C024BE91L",
      user: "U2147483697",
      text: "Live long and prospect.",
      ts: "1355517523.000005",
      event_ts: "1355517523.000005",
      channel_type: "channel",
    },
    type: "event_callback",
    authed_teams: ["T061EG9R6"],
    event_id: "Ev0PV52K21",
    event_time: 1355517523,
  },
  /** Slack Events API, `reaction_added` event example (https://api.slack.com/events/reaction_added). */
  slackReaction: {
    type: "reaction_added",
    user: "U024BE7LH",
    reaction: "thumbsup",
    item_user: "U0G9QF9C6",
    item: { type: "message", channel: "C0G9QF9GZ", ts: "1360782400.498405" },
    event_ts: "1360782804.083113",
  },
  /**
   * Mattermost outgoing webhook, form-encoded, from the developer docs
   * (https://developers.mattermost.com/integrate/outgoing-webhooks/, "Basic Usage").
   * `timestamp` is in seconds here: `OutgoingWebhookPayload.ToFormValues` divides the
   * post's milliseconds by 1000 (mattermost/mattermost server/public/model/outgoing_webhook.go).
   */
  mattermostForm: {
    channel_id: "hawos4dqtby53pd64o4a4cmeoo",
    channel_name: "town-square",
    team_domain: "someteam",
    team_id: "kwoknj9nwpypzgzy78wkw516qe",
    post_id: "axdygg1957njfe5pu38saikdho",
    text: "some text here",
    timestamp: "1445532266",
    token: "zmigewsanbbsdf59xnmduzypjc",
    trigger_word: "some",
    user_id: "rnina9994bde8mua79zqcg5hmo",
    user_name: "somename",
    file_ids: "znana9194bde8mua70zqcg5hmo",
  } as Record<string, string>,
  /** Matrix application-service transaction id example (matrix-org/matrix-spec data/api/application-service/transactions.yaml). */
  matrixTxnId: "35",
  /**
   * Matrix `m.room.message` with `m.text`, the spec's example resolved: the fields of
   * data/event-schemas/examples/core/room_event.json plus m.room.message$m.text.yaml
   * (matrix-org/matrix-spec).
   */
  matrixMessage: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.room.message",
    content: {
      body: "This is an example text message",
      msgtype: "m.text",
      format: "org.matrix.custom.html",
      formatted_body: "<b>This is an example text message</b>",
    },
  },
  /**
   * Matrix `m.reaction`, the spec's example resolved: core/room_event.json plus
   * data/event-schemas/examples/m.reaction.yaml (matrix-org/matrix-spec).
   */
  matrixReaction: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.reaction",
    content: {
      "m.relates_to": { rel_type: "m.annotation", event_id: "$some_event_id", key: "👍" },
    },
  },
  /**
   * Matrix `m.room.pinned_events`, the state event a client sends to pin a message (it
   * lists every pinned event of the room): core/room_event.json plus the `state_key` of
   * core/state_event.json and data/event-schemas/examples/m.room.pinned_events.yaml
   * (matrix-org/matrix-spec-proposals, where the spec's event schemas lived before matrix-spec).
   */
  matrixPinnedEvents: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.room.pinned_events",
    state_key: "",
    content: { pinned: ["$someevent:example.org"] },
  },
  /**
   * Microsoft Teams / Bot Framework message activity, from Microsoft's Teams bot docs
   * (MicrosoftDocs/msteams-docs msteams-platform/bots/how-to/conversations/conversation-messages.md,
   * the JSON tab of "Receive a message"). Outgoing webhooks post this same activity schema
   * (add-outgoing-webhook.md: "a standard Azure bot service messaging schema").
   */
  teamsActivity: {
    type: "message",
    id: "1485983408511",
    timestamp: "2017-02-01T21:10:07.437Z",
    localTimestamp: "2017-02-01T14:10:07.437-07:00",
    serviceUrl: "https://smba.trafficmanager.net/amer/",
    channelId: "msteams",
    from: {
      id: "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
      name: "Megan Bowen",
      aadObjectId: "7faf8ab2-3d56-4244-b585-20c8a42ed2b8",
    },
    conversation: {
      conversationType: "personal",
      id: "a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX663WuJCc1uA83n4CSrHSgGBj5XNYLcVlJAs2ZX8DbYBPck201w-",
    },
    recipient: { id: "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", name: "Teams TestBot" },
    textFormat: "plain",
    text: "Hello Teams TestBot",
    entities: [
      {
        locale: "en-US",
        country: "US",
        platform: "Windows",
        timezone: "America/Los_Angeles",
        type: "clientInfo",
      },
    ],
    channelData: { tenant: { id: "72f988bf-86f1-41af-91ab-2d7cd011db47" } },
    locale: "en-US",
  },
  /** hotdoc's own generic webhook body, as the README documents it (`POST /hooks/generic`). */
  generic: {
    id: "alert-123",
    channel: "alerts",
    author: "Grafana",
    text: "[FIRING] payments 5xx > 10%",
  } as Record<string, unknown>,
};

/** A deep copy of a documented payload, so a test can change fields without touching the original. */
export function copyOf<T>(payload: T): T {
  return structuredClone(payload);
}
