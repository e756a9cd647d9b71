import type {
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  beforeSyncPayload,
  Extension,
} from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { type RecordCount, recordsAddedBy, trackRecordCount } from "#shared/doc/index.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/**
 * The most one REST or chat write can add (their inputs are bounded by the zod schemas:
 * a 40,000-character entry is ~160 KB as UTF-8 at worst, plus its fields), and the most
 * records one adds (a change: its record and its timeline entry; a theory with its entry…).
 * Such a write cannot be measured before it is applied, so it is refused when the
 * document is within this much of a limit.
 */
const SERVER_WRITE_HEADROOM_BYTES = 256 * 1024;
const SERVER_WRITE_HEADROOM_RECORDS = 8;

interface LimitsOptions {
  maxDocumentBytes: number;
  maxRecords: number;
  /** The document's estimated encoded size (PersistenceExtension tracks it). */
  documentBytes(name: string): number;
  logger: Logger;
}

/**
 * Bounds on one incident document: its encoded size and its record count. A websocket
 * update that would cross either is refused before it is applied — never acknowledged,
 * nothing stored — and its connection closed with `document-too-large`; a REST or chat
 * write answers 413 `document_too_large` and changes nothing. Both checks are O(1) in the
 * document (the size is tracked from the updates appended, the records from the
 * collections' change events); only an update that could reach the record limit is decoded.
 */
export class DocumentLimitsExtension implements Extension {
  extensionName = "DocumentLimitsExtension";
  // Before UpdateOrderExtension (600): a refused update must not open an acknowledgement gate.
  priority = 650;

  private readonly options: LimitsOptions;
  private readonly records = new Map<string, RecordCount>();

  constructor(options: LimitsOptions) {
    this.options = options;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.records.get(documentName)?.stop();
    this.records.set(documentName, trackRecordCount(document));
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.records.get(documentName)?.stop();
    this.records.delete(documentName);
  }

  async beforeSync({ type, payload, connection, documentName }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    if (connection.readOnly) return;
    const problem = this.problem(documentName, payload.byteLength, () => recordsAddedBy(payload));
    if (!problem) return;
    this.options.logger.warn(
      { incident: documentName, bytes: payload.byteLength, problem },
      "update refused: document limit",
    );
    // Hocuspocus closes the connection with this code and reason, before applying anything.
    throw {
      code: CLOSE_REASONS.document_too_large.code,
      reason: CLOSE_REASONS.document_too_large.reason,
    };
  }

  /** The document_too_large error a server-side write (REST, chat) to a loaded document gets, or null if it may go ahead. */
  refuseWrite(name: string): HotdocError | null {
    const problem = this.problem(
      name,
      SERVER_WRITE_HEADROOM_BYTES,
      () => SERVER_WRITE_HEADROOM_RECORDS,
    );
    return problem
      ? new HotdocError("document_too_large", `${name} ${problem}; nothing was changed`)
      : null;
  }

  /** Why adding `bytes` (and the records `added()` counts) would cross a limit, or null. */
  private problem(name: string, bytes: number, added: () => number): string | null {
    const { maxDocumentBytes, maxRecords } = this.options;
    const size = this.options.documentBytes(name);
    if (size + bytes > maxDocumentBytes) {
      return `has reached its size limit (${mib(size)} of ${mib(maxDocumentBytes)}; MAX_DOCUMENT_BYTES)`;
    }
    const count = this.records.get(name)?.count() ?? 0;
    // An update adds at most one record per byte: decode only when that could matter.
    if (count + bytes > maxRecords && count + added() > maxRecords) {
      return `has reached its record limit (${count} of ${maxRecords} timeline entries and other records; MAX_RECORDS)`;
    }
    return null;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
