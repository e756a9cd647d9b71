import crypto from "node:crypto";
import {
  type ChatApi,
  ChatApiError,
  type ChatPerson,
  type CreatedRoom,
  type OutboundMessage,
  type RoomRequest,
} from "../../ChatApi.ts";
import { callJsonApi, type JsonAnswer } from "../../jsonApiCall.ts";
import type { PlatformDeps } from "../PlatformModule.ts";
import type { MatrixSettings } from "./env.ts";

/** How many aliases `createRoom` tries (`hot-42`, `hot-42-2` … `hot-42-10`) before giving up. */
const ALIAS_TRIES = 10;

/**
 * Synapse's answer to inviting someone already joined: 403 with MSC3848's errcode when
 * that is enabled, else M_FORBIDDEN with the text "<user> is already in the room."
 * (element-hq/synapse synapse/event_auth.py `_is_membership_change_allowed`,
 * synapse/api/errors.py `Codes.ALREADY_JOINED`). The spec lists "The invitee is already a
 * member of the room" among the 403s of POST /rooms/{roomId}/invite
 * (matrix-org/matrix-spec data/api/client-server/inviting.yaml).
 */
const ALREADY_JOINED = "ORG.MATRIX.MSC3848.ALREADY_JOINED";

/** Escapes text for `formatted_body` (org.matrix.custom.html). */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Matrix through the application service's own user: the client-server API v3 at the
 * homeserver, authenticated with the registration's `as_token` (Authorization: Bearer).
 * Every call goes through the outbound policy and retries on 429, 5xx and dropped
 * connections, waiting what the homeserver asked for (`Retry-After`, or the body's
 * `retry_after_ms` that older homeservers send instead: content/client-server-api/_index.md
 * "Rate limiting" in matrix-org/matrix-spec).
 */
export class MatrixApi implements ChatApi {
  readonly platform = "matrix" as const;
  private readonly base: string;
  private readonly token: string;
  private readonly deps: PlatformDeps;

  constructor(settings: MatrixSettings, deps: PlatformDeps) {
    if (!settings.asToken || !settings.homeserverUrl)
      throw new Error("MatrixApi needs MATRIX_AS_TOKEN and MATRIX_HOMESERVER_URL");
    this.base = `${settings.homeserverUrl.replace(/\/+$/, "")}/_matrix/client/v3`;
    this.token = settings.asToken;
    this.deps = deps;
  }

  /**
   * Sends an `m.notice` (the spec's msgtype for automated clients, which other bots must
   * never answer: data/event-schemas/schema/m.room.message$m.notice.yaml) with a plain
   * `body` and an HTML `formatted_body`. The txnId is drawn once per message and reused
   * by every retry of it, so a send the homeserver applied but whose answer was lost is
   * recognised as a retransmission and not posted twice (the spec's "Transaction
   * identifiers": the homeserver "should return the same HTTP response code and content
   * as the original request").
   */
  async post(channel: string, message: OutboundMessage): Promise<void> {
    const txnId = `hotdoc.${crypto.randomUUID()}`;
    // "@room" in a body notifies the whole room (the spec's .m.rule.roomnotif push rule):
    // a zero-width space after the @ keeps it readable and silent.
    const text = message.text.replace(/@room\b/g, "@\u200broom");
    const lines = text.split("\n");
    await this.call(
      "PUT",
      `/rooms/${encodeURIComponent(channel)}/send/m.room.message/${encodeURIComponent(txnId)}`,
      {
        msgtype: "m.notice",
        body: text,
        format: "org.matrix.custom.html",
        formatted_body: lines.map(escapeHtml).join("<br>"),
      },
    );
  }

