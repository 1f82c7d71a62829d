// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Generates a large skill library from the corpus, for benchmarks.
 *
 * By default it looks like a public skills registry ({@linkcode generateRegistry}): `<owner>/<slug>/SKILL.md` for
 * thousands of owners, most with one to five skills and a few with hundreds, in the shares of {@linkcode KIND_SHARES}:
 *
 * - `distinct`: a corpus skill made into another tool: its identity words (name and slug tokens, host labels,
 *   commands, env var prefixes) replaced by pseudo-words, one or two `##` sections swapped in from other skills;
 * - `copy`: one of {@linkcode POPULAR_SKILLS} popular skills (picked by Zipf's law) republished by another owner with
 *   small edits (version bumped, a line added or removed, blank lines, maybe a `-fork` suffix);
 * - `translation`: a popular skill whose description and some prose is translated word by word (es, de, fr);
 * - `generic`: a distinct tool under a workflow name unrelated projects reuse (`code-review`, `deploy`…);
 * - `template`: a skill-creator template with its placeholders left in;
 * - `tiny`: a frontmatter and one line, or one line; `large`: a distinct tool grown to 30–100 KB.
 *
 * A quarter of the files ({@linkcode BROKEN_SHARE}) have a description that breaks YAML one of the
 * {@linkcode BREAKAGES} ways, and {@linkcode UNCLOSED_SHARE} a frontmatter never closed. With `--copies` it writes the
 * older library of perturbed copies ({@linkcode generateLibrary}), so earlier figures stay reproducible.
 *
 * Usage: deno run --allow-read --allow-write bench/generate_library.ts SOURCE_SKILLS_DIR OUT_DIR COUNT [--seed N] [--copies]
 *
 * Prints the skills directory on stdout, then a summary of what was written on stderr.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { seededRandom } from "./sampling.ts";

/** The share of a registry's skills of each kind (see the module's documentation); they sum to 1. */
export const KIND_SHARES = {
  distinct: 0.78,
  copy: 0.10,
  translation: 0.03,
  generic: 0.05,
  template: 0.02,
  tiny: 0.01,
  large: 0.01,
} as const;
/** The share of all files whose frontmatter is closed but not YAML, evenly among the {@linkcode BREAKAGES}. */
export const BROKEN_SHARE = 0.25;
/** The share of all files whose frontmatter has no closing `---`. */
export const UNCLOSED_SHARE = 0.005;
/** How many corpus skills are popular enough to be copied and translated. */
export const POPULAR_SKILLS = 300;
/** How authors break a description's YAML: `| Use when…`, `Use when: the user…`, `**Bold**: …` (or `` ` ``, `@`, `%`). */
export const BREAKAGES = ["block-indicator", "colon-in-value", "reserved-start"] as const;

/** What kind of skill a file is. */
export type SkillKind = keyof typeof KIND_SHARES;
/** What was done to a file's frontmatter after its kind made it. */
export type FrontmatterState = "untouched" | typeof BREAKAGES[number] | "unclosed";

/** One file of a generated registry. */
export interface GeneratedSkill {
  /** Its path under the skills directory, `<owner>/<slug>/SKILL.md`. */
  path: string;
  kind: SkillKind;
  frontmatter: FrontmatterState;
}

/** How big a registry to generate, and from which seed. */
export interface RegistryOptions {
  /** How many skill files to write. */
  count: number;
  /** The random sequence's seed: the same seed writes the same files. Defaults to 1. */
  seed?: number;
}

/** What {@linkcode generateRegistry} wrote. */
export interface Registry {
  /** `OUT_DIR/skills`. */
  skillsDir: string;
  skills: GeneratedSkill[];
}

// Owners' sizes follow a power law, P(size >= k) = k^-1.3: 90% own at most 5 skills, a few own hundreds.
const OWNER_SIZE_EXPONENT = 1.3;
const MAX_OWNER_SKILLS = 800;
const LARGE_BYTES = [30_000, 100_000] as const;
const GENERIC_NAMES = ("code-review git-commit deploy summarize test-runner debug release-notes pr-review refactor " +
  "changelog lint docs-writer bug-triage commit-message standup translate research planner web-search").split(" ");
const TEMPLATES = [
  "---\nname: my-skill\ndescription: TODO\n---\n\n# My Skill\n\n[Your description here]\n\n## When to use\n\n" +
  "TODO: describe when this skill should be used.\n\n## Instructions\n\n1. [First step]\n2. [Second step]\n",
  '---\nname: skill-name\ndescription: "[TODO: Complete and informative explanation of what the skill does and when ' +
  'to use it.]"\n---\n\n# Skill Name\n\n## Overview\n\n[TODO: 1-2 sentences explaining what this skill enables]\n',
  "---\nname: my-skill\ndescription: [Your description here]\nversion: 0.1.0\n---\n\n# {{SKILL_NAME}}\n\n" +
  "{{DESCRIPTION}}\n\n## Usage\n\n```bash\n# TODO: add the command\n```\n",
  "---\nname: new-skill\ndescription: TODO - what this skill does and when to use it\n---\n\nTODO\n",
];
// Words that name no particular tool, left alone when a skill's identity is replaced (keeps the prose readable).
const COMMON_WORDS = new Set(
  ("skill skills api cli mcp tool tools agent agents bot the and for with manager helper client server assistant " +
    "integration pro plus lite simple basic auto smart data app web http https www use user json yaml markdown code " +
    "review task tasks file files search image text new get set run check build test docs doc chat email note notes " +
    "openclaw clawdbot moltbot clawhub clawdhub claude openai anthropic google googleapis githubusercontent npmjs pypi " +
    "example localhost python nodejs deno git npm npx node bun pnpm yarn pip pip3 python3 curl wget cd ls cat echo " +
    "export source sudo brew apt apt-get mkdir rm cp mv chmod grep sed awk jq docker kubectl make cargo go uv uvx " +
    "bunx pipx gh tar unzip touch head tail sort xargs find env if then else fi for do done while case esac function " +
    "local return exit true false read printf which open ssh scp rsync ps kill sleep date base64 openssl tee wc cut " +
    "diff zip tmux nohup time watch ln pwd unset eval exec access secret auth key token home path aws xdg db database " +
    "your my our github gitlab bitbucket twitter youtube wikipedia stackoverflow medium reddit discord").split(" "),
);
// English/Spanish/German/French, `_` for a space: crude, as a clusterer must see through translations anyway.
const DICTIONARY =
  `use/usar/verwenden/utiliser when/cuando/wenn/quand the/el/die/le a/un/ein/un an/un/ein/un and/y/und/et
or/o/oder/ou to/a/zu/à for/para/für/pour with/con/mit/avec from/de/von/de of/de/von/de in/en/in/dans on/en/auf/sur
your/tu/dein/votre you/tú/du/vous this/este/dieser/ce that/que/dass/que it/lo/es/il is/es/ist/est are/son/sind/sont
can/puede/kann/peut will/será/wird/va not/no/nicht/pas all/todos/alle/tous new/nuevo/neu/nouveau list/lista/Liste/liste
file/archivo/Datei/fichier files/archivos/Dateien/fichiers create/crear/erstellen/créer get/obtener/abrufen/obtenir
run/ejecutar/ausführen/exécuter user/usuario/Benutzer/utilisateur asks/pide/fragt/demande wants/quiere/möchte/veut
need/necesita/braucht/besoin help/ayuda/Hilfe/aide search/buscar/suchen/chercher find/encontrar/finden/trouver
read/leer/lesen/lire write/escribir/schreiben/écrire send/enviar/senden/envoyer show/mostrar/zeigen/afficher
check/comprobar/prüfen/vérifier update/actualizar/aktualisieren/mettre_à_jour delete/borrar/löschen/supprimer
add/añadir/hinzufügen/ajouter remove/quitar/entfernen/retirer open/abrir/öffnen/ouvrir manage/gestionar/verwalten/gérer
data/datos/Daten/données task/tarea/Aufgabe/tâche tasks/tareas/Aufgaben/tâches message/mensaje/Nachricht/message
messages/mensajes/Nachrichten/messages time/tiempo/Zeit/temps date/fecha/Datum/date day/día/Tag/jour
first/primero/zuerst/d'abord then/luego/dann/puis next/siguiente/nächste/suivant before/antes/vor/avant
after/después/nach/après only/solo/nur/seulement also/también/auch/aussi more/más/mehr/plus each/cada/jede/chaque
every/cada/jeder/chaque any/cualquier/jede/tout some/algunos/einige/quelques other/otro/andere/autre
same/mismo/gleiche/même example/ejemplo/Beispiel/exemple examples/ejemplos/Beispiele/exemples
setup/configuración/Einrichtung/configuration install/instalar/installieren/installer usage/uso/Verwendung/utilisation
note/nota/Hinweis/remarque important/importante/wichtig/important always/siempre/immer/toujours never/nunca/nie/jamais
if/si/wenn/si how/cómo/wie/comment what/qué/was/quoi which/cual/welche/quel should/debería/sollte/devrait
must/debe/muss/doit work/trabajo/Arbeit/travail project/proyecto/Projekt/projet account/cuenta/Konto/compte
key/clave/Schlüssel/clé name/nombre/Name/nom value/valor/Wert/valeur result/resultado/Ergebnis/résultat
results/resultados/Ergebnisse/résultats output/salida/Ausgabe/sortie input/entrada/Eingabe/entrée
error/error/Fehler/erreur errors/errores/Fehler/erreurs command/comando/Befehl/commande
commands/comandos/Befehle/commandes default/predeterminado/Standard/défaut support/soporte/Unterstützung/support
returns/devuelve/liefert/renvoie request/solicitud/Anfrage/requête response/respuesta/Antwort/réponse
quick/rápido/schnell/rapide start/inicio/Start/démarrage simple/simple/einfach/simple tool/herramienta/Werkzeug/outil
tools/herramientas/Werkzeuge/outils using/usando/mit/en_utilisant about/sobre/über/sur without/sin/ohne/sans
by/por/von/par as/como/als/comme at/en/bei/à be/ser/sein/être has/tiene/hat/a have/tener/haben/avoir
do/hacer/tun/faire does/hace/macht/fait`.split(/\s+/).map((entry) => entry.replace(/_/g, " ").split("/"));
const LANGUAGES = ["es", "de", "fr"] as const;
const TRANSLATIONS = LANGUAGES.map((_, i) => new Map(DICTIONARY.map((words) => [words[0]!, words[i + 1]!])));
const ONSETS = "b d f g k l m n p qu r s t v z br dr fl gr pl st tr sk ch x".split(" ");
const VOWELS = "a e i o u ai ou ea y".split(" ");
const CODAS = ["", "", "n", "r", "x", "l", "s", "k", "m", "nd", "v"];
const HOST = /(?<![\w.@-])(?:[a-z0-9-]+\.)*([a-z0-9][a-z0-9-]+)\.(?:com|io|ai|dev|org|net|app|co|xyz|cloud|so)\b/gi;
const ENV_VAR = /\b([A-Z][A-Z0-9]+)_(?:[A-Z0-9]+_)*(?:API_KEY|API_TOKEN|TOKEN|SECRET|KEY|URL|HOST|ID)\b/g;
const SHELL_BLOCK = /^```(?:bash|sh|shell|zsh|console)\n([\s\S]*?)^```/gm;
const COMMAND = /^\s*(?:\$\s+)?([a-z][a-z0-9_-]{2,})(?=[ \t]|$)/gm;
const PACKAGE = /\b(?:npx|uvx|bunx|-g|pip3? install|brew install)\s+(?:@[\w-]+\/)?([a-z][\w-]{2,})/g;
const FENCE = /^\s*(```|~~~)/;

/** A corpus skill, read once. */
interface Source {
  slug: string;
  text: string;
  name: string;
  meta: Record<string, unknown> | undefined;
  /** The words that make it its tool. */
  identity: string[];
  /** Its body's preamble, then each `## ` section. */
  sections: string[];
}

/** A file's frontmatter lines (none when it has no closed frontmatter) and its body. */
interface Parts {
  head: string[] | undefined;
  body: string;
}

function splitFrontmatter(text: string): Parts {
  const match = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  return match ? { head: match[1]!.split("\n"), body: text.slice(match[0].length) } : { head: undefined, body: text };
}

function joinFrontmatter({ head, body }: Parts): string {
  return head ? `---\n${head.join("\n")}\n---\n${body}` : body;
}

/** The lines of `key`'s entry: its own and the indented ones continuing it. */
function fieldRange(head: string[], key: string): [number, number] | undefined {
  const start = head.findIndex((line) => line.startsWith(`${key}:`));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < head.length && /^(\s|$)/.test(head[end]!)) end++;
  while (end > start + 1 && head[end - 1]!.trim() === "") end--;
  return [start, end];
}

