/**
 * A member's references to itself, renamed to the master: once merged, its
 * old name is no skill any more, so a start-up line that loads "the
 * `foo-helper` skill", a `/foo-helper` command, an `@foo-helper` mention or a
 * `skills/foo-helper/…` path would point at nothing.
 *
 * Only references that are to a skill are renamed: the bare name stays, since
 * a CLI or package often has the skill's name (`npm install -g foo-helper`,
 * `foo-helper --version`), and so does a path that merely ends in it
 * (`~/bin/foo-helper`).
 *
 * @module
 */

/**
 * Renames a text's references to a skill's old names.
 *
 * @param text Markdown.
 * @param oldNames The names the skill had (its name, its folder's name).
 * @param name The master's name.
 * @returns The text, every reference to the skill by an old name renamed.
 *
 * @example
 * ```ts
 * import { renameSelfReferences } from "./self_references.ts";
 * const text = "Run the `foo-helper` skill (or /foo-helper), then `foo-helper --version`.";
 * console.assert(
 *   renameSelfReferences(text, ["foo-helper"], "foo") === "Run the `foo` skill (or /foo), then `foo-helper --version`.",
 * );
 * ```
 */
export function renameSelfReferences(text: string, oldNames: readonly string[], name: string): string {
  let renamed = text;
  for (const old of new Set(oldNames)) {
    // Most texts never name the skill: the patterns below are not run over them.
    if (old === name || old.trim() === "" || !renamed.toLowerCase().includes(old.toLowerCase())) continue;
    const escaped = old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    renamed = renamed
      // "the `foo-helper` skill", "foo-helper skill"
      .replace(new RegExp(`(?<![\\w/.@-])([\`'"*]*)${escaped}(?![\\w-])(?=[\`'"*]*\\s+skill\\b)`, "gi"), `$1${name}`)
      // "skill `foo-helper`", "skill: foo-helper", "Skill(foo-helper)", "use_skill('foo-helper')"
      .replace(
        new RegExp(`(\\bskill(?:\\(|:?\\s+)[\`'"*]*)${escaped}(?![\\w-])`, "gi"),
        (_match, lead: string) => `${lead}${name}`,
      )
      // a slash command or a mention: "/foo-helper", "@foo-helper" (not a path, a scope or an e-mail address)
      .replace(new RegExp(`(?<![\\w/.~:$@-])([/@])${escaped}(?![\\w/@-]|\\.\\w)`, "gi"), `$1${name}`)
      // where the skill's files are: "skills/foo-helper/scripts/run.sh"
      .replace(new RegExp(`(\\bskills/)${escaped}(?=/|[^\\w-]|$)`, "gi"), `$1${name}`);
  }
  return renamed;
}
