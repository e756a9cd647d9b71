/**
 * The append worker (a worker_threads thread started by AppendWorker). It owns the
 * update log's writes: each request is one batch of appends, inserted in order in one
 * transaction and committed (WAL, synchronous=FULL: one fsync for the batch) before it
 * answers with their ids. The commit's wait for the disk is spent here, not on the event
 * loop, and appends requested while a batch is being committed form the next batch.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import { type Numbered, postError, postResult } from "../workerClient.ts";
import { transaction } from "./transaction.ts";

export interface AppendItem {
  doc: string;
  at: number;
  origin: string;
  data: Uint8Array;
}

export type AppendRequest = { op: "append"; items: AppendItem[] };

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("appendThread runs as a worker");
  const db = new DatabaseSync((workerData as { file: string }).file);
  // As the main connection: the WAL is copied into the file by the checkpoint worker only.
  db.exec("PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;");
  const insert = db.prepare("INSERT INTO updates (doc, at, origin, data) VALUES (?, ?, ?, ?)");
  port.on("message", (request: Numbered<AppendRequest>) => {
    try {
      const ids = transaction(db, () =>
        request.items.map((p) => Number(insert.run(p.doc, p.at, p.origin, p.data).lastInsertRowid)),
      );
      postResult(port, request.id, ids);
    } catch (error) {
      postError(port, request.id, error);
    }
  });
}

main();
