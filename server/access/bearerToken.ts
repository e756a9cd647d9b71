/**
 * The token in an `Authorization: Bearer <token>` header, or undefined when there is no
 * such header or it is anything else. Every door that takes a bearer token reads it here.
 */
export function bearerToken(header: string | null | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}
