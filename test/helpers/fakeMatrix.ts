import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeCall, readCall, takeFailure } from "./fakeCalls.ts";

/**
 * A Matrix homeserver's client-server API v3, reduced to the endpoints hotdoc's
 * application service uses, on 127.0.0.1 (port 0). It checks requests the way a
 * homeserver does and answers with the spec's shapes; every shape is cited from
 * matrix-org/matrix-spec (data/api/client-server/*.yaml and
 * content/client-server-api/_index.md) next to where it is produced.
 *
 * Errors are the spec's "standard error response", `{"errcode": …, "error": …}`
 * (content/client-server-api/_index.md, "Standard error response").
 */

/** One request as the fake received it. */
export type MatrixCall = FakeCall;

/** What the next matching request is answered with instead of being served. */
export interface MatrixFailure {
  status: number;
  /** Sent as Retry-After (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** The body; by default the spec's error for the status. */
  body?: unknown;
}

export interface FakeRoom {
  roomId: string;
  alias?: string;
  name?: string;
  topic?: string;
  topicContent?: Record<string, unknown>;
  members: Map<string, "join" | "invite">;
  events: { eventId: string; type: string; content: Record<string, unknown> }[];
}

const PREFIX = "/_matrix/client/v3";

function matrixError(errcode: string, error: string, extra: Record<string, unknown> = {}) {
  return { errcode, error, ...extra };
}

/** The spec's default error body for a forced failure's status. */
function defaultFailureBody(status: number) {
  if (status === 429)
    // content/client-server-api/_index.md "Rate limiting"; rate_limited.yaml's example text.
    return matrixError("M_LIMIT_EXCEEDED", "Too many requests");
  if (status === 403) return matrixError("M_FORBIDDEN", "Forbidden");
  if (status === 404) return matrixError("M_NOT_FOUND", "Not found");
  // definitions/errors/error.yaml's example.
  return matrixError("M_UNKNOWN", "An unknown error occurred");
}

export class FakeMatrix {
  readonly calls: MatrixCall[] = [];
  readonly rooms = new Map<string, FakeRoom>();
  /** Alias local part → room id. */
  readonly aliases = new Map<string, string>();
  /** User id → profile. */
  readonly profiles = new Map<string, { displayname?: string }>();
  /** The application service's own user (its sender_localpart), who creates and sends. */
  readonly botUserId: string;
  readonly serverName: string;
  url = "";
  private readonly asToken: string;
  private readonly server: http.Server;
  private readonly failures: { pattern: RegExp | string; failure: MatrixFailure }[] = [];
  /** Answers already given to a (token, path) transaction, replayed on retransmission. */
  private readonly transactions = new Map<string, { status: number; body: unknown }>();

