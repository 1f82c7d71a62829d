/**
 * What publishing reads of the configuration, and its default remote: a leaf
 * module, so that the command line and configuration know them without
 * loading git.
 *
 * @module
 */

import type { Secret } from "../secret.ts";

/** The remote commits are pushed to when none is configured. */
export const DEFAULT_REMOTE = "origin";

/** The part of the configuration publishing reads. */
export interface PublishingSettings {
  /** Where commits go: the remote, the branch (the current one when absent), the author (the repository's when absent). */
  readonly git: { remote: string; branch?: string | undefined; author?: string | undefined };
  /** Every text form of every secret in the configuration: a commit holding one is refused. */
  readonly secrets: readonly Secret[];
}
