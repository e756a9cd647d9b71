import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeCall, readCall } from "./fakeCalls.ts";

/**
 * A stand-in for Atlassian Statuspage's REST API v1 on 127.0.0.1, checking requests the
 * way its OpenAPI documents them (https://developer.statuspage.io/, vendored as
 * swagger.json in sbecker59/statuspage-api-client-go @ bc4d957c958f5881e11c687068783591c2a58604;
 * summarised in test/fixtures/paging/statuspage-v1.json):
 *
 * - Auth: `Authorization: OAuth <api key>` or `?api_key=` (components.securitySchemes);
 *   otherwise 401 with an ErrorEntity `{message}`. The spec gives the 401's description,
 *   "Could not authenticate", and no verbatim body, so that description is the message.
 * - `POST /v1/pages/{page_id}/incidents` → 201 Incident. `incident.name` required and
 *   ≤255 characters; `status` in the incident status enum; `body` ≤25000 characters (the
 *   first incident update); `components` a map of component id → component status enum;
 *   `component_ids` an array; `metadata` top-level values must be objects. A request the
 *   spec's rules refuse is 422 "Unprocessable entity"; a body that is not JSON, 400.
 *   The spec documents no error texts beyond those descriptions, so the 422 messages are
 *   the fake's own words; only their `{message}` shape is Statuspage's.
 * - `PATCH /v1/pages/{page_id}/incidents/{incident_id}` → 200 Incident; same fields, none
 *   required; a status or body adds an incident update.
 * - `GET /v1/pages/{page_id}/incidents/unresolved` → 200 Incident[] (not resolved or
 *   completed), `per_page` default 100.
 * - An unknown page, incident or path: 404 "The requested resource could not be found."
 *
 * Incidents carry the Incident schema's fields hotdoc reads (id, name, status, impact,
 * shortlink, page_id, created_at, updated_at, monitoring_at, resolved_at, components[],
 * incident_updates[] newest first with IncidentUpdate's id, incident_id, body, status,
 * created_at, updated_at, display_at, affected_components, deliver_notifications, and
 * metadata). Ids look like the spec's example `p31zjtct2jer`, shortlinks like
 * `http://stspg.io/803310a12`.
 */

const INCIDENT_STATUSES = [
  "investigating",
  "identified",
  "monitoring",
  "resolved",
  "scheduled",
  "in_progress",
  "verifying",
  "completed",
];
const COMPONENT_STATUSES = [
  "operational",
  "under_maintenance",
  "degraded_performance",
  "partial_outage",
  "major_outage",
  "",
];

interface FakeIncidentUpdate {
  id: string;
  incident_id: string;
  body: string;
  status: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: string }[];
  deliver_notifications: boolean;
}

interface FakeComponent {
  id: string;
  page_id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
}

interface FakeIncident {
  id: string;
  name: string;
  status: string;
  impact: string;
  shortlink: string;
  page_id: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  components: FakeComponent[];
  incident_updates: FakeIncidentUpdate[];
  metadata: Record<string, unknown>;
}

interface FakeStatuspageFailure {
  status: number;
  body?: unknown;
  /** Apply the request first, then answer the failure (an answer lost after the work was done). */
  applied?: boolean;
}

export interface FakeStatuspage {
  /** Base URL without /v1, as STATUSPAGE_API_URL. */
  url: string;
  apiKey: string;
  /** Every request that reached the server. */
  calls: FakeCall[];
  /** Answers the next `n` authenticated requests with `failure` instead. */
  failNext(n: number, failure: FakeStatuspageFailure): void;
  incidents(pageId: string): FakeIncident[];
  close(): Promise<void>;
}

const NOT_FOUND = { message: "The requested resource could not be found." };

function randomId(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}

/**
 * Starts the fake. `pages` maps each known page id to its components (component id →
 * display name); a component id not on the page is refused (422).
 */
