import crypto from "node:crypto";
import { HotdocError } from "../errors.ts";
import type { ChatRoomStore } from "../storage/stores.ts";

/** How long a claim holds before another process may take the delivery over. */
const LEASE_MS = 10_000;
const POLL_MS = 50;

/**
 * A chat delivery applied once across processes. Platforms retry, and behind a load
 * balancer the same message can reach two processes at once: each would find it not yet
 * in the timeline and write it (and run its command) again. The first to claim it in the
 * store applies it; the other waits for that to finish and answers it as a duplicate, or
 * takes it over if the holder died before finishing. A failed application gives the claim
 * up, so the platform's retry applies it.
 */
export class DeliveryClaims {
  private readonly store: Pick<
    ChatRoomStore,
    "claimDelivery" | "finishDelivery" | "releaseDelivery"
  >;
  private readonly processName: string;

  constructor(
    store: Pick<ChatRoomStore, "claimDelivery" | "finishDelivery" | "releaseDelivery">,
    processName: string,
  ) {
    this.store = store;
    this.processName = processName;
  }

  /** Runs `apply` unless the delivery `key` was applied (here or elsewhere): then "duplicate". */
  async once<T>(key: string, apply: () => Promise<T>): Promise<T | "duplicate"> {
    // Per call: a second delivery of the same message to this very process waits too.
    const holder = `${this.processName}:${crypto.randomBytes(6).toString("hex")}`;
    const deadline = Date.now() + LEASE_MS + 2000;
    for (;;) {
      const claim = await this.store.claimDelivery(key, holder, LEASE_MS);
      if (claim === "done") return "duplicate";
      if (claim === "claimed") break;
      if (Date.now() > deadline)
        throw new HotdocError(
          "store_unavailable",
          "this message is being applied elsewhere; retry",
        );
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // Renewed while applying: a slow apply (a database under load) is not taken over.
    const renew = setInterval(
      () => void this.store.claimDelivery(key, holder, LEASE_MS).catch(() => undefined),
      LEASE_MS / 3,
    );
    renew.unref();
    let result: T;
    try {
      result = await apply();
    } catch (error) {
      await this.store.releaseDelivery(key, holder).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renew);
    }
    await this.store.finishDelivery(key, holder);
    return result;
  }
}
