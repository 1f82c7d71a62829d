/**
 * What clustering needs to know of a skill's text, extracted by discovery
 * while the text is in memory (the text itself is not kept).
 *
 * The evidence that two skills are the same tool is identity, not wording:
 * the service's hosts, the CLI binaries and packages it runs, the environment
 * variables it reads, the words of its title and description. Wording alone
 * (the distinct words of the whole file) tells copies apart from rewrites.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** A skill's clustering features. Plain data: it travels from workers and into the cache. */
export interface SkillFeatures {
  /** The distinct words of the whole file (frontmatter and body), lower-cased, at most {@linkcode MAX_TERMS}. */
  terms: string[];
  /** Registrable domains of the URLs in the file (`api.todoist.com` → `todoist.com`). */
  hosts: string[];
  /** CLI binaries and packages the skill runs or installs (`requires.bins`, `install[]`, `npx x`, `pip install y`…). */
  tools: string[];
  /** Names of environment variables that configure a service (`LINEAR_API_KEY`, `WHOOP_CLIENT_ID`). */
  env: string[];
  /** Words of the first `#` heading. */
  title: string[];
  /** Words of the description. */
  description: string[];
  /** Words of the name. */
  name: string[];
  /** SHA-256 of the body with white space collapsed and case folded: equal for copies that differ only in frontmatter or spacing. */
  bodyHash: string;
  /** How many words the body has: an empty or one-line stub body says nothing of what a skill is. */
  bodyWords: number;
  /**
   * The body's word 5-shingles as 31-bit hashes, distinct and sorted, at most {@linkcode MAX_SHINGLES}: what the
   * library compares once it has removed the shingles many differently named skills share (a template's text).
   */
  shingles: Int32Array;
  /** Words of the body written {@linkcode PROMINENT_COUNT} times or more, most frequent first: what it is mostly about. */
  prominent: string[];
}

/** The most shingles kept per skill (the first ones met): a copy shares its first pages. */
export const MAX_SHINGLES = 2000;

/** How many words a shingle spans. */
export const SHINGLE_WORDS = 5;

/** How often a body must use a word for it to be among the words the skill is mostly about. */
export const PROMINENT_COUNT = 3;

/** The most prominent words kept per skill. */
const MAX_PROMINENT = 32;

/** The most distinct words kept per skill. */
export const MAX_TERMS = 4000;

const WORD = /[\p{L}\p{N}]+/gu;
const URL_HOST = /\bhttps?:\/\/([a-z0-9.-]+\.[a-z]{2,})(?::\d+)?/gi;
const ENV_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
/**
 * Only variables that configure a service say which service it is: keys,
 * tokens, secrets, accounts and endpoints. `POST_ID` or `MAX_RESULTS` say
 * nothing of the kind.
 */
const SERVICE_VARIABLE =
  /_(?:API_KEY|KEY|TOKEN|SECRET|SESSION|PASSWORD|CLIENT_ID|CLIENT_SECRET|APP_ID|APP_KEY|ACCOUNT_ID|ACCOUNT|URL|HOST|ENDPOINT|WEBHOOK)$/;
const INSTALL =
  /\b(?:npx(?:\s+-y)?|npm\s+(?:install|i)\s+(?:-g\s+|--global\s+)?|pnpm\s+(?:add|dlx)\s+|yarn\s+(?:global\s+)?add\s+|pipx?\s+install\s+|uvx?\s+(?:tool\s+install\s+)?|brew\s+install\s+(?:--cask\s+)?|cargo\s+install\s+|go\s+install\s+|gem\s+install\s+)\s*([@a-z0-9][\w./@-]*)/gi;
const SECOND_LEVEL = new Set(["co", "com", "net", "org", "gov", "edu", "ac"]);

/**
 * Hosting platforms whose subdomains are other people's sites (`onlymolts.vercel.app`): each subdomain is its own
 * site, as the public suffix list has it, not the platform.
 */
export const HOSTING_SUFFIXES: readonly string[] = [
  "vercel.app",
  "up.railway.app",
  "railway.app",
  "herokuapp.com",
  "netlify.app",
  "github.io",
  "pages.dev",
  "workers.dev",
  "fly.dev",
  "onrender.com",
  "appspot.com",
  "ngrok.io",
  "ngrok-free.app",
  "replit.app",
  "glitch.me",
  "supabase.co",
  "azurewebsites.net",
];

/** Hosts that stand for "your site here" in examples, or the user's own network: they name no service. */
const PLACEHOLDER_HOST =
  /^(?:example\.(?:com|org|net)|localhost|.*your[-_]?(?:server|domain|site|app|host|api|instance).*|domain\.com|test\.com|.*\.(?:local|lan|internal|localdomain|home\.arpa))$/;

/**
 * Programs nearly every skill runs (interpreters, package managers, shells, generic utilities) and the HTTP and
 * settings libraries scripts pull in: using one says nothing of which tool a skill is.
 */
