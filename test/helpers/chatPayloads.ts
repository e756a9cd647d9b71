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
/**
 * An Events API `event_callback` wrapping a `message` event: the envelope's fields as Slack's
 * Events API docs list them ("Callback field overview", api.slack.com/apis/events-api), with
 * the event built by the caller from the documented `message` event shape.
 */
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

/**
 * More payloads exactly as the platforms document them (Mattermost, Matrix, Teams),
 * each copied from the source cited next to it.
 */
export const DOCUMENTED_MORE = {
  /**
   * Matrix edit (`m.replace`): the example of content/client-server-api/modules/event_replacements.md
   * ("An example of a message edit event"), with the fields it elides ("other fields
   * required by events") taken from data/event-schemas/examples/core/room_event.json
   * (matrix-org/matrix-spec).
   */
  matrixEdit: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.room.message",
    content: {
      body: "* Hello! My name is bar",
      msgtype: "m.text",
      "m.new_content": { body: "Hello! My name is bar", msgtype: "m.text" },
      "m.relates_to": { rel_type: "m.replace", event_id: "$some_event_id" },
    },
  },
  /**
   * Matrix `m.room.redaction`, the spec's example resolved: core/room_event.json plus
   * data/event-schemas/examples/m.room.redaction.yaml (matrix-org/matrix-spec). Since room
   * version 11 `redacts` is in `content`, as here.
   */
  matrixRedaction: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.room.redaction",
    content: { redacts: "$fukweghifu23:localhost", reason: "Spamming" },
  },
  /**
   * Matrix message mentioning a user with a pill: the content of the example in
   * content/client-server-api/modules/mentions.md (matrix-org/matrix-spec), the event's
   * other fields from data/event-schemas/examples/core/room_event.json.
   */
  matrixMention: {
    event_id: "$143273582443PhrSn:example.org",
    room_id: "!jEsUZKDJdhlrceRyVU:example.org",
    sender: "@example:example.org",
    origin_server_ts: 1432735824653,
    unsigned: { age: 1234, membership: "join" },
    type: "m.room.message",
    content: {
      body: "Hello Alice!",
      msgtype: "m.text",
      format: "org.matrix.custom.html",
      formatted_body: "Hello <a href='https://matrix.to/#/@alice:example.org'>Alice</a>!",
      "m.mentions": { user_ids: ["@alice:example.org"] },
    },
  },
  /**
   * Teams message mentioning a user, from Microsoft's Teams bot docs
   * (MicrosoftDocs/msteams-docs msteams-platform/bots/how-to/conversations/channel-and-group-conversations.md,
   * "Retrieve mentions", JSON tab). The example has no `id`; every real activity has one.
   */
  teamsMention: {
    type: "message",
    text: "Hey <at>Pranav Smith</at> check out this message",
    timestamp: "2017-10-29T00:51:05.9908157Z",
    localTimestamp: "2017-10-28T17:51:05.9908157-07:00",
    serviceUrl: "https://skype.botframework.com",
    channelId: "msteams",
    from: { id: "29:9e52142b-5e5e-4d7b-bb3e-e82dcf620000", name: "Jane Smith" },
    conversation: {
      id: "19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype;messageid=1481567603816",
    },
    recipient: { id: "8:orgid:6aebbad0-e5a5-424a-834a-20fb051f3c1a", name: "stlrgload100" },
    attachments: [
      {
        contentType: "image/png",
        contentUrl: "https://upload.wikimedia.org/wikipedia/en/a/a6/Bender_Rodriguez.png",
        name: "Bender_Rodriguez.png",
      },
    ],
    entities: [
      {
        type: "mention",
        mentioned: { id: "29:08q2j2o3jc09au90eucae", name: "Pranav Smith" },
        text: "<at>@Pranav Smith</at>",
      },
    ],
    replyToId: "3UP4UTkzUk1zzeyW",
  } as Record<string, unknown>,
};

/**
 * Slack payloads as Slack really sends them, for the fidelity tests. Slack's own
 * examples come from its API docs (slackhq/slack-api-docs, the docs repository behind
 * api.slack.com, and the api.slack.com event pages); captured deliveries come from the
 * golden tests of the `slack-web` Haskell SDK (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/*.json),
 * which record events received from real workspaces. Tests link the channels these
 * name and change no field unless they say which.
 */
