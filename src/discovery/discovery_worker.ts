/**
 * A worker that reads a share of the skill files, so discovery uses every
 * core. It reads the local disk: discovery runs inline instead when given
 * another file system.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { denoFileSystem } from "../fs/file_system.ts";
import { type ReadOptions, readSkillFiles, type StampedFile } from "./read_skill_files.ts";

/** The message a discovery worker takes. */
export interface DiscoveryWorkerRequest {
  /** The files to read. */
  files: StampedFile[];
  /** How to read them. */
  options: ReadOptions;
}

self.onmessage = (event: MessageEvent<DiscoveryWorkerRequest>) => {
  self.postMessage(readSkillFiles(denoFileSystem, event.data.files, event.data.options));
};