const GENERIC_TOOLS = new Set([
  "axios",
  "dotenv",
  "httpx",
  "node-fetch",
  "python-dotenv",
  "requests",
  "bash",
  "brew",
  "bun",
  "cargo",
  "curl",
  "ffmpeg",
  "deno",
  "docker",
  "git",
  "go",
  "jq",
  "make",
  "node",
  "nodejs",
  "npm",
  "npx",
  "openssl",
  "pip",
  "pip3",
  "pipx",
  "pnpm",
  "python",
  "python3",
  "sh",
  "sqlite3",
  "uv",
  "uvx",
  "wget",
  "yarn",
  "zsh",
]);

/**
 * First words of variables that configure infrastructure any skill may use (`DATABASE_URL`, `API_KEY`,
 * `WEBHOOK_URL`), not one service.
 */
const GENERIC_VARIABLE_PREFIX = new Set([
  "ACCESS",
  "ADMIN",
  "API",
  "APP",
  "AUTH",
  "BASE",
  "CLIENT",
  "DATABASE",
  "DB",
  "ENCRYPTION",
  "HTTP",
  "HTTPS",
  "JWT",
  "LOCAL",
  "MAIL",
  "MONGO",
  "MONGODB",
  "MYSQL",
  "POSTGRES",
  "PRIVATE",
  "PROXY",
  "PUBLIC",
  "REDIS",
  "REMOTE",
  "RPC",
  "SECRET",
  "SERVER",
  "SERVICE",
  "SESSION",
  "SMTP",
  "USER",
  "WALLET",
  "WEBHOOK",
]);

/**
 * Splits text into lower-cased words.
 *
 * @param text Any text.
 * @returns Its words of 2 to 40 characters.
 */
export function words(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).filter((word) => word.length >= 2 && word.length <= 40);
}

/**
 * The distinct words of a text, as {@linkcode words} finds them, in the order
 * they first appear. One pass over the characters, with no array of every
 * word: this is most of the work of discovering a skill.
 *
 * @param text Any text.
 * @param max The most words returned (the first `max` distinct ones).
 * @returns The distinct lower-cased words of 2 to 40 characters.
 */
export function distinctWords(text: string, max: number): string[] {
  const lower = text.toLowerCase();
  const found = new Set<string>();
  const add = (from: number, to: number) => {
    if (to - from >= 2 && to - from <= 40) found.add(lower.slice(from, to));
  };
  let start = -1;
  for (let i = 0; i < lower.length && found.size < max;) {
    const width = wordCharWidth(lower, i);
    if (width > 0) {
      if (start < 0) start = i;
      i += width;
      continue;
    }
    if (start >= 0) add(start, i);
    start = -1;
    i++;
  }
  if (start >= 0 && found.size < max) add(start, lower.length);
  return [...found];
}

const WORD_CHAR = /^[\p{L}\p{N}]$/u;
/** Per UTF-16 code unit below the surrogates and above: 1 for a letter or digit, 0 not, -1 not yet known. */
const BMP_WORD_CHAR = new Int8Array(0x10000).fill(-1);

/** The code units of the letter or digit at `i` (2 for one outside the BMP), or 0 when there is none. */
function wordCharWidth(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const point = text.codePointAt(i)!;
    return point > 0xffff && WORD_CHAR.test(String.fromCodePoint(point)) ? 2 : 0;
  }
  let known = BMP_WORD_CHAR[unit]!;
  if (known < 0) known = BMP_WORD_CHAR[unit] = WORD_CHAR.test(String.fromCharCode(unit)) ? 1 : 0;
  return known;
}

/** The parts of a skill {@linkcode extractFeatures} reads. */
export interface FeatureSource {
  name: string;
  description: string;
  /** OpenClaw's gating metadata, if any. */
  openclaw?: Record<string, unknown> | undefined;
  /** The whole file's text. */
  text: string;
  /** The body. */
  body: string;
}

/**
 * Extracts a skill's clustering features.
 *
 * @param source The skill's name, description, metadata and texts.
 * @returns The features.
 */
export function extractFeatures(source: FeatureSource): SkillFeatures {
  const hosts = new Set<string>();
  for (const match of source.text.matchAll(URL_HOST)) hosts.add(registrableDomain(match[1]!.toLowerCase()));
  const env = new Set((source.text.match(ENV_NAME) ?? []).filter((name) => SERVICE_VARIABLE.test(name)));
  const tools = new Set<string>();
  for (const match of source.text.matchAll(INSTALL)) tools.add(packageName(match[1]!));
  collectGating(source.openclaw, tools, env);
  // What names no service in particular is no identity: placeholders, everyone's programs, infrastructure settings.
  for (const host of hosts) if (PLACEHOLDER_HOST.test(host)) hosts.delete(host);
  // `python3.10`, `ffmpeg-full`, `docker-compose`: a generic program in another build or with a plugin.
  for (const tool of tools) if (GENERIC_TOOLS.has(tool.replace(/[\d.]+$/, "").split("-")[0]!)) tools.delete(tool);
  for (const name of env) if (GENERIC_VARIABLE_PREFIX.has(name.split("_")[0]!)) env.delete(name);
  const title = /^#\s+(.+)$/m.exec(source.body)?.[1] ?? "";
  return {
    terms: distinctWords(source.text, MAX_TERMS),
    hosts: [...hosts].sort(),
    tools: [...tools].filter((tool) => tool !== "").sort(),
    env: [...env].sort(),
    title: [...new Set(words(title))],
    description: [...new Set(words(source.description))],
    name: [...new Set(words(source.name.replace(/[-_]/g, " ")))],
    bodyHash: createHash("sha256").update(source.body.replace(/\s+/g, " ").trim().toLowerCase()).digest("hex"),
    bodyWords: source.body.match(WORD)?.length ?? 0,
    ...bodyWordFeatures(source.body),
  };
}