/** A field's value on one line, whatever its YAML style (plain, quoted, block). */
function fieldText(head: string[], key: string): string | undefined {
  const range = fieldRange(head, key);
  const text = range && head.slice(...range).map((line) => line.trim()).join(" ").slice(key.length + 1).trim()
    .replace(/^[|>][+-]?\d*\s*/, "");
  return text && /^(["']).*\1$/.test(text) ? text.slice(1, -1).replace(/\\"/g, '"').replace(/''/g, "'") : text;
}

function setField(head: string[], key: string, value: string): void {
  const at = key === "name" ? 0 : Math.min(1, head.length); // Where a missing field goes.
  const [start, end] = fieldRange(head, key) ?? [at, at];
  head.splice(start, end - start, `${key}: ${value}`);
}

function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "skill";
}

/** The body's preamble, then each `## ` section (headings in code blocks are code). */
function splitSections(body: string): string[] {
  const sections: string[][] = [[]];
  let fenced = false;
  for (const line of body.split("\n")) {
    if (FENCE.test(line)) fenced = !fenced;
    if (!fenced && line.startsWith("## ")) sections.push([]);
    sections.at(-1)!.push(line);
  }
  return sections.map((lines) => lines.join("\n").trimEnd());
}

function identityWords(text: string, name: string, slug: string): string[] {
  const words = new Set(`${name} ${slug}`.toLowerCase().split(/[^a-z0-9]+/));
  for (const [, label] of text.matchAll(HOST)) words.add(label!.toLowerCase());
  for (const [, prefix] of text.matchAll(ENV_VAR)) words.add(prefix!.toLowerCase());
  for (const [, code] of text.matchAll(SHELL_BLOCK)) {
    for (const [, word] of [...code!.matchAll(COMMAND), ...code!.matchAll(PACKAGE)]) words.add(word!);
  }
  return [...words].filter((word) => word.length >= 3 && !/^\d+$/.test(word) && !COMMON_WORDS.has(word)).slice(0, 16);
}

