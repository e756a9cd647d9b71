import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent } from "#shared/chat/chatEvent.ts";
import { HotdocError } from "../../../errors.ts";
import { secretsEqual } from "../../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
  type SlashCommand,
} from "../../ChatAdapter.ts";
import { chatTime, parseJson, parsePayload } from "../../signatures.ts";
import { escapeMattermostText } from "./markdown.ts";

const Payload = z.object({
  token: z.string().min(1),
  team_id: z.string().optional(),
  team_domain: z.string().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  timestamp: z.coerce.number().int().positive(),
  user_id: z.string().optional(),
  user_name: z.string().min(1),
  post_id: z.string().min(1),
  text: z.string().default(""),
  trigger_word: z.string().optional(),
  /** The post's attachments, comma-separated (`strings.Join(post.FileIds, ",")` in Mattermost's app/webhook.go). */
  file_ids: z.string().optional(),
});

/**
 * A custom slash command's request, as Mattermost builds it in `tryExecuteCustomCommand`
 * (mattermost/mattermost server/channels/app/command.go): a form with these fields (and
 * `root_id`, plus one field per user or channel mentioned), POSTed as
 * application/x-www-form-urlencoded with `Authorization: Token <command token>`
 * (`DoCommandRequest`, same file).
 */
const CommandForm = z.object({
  token: z.string().optional(),
  team_id: z.string().optional(),
  team_domain: z.string().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  user_id: z.string().min(1),
  user_name: z.string().min(1),
  command: z.string().min(1),
  text: z.string().default(""),
  response_url: z.string().optional(),
  trigger_id: z.string().min(1),
  root_id: z.string().optional(),
});

/** What the timeline shows for a post that has files and no words. */
function fileOnlyText(fileIds: string | undefined): string | null {
  const count = (fileIds ?? "").split(",").filter((id) => id.trim()).length;
  if (count === 0) return null;
  return count === 1 ? "shared a file" : `shared ${count} files`;
}

/**
 * Mattermost outgoing webhook: form-encoded by default, JSON when configured;
 * authenticated by the shared token. A JSON answer with `text` is posted in the
 * channel, so replies to commands appear there.
 */
export class MattermostAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "mattermost" as const;
  readonly secretVariable = "MATTERMOST_TOKEN";
  readonly repliesInline = true;
  readonly refusesUnlinkedRooms = false;
  private readonly commandToken: string;

  /** `token` is the outgoing webhook's, `commandToken` the `/hotdoc` slash command's. */
  constructor(token: string | undefined, commandToken?: string) {
    super(token);
    this.commandToken = commandToken ?? "";
  }

  /** Slash commands have their own token, apart from the outgoing webhook's. */
  get commandsEnabled(): boolean {
    return this.commandToken.length > 0;
  }

  readonly commandSecretVariable = "MATTERMOST_COMMAND_TOKEN";

  handle(delivery: Delivery): Parsed {
    const type = delivery.headers.get("content-type") ?? "";
    const json = type.includes("application/json");
    const body = json
      ? parseJson(delivery.raw)
      : type.includes("application/x-www-form-urlencoded")
        ? Object.fromEntries(new URLSearchParams(delivery.raw.toString("utf8")))
        : (() => {
            throw new HotdocError(
              "invalid_payload",
              "send application/x-www-form-urlencoded or application/json",
            );
          })();
    const token =
      typeof (body as { token?: unknown })?.token === "string"
        ? (body as { token: string }).token
        : "";
    if (!secretsEqual(token, this.secret))
      throw new HotdocError("signature_invalid", "the outgoing webhook token does not match");
    const post = parsePayload(Payload, body);
    if (post.text.startsWith(ANNOUNCEMENT_MARK)) return { events: [] };
    // A post with files and no words is still something said in the room; one with
    // neither (Mattermost sends every post of the channel) has nothing to mirror, and
    // refusing it would only make the webhook look broken.
    const text = post.text.trim() ? post.text : fileOnlyText(post.file_ids);
    if (text === null) return { events: [] };
    const event: ChatEvent = {
      action: "post",
      platform: "mattermost",
      channel: post.channel_id,
      channelName: post.channel_name,
      messageId: post.post_id,
      author: post.user_name,
      authorId: post.user_id,
      text,
      // The same post's CreateAt goes out in milliseconds as JSON but in seconds as a
      // form (`ToFormValues` divides by 1000: server/public/model/outgoing_webhook.go).
      at: chatTime(json ? post.timestamp : post.timestamp * 1000, delivery.now, "timestamp"),
    };
    return { events: [event] };
  }

  answer(replies: string[]): AdapterAnswer {
    return {
      status: 200,
      body: replies.length ? { text: `${ANNOUNCEMENT_MARK} ${replies.join("\n")}` } : {},
    };
  }

  /**
   * Verifies and reads a `/hotdoc` slash command. The command's token arrives as
   * `Authorization: Token <token>` and again as the form's `token` field; the header is
   * checked, and the field only where the header carries something else (Mattermost
   * replaces it with an outgoing OAuth connection's token when one is configured).
   * A command configured with the GET method is refused: its fields would be in the URL.
   */
  handleCommand(delivery: Delivery): SlashCommand {
    if (!this.commandToken)
      throw new HotdocError(
        "adapter_disabled",
        "Mattermost slash commands are off: set MATTERMOST_COMMAND_TOKEN to the /hotdoc command's token",
      );
    const type = delivery.headers.get("content-type") ?? "";
    if (!type.includes("application/x-www-form-urlencoded"))
      throw new HotdocError(
        "invalid_payload",
        "a slash command is sent as application/x-www-form-urlencoded: set the command's request method to POST",
      );
    const form = Object.fromEntries(new URLSearchParams(delivery.raw.toString("utf8")));
    const scheme = /^Token\s+(\S+)$/i.exec(delivery.headers.get("authorization") ?? "");
    const given = scheme ? scheme[1] : typeof form.token === "string" ? form.token : "";
    if (!secretsEqual(given, this.commandToken))
      throw new HotdocError("signature_invalid", "the slash command token does not match");
    const command = parsePayload(CommandForm, form);
    return {
      platform: "mattermost",
      channel: command.channel_id,
      channelName: command.channel_name,
      userId: command.user_id,
      userName: command.user_name,
      text: command.text.trim(),
      id: command.trigger_id,
      at: new Date(delivery.now).toISOString(),
    };
  }

  /**
   * The command's answer, posted in the channel for everyone (`response_type: in_channel`;
   * without it Mattermost shows an ephemeral reply to the caller alone:
   * server/public/model/command_response.go, `CreateCommandPost` in app/command.go).
   * Mattermost reads the body as JSON only with a JSON content type and a 200 status.
   * The text carries the announcement mark, so the post, which Mattermost creates with
   * outgoing webhooks triggered, is not mirrored back as something said in the room.
   */
  commandAnswer(text: string): AdapterAnswer {
    const marked = text.startsWith(ANNOUNCEMENT_MARK) ? text : `${ANNOUNCEMENT_MARK} ${text}`;
    return {
      status: 200,
      body: { response_type: "in_channel", text: escapeMattermostText(marked) },
    };
  }
}