  /**
   * Creates a room with the `public_chat` preset (join rule `public`): like the public
   * channel Slack and Mattermost open, anyone on the homeserver who learns `#hot-42` can
   * join an incident's room without waiting for an invitation, which is what a
   * responder paged late needs. It is not published in the room directory (the default
   * `visibility` is `private`). The alias is the lower-case name; one already taken
   * (`M_ROOM_IN_USE`) is tried again as `hot-42-2`, `hot-42-3`…; the room's name is
   * the alias in upper case.
   */
  async createRoom(request: RoomRequest): Promise<CreatedRoom> {
    for (let n = 1; n <= ALIAS_TRIES; n++) {
      const alias = n === 1 ? request.name : `${request.name}-${n}`;
      const answer = await this.call(
        "POST",
        "/createRoom",
        {
          preset: "public_chat",
          room_alias_name: alias,
          name: alias.toUpperCase(),
          topic: request.topic,
        },
        (status, code) => status === 400 && code === "M_ROOM_IN_USE",
      );
      if (answer.status === 400) continue;
      const roomId = answer.json.room_id;
      if (typeof roomId !== "string" || !roomId.startsWith("!"))
        throw new ChatApiError("matrix", "createRoom answered without a room_id", {
          status: answer.status,
        });
      // Invited apart from the creation: an invitee the homeserver refuses must not fail
      // (and so duplicate) the room, which exists by now.
      await this.invite(roomId, request.invite).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, room: roomId }, "could not invite to the new room"),
      );
      return { channel: roomId, name: alias };
    }
    throw new ChatApiError(
      "matrix",
      `the aliases #${request.name} to #${request.name}-${ALIAS_TRIES} are all taken`,
      { status: 400, code: "M_ROOM_IN_USE" },
    );
  }

  /**
   * Sets the `m.room.topic` state: `topic` in plain text, and the same text as the
   * `m.topic` content block newer clients read (data/event-schemas/schema/m.room.topic.yaml).
   */
  async setTopic(channel: string, topic: string): Promise<void> {
    await this.call("PUT", `/rooms/${encodeURIComponent(channel)}/state/m.room.topic`, {
      topic,
      "m.topic": { "m.text": [{ mimetype: "text/plain", body: topic }] },
    });
  }

  /**
   * Invites each person; someone already invited is a 200 by the spec, someone already
   * joined a 403 that is not an error here. Everyone is tried; the first failure is
   * thrown afterwards.
   */
  async invite(channel: string, users: string[]): Promise<void> {
    let failure: unknown;
    for (const userId of users) {
      try {
        await this.call(
          "POST",
          `/rooms/${encodeURIComponent(channel)}/invite`,
          { user_id: userId },
          (status, code, error) =>
            status === 403 &&
            (code === ALREADY_JOINED ||
              (code === "M_FORBIDDEN" && /is already in the room/i.test(error ?? ""))),
        );
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }

  /**
   * The person's `displayname` from their profile (GET /profile/{userId}/displayname,
   * data/api/client-server/profile.yaml), or no name when they have none, the
   * homeserver knows no such user (404) or will not say (403, "unwilling to disclose").
   * A Matrix profile carries no email, so there is never one.
   */
  async person(userId: string): Promise<ChatPerson> {
    if (!/^@[^:]+:.+$/.test(userId)) return { name: null, email: null };
    const answer = await this.call(
      "GET",
      `/profile/${encodeURIComponent(userId)}/displayname`,
      undefined,
      (status) => status === 404 || status === 403,
    );
    const name = answer.status === 200 ? answer.json.displayname : undefined;
    return { name: typeof name === "string" && name.trim() ? name.trim() : null, email: null };
  }

  /**
   * One API call with retries. A 2xx answer is returned; so is an error answer `accept`
   * takes (the caller handles it); anything else throws ChatApiError carrying the
   * status and the Matrix `errcode`, once the retries are spent where retrying helps.
   */
  private call(
    method: "GET" | "POST" | "PUT",
    path: string,
    body?: unknown,
    accept?: (status: number, code: string | undefined, error: string | undefined) => boolean,
  ): Promise<JsonAnswer> {
    return callJsonApi({
      platform: "matrix",
      deps: this.deps,
      server: "the homeserver",
      url: `${this.base}${path}`,
      token: this.token,
      method,
      body,
      accept,
      refusal: (json) => ({
        code: typeof json.errcode === "string" ? json.errcode : undefined,
        text: typeof json.error === "string" ? json.error : undefined,
        retry: json.errcode === "M_LIMIT_EXCEEDED",
        retryAfterMs:
          typeof json.retry_after_ms === "number" && json.retry_after_ms >= 0
            ? json.retry_after_ms
            : undefined,
      }),
    });
  }
}
