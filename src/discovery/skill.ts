/**
 * The skill model, and reading one skill file into it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { SemVer } from "../semver.ts";
import { coerceSemver, parseSemver } from "../semver.ts";
import type { SkillLayout } from "./find_skill_files.ts";
import { type FileDiagnostic, type Frontmatter, parseFrontmatter } from "./frontmatter.ts";
import { outlineSections, type Section } from "./sections.ts";
import { bodyExcerpt } from "../embedding/skill_text.ts";
import { extractFeatures, type SkillFeatures } from "../clustering/features.ts";

/** A skill's version and where it came from. */
export interface SkillVersion {
  /** The version as written. */
  text: string;
  /** The version read as semver, leniently (`1.0` → 1.0.0); absent when it is not a version at all. */
  semver?: SemVer;
  /** Whether `text` is strict semver. */
  strict: boolean;
  /** Where it was found. */
  source: "frontmatter" | "_meta.json";
}

/** A skill, as discovery read it. The body itself is not kept: a hash and the path identify the bytes. */
export interface Skill {
  /** The file, relative to the repository root, POSIX separators. */
  path: string;
  /** Flat file or `<name>/SKILL.md` folder. */
  layout: SkillLayout;
  /** The folder's name (folder layout) or the file's name without `.md` (flat). */
  slug: string;
  /** The skill's name: the frontmatter's, else the slug. */
  name: string;
  /** The description; empty when there is none. */
  description: string;
  /** The version, from the frontmatter or a ClawHub `_meta.json` beside the file. */
  version?: SkillVersion;
  /** The author: frontmatter, else `_meta.json`'s `owner`. */
  author?: string;
  /** The category. */
  category?: string;
  /** Tags: frontmatter `tags`, else `metadata.tags`. */
  tags: string[];
  /** The licence. */
  license?: string;
  /** The AgentSkills `compatibility` text. */
  compatibility?: string;
  /** The `metadata` mapping (a JSON string there is parsed). */
  metadata: Record<string, unknown>;
  /** OpenClaw's gating metadata: `metadata.openclaw`, or the legacy `metadata.clawdbot` / `metadata.clawdis`. */
  openclaw?: Record<string, unknown>;
  /** The whole frontmatter as read. */
  frontmatter: Record<string, unknown>;
  /** The body's outline. */
  sections: Section[];
  /** The start of the body, white space collapsed: what is embedded besides name, description and headings. */
  excerpt: string;
  /** SHA-256 of the file's bytes, hex. */
  contentHash: string;
  /** The file's size in bytes. */
  size: number;
  /** The 1-based line where the body starts. */
  bodyLine: number;
  /** Whether an error keeps this skill out of merging. */
  excluded: boolean;
  /** What clustering needs of the text. */
  features: SkillFeatures;
}

/** What a ClawHub `_meta.json` beside a SKILL.md holds that discovery uses. */
export interface ClawHubMeta {
  owner?: string;
  version?: string;
}

/** The input of {@linkcode readSkill}. */
export interface SkillSource {
  /** The repository-relative path. */
  path: string;
  layout: SkillLayout;
  slug: string;
  bytes: Uint8Array;
  meta?: ClawHubMeta | undefined;
}

/** The outcome of reading one skill file. */
export interface SkillReading {
  /** The skill, when its frontmatter could be read. */
  skill?: Skill;
  /** The body text, for callers that extract features while it is at hand. */
  body?: string;
  /** Where each frontmatter key stands, for validation's diagnostics. */
  keyLines?: ReadonlyMap<string, number>;
  /** What is wrong with the file. */
  diagnostics: FileDiagnostic[];
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a skill file's bytes into a {@linkcode Skill}. Never throws: whatever
 * is wrong becomes a diagnostic.
 *
 * @param source The file's path, layout, bytes and `_meta.json`.
 * @returns The skill (when the frontmatter was read), the body and diagnostics.
 */
export function readSkill(source: SkillSource): SkillReading {
  const { bytes } = source;
  const decoded = decodeSkillText(bytes);
  if ("diagnostics" in decoded) return decoded;
  const { text } = decoded;
  const frontmatter = parseFrontmatter(text);
  const diagnostics = [...frontmatter.diagnostics];
  if (!frontmatter.data) return { diagnostics };
  const fields = new FieldReader(frontmatter, diagnostics);
  const metadata = fields.mapping("metadata");
  const frontmatterVersion = fields.text("version");
  const version = frontmatterVersion !== undefined
    ? makeVersion(frontmatterVersion, "frontmatter")
    : source.meta?.version !== undefined
    ? makeVersion(source.meta.version, "_meta.json")
    : undefined;
  const name = fields.text("name");
  const description = fields.text("description") ?? "";
  const openclaw = mappingOf(metadata.openclaw) ?? mappingOf(metadata.clawdbot) ?? mappingOf(metadata.clawdis);
  const skill: Skill = {
    path: source.path,
    layout: source.layout,
    slug: source.slug,
    name: name ?? source.slug,
    description,
    tags: fields.list("tags") ?? listOf(metadata.tags) ?? [],
    metadata,
    frontmatter: frontmatter.data,
    sections: outlineSections(frontmatter.body, frontmatter.bodyLine),
    excerpt: bodyExcerpt(frontmatter.body),
    contentHash: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    bodyLine: frontmatter.bodyLine,
    excluded: false,
    features: extractFeatures({ name: name ?? source.slug, description, openclaw, text, body: frontmatter.body }),
  };
  const optional = {
    version,
    author: fields.person("author") ?? source.meta?.owner,
    category: fields.text("category"),
    license: fields.text("license"),
    compatibility: fields.text("compatibility"),
    openclaw,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(skill, { [key]: value });
  }
  if (name === undefined && skill.description === "") {
    diagnostics.push({
      line: 2,
      severity: "error",
      rule: "skill/identity",
      message: "the frontmatter has neither a name nor a description",
    });
  }
  return { skill, body: frontmatter.body, keyLines: frontmatter.keyLines, diagnostics };
}

/**
 * A skill file's text, or why it has none: empty, binary (a NUL byte) or not UTF-8. A byte order mark is dropped.
 *
 * @param bytes The file's bytes.
 * @returns The text, or the diagnostic that says why not.
 */
function decodeSkillText(bytes: Uint8Array): { text: string } | { diagnostics: FileDiagnostic[] } {
  if (bytes.every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)) {
    return { diagnostics: [{ severity: "error", rule: "file/empty", message: "the file is empty" }] };
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // NUL is valid UTF-8, but no Markdown holds one: the file is binary, or built to confuse whatever reads it next.
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const start = Math.max(bytes.lastIndexOf(0x0a, nul) + 1, bom ? 3 : 0);
    return {
      diagnostics: [{
        line: lineAt(bytes, nul),
        column: [...new TextDecoder().decode(bytes.subarray(start, nul))].length + 1,
        severity: "error",
        rule: "file/nul",
        message: `the file holds a NUL byte (offset ${nul}): it is binary, not Markdown`,
      }],
    };
  }
  try {
    return { text: UTF8.decode(bom ? bytes.subarray(3) : bytes) };
  } catch {
    const offset = invalidUtf8Offset(bytes);
    return {
      diagnostics: [{
        line: lineAt(bytes, offset),
        severity: "error",
        rule: "file/encoding",
        message: `the file is not valid UTF-8 (first bad byte at offset ${offset})`,
      }],
    };
  }
}