/** `text` with each identity word replaced by its pseudo-word in the same case: `zorvex`, `Zorvex`, `ZORVEX_KEY`. */
function replaceIdentity(text: string, words: Map<string, string>): string {
  if (words.size === 0) return text;
  const escaped = [...words.keys()].sort((a, b) => b.length - a.length).map((w) =>
    w.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")
  );
  return text.replace(new RegExp(`(?<![A-Za-z0-9])(?:${escaped.join("|")})`, "gi"), (match, offset: number) => {
    const upper = match === match.toUpperCase();
    if ((upper ? /[A-Z]/ : /[a-z]/).test(text[offset + match.length] ?? "")) return match; // Part of a longer word.
    const word = words.get(match.toLowerCase())!;
    return upper ? word.toUpperCase() : /^[A-Z]/.test(match) ? word[0]!.toUpperCase() + word.slice(1) : word;
  });
}

/** `line` translated word by word, but for inline code (odd segments between backticks) and paths. */
function translate(line: string, words: Map<string, string>): string {
  return line.split("`").map((segment, i) =>
    i % 2 ? segment : segment.replace(/(?<![\w/.-])[A-Za-z]+(?![\w/-]|\.\w)/g, (word) => {
      const translated = words.get(word.toLowerCase());
      if (translated === undefined) return word;
      return /^[A-Z]/.test(word) ? translated[0]!.toUpperCase() + translated.slice(1) : translated;
    })
  ).join("`");
}

