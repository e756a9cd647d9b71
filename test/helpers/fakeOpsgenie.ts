import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Opsgenie's Alert API v2, checking requests the way Opsgenie
 * documents them. Sources (copies and citations in test/fixtures/paging/opsgenie-alert-v2.json):
 *
 * - `Authorization: GenieKey <apiKey>`: opsgenie-go-sdk-v2 client/client.go.
 * - POST /v2/alerts (CreateAlertPayload: `message` required; priority P1..P5; responder
 *   type user/team/escalation/schedule), POST /v2/alerts/{identifier}/close|acknowledge
 *   with `identifierType` id (default) | alias | tiny: opsgenie/opsgenie-oas
 *   definitions/alert.yaml, paths/alert.yaml, parameters/alert.yaml.
 * - Limits (message 130, alias 512, description 15000): docs.opsgenie.com alert-api
 *   "JSON Body Fields" and v1.0/docs/alerts-and-alert-fields. Over a limit the fake refuses
 *   with a 422 (the docs give the limit, not what Opsgenie does beyond it), so a client that
 *   sends too much is caught.
 * - 202 `{result: "Request will be processed", took, requestId}` for create, ack and close,
 *   processed asynchronously: an ack/close of an alias with no open alert is still a 202
 *   (the request status would say "Alert does not exist"). Dedup by alias while open:
 *   the create only increments the alert's count (opsgenie-oas: alias is "the key element
 *   of alert deduplication").
 * - Errors: the 422 and 429 bodies of opsgenie-go-sdk-v2 client/client_test.go, as the
 *   fixture has them (field texts other than "Invalid recipient type '…'" are hotdoc's).
 *   No verbatim 401 body exists; the fake uses the spec's description of it
 *   (responses/common.yaml Unauthorized) in the documented {message, took, requestId} shape.
 */
const FIXTURE = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/opsgenie-alert-v2.json", import.meta.url), "utf8"),
);
const PRIORITIES = FIXTURE.create_alert.priority_enum as string[];
const RESPONDER_TYPES = FIXTURE.create_alert.responder_types as string[];

interface FakeOpsgenieAlert {
  alias: string;
  status: "open" | "acked" | "closed";
  /** Creates Opsgenie counted into this alert (1 + deduplicated ones). */
  count: number;
  /** The create body that opened it. */
  body: Record<string, unknown>;
  /** The close request's body, once closed. */
  closedWith?: Record<string, unknown>;
}

interface FakeOpsgenieCall {
  method: string;
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeOpsgenie {
  url: string;
  alerts(): FakeOpsgenieAlert[];
  calls: FakeOpsgenieCall[];
  failNext(
    n: number,
    answer: { status: number; body?: unknown; headers?: Record<string, string> },
  ): void;
  close(): Promise<void>;
}

export async function startFakeOpsgenie(options: { apiKey: string }): Promise<FakeOpsgenie> {
  const alerts: FakeOpsgenieAlert[] = [];
  const calls: FakeOpsgenieCall[] = [];
  const failures: { status: number; body?: unknown; headers?: Record<string, string> }[] = [];
  const base = () => ({
    took: Number((Math.random() * 0.3).toFixed(3)),
    requestId: crypto.randomUUID(),
  });

  const answer = (
    res: http.ServerResponse,
    call: FakeOpsgenieCall,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    call.status = status;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const unprocessable = (errors: Record<string, string>) => ({
    ...FIXTURE.error_shape.response_422.body,
    errors,
    ...base(),
  });
  const accepted = () => ({ ...FIXTURE.response_202_accepted.body, ...base() });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = {};
      let parsed = true;
      if (raw !== "")
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
          parsed = false;
        }
      const url = new URL(req.url ?? "/", "http://fake");
      const call: FakeOpsgenieCall = {
        method: req.method ?? "",
        path: `${url.pathname}${url.search}`,
        status: 0,
        headers: req.headers,
        body,
      };
      calls.push(call);
      const failure = failures.shift();
      if (failure) return answer(res, call, failure.status, failure.body ?? {}, failure.headers);
      if (req.headers.authorization !== `GenieKey ${options.apiKey}`)
        return answer(res, call, 401, {
          message: FIXTURE.error_shape.response_401.description,
          ...base(),
        });
      if (!parsed || typeof body !== "object" || body === null || Array.isArray(body))
        return answer(res, call, 400, {
          message: "Could not parse the request body as JSON",
          ...base(),
        });
      const fields = body as Record<string, unknown>;

      if (req.method === "POST" && url.pathname === "/v2/alerts") {
        const errors: Record<string, string> = {};
        if (typeof fields.message !== "string" || fields.message.trim() === "")
          errors.message = "Message can not be empty.";
        else if (fields.message.length > 130)
          errors.message = "Message can be at most 130 characters.";
        if (
          fields.alias !== undefined &&
          (typeof fields.alias !== "string" || fields.alias.length > 512)
        )
          errors.alias = "Alias can be at most 512 characters.";
        if (typeof fields.description === "string" && fields.description.length > 15000)
          errors.description = "Description can be at most 15000 characters.";
        if (fields.priority !== undefined && !PRIORITIES.includes(fields.priority as string))
          errors.priority = `Invalid priority '${String(fields.priority)}'`;
        if (fields.responders !== undefined) {
          if (!Array.isArray(fields.responders)) errors.responders = "Responders must be a list.";
          else
            for (const r of fields.responders as Record<string, unknown>[])
              if (!RESPONDER_TYPES.includes(r?.type as string))
                errors["responders#type"] = `Invalid recipient type '${String(r?.type)}'`;
        }
        if (Object.keys(errors).length > 0) return answer(res, call, 422, unprocessable(errors));
        const alias =
          typeof fields.alias === "string" && fields.alias ? fields.alias : crypto.randomUUID();
        const open = alerts.find((a) => a.alias === alias && a.status !== "closed");
        if (open) open.count += 1;
        else alerts.push({ alias, status: "open", count: 1, body: fields });
        return answer(res, call, 202, accepted());
      }

      const action = /^\/v2\/alerts\/([^/]+)\/(close|acknowledge)$/.exec(url.pathname);
      if (req.method === "POST" && action) {
        const identifier = decodeURIComponent(action[1]);
        const type = url.searchParams.get("identifierType") ?? "id";
        if (!["id", "alias", "tiny"].includes(type))
          return answer(
            res,
            call,
            422,
            unprocessable({ identifierType: `Invalid identifierType '${type}'` }),
          );
        // Asynchronous: an unknown identifier is still accepted (the request status fails).
        const open =
          type === "alias"
            ? alerts.find((a) => a.alias === identifier && a.status !== "closed")
            : undefined;
        if (open) {
          if (action[2] === "close") {
            open.status = "closed";
            open.closedWith = fields;
          } else open.status = "acked";
        }
        return answer(res, call, 202, accepted());
      }
      return answer(res, call, 404, { message: "Not found", ...base() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    alerts: () => alerts.map((a) => ({ ...a })),
    calls,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opsgenie's documented error answers (opsgenie-go-sdk-v2 client/client_test.go, via the fixture). */
export const OPSGENIE_ERRORS = {
  unprocessable: FIXTURE.error_shape.response_422 as {
    status: number;
    body: Record<string, unknown>;
  },
  serverError: FIXTURE.error_shape.response_500 as {
    status: number;
    body: Record<string, unknown>;
  },
  throttled: FIXTURE.error_shape.response_429 as {
    status: number;
    body: Record<string, unknown>;
    headers: Record<string, string>;
  },
};