export const SLACK_REAL = {
  /**
   * Message text as Slack forwards it, each line copied from slackhq/slack-api-docs
   * page_formatting.md ("How to escape characters", "Linking to channels and users",
   * "Linking to URLs", "Variables", "Parsing modes"), paired with what a reader should see.
   */
  formatting: [
    ["Hello &amp; &lt;world&gt; 🌊", "Hello & <world> 🌊"],
    ["Why not join <#C024BE7LR|general>?", "Why not join #general?"],
    ["Hey <@U024BE7LH|bob>, did you see my file?", "Hey @bob, did you see my file?"],
    ["<@U024BE7LH>", "@U024BE7LH"],
    [
      "This message contains a URL <http://foo.com/>",
      "This message contains a URL http://foo.com/",
    ],
    ["So does this one: <http://www.foo.com|www.foo.com>", "So does this one: http://www.foo.com"],
    ["<mailto:bob@example.com|Bob>", "Bob (mailto:bob@example.com)"],
    ["Foo <!everyone> bar <http://test.com>", "Foo @everyone bar http://test.com"],
    [
      "Hello <@U123|bob>, say hi to <!everyone> in <#C1234|general>",
      "Hello @bob, say hi to @everyone in #general",
    ],
    ["<!here|here>", "@here"],
  ] as [string, string][],
  /** A GitHub app's issue notification: empty `text`, one attachment (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/github_notification.json; its three button `actions` left out). */
  githubNotification: {
    token: "aaaa",
    team_id: "T043DB835ML",
    context_team_id: "T043DB835ML",
    context_enterprise_id: null,
    api_app_id: "A07JRKQPZDH",
    event: {
      user: "U07M725KAD7",
      type: "message",
      ts: "1725998548.581159",
      bot_id: "B07LDR01Z63",
      app_id: "A01BP7R4KNY",
      text: "",
      team: "T043DB835ML",
      bot_profile: {
        id: "B07LDR01Z63",
        deleted: false,
        name: "GitHub",
        updated: 1725998199,
        app_id: "A01BP7R4KNY",
        icons: {
          image_36:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_36.png",
          image_48:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_48.png",
          image_72:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_72.png",
        },
        team_id: "T043DB835ML",
      },
      attachments: [
        {
          id: 1,
          footer_icon: "https://slack.github.com/static/img/favicon-neutral.png",
          ts: 1725998545,
          color: "36a64f",
          fallback: "[myorg/myrepo] Issue opened by ldub",
          text: "another oneeeee",
          pretext: "Issue created by <https://github.com/ldub|ldub>",
          title: "<https://github.com/myorg/myrepo/issues/2|#2 test issue 2>",
          callback_id: "issue-opened-interaction",
          footer: "<https://github.com/myorg/myrepo|myorg/myrepo>",
          mrkdwn_in: ["text"],
        },
      ],
      channel: "C07LRFB3C8M",
      event_ts: "1725998548.581159",
      channel_type: "channel",
    },
    type: "event_callback",
    event_id: "Ev07MH6R7FDE",
    event_time: 1725998548,
    authorizations: [
      {
        enterprise_id: null,
        team_id: "T043DB835ML",
        user_id: "U07K4E18KJM",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  },
  /** CircleCI's job-failed message: Block Kit header, section fields and a `<!subteam^…|@…>` mention (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/circleci.json). */
  circleci: {
    token: "aaaa",
    team_id: "T0123456789",
    api_app_id: "A12346789",
    event: {
      bot_id: "B01234687",
      type: "message",
      text: "CircleCI job failed.",
      user: "U04130YGVK8",
      ts: "1671046987.237089",
      app_id: "A56789123",
      blocks: [
        {
          type: "header",
          block_id: "+6hb",
          text: {
            type: "plain_text",
            text: "Job Failed. :red_circle:",
            emoji: true,
          },
        },
        {
          type: "section",
          block_id: "jO2E",
          fields: [
            {
              type: "mrkdwn",
              text: "*Job*: something",
              verbatim: false,
            },
          ],
        },
        {
          type: "section",
          block_id: "adB9",
          accessory: {
            type: "image",
            image_url: "https://example.com",
            alt_text: "CircleCI logo",
          },
          fields: [
            {
              type: "mrkdwn",
              text: "*Project*: something",
              verbatim: false,
            },
            {
              type: "mrkdwn",
              text: "*Branch*: master",
              verbatim: false,
            },
            {
              type: "mrkdwn",
              text: "*Author*: someone",
              verbatim: false,
            },
          ],
        },
        {
          type: "section",
          block_id: "=sdEQ",
          fields: [
            {
              type: "mrkdwn",
              text: "*Mentions*: <!subteam^S0123468791|@someone>",
              verbatim: false,
            },
          ],
        },
        {
          type: "actions",
          block_id: "eeK",
          elements: [
            {
              type: "button",
              action_id: "zHNw",
              text: {
                type: "plain_text",
                text: "View Job",
                emoji: true,
              },
              url: "https://circleci.com/gh/aaaaaaaaaaaaaaaaaaa/aaaaaaaaaaa/000000",
            },
          ],
        },
      ],
      team: "T0123456789",
      bot_profile: {
        id: "B01234687",
        deleted: false,
        name: "CircleCI integration",
        updated: 1662492349,
        app_id: "A56789123",
        icons: {
          image_36: "https://example.com",
          image_48: "https://example.com",
          image_72: "https://example.com",
        },
        team_id: "T0123456789",
      },
      channel: "C012345678",
      event_ts: "1671046987.237089",
      channel_type: "channel",
    },
    type: "event_callback",
    event_id: "Ev0000000000",
    event_time: 1671046987,
    authorizations: [
      {
        enterprise_id: null,
        team_id: "T0123456789",
        user_id: "U01234678",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: "aaaa",
  },
  /** An email forwarded into a channel: a `file_share` with empty `text` (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/email_message.json). */
  emailFileShare: {
    token: "aaaa",
    team_id: "T012346789",
    api_app_id: "A012346789",
    event: {
      type: "message",
      text: "",
      files: [
        {
          id: "F0123468789",
          created: 1671217113,
          timestamp: 1671217110,
          name: "meow",
          title: "meow",
          mimetype: "text/html",
          filetype: "email",
          pretty_type: "Email",
          user: "USLACKBOT",
          user_team: "T012346789",
          editable: true,
          size: 6212,
          mode: "email",
          is_external: false,
          external_type: "",
          is_public: true,
          public_url_shared: false,
          display_as_bot: true,
          username: "Email",
          url_private: "https://example.com",
          url_private_download: "https://example.com",
          permalink: "https://example.com",
          permalink_public: "https://example.com",
          subject: "meow",
          to: [
            {
              address: "",
              name: "Email",
              original: "Email <>",
            },
          ],
          from: [
            {
              address: "addr@example.com",
              name: "meow",
              original: "meow <addr@example.com>",
            },
          ],
          cc: [],
          attachments: [],
          original_attachment_count: 0,
          plain_text: "meow",
          preview: "meow",
          preview_plain_text: "meow",
          headers: {
            date: "Fri, 16 Dec 2022 18:58:30 +0000",
            in_reply_to: null,
            reply_to: null,
            message_id: "<meow@example.com>",
          },
          has_more: false,
          sent_to_self: false,
          bot_id: "B012346789",
          has_rich_preview: false,
          file_access: "visible",
        },
      ],
      upload: true,
      user: "USLACKBOT",
      display_as_bot: true,
      bot_id: "B012346789",
      ts: "1671217113.292829",
      channel: "C012346789",
      subtype: "file_share",
      event_ts: "1671217113.292829",
      channel_type: "channel",
    },
    type: "event_callback",
    event_id: "Ev0123467899",
    event_time: 1671217113,
    authorizations: [
      {
        enterprise_id: null,
        team_id: "T012346789",
        user_id: "U012346789",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: "aaaa",
  },
  /** A bot message whose only attachment has no field Slack defines (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/non_spec_attachment.json). */
  nonSpecAttachment: {
    token: "aaaa",
    team_id: "T043DB835ML",
    context_team_id: "T043DB835ML",
    context_enterprise_id: null,
    api_app_id: "A07JRKQPZDH",
    event: {
      user: "U07M725KAD7",
      type: "message",
      ts: "1725998548.581159",
      bot_id: "B07LDR01Z63",
      app_id: "A01BP7R4KNY",
      text: "",
      team: "T043DB835ML",
      bot_profile: {
        id: "B07LDR01Z63",
        deleted: false,
        name: "GitHub",
        updated: 1725998199,
        app_id: "A01BP7R4KNY",
        icons: {
          image_36:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_36.png",
          image_48:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_48.png",
          image_72:
            "https://avatars.slack-edge.com/2020-11-25/1527503386626_319578f21381f9641cd8_72.png",
        },
        team_id: "T043DB835ML",
      },
      attachments: [
        {
          this: "attachments",
          does: "not",
          follow: 0,
          any: {
            specific: "format",
          },
          or: ["spec"],
          that: "Slack has ever published.",
          but: "It should still parse fine.",
        },
      ],
      channel: "C07LRFB3C8M",
      event_ts: "1725998548.581159",
      channel_type: "channel",
    },
    type: "event_callback",
    event_id: "Ev07MH6R7FDE",
    event_time: 1725998548,
    authorizations: [
      {
        enterprise_id: null,
        team_id: "T043DB835ML",
        user_id: "U07K4E18KJM",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  },
  /** A link unfurl: `message_changed` whose text is the previous text, with an attachment added (MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/messageChange.json). */
  unfurl: {
    token: "aaaa",
    team_id: "T043DB835ML",
    api_app_id: "A0442TUPHGR",
    event: {
      type: "message",
      subtype: "message_changed",
      message: {
        client_msg_id: "de349a9f-62a4-4293-b64d-701a1f566e8a",
        type: "message",
        text: "<https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369>",
        user: "U043H11ES4V",
        team: "T043DB835ML",
        attachments: [
          {
            from_url: "https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369",
            ts: "1663966292.304369",
            author_id: "U043H11ES4V",
            channel_team: "T043DB835ML",
            channel_id: "C043YJGBY49",
            channel_name: "general",
            is_msg_unfurl: true,
            message_blocks: [
              {
                team: "T043DB835ML",
                channel: "C043YJGBY49",
                ts: "1663966292.304369",
                message: {
                  blocks: [
                    {
                      type: "rich_text",
                      block_id: "hn8/C",
                      elements: [
                        {
                          type: "rich_text_section",
                          elements: [
                            {
                              type: "text",
                              text: "asdfhlkfasdlhsdf",
                            },
                          ],
                        },
                      ],
                    },
                  ],
                },
              },
            ],
            id: 1,
            original_url: "https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369",
            fallback: "[September 23rd, 2022 1:51 PM] jadel: asdfhlkfasdlhsdf",
            text: "asdfhlkfasdlhsdf",
            author_name: "jadel",
            author_link: "https://jadeapptesting.slack.com/team/U043H11ES4V",
            author_icon:
              "https://secure.gravatar.com/avatar/dcd5bc53dcfaca62ddc3f5726d07ba13.jpg?s=48&d=https%3A%2F%2Fa.slack-edge.com%2Fdf10d%2Fimg%2Favatars%2Fava_0019-48.png",
            author_subname: "jadel",
            mrkdwn_in: ["text"],
            footer: "Posted in #general",
          },
        ],
        blocks: [
          {
            type: "rich_text",
            block_id: "FXy3n",
            elements: [
              {
                type: "rich_text_section",
                elements: [
                  {
                    type: "link",
                    url: "https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369",
                  },
                ],
              },
            ],
          },
        ],
        ts: "1663969333.524439",
      },
      previous_message: {
        client_msg_id: "de349a9f-62a4-4293-b64d-701a1f566e8a",
        type: "message",
        text: "<https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369>",
        user: "U043H11ES4V",
        ts: "1663969333.524439",
        team: "T043DB835ML",
        blocks: [
          {
            type: "rich_text",
            block_id: "FXy3n",
            elements: [
              {
                type: "rich_text_section",
                elements: [
                  {
                    type: "link",
                    url: "https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369",
                  },
                ],
              },
            ],
          },
        ],
      },
      channel: "C043YJGBY49",
      hidden: true,
      ts: "1663969334.001500",
      event_ts: "1663969334.001500",
      channel_type: "channel",
    },
    type: "event_callback",
    event_id: "Ev043QRVT9FD",
    event_time: 1663969334,
    authorizations: [
      {
        enterprise_id: null,
        team_id: "T043DB835ML",
        user_id: "U0442US8QGH",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: "aaaa",
  },
  /** `app_rate_limited`, the whole body as https://api.slack.com/events/app_rate_limited shows it. */
  appRateLimited: {
    token: "Jhj5dZrVaK7ZwHHjRyZWjbDl",
    type: "app_rate_limited",
    team_id: "T123456",
    minute_rate_limited: 1518467820,
    api_app_id: "A123456",
  },
  /** `message_changed`, the event as slackhq/slack-api-docs events/message/message_changed.md shows it (a real edit). */
  messageChanged: {
    type: "message",
    subtype: "message_changed",
    hidden: true,
    channel: "C2147483705",
    ts: "1358878755.000001",
    message: {
      type: "message",
      user: "U2147483697",
      text: "Hello, world!",
      ts: "1355517523.000005",
      edited: { user: "U2147483697", ts: "1358878755.000001" },
    },
  },
};

/** The `/hotdoc` Mattermost slash command's token in tests (MATTERMOST_COMMAND_TOKEN). */
export const MATTERMOST_COMMAND_TOKEN = "okwexkjpe7ygb8eq1ww58t483w";

/**
 * A Mattermost custom slash command request's form fields, as the developer docs show
 * one arriving (https://developers.mattermost.com/integrate/other-integrations/slash-commands/,
 * "/test asd" posted in Town Square), which is the form `tryExecuteCustomCommand` builds in
 * mattermost/mattermost server/channels/app/command.go.
 */
export const MATTERMOST_SLASH_COMMAND: Record<string, string> = {
  channel_id: "i3bb9xfyqt8rtbyshmyhgsj16c",
  channel_name: "town-square",
  command: "/test",
  response_url: "http://10.0.0.5:8065/hooks/commands/zozc1xwxybdedeyz8djwjpngny",
  team_domain: "rrrr",
  team_id: "tsb8crrn5tgqtedpkt81b4tcya",
  text: "asd",
  token: "nezum4kpu3faiec7r7c5zt6tfy",
  trigger_id:
    "NG1kM3lyN2NqYmQxcGNyc2s0Nmo5em0xb2M6azF4NGFxZGp5MzgxM2M4NG03NzFlb2M5eG86MTU1MTIwODE5NTQyNzpNRVVDSUhSdWFrdmVGZ0RhTTd6UERoMWVEVndZK2NGbXlSYUxWQ054SVRLZGdxTWZBaUVBeGQvOU95NTFOeWxiTWVsRE1ZK0d4S2FzL2Z1TUU2Y0J1bW5JbFBCOXVEVT0=",
  user_id: "k1x4aqdjy3813c84m771eoc9xo",
  user_name: "tester",
};

/**
 * A slash command delivery signed the way Mattermost sends it (`DoCommandRequest` in
 * server/channels/app/command.go): the form POSTed as application/x-www-form-urlencoded,
 * the command's token both in the form and as `Authorization: Token <token>`. Fields
 * given replace the documented ones; a field set to undefined is left out.
 */
export function mattermostSlashCommand(
  fields: Record<string, string | undefined> = {},
  token = MATTERMOST_COMMAND_TOKEN,
): Hook {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...MATTERMOST_SLASH_COMMAND, token, ...fields }))
    if (value !== undefined) form.set(name, value);
  return {
    method: "POST",
    path: "/hooks/mattermost/commands",
    headers: {
      accept: "application/json",
      authorization: `Token ${token}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form.toString(),
  };
}

/**
 * A Slack slash command as Slack posts it: the raw form body of the sample payload in
 * Slack's slash command docs (https://api.slack.com/interactivity/slash-commands,
 * "app_command_handling"), copied as argoproj/argo-events
 * pkg/eventsources/sources/slack/start_test.go keeps it ("Test values pulled from
 * example here").
 */
export const SLACK_COMMAND_DOCUMENTED =
  "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=/weather&text=94070&response_url=https://hooks.slack.com/commands/1234/5678&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456";

/**
 * A slash command delivery to `/hooks/slack/commands`, form-encoded and signed like
 * every Slack request (`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`). `body`
 * is the raw form body, or fields to encode; `fields` replaces named fields of it.
 */
export function slackCommandSigned(
  body: string | Record<string, string> = SLACK_COMMAND_DOCUMENTED,
  options: { timestamp?: number; secret?: string; fields?: Record<string, string | null> } = {},
): Hook {
  let raw = typeof body === "string" ? body : new URLSearchParams(body).toString();
  if (options.fields) {
    const form = new URLSearchParams(raw);
    for (const [name, value] of Object.entries(options.fields)) {
      if (value === null) form.delete(name);
      else form.set(name, value);
    }
    raw = form.toString();
  }
  const timestamp = options.timestamp ?? nowSeconds();
  const signature = `v0=${crypto
    .createHmac("sha256", options.secret ?? SECRETS.SLACK_SIGNING_SECRET)
    .update(`v0:${timestamp}:${raw}`)
    .digest("hex")}`;
  return {
    method: "POST",
    path: "/hooks/slack/commands",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    },
    body: raw,
  };
}
