import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The bootstrap admin token: ADMIN_TOKEN if set, else the one kept in
 * DATA_DIR/admin-token, generated (mode 0600) at first start.
 */
export function resolveAdminToken(dataDir: string, fromEnv?: string): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  const file = path.join(dataDir, "admin-token");
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 16) return { token: existing, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(24).toString("base64url");
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true };
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
