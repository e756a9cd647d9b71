import { useEffect, useState } from "react";
import type { Principal } from "#shared/access.ts";
import { apiFetch } from "../api.ts";

/** The principal behind the token (role and scope), from `GET /api/me`; null until known. */
export function useMe(token: string): Principal | null {
  const [me, setMe] = useState<Principal | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    apiFetch<Principal>("/api/me", token, { signal: controller.signal })
      .then(setMe)
      .catch(() => setMe(null));
    return () => controller.abort();
  }, [token]);
  return me;
}
