/**
 * Errors that the document rules raise. They carry a stable code; the server maps
 * codes to HTTP statuses and websocket close reasons in one place.
 */
export const DOCUMENT_ERROR_CODES = [
  "invalid_transition",
  "im_required",
  "record_not_found",
] as const;
export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];

export class DocumentRuleError extends Error {
  readonly code: DocumentErrorCode;
  readonly field?: string;

  constructor(code: DocumentErrorCode, message: string, field?: string) {
    super(message);
    this.name = "DocumentRuleError";
    this.code = code;
    this.field = field;
  }
}