function readSources(dir: string): Source[] {
  const sources: Source[] = [];
  for (const owner of [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort()) {
    for (const slug of [...Deno.readDirSync(join(dir, owner))].map((entry) => entry.name).sort()) {
      let text: string, meta: Record<string, unknown> | undefined;
      try {
        text = Deno.readTextFileSync(join(dir, owner, slug, "SKILL.md")).replace(/\r\n/g, "\n");
      } catch {
        continue; // A folder without a skill.
      }
      try {
        meta = JSON.parse(Deno.readTextFileSync(join(dir, owner, slug, "_meta.json")));
      } catch {
        // Not every skill has one; an unreadable one stays behind.
      }
      const { head, body } = splitFrontmatter(text);
      const name = (head && fieldText(head, "name")) || slug;
      sources.push({
        slug,
        text,
        name,
        meta,
        identity: identityWords(text, name, slug),
        sections: splitSections(body),
      });
    }
  }
  return sources;
}

/**
 * Writes a library shaped like a public skills registry under `out/skills`: `<owner>/<slug>/SKILL.md`, with the
 * source's `_meta.json` (its owner and slug rewritten) beside it. The module's documentation says what is in it.
 *
 * @param source A skills directory (`<owner>/<slug>/SKILL.md`), the templates.
 * @param out The library's root; its `skills/` is created.
 * @param options How many skills, and the seed.
 * @returns The skills directory and what each file is.
 *
 * @example Generate 2,000 skills and count the broken frontmatter
 * ```ts
 * import { generateRegistry } from "./generate_library.ts";
 * const registry = generateRegistry("../shared/corpora/openclaw-skills/skills", "/tmp/registry", { count: 2000 });
 * const broken = registry.skills.filter((skill) => skill.frontmatter !== "untouched").length;
 * console.log(`${broken} of ${registry.skills.length} in ${registry.skillsDir}`);
 * ```
 */
export function generateRegistry(source: string, out: string, options: RegistryOptions): Registry {
  const { count, seed = 1 } = options;
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  const used = new Set<string>();
  /** A pseudo-word not handed out before ("zorvex", "quandli"), so no two generated tools share a name. */
  const freshWord = (): string => {
    for (;;) {
      let word = "";
      for (let syllables = 2 + int(2), i = 0; i < syllables; i++) {
        word += pick(ONSETS) + pick(VOWELS) + (i === syllables - 1 || next() < 0.3 ? pick(CODAS) : "");
      }
      if (word.length <= 10 && !used.has(word)) return used.add(word), word;
    }
  };

  const sources = readSources(source);
  const popular = shuffle(sources.filter((s) => /^description:/m.test(s.text))).slice(0, POPULAR_SKILLS);
  let weights = 0;
  const cumulative = popular.map((_, rank) => weights += 1 / (rank + 1)); // Zipf: the r-th is picked as often as 1/r.
  const pickPopular = (target = next() * weights) => popular[cumulative.findIndex((total) => target < total)]!;
  const donors = sources.filter((s) => s.sections.length > 1);

  /** A corpus skill made into another tool: fresh identity words, sections of other skills swapped in or appended. */
  const distinctTool = (template: Source, minBytes = 0) => {
    const identity = new Map(template.identity.map((word) => [word, freshWord()]));
    const sections = [...template.sections];
    let bytes = template.text.length;
    for (let edits = 1 + int(2), i = 0; i < edits || (bytes < minBytes && i < 1000); i++) {
      const donor = pick(donors);
      const section = donor.sections[1 + int(donor.sections.length - 1)]!;
      if (bytes + section.length > LARGE_BYTES[1]) continue; // Only the corpus's own may be larger.
      for (const word of donor.identity) if (!identity.has(word)) identity.set(word, freshWord());
      bytes += section.length;
      if (sections.length > 1 && i < edits && next() < 0.5) sections[1 + int(sections.length - 1)] = section;
      else sections.push(section);
    }
    const head = splitFrontmatter(template.text).head;
    let name = replaceIdentity(template.name, identity);
    if (name === template.name) name = `${freshWord()}-${name}`; // A name of common words only.
    if (head) setField(head, "name", slugify(name));
    const body = `\n${sections.filter((s) => s !== "").join("\n\n").replace(/^\n+/, "")}\n`;
    return { name, text: replaceIdentity(joinFrontmatter({ head, body }), identity) };
  };

  type Draft = { name: string; text: string; from?: Source; renamed?: boolean };
  const build: Record<SkillKind, () => Draft> = {
    distinct: (from = pick(sources)) => ({ ...distinctTool(from), from, renamed: true }),
    large: (from = pick(sources)) => ({
      ...distinctTool(from, LARGE_BYTES[0] + int(LARGE_BYTES[1] - LARGE_BYTES[0])),
      from,
      renamed: true,
    }),
    generic: (from = pick(sources), name = pick(GENERIC_NAMES)) => {
      const parts = splitFrontmatter(distinctTool(from).text);
      if (parts.head) setField(parts.head, "name", name);
      return { name, text: joinFrontmatter(parts), from, renamed: true };
    },
    tiny: () => {
      const { name, text } = distinctTool(pick(sources));
      const { head, body } = splitFrontmatter(text);
      const line = body.split("\n").find((l) => /^[A-Za-z]/.test(l)) ?? `Use ${name}.`;
      if (!head || next() < 0.4) return { name, text: `${line}\n` };
      const fields = ["name", "description"].map((key) => fieldRange(head, key)).flatMap((r) =>
        r ? head.slice(...r) : []
      );
      return { name, text: `---\n${fields.join("\n")}\n---\n\n${line}\n` };
    },
    copy: (from = pickPopular()) => {
      const { head, body } = splitFrontmatter(from.text);
      const name = next() < 0.4
        ? `${slugify(from.name)}-${pick(["fork", "plus", "v2", "community", "lite"])}`
        : from.name;
      const version = head && fieldText(head, "version");
      if (head && name !== from.name) setField(head, "name", name);
      if (head && version && /^\d+\.\d+\.\d+$/.test(version)) {
        setField(head, "version", version.replace(/\d+$/, (patch) => String(Number(patch) + 1 + int(3))));
      }
      const lines = body.split("\n");
      const [at, edit] = [1 + int(Math.max(1, lines.length - 1)), int(3)];
      if (edit === 0) lines.splice(at, 0, pick(["> Forked and maintained by the community.", "- Works offline."]));
      else if (edit === 1 && lines[at]?.trim() && !FENCE.test(lines[at]!)) lines.splice(at, 1);
      else lines.push("", ""); // Trailing blank lines, as editors leave them.
      return { name, text: joinFrontmatter({ head, body: lines.join("\n") }), from };
    },
    translation: (from = pickPopular(), language = int(LANGUAGES.length)) => {
      const words = TRANSLATIONS[language]!;
      const { head, body } = splitFrontmatter(from.text);
      const description = head && fieldText(head, "description");
      if (head && description) setField(head, "description", JSON.stringify(translate(description, words)));
      let fenced = false;
      const lines = body.split("\n").map((line) => {
        if (FENCE.test(line)) fenced = !fenced;
        return fenced || next() < 0.4 ? line : translate(line, words);
      });
      const name = next() < 0.5 ? from.name : `${slugify(from.name)}-${LANGUAGES[language]}`;
      if (head && name !== from.name) setField(head, "name", name);
      return { name, text: joinFrontmatter({ head, body: lines.join("\n") }), from };
    },
    template: (text = pick(TEMPLATES)) => ({ name: /^name: (.*)$/m.exec(text)![1]!, text }),
  };

  // Exact counts of each kind and owners' slots drawn from the power law, both shuffled.
  const others = (Object.keys(KIND_SHARES) as SkillKind[]).filter((kind) => kind !== "distinct")
    .flatMap((kind) => Array<SkillKind>(Math.round(count * KIND_SHARES[kind])).fill(kind));
  const kinds = shuffle([...others, ...Array<SkillKind>(Math.max(0, count - others.length)).fill("distinct")]);
  const owners: string[] = [];
  while (owners.length < count) {
    const size = Math.min(MAX_OWNER_SKILLS, Math.ceil(count / 20), Math.floor(next() ** (-1 / OWNER_SIZE_EXPONENT)));
    const base = freshWord();
    const owner = [base, `${base}${int(100)}`, `${base}-${pick(["dev", "labs", "ai", "hq"])}`][int(3)]!;
    for (let i = 0; i < size && owners.length < count; i++) owners.push(owner);
  }
  shuffle(owners);

  // Breakage needs a frontmatter: the chance per file that has one makes the shares hold over all files.
  const withFrontmatter = sources.filter((s) => splitFrontmatter(s.text).head).length / sources.length;
  const skillsDir = join(out, "skills");
  const slugsByOwner = new Map<string, Set<string>>();
  const skills: GeneratedSkill[] = [];
  for (let i = 0; i < count; i++) {
    const [kind, owner] = [kinds[i]!, owners[i]!];
    const { name, from, renamed, text } = build[kind]();
    const slugs = slugsByOwner.get(owner) ?? slugsByOwner.set(owner, new Set()).get(owner)!;
    let slug = from && name === from.name ? from.slug : slugify(name);
    for (let n = 2; slugs.has(slug); n++) slug = `${slug.replace(/-\d+$/, "")}-${n}`;
    slugs.add(slug);

    const { head, body } = splitFrontmatter(text);
    const roll = next() * withFrontmatter;
    const frontmatter: FrontmatterState = !head
      ? "untouched"
      : roll < UNCLOSED_SHARE
      ? "unclosed"
      : roll < UNCLOSED_SHARE + BROKEN_SHARE
      ? pick(BREAKAGES)
      : "untouched";
    let written = text;
    if (frontmatter === "unclosed") written = `---\n${head!.join("\n")}\n\n${body.replace(/^\n+/, "")}`;
    else if (frontmatter !== "untouched") {
      // Leading punctuation (a quote, a bracket) would make the value another kind of scalar.
      const said = (fieldText(head!, "description") ?? "").replace(/^[^A-Za-z0-9]+/, "") || `Use ${name}.`;
      setField(
        head!,
        "description",
        frontmatter === "block-indicator"
          ? `${pick(["|", ">"])} ${said}`
          : frontmatter === "colon-in-value"
          ? /^[^#]*?\w: /.test(said)
            ? said
            : `${pick(["Use when", "Triggers", "Note"])}: ${said[0]!.toLowerCase()}${said.slice(1)}`
          : `${pick(["**Important**:", "**Use when**:", `\`${slug}\``, `@${owner}`, "%"])} ${said}`,
      );
      written = joinFrontmatter({ head, body });
    }
    const dir = join(skillsDir, owner, slug);
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(join(dir, "SKILL.md"), written);
    if (from?.meta) {
      const meta = { ...from.meta };
      if ("owner" in meta) meta.owner = owner;
      if ("slug" in meta) meta.slug = slug;
      if (renamed && "displayName" in meta) {
        meta.displayName = slug.replace(/(^|-)(\w)/g, (_, dash, c) => (dash && " ") + c.toUpperCase());
      }
      Deno.writeTextFileSync(join(dir, "_meta.json"), JSON.stringify(meta, null, 2) + "\n");
    }
    skills.push({ path: join(owner, slug, "SKILL.md"), kind, frontmatter });
  }
  return { skillsDir, skills };
}

/**
 * A one-line account of a registry: its size, owners, and how many files of each kind and frontmatter state.
 *
 * @param registry What {@linkcode generateRegistry} wrote.
 * @returns The line.
 */
export function summarizeRegistry(registry: Registry): string {
  const tally = (values: string[]) =>
    values.reduce((counts, v) => counts.set(v, (counts.get(v) ?? 0) + 1), new Map<string, number>());
  const owners = tally(registry.skills.map((skill) => skill.path.split(/[\\/]/)[0]!));
  const kinds = tally(registry.skills.map((skill) => skill.kind));
  const states = tally(registry.skills.map((skill) => skill.frontmatter));
  const broken = BREAKAGES.reduce((sum, breakage) => sum + (states.get(breakage) ?? 0), 0);
  return `${registry.skills.length} skills, ${owners.size} owners (largest ${Math.max(...owners.values())}): ` +
    Object.keys(KIND_SHARES).map((kind) => `${kind} ${kinds.get(kind) ?? 0}`).join(", ") +
    `; broken frontmatter ${broken} (${BREAKAGES.map((b) => `${b} ${states.get(b) ?? 0}`).join(", ")}), ` +
    `unclosed ${states.get("unclosed") ?? 0}`;
}

/**
 * Writes `count` skill files under `out/skills`, cycling through the source.
 *
 * @param source A skills directory (`<owner>/<slug>/SKILL.md`).
 * @param out The library's root; its `skills/` is created.
 * @param count How many skill files to write.
 * @returns The skills directory written.
 */
export function generateLibrary(source: string, out: string, count: number): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name === "SKILL.md") files.push(path);
    }
  };
  walk(source);
  const skillsDir = join(out, "skills");
  for (let i = 0; i < count; i++) {
    const file = files[i % files.length]!;
    const copy = Math.floor(i / files.length);
    const target = join(skillsDir, `copy-${copy}`, relative(source, file));
    Deno.mkdirSync(dirname(target), { recursive: true });
    const text = new TextDecoder().decode(Deno.readFileSync(file));
    const perturbed = copy === 0
      ? text
      : text.replace(/^(name:\s*)(.+)$/m, `$1$2-${copy}`) + `\n<!-- copy ${copy} -->\n`;
    Deno.writeTextFileSync(target, perturbed);
    try {
      Deno.copyFileSync(join(dirname(file), "_meta.json"), join(dirname(target), "_meta.json"));
    } catch {
      // Not every skill has one.
    }
  }
  return skillsDir;
}

if (import.meta.main) {
  const { values, positionals: [source, out, count] } = parseArgs({
    args: Deno.args,
    options: { seed: { type: "string", default: "1" }, copies: { type: "boolean" } },
    allowPositionals: true,
  });
  if (!source || !out || !Number.isInteger(Number(count)) || !Number.isInteger(Number(values.seed))) {
    console.error("Usage: generate_library.ts SOURCE_SKILLS_DIR OUT_DIR COUNT [--seed N] [--copies]");
    Deno.exit(2);
  }
  if (values.copies) console.log(generateLibrary(source, out, Number(count)));
  else {
    const registry = generateRegistry(source, out, { count: Number(count), seed: Number(values.seed) });
    console.log(registry.skillsDir);
    console.error(summarizeRegistry(registry));
  }
}