export async function startFakeStatuspage(options: {
  apiKey?: string;
  pages: Record<string, Record<string, string>>;
}): Promise<FakeStatuspage> {
  const apiKey = options.apiKey ?? crypto.randomBytes(32).toString("hex");
  const calls: FakeCall[] = [];
  const failures: FakeStatuspageFailure[] = [];
  const store = new Map<string, FakeIncident[]>(Object.keys(options.pages).map((p) => [p, []]));
  const componentState = new Map<string, string>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const call = readCall(request, raw);
      calls.push(call);
      const url = new URL(request.url ?? "/", "http://statuspage.invalid");
      const answer = (status: number, body: unknown) =>
        response
          .writeHead(status, { "content-type": "application/json; charset=utf-8" })
          .end(JSON.stringify(body));

      const authorization = request.headers.authorization ?? "";
      const key = /^OAuth (.+)$/.exec(authorization)?.[1] ?? url.searchParams.get("api_key");
      if (key !== apiKey) return answer(401, { message: "Could not authenticate" });

      const failure = failures.shift();
      if (failure && !failure.applied) return answer(failure.status, failure.body ?? {});
      const finish = (status: number, body: unknown) =>
        failure ? answer(failure.status, failure.body ?? {}) : answer(status, body);

      const [v1, pages, pageId, incidentsSegment, incidentId, ...rest] = call.segments;
      if (v1 !== "v1" || pages !== "pages" || incidentsSegment !== "incidents" || rest.length)
        return finish(404, NOT_FOUND);
      const incidents = store.get(pageId);
      if (!incidents) return finish(404, NOT_FOUND);

      let body: Record<string, unknown> = {};
      if (request.method === "POST" || request.method === "PATCH") {
        if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
          return finish(400, { message: "Bad request" });
        try {
          const parsed: unknown = JSON.parse(raw);
          if (!isObject(parsed) || !isObject(parsed.incident)) throw new Error("no incident");
          body = parsed.incident;
        } catch {
          return finish(400, { message: "Bad request" });
        }
      }

      if (request.method === "GET" && incidentId === "unresolved") {
        const perPage = Number(url.searchParams.get("per_page") ?? 100);
        const page = Number(url.searchParams.get("page") ?? 1);
        const open = incidents.filter((i) => i.status !== "resolved" && i.status !== "completed");
        return finish(200, open.slice((page - 1) * perPage, page * perPage));
      }
      if (request.method === "POST" && incidentId === undefined) {
        const problem = invalidIncident(body, options.pages[pageId], true);
        if (problem) return finish(422, { message: problem });
        const now = new Date().toISOString();
        const incident: FakeIncident = {
          id: randomId(12),
          name: body.name as string,
          status: (body.status as string | undefined) ?? "investigating",
          impact: "none",
          shortlink: `http://stspg.io/${crypto.randomBytes(5).toString("hex").slice(0, 9)}`,
          page_id: pageId,
          created_at: now,
          updated_at: now,
          monitoring_at: null,
          resolved_at: null,
          components: [],
          incident_updates: [],
          metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
        };
        applyChange(incident, body, options.pages[pageId], componentState, true);
        incidents.push(incident);
        return finish(201, incident);
      }
      const incident = incidents.find((i) => i.id === incidentId);
      if (!incident) return finish(404, NOT_FOUND);
      if (request.method === "GET") return finish(200, incident);
      if (request.method === "PATCH" || request.method === "PUT") {
        const problem = invalidIncident(body, options.pages[pageId], false);
        if (problem) return finish(422, { message: problem });
        if (typeof body.name === "string") incident.name = body.name;
        if (isObject(body.metadata)) incident.metadata = body.metadata;
        applyChange(incident, body, options.pages[pageId], componentState, false);
        return finish(200, incident);
      }
      return finish(404, NOT_FOUND);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    calls,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    incidents: (pageId) => store.get(pageId) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Why an incident create/update is refused (422), or null. */
function invalidIncident(
  incident: Record<string, unknown>,
  components: Record<string, string>,
  creating: boolean,
): string | null {
  if (creating || incident.name !== undefined) {
    if (typeof incident.name !== "string" || incident.name.trim() === "")
      return "Name can't be blank";
    if (incident.name.length > 255) return "Name is too long (maximum is 255 characters)";
  }
  if (incident.status !== undefined && !INCIDENT_STATUSES.includes(incident.status as string))
    return `Status is not included in the list`;
  if (incident.body !== undefined) {
    if (typeof incident.body !== "string") return "Body must be a string";
    if (incident.body.length > 25_000) return "Body is too long (maximum is 25000 characters)";
  }
  if (incident.components !== undefined) {
    if (!isObject(incident.components)) return "Components must be a map";
    for (const [id, status] of Object.entries(incident.components)) {
      if (!(id in components)) return `Component ${id} is not on this page`;
      if (!COMPONENT_STATUSES.includes(status as string))
        return `Component status ${String(status)} is not included in the list`;
    }
  }
  if (incident.component_ids !== undefined) {
    if (!Array.isArray(incident.component_ids)) return "Component ids must be a list";
    for (const id of incident.component_ids)
      if (typeof id !== "string" || !(id in components))
        return `Component ${id} is not on this page`;
  }
  if (incident.metadata !== undefined) {
    if (!isObject(incident.metadata)) return "Metadata must be an object";
    for (const value of Object.values(incident.metadata))
      if (!isObject(value)) return "Metadata top-level values must be objects";
  }
  return null;
}

/** Applies status, body and components, adding an incident update (newest first) when status or body is given. */
function applyChange(
  incident: FakeIncident,
  change: Record<string, unknown>,
  pageComponents: Record<string, string>,
  componentState: Map<string, string>,
  creating: boolean,
): void {
  const now = new Date().toISOString();
  const affected: FakeIncidentUpdate["affected_components"] = [];
  const statuses = isObject(change.components) ? (change.components as Record<string, string>) : {};
  const ids = new Set([
    ...(Array.isArray(change.component_ids) ? (change.component_ids as string[]) : []),
    ...Object.keys(statuses),
  ]);
  for (const id of ids) {
    const old = componentState.get(id) ?? "operational";
    const next = statuses[id] || old;
    componentState.set(id, next);
    affected.push({ code: id, name: pageComponents[id], old_status: old, new_status: next });
    const existing = incident.components.find((c) => c.id === id);
    if (existing) {
      existing.status = next;
      existing.updated_at = now;
    } else {
      incident.components.push({
        id,
        page_id: incident.page_id,
        name: pageComponents[id],
        status: next,
        created_at: now,
        updated_at: now,
      });
    }
  }
  if (typeof change.status === "string") {
    incident.status = change.status;
    if (change.status === "monitoring") incident.monitoring_at ??= now;
    if (change.status === "resolved") incident.resolved_at ??= now;
  }
  if (creating || typeof change.status === "string" || typeof change.body === "string") {
    incident.incident_updates.unshift({
      id: randomId(12),
      incident_id: incident.id,
      body: typeof change.body === "string" ? change.body : "",
      status: incident.status,
      created_at: now,
      updated_at: now,
      display_at: now,
      affected_components: affected,
      deliver_notifications: change.deliver_notifications !== false,
    });
  }
  incident.updated_at = now;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
