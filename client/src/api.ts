import type { IncidentCreateInput, IncidentDocument } from "#shared/doc/index.ts";
import type { IncidentListItem } from "#shared/incidentList.ts";

/** `POST /api/incidents` answers with the new incident and its page address. */
export interface DeclaredIncident extends IncidentDocument {
  url: string;
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

  /** True when the token itself was refused (missing, invalid, expired, revoked). */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

export async function apiFetch<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  headers.set("accept", "application/json");
  if (init.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server could not be reached.");
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFrom(response, body);
  return body as T;
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

export async function listIncidents(
  token: string,
  signal?: AbortSignal,
): Promise<IncidentListItem[]> {
  const body = await apiFetch<{ incidents: IncidentListItem[] }>("/api/incidents", token, {
    signal,
  });
  return body.incidents;
}

export function declareIncident(
  token: string,
  input: IncidentCreateInput,
): Promise<DeclaredIncident> {
  return apiFetch<DeclaredIncident>("/api/incidents", token, {
    method: "POST",
    body: JSON.stringify(input),
  });
}

/** Fetches a binary or text resource of the API with the bearer token (for downloads and time travel). */
export async function apiBlob(path: string, token: string, signal?: AbortSignal): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { authorization: `Bearer ${token}` }, signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server could not be reached.");
  }
  if (!response.ok) throw errorFrom(response, await response.json().catch(() => null));
  return response.blob();
}