function makeVersion(text: string, source: SkillVersion["source"]): SkillVersion {
  const semver = coerceSemver(text);
  return { text, strict: parseSemver(text) !== undefined, source, ...(semver ? { semver } : {}) };
}

/** Reads typed fields out of the frontmatter, reporting values of the wrong type. */
class FieldReader {
  #frontmatter: Frontmatter;
  #diagnostics: FileDiagnostic[];

  constructor(frontmatter: Frontmatter, diagnostics: FileDiagnostic[]) {
    this.#frontmatter = frontmatter;
    this.#diagnostics = diagnostics;
  }

  get #data(): Record<string, unknown> {
    return this.#frontmatter.data ?? {};
  }

  #warn(key: string, message: string): void {
    const line = this.#frontmatter.keyLines.get(key);
    this.#diagnostics.push({
      ...(line === undefined ? {} : { line }),
      severity: "warning",
      rule: "field/type",
      message: `${key}: ${message}`,
    });
  }

  /** A string field; numbers and booleans are read as their source text, with a warning. */
  text(key: string): string | undefined {
    const value = this.#data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
    if (typeof value === "number" || typeof value === "boolean") {
      const source = this.#frontmatter.numberSources.get(key) ?? String(value);
      this.#warn(key, `is a ${typeof value} in YAML; read as the text "${source}" (quote it to make it a string)`);
      return source;
    }
    if (value instanceof Date) {
      this.#warn(key, "is a date in YAML; read as text");
      return value.toISOString().slice(0, 10);
    }
    this.#warn(key, `should be text, not ${describe(value)}; ignored`);
    return undefined;
  }

  /** A person: a string, or a mapping with a `name`. */
  person(key: string): string | undefined {
    const value = this.#data[key];
    const named = mappingOf(value)?.name;
    if (typeof named === "string" && named.trim() !== "") return named.trim();
    return this.text(key);
  }

  /** A list of strings; a comma-separated string is split, with a warning. */
  list(key: string): string[] | undefined {
    const value = this.#data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") {
      this.#warn(key, `is a string; read as a comma-separated list (write it as [a, b])`);
      return listOf(value);
    }
    const list = listOf(value);
    if (list === undefined) this.#warn(key, `should be a list, not ${describe(value)}; ignored`);
    return list;
  }

  /** A mapping; a JSON object in a string is parsed. */
  mapping(key: string): Record<string, unknown> {
    const value = this.#data[key];
    if (value === undefined || value === null) return {};
    const mapping = mappingOf(value);
    if (mapping) return mapping;
    if (typeof value === "string") {
      try {
        const parsed = mappingOf(JSON.parse(value));
        if (parsed) return parsed;
      } catch {
        // Reported below.
      }
    }
    this.#warn(key, `should be a mapping, not ${describe(value)}; ignored`);
    return {};
  }
}

function mappingOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
    ? value as Record<string, unknown>
    : undefined;
}

function listOf(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (!Array.isArray(value)) return undefined;
  return value.filter((item) => ["string", "number", "boolean"].includes(typeof item)).map((item) =>
    String(item).trim()
  ).filter((item) => item !== "");
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/** The offset of the first byte that breaks UTF-8 (only called once decoding failed). */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    const length = byte < 0x80
      ? 1
      : (byte & 0xe0) === 0xc0
      ? 2
      : (byte & 0xf0) === 0xe0
      ? 3
      : (byte & 0xf8) === 0xf0
      ? 4
      : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      UTF8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return i;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
