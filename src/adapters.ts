/**
 * The outside systems a run works through, each behind one adapter: what the
 * pipeline is given and hands to its phases.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { Embedder, ModelInfo } from "./embedding/embedder.ts";
import type { FileSystem } from "./fs/file_system.ts";
import type { RepositoryWriter } from "./fs/repository_writer.ts";
import type { Git } from "./publishing/git.ts";
import type { RelayClient } from "./nostr/relay_client.ts";
import type { Progress } from "./progress.ts";
import type { StateStore } from "./store/state_store.ts";

/** The adapters a run works through. */
export interface PipelineAdapters {
  /** Run history and caches. */
  store: StateStore;
  /** The time. */
  clock: Clock;
  /** The repository's files. */
  fs: FileSystem;
  /** The embedding model: its identity, and how to load it when something needs embedding. */
  embedder: EmbedderSource;
  /** Writes the repository (and nothing outside it). */
  repository: RepositoryWriter;
  /** Git in the repository (the binary, or isomorphic-git where there is none); without it publishing is skipped. */
  git?: Git | undefined;
  /** Nostr relays; without a client, events wait in the outbox. */
  relays?: RelayClient | undefined;
  /** Shows the long phases' progress (a terminal's stderr); nothing by default. */
  progress?: Progress | undefined;
}

/** An embedding model that is loaded only when needed. */
export interface EmbedderSource {
  /** The model's identity, known without loading it. */
  model: ModelInfo;
  /** Loads the model. */
  load(): Promise<Embedder>;
}
