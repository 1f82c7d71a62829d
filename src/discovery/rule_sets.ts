/**
 * The validation rule sets a user may choose: a leaf module, so that the
 * command line knows them without loading validation.
 *
 * @module
 */

/** The rule sets. */
export const RULE_SETS = ["agentskills", "clawhub", "orchestrator"] as const;

/** A rule set's name. */
export type RuleSet = typeof RULE_SETS[number];

/** The rule sets used when none are configured. */
export const DEFAULT_RULE_SETS: readonly RuleSet[] = ["agentskills", "clawhub"];
