/**
 * What every command is given, from the command line or a caller such as a
 * test: the input configuration is validated from.
 *
 * @module
 */

import type { RuleSet } from "./discovery/rule_sets.ts";
import type { EvidenceThresholds } from "./clustering/thresholds.ts";
import type { LogLevelName } from "./log_level.ts";

/** Options shared by every command. */
export interface CommonOptions {
  /** The repository directory, as given (default: current directory). */
  repo: string;
  /** The skills directory, relative to the repository unless absolute. */
  skillsDir: string;
  /** The state directory, relative to the repository unless absolute. */
  stateDir: string;
  /** The archive directory, relative to the repository unless absolute. */
  archiveDir: string;
  /** The validation rule sets. */
  ruleSets: RuleSet[];
  /** Turn validation warnings into errors that keep a skill out of merging. */
  strict: boolean;
  /** Another transformers.js feature-extraction model directory than the bundled one. */
  model?: string | undefined;
  /** The least mean embedding cosine of a related cluster. */
  related: number;
  /** Overrides of the duplicate decision's thresholds. */
  duplicateThresholds: Partial<EvidenceThresholds>;
  /** The git remote to push to. */
  remote: string;
  /** The remote branch to push to; the current branch when absent. */
  branch?: string | undefined;
  /** The commit author, `Name <email>`; the repository's identity when absent. */
  gitAuthor?: string | undefined;
  /** Merge related clusters too, not only duplicates. */
  mergeRelated: boolean;
  /** The `.env` file to read; `undefined` for the default `./.env`. */
  envFile?: string | undefined;
  /** Print machine-readable JSON on stdout. */
  json: boolean;
  /** The lowest level of log record to show. */
  logLevel: LogLevelName;
}
