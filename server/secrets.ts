import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Secrets kept in DATA_DIR when the environment does not give them: generated at
 * first start (mode 0600) and read back afterwards.
 */
function fileSecret(
  dataDir: string,
  name: string,
  bytes: number,
): { value: string; generated: boolean } {
  const file = path.join(dataDir, name);
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 16) return { value: existing, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const value = crypto.randomBytes(bytes).toString("base64url");
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}

/** The bootstrap admin token: ADMIN_TOKEN if set, else DATA_DIR/admin-token. */
export function resolveAdminToken(
  dataDir: string,
  fromEnv?: string,
): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  const { value, generated } = fileSecret(dataDir, "admin-token", 24);
  return { token: value, generated };
}

/** The team link's token kept in DATA_DIR/team-link, if there is one. */
export function readTeamLink(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, "team-link"), "utf8").trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export function writeTeamLink(dataDir: string, token: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, "team-link"), `${token}\n`, { mode: 0o600 });
}

/** The key that signs share links and tokens: TOKEN_SECRET if set, else DATA_DIR/token-secret. */
export function resolveTokenSecret(dataDir: string, fromEnv?: string): Uint8Array {
  const value = fromEnv ?? fileSecret(dataDir, "token-secret", 32).value;
  return new TextEncoder().encode(value);
}

/**
 * Whether a presented secret (token, signature) is the expected one, in constant time.
 * Both sides are hashed first, so the comparison is of equal lengths and neither how
 * long the secret is nor where a guess goes wrong shows in the time it takes.
 */
export function secretsEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
