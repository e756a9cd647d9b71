import type { Stores } from "../../server/storage/stores.ts";

/**
 * What each interface's suite is handed by describeStores (storesContract.ts): the set
 * of stores opened for the current test, and ways to reopen it or open a second view
 * of the same database. Everything opened through it is closed after the test.
 */
export interface StoresHarness {
  /** The set opened for this test (replaced by `reopen`). */
  readonly stores: Stores;
  /** Closes the current set and opens the same database again; returns the new set. */
  reopen(): Promise<Stores>;
  /** Another process's view of the same database; closed after the test. */
  sibling(): Promise<Stores>;
}
