import type { TokenRole } from "#shared/access.ts";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import type { IncidentCreateInput, IncidentDocument } from "#shared/doc/index.ts";
import type { IncidentListItem } from "#shared/incidentList.ts";

/** `POST /api/incidents` answers with the new incident and its page address. */
export interface DeclaredIncident extends IncidentDocument {
  url: string;
}

/** Who is signed in, from `GET /api/me` (or `POST /auth/link`). */
export interface Me {
  subject: string;
  name: string;
  role: TokenRole;
  scope: string;
  email?: string;
  via: "session" | "token";
  /** The session's CSRF token: sent with every changing request and to the websocket. */
  csrf?: string;
  shared: boolean;
  expiresAt?: string;
}

/** A refused or failed API call: the server's `{error:{code,message,field?}}`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** True when the session or link itself was refused (missing, invalid, expired, revoked). */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

// The browser holds only the HttpOnly session cookie; the session's CSRF token lives
// here, in memory, from the moment the server names it.
let csrf: string | undefined;
let sessionEnded: ((message: string) => void) | undefined;

/** Remembers who is signed in (for the CSRF header), or forgets it (null). */
export function rememberSession(me: Me | null): void {
  csrf = me?.csrf;
}

/** Called with the server's message whenever a request is refused as unauthenticated (401). */
export function onSessionEnded(listener: ((message: string) => void) | undefined): void {
  sessionEnded = listener;
}

/** Leaves the session as over: the app goes back to the sign-in screen, saying why. */
export function endSession(message: string = CLOSE_REASONS.session_ended.message): void {
  csrf = undefined;
  sessionEnded?.(message);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? "GET").toUpperCase();
  if (csrf && method !== "GET" && method !== "HEAD") headers.set("x-csrf-token", csrf);
  try {
    return await fetch(path, { ...init, headers, credentials: "same-origin" });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server could not be reached.");
  }
}

async function refusal(path: string, response: Response): Promise<ApiError> {
  const error = errorFrom(response, await response.json().catch(() => null));
  // A link refused by /auth/link says nothing about the session this browser may already hold.
  if (error.unauthenticated && path !== "/auth/link") endSession(error.message);
  return error;
}

export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("accept", "application/json");
  if (init.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  const response = await send(path, { ...init, headers });
  if (!response.ok) throw await refusal(path, response);
  if (response.status === 204) return undefined as T;
  return (await response.json().catch(() => null)) as T;
}

function errorFrom(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)
    ?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return new ApiError(
      response.status,
      error.code,
      error.message,
      typeof error.field === "string" ? error.field : undefined,
    );
  }
  return new ApiError(
    response.status,
    "http_error",
    `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

/** Fetches a binary or text resource of the API with the session (for downloads and time travel). */
export async function apiBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const response = await send(path, { signal });
  if (!response.ok) throw await refusal(path, response);
  return response.blob();
}

export async function listIncidents(signal?: AbortSignal): Promise<IncidentListItem[]> {
  const body = await apiFetch<{ incidents: IncidentListItem[] }>("/api/incidents", { signal });
  return body.incidents;
}

export function declareIncident(input: IncidentCreateInput): Promise<DeclaredIncident> {
  return apiFetch<DeclaredIncident>("/api/incidents", {
    method: "POST",
    body: JSON.stringify(input),
  });
}

// Signing in and out.

export const fetchMe = (signal?: AbortSignal) => apiFetch<Me>("/api/me", { signal });

export const fetchAuthConfig = (signal?: AbortSignal) =>
  apiFetch<{ oidc: { name: string } | null }>("/auth/config", { signal });

/** Exchanges an access link's token (and, for a shared link, the holder's name) for a session. */
export const exchangeLink = (token: string, name?: string) =>
  apiFetch<{ me: Me; personalLink?: string }>("/auth/link", {
    method: "POST",
    body: JSON.stringify(name === undefined ? { token } : { token, name }),
  });

export const signOut = () => apiFetch<void>("/auth/logout", { method: "POST" });