/**
 * The body's shingles and prominent words, from one pass over its words.
 *
 * @param body The body.
 * @returns Its shingle hashes (sorted, distinct, at most {@linkcode MAX_SHINGLES}) and prominent words.
 */
function bodyWordFeatures(body: string): { shingles: Int32Array; prominent: string[] } {
  const found = words(body);
  const shingles = new Set<number>();
  for (let i = 0; i + SHINGLE_WORDS <= found.length && shingles.size < MAX_SHINGLES; i++) {
    let hash = 0x811c9dc5;
    for (let k = i; k < i + SHINGLE_WORDS; k++) {
      const word = found[k]!;
      for (let c = 0; c < word.length; c++) hash = Math.imul(hash ^ word.charCodeAt(c), 0x01000193);
      hash = Math.imul(hash ^ 0x20, 0x01000193);
    }
    shingles.add(hash >>> 1);
  }
  const counts = new Map<string, number>();
  for (const word of found) counts.set(word, (counts.get(word) ?? 0) + 1);
  const prominent = [...counts].filter(([, count]) => count >= PROMINENT_COUNT)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_PROMINENT).map(([word]) => word);
  // A typed array: 4 bytes a shingle, where an array of numbers took 10 (60,000 skills hold 30 million of them).
  return { shingles: Int32Array.from(shingles).sort(), prominent };
}

/**
 * Whether a host is a site on a hosting platform (`onlymolts.vercel.app`): somebody's own deployment.
 *
 * @param host A registrable host, as features hold them.
 * @returns `true` for a subdomain of a hosting platform.
 *
 * @example
 * ```ts
 * import { onHostingPlatform } from "./features.ts";
 * console.assert(onHostingPlatform("onlymolts.vercel.app") && !onHostingPlatform("todoist.com"));
 * ```
 */
export function onHostingPlatform(host: string): boolean {
  return HOSTING_SUFFIXES.some((suffix) => host.endsWith(`.${suffix}`));
}

/** `api.prod.whoop.com` → `whoop.com`; `bbc.co.uk` stays; `shop.vercel.app` stays (a site on a hosting platform). */
function registrableDomain(host: string): string {
  const bare = host.replace(/^www\./, "");
  const platform = HOSTING_SUFFIXES.find((suffix) => bare.endsWith(`.${suffix}`));
  if (platform) return `${bare.slice(0, -platform.length - 1).split(".").pop()}.${platform}`;
  const labels = bare.split(".");
  const keep = labels.length >= 3 && SECOND_LEVEL.has(labels[labels.length - 2]!) ? 3 : 2;
  return labels.slice(-keep).join(".");
}

/** `@scope/pkg@1.2` → `@scope/pkg`; `pkg==1.0` → `pkg`; a URL or path → its last part. */
function packageName(spec: string): string {
  const trimmed = spec.replace(/[.,;:)]+$/, "");
  const scoped = trimmed.startsWith("@");
  const withoutVersion = (scoped ? "@" + trimmed.slice(1).split("@")[0] : trimmed.split("@")[0])!.split(/[=<>~^]/)[0]!;
  return withoutVersion.toLowerCase();
}

function collectGating(openclaw: Record<string, unknown> | undefined, tools: Set<string>, env: Set<string>): void {
  if (!openclaw) return;
  const requires = (openclaw.requires ?? {}) as Record<string, unknown>;
  for (const key of ["bins", "anyBins"]) {
    for (const bin of asStrings(requires[key])) tools.add(bin.toLowerCase());
  }
  for (const name of asStrings(requires.env)) env.add(name);
  if (typeof openclaw.primaryEnv === "string") env.add(openclaw.primaryEnv);
  for (const step of Array.isArray(openclaw.install) ? openclaw.install : []) {
    if (typeof step !== "object" || step === null) continue;
    const record = step as Record<string, unknown>;
    for (const key of ["formula", "package", "module", "cask"]) {
      for (const name of asStrings(record[key])) tools.add(packageName(name));
    }
    for (const key of ["bins", "packages"]) {
      for (const name of asStrings(record[key])) tools.add(packageName(name));
    }
  }
}

function asStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