  private constructor(options: { asToken: string; serverName: string; botLocalpart: string }) {
    this.asToken = options.asToken;
    this.serverName = options.serverName;
    this.botUserId = `@${options.botLocalpart}:${options.serverName}`;
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const { status, body, headers } = this.handle(request, Buffer.concat(chunks).toString());
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(body));
      });
    });
  }

  /** Starts a fake homeserver on 127.0.0.1 with a random port. */
  static async start(
    options: { asToken: string; serverName?: string; botLocalpart?: string } = {
      asToken: "as-token",
    },
  ): Promise<FakeMatrix> {
    const fake = new FakeMatrix({
      asToken: options.asToken,
      serverName: options.serverName ?? "example.org",
      botLocalpart: options.botLocalpart ?? "hotdoc",
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The next request whose path (decoded) contains `pattern`, or matches it as a
   * regular expression, is answered with `failure` (queued: call again to fail the
   * one after as well). The request is recorded all the same.
   */
  failNext(pattern: RegExp | string, failure: MatrixFailure): void {
    this.failures.push({ pattern, failure });
  }

  /** A room that exists already; the bot is joined unless `members` says otherwise. */
  seedRoom(
    roomId: string,
    members: Record<string, "join" | "invite"> = {},
    alias?: string,
  ): FakeRoom {
    const room: FakeRoom = {
      roomId,
      alias,
      members: new Map([[this.botUserId, "join"], ...Object.entries(members)]),
      events: [],
    };
    this.rooms.set(roomId, room);
    if (alias) this.aliases.set(alias, roomId);
    return room;
  }

  /** An alias taken by some other room (as a room created earlier would hold it). */
  seedAlias(localpart: string): void {
    this.seedRoom(`!taken${this.rooms.size}:${this.serverName}`, {}, localpart);
  }

  seedProfile(userId: string, displayname?: string): void {
    this.profiles.set(userId, displayname === undefined ? {} : { displayname });
  }

  /** The calls whose decoded path contains `part`. */
  callsTo(part: string): MatrixCall[] {
    return this.calls.filter((call) => call.segments.join("/").includes(part));
  }

  private handle(
    request: http.IncomingMessage,
    raw: string,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const call = readCall(request, raw);
    this.calls.push(call);
    const { method, segments, body } = call;
    const failure = takeFailure(this.failures, call);
    if (failure) {
      return {
        status: failure.status,
        body: failure.body ?? defaultFailureBody(failure.status),
        headers:
          failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) },
      };
    }

    // content/client-server-api/_index.md, "Using access tokens": missing or invalid
    // credentials answer 401 with M_MISSING_TOKEN or M_UNKNOWN_TOKEN.
    const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
    if (!auth)
      return {
        status: 401,
        body: matrixError("M_MISSING_TOKEN", "Missing access token"),
      };
    if (auth[1] !== this.asToken)
      return {
        status: 401,
        body: matrixError("M_UNKNOWN_TOKEN", "Unrecognised access token"),
      };

    if (!call.path.startsWith(`${PREFIX}/`))
      return { status: 404, body: matrixError("M_UNRECOGNIZED", "Unrecognized request") };
    const route = segments.slice(3); // after _matrix/client/v3

    if (method === "POST" || method === "PUT") {
      // "M_NOT_JSON: Request did not contain valid JSON" (common error codes).
      const type = request.headers["content-type"] ?? "";
      if (!type.startsWith("application/json") || typeof body !== "object" || body === null)
        return { status: 400, body: matrixError("M_NOT_JSON", "Content not JSON.") };
    }
    const content = body as Record<string, unknown>;

    // PUT /rooms/{roomId}/send/{eventType}/{txnId} (data/api/client-server/room_send.yaml).
    if (method === "PUT" && route[0] === "rooms" && route[2] === "send" && route.length === 5) {
      const key = `${auth[1]}|${call.path}`;
      const replay = this.transactions.get(key);
      if (replay) return replay;
      const room = this.rooms.get(route[1]);
      if (room?.members.get(this.botUserId) !== "join")
        return {
          status: 403,
          body: matrixError("M_FORBIDDEN", `User ${this.botUserId} not in room ${route[1]}`),
        };
      if (
        route[3] === "m.room.message" &&
        (typeof content.msgtype !== "string" || typeof content.body !== "string")
      )
        // m.room.message requires msgtype and body (data/event-schemas/schema/m.room.message.yaml).
        return { status: 400, body: matrixError("M_BAD_JSON", "msgtype and body are required") };
      const eventId = this.eventId();
      room.events.push({ eventId, type: route[3], content });
      const answer = { status: 200, body: { event_id: eventId } };
      this.transactions.set(key, answer);
      return answer;
    }

    // POST /createRoom (data/api/client-server/create_room.yaml).
    if (method === "POST" && route.length === 1 && route[0] === "createRoom") {
      const invite = content.invite ?? [];
      if (
        !Array.isArray(invite) ||
        invite.some((id) => typeof id !== "string" || !id.startsWith("@"))
      )
        return {
          status: 400,
          body: matrixError("M_BAD_JSON", "invite must be a list of user ids"),
        };
      const alias = content.room_alias_name;
      if (alias !== undefined && typeof alias !== "string")
        return { status: 400, body: matrixError("M_BAD_JSON", "room_alias_name must be a string") };
      if (typeof alias === "string" && this.aliases.has(alias))
        // "The room alias specified is already taken (errcode set to M_ROOM_IN_USE)".
        return { status: 400, body: matrixError("M_ROOM_IN_USE", "Room alias already taken") };
      const roomId = `!${crypto.randomBytes(9).toString("base64url")}:${this.serverName}`;
      const room = this.seedRoom(roomId, Object.fromEntries(invite.map((id) => [id, "invite"])));
      if (typeof alias === "string") {
        room.alias = alias;
        this.aliases.set(alias, roomId);
      }
      if (typeof content.name === "string") room.name = content.name;
      if (typeof content.topic === "string") room.topic = content.topic;
      return { status: 200, body: { room_id: roomId } };
    }

    // PUT /rooms/{roomId}/state/{eventType}/{stateKey} with the empty state key, whose
    // trailing slash is optional (data/api/client-server/room_state.yaml).
    if (method === "PUT" && route[0] === "rooms" && route[2] === "state" && route.length === 4) {
      const room = this.rooms.get(route[1]);
      if (room?.members.get(this.botUserId) !== "join")
        return {
          status: 403,
          body: matrixError("M_FORBIDDEN", "You do not have permission to send the event."),
        };
      if (route[3] === "m.room.topic") {
        if (typeof content.topic !== "string")
          // m.room.topic requires `topic` (data/event-schemas/schema/m.room.topic.yaml).
          return { status: 400, body: matrixError("M_BAD_JSON", "topic is required") };
        room.topic = content.topic;
        room.topicContent = content;
      }
      const eventId = this.eventId();
      room.events.push({ eventId, type: route[3], content });
      return { status: 200, body: { event_id: eventId } };
    }

    // POST /rooms/{roomId}/invite (data/api/client-server/inviting.yaml).
    if (method === "POST" && route[0] === "rooms" && route[2] === "invite" && route.length === 3) {
      if (typeof content.user_id !== "string" || !content.user_id.startsWith("@"))
        return { status: 400, body: matrixError("M_BAD_JSON", "user_id is required") };
      const room = this.rooms.get(route[1]);
      if (room?.members.get(this.botUserId) !== "join")
        return {
          status: 403,
          body: matrixError("M_FORBIDDEN", `${this.botUserId} not in room ${route[1]}.`),
        };
      const membership = room.members.get(content.user_id);
      if (membership === "join")
        // Synapse's answer (element-hq/synapse synapse/event_auth.py, without MSC3848).
        return {
          status: 403,
          body: matrixError("M_FORBIDDEN", `${content.user_id} is already in the room.`),
        };
      // "The user has been invited to join the room, or was already invited to the room."
      room.members.set(content.user_id, "invite");
      return { status: 200, body: {} };
    }

    // GET /profile/{userId}/{keyName} (data/api/client-server/profile.yaml).
    if (method === "GET" && route[0] === "profile" && route.length === 3) {
      const profile = this.profiles.get(route[1]);
      const value = profile?.[route[2] as "displayname"];
      if (value === undefined)
        // The example of GET /profile/{userId}'s 404.
        return { status: 404, body: matrixError("M_NOT_FOUND", "Profile not found") };
      return { status: 200, body: { [route[2]]: value } };
    }

    return { status: 404, body: matrixError("M_UNRECOGNIZED", "Unrecognized request") };
  }

  private eventId(): string {
    return `$${crypto.randomBytes(12).toString("base64url")}`;
  }
}
