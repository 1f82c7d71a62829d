/**
 * What discovery reads of the configuration: where the skills are, what it
 * leaves out, the validation rule sets a user may choose and their defaults.
 * A leaf module, so that the command line knows them without loading
 * validation.
 *
 * @module
 */
import type { RepositoryLayout } from "../fs/paths.ts";

/** The rule sets. */
export const RULE_SETS = ["agentskills", "clawhub", "orchestrator"] as const;

/** A rule set's name. */
export type RuleSet = typeof RULE_SETS[number];

/** The rule sets used when none are configured. */
export const DEFAULT_RULE_SETS: readonly RuleSet[] = ["agentskills", "clawhub"];

/** The part of the configuration discovery reads. */
export interface DiscoverySettings extends RepositoryLayout {
  /** The validation rule sets. */
  readonly ruleSets: readonly RuleSet[];
  /** Whether validation warnings exclude skills from merging. */
  readonly strict: boolean;
  /** Skills never merged or archived, by path (repository-relative) or name. */
  readonly pinned: readonly string[];
}
