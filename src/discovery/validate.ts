/**
 * Validation of skills under the rule sets users choose from:
 *
 * - `agentskills`: the AgentSkills specification (name format and length,
 *   name equal to its folder, description 1–1024 characters, compatibility at
 *   most 500);
 * - `clawhub`: ClawHub's registry rules (a semver `version`, folder slugs);
 * - `orchestrator`: the original orchestrator's fields (name, description,
 *   version, author, category, tags).
 *
 * Every breach is a warning that is reported but does not stop a merge. In
 * strict mode warnings become errors, which exclude the skill from merging.
 *
 * @module
 */

import type { FileDiagnostic } from "./frontmatter.ts";
import type { Skill } from "./skill.ts";
import type { RuleSet } from "./discovery_settings.ts";

const AGENTSKILLS_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CLAWHUB_SLUG = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Checks a skill against the chosen rule sets. The base rules, which hold
 * whatever the rule sets, are applied too: a name and a description.
 *
 * @param skill The skill.
 * @param ruleSets The rule sets to apply.
 * @param keyLines Where each frontmatter key stands, for diagnostics' lines.
 * @returns The breaches found, as warnings.
 */
export function validateSkill(
  skill: Skill,
  ruleSets: readonly RuleSet[],
  keyLines: ReadonlyMap<string, number> = new Map(),
): FileDiagnostic[] {
  const diagnostics: FileDiagnostic[] = [];
  const warn = (rule: string, key: string, message: string) =>
    diagnostics.push({
      ...(keyLines.has(key) ? { line: keyLines.get(key)! } : {}),
      severity: "warning",
      rule,
      message,
    });
  const hasName = typeof skill.frontmatter.name === "string" && skill.frontmatter.name.trim() !== "";
  if (!hasName && skill.description !== "") {
    warn(
      "skill/name-missing",
      "name",
      `no name; the ${skill.layout === "folder" ? "folder" : "file"} name "${skill.slug}" is used`,
    );
  }
  if (hasName && skill.description === "") warn("skill/description-missing", "description", "no description");

  if (ruleSets.includes("agentskills")) agentSkillsBreaches(skill, hasName, warn);
  if (ruleSets.includes("clawhub")) clawHubBreaches(skill, warn);
  if (ruleSets.includes("orchestrator")) orchestratorBreaches(skill, hasName, warn);
  return diagnostics;
}

/** Reports a breach of a rule, at the line of a frontmatter key. */
type Warn = (rule: string, key: string, message: string) => void;

/** The AgentSkills specification: name format and length, name matching the folder, field lengths. */
function agentSkillsBreaches(skill: Skill, hasName: boolean, warn: Warn): void {
  if (!AGENTSKILLS_NAME.test(skill.name)) {
    warn(
      "agentskills/name-format",
      "name",
      `name "${skill.name}" must be lower-case letters, digits and single hyphens`,
    );
  }
  if (skill.name.length > 64) {
    warn("agentskills/name-length", "name", `name is ${skill.name.length} characters long; at most 64 are allowed`);
  }
  if (hasName && skill.layout === "folder" && skill.name !== skill.slug) {
    warn("agentskills/name-folder", "name", `name "${skill.name}" differs from its folder "${skill.slug}"`);
  }
  if (skill.description.length > 1024) {
    warn(
      "agentskills/description-length",
      "description",
      `description is ${skill.description.length} characters long; at most 1024 are allowed`,
    );
  }
  if (skill.compatibility !== undefined && skill.compatibility.length > 500) {
    warn(
      "agentskills/compatibility-length",
      "compatibility",
      `compatibility is ${skill.compatibility.length} characters long; at most 500 are allowed`,
    );
  }
}

/** ClawHub's registry: a semver version, a slug folder name. */
function clawHubBreaches(skill: Skill, warn: Warn): void {
  if (skill.version === undefined) {
    warn("clawhub/version-missing", "version", "no version in the frontmatter or a _meta.json beside it");
  } else if (!skill.version.strict) {
    warn(
      "clawhub/version-semver",
      "version",
      `version "${skill.version.text}" is not semver (MAJOR.MINOR.PATCH)${
        skill.version.semver ? "; it is read as a near-version" : ""
      }`,
    );
  }
  if (skill.layout === "folder" && !CLAWHUB_SLUG.test(skill.slug)) {
    warn(
      "clawhub/slug",
      "name",
      `folder "${skill.slug}" is not a ClawHub slug (lower-case letters, digits, hyphens)`,
    );
  }
}

/** This program's own house rules: every descriptive field present in the frontmatter. */
function orchestratorBreaches(skill: Skill, hasName: boolean, warn: Warn): void {
  const present: Record<string, boolean> = {
    name: hasName,
    description: skill.description !== "",
    version: skill.version?.source === "frontmatter",
    author: skill.frontmatter.author !== undefined,
    category: skill.category !== undefined,
    tags: skill.frontmatter.tags !== undefined,
  };
  for (const [field, isPresent] of Object.entries(present)) {
    if (!isPresent) warn("orchestrator/field-missing", field, `no ${field} in the frontmatter`);
  }
}
