// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * The crash soak: real heartbeats (the program as a process, with the
 * heartbeat task's flags, commit, push, broadcast and the Clawnch launch on)
 * over a real repository with a bare remote and a real relay. Each cycle adds
 * new duplicate skills as a contributor would, disrupts one run, then lets a
 * run complete, and checks what must never happen:
 *
 * - an original lost: every skill file ever added is, byte for byte, in the skills or the archive;
 * - `git fsck` unclean, the remote's branch other than HEAD, a path left uncommitted;
 * - one (master, version) announced by two different events, or received by the relay before a push held it;
 * - a second launch post.
 *
 * The disruption is `kill -9` of the run's whole process group (git included, as a crash of the service would
 * take it): at a random moment of the run, or a random few milliseconds after it reaches consolidation, its commit,
 * its push or the relay's receipt of one of its events (see `killMoment`); with `--disk-full` the repository and its state live on a small tmpfs,
 * filled before the run to leave a random few KiB free, and freed before the completing run (skipped with a
 * message where a tmpfs cannot be mounted).
 *
 * Usage: npm install --prefix tests/relay && deno run -A bench/soak.ts [--cycles 50] [--disk-full] [--seed 1]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateSecretKey } from "nostr-tools/pure";
import { nsecEncode } from "nostr-tools/nip19";
import { heartbeatCommand } from "./heartbeat_process.ts";
import { LAUNCH_ENV } from "../tests/options.ts";
import { startRelay } from "../tests/relay_harness.ts";
import { copyTree, optIn } from "../tests/utils.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    cycles: { type: "string", default: "50" },
    "disk-full": { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
  },
});
const cycles = Number(values.cycles);
const diskFull = values["disk-full"];
const random = mulberry32(Number(values.seed));
const project = new URL("..", import.meta.url).pathname;
/** What a disrupted run that ended before its kill reports. */
const FINISHED_FIRST = "(finished first)";
const bundled = join(project, "skills");

/** The bundled skills copied in as new duplicates, one source per cycle in turn. */
const SOURCES = [...Deno.readDirSync(bundled)]
  .filter((entry) => entry.isDirectory || (entry.name.endsWith(".md") && entry.name !== "LICENSE"))
  .map((entry) => entry.name)
  .sort();

const base = await Deno.makeTempDir({ prefix: "heartbeat-soak-" });
const disk = join(base, "disk");
await Deno.mkdir(disk);
if (diskFull) {
  const mounted = await run("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", disk]);
  if (mounted.code !== 0) {
    console.log(`skipped: cannot mount a tmpfs here (${mounted.stderr.trim()}); run as root where mounts are allowed`);
    await Deno.remove(base, { recursive: true });
    Deno.exit(0);
  }
}
const repo = join(disk, "repo");
const remote = join(base, "remote.git");
const pushLog = join(base, "pushes.log");
const relayLog = join(base, "relay-events.jsonl");
/** The heartbeat's log: where a killed run stood. */
const LOG = join(repo, ".heartbeat", "orchestrator_heartbeat.log");
await using relay = await startRelay({ db: join(base, "relay.sqlite"), log: relayLog });
const env = {
  ...LAUNCH_ENV,
  NOSTR_NSEC: nsecEncode(generateSecretKey()),
  NOSTR_RELAY: relay.url,
  AGENT_NAME: "Soak Keeper",
};

/** SHA-256 of every skill file ever added, with where it was added. */
const added = new Map<string, string>();
await Deno.mkdir(repo);
await contributeCopy(bundled, "skills");
await setUpGit();

const violations: string[] = [];
/** What the completing runs found left by the disrupted ones and completed. */
const healed = { operations: 0, locks: 0, commits: 0 };
/**
 * Updates of the remote that a killed run's push made and whose post-receive hook the kill took: they landed
 * before the kill, whose moment (in milliseconds) bounds them more closely than the reflog's second.
 */
const unhooked: Array<{ at: number; rev: string }> = [];
/** Master versions already found to have been pushed before they were announced. */
const verified = new Set<string>();
/** How each disrupted run ended: a short kind (for the summary), the detail and its time. */
interface Disruption {
  kind: string;
  detail: string;
  ms: number;
}
const outcomes: Disruption[] = [];
/** How long a run with new work takes, as last seen: kills fall anywhere in a run this long. */
let runMs = await completingRun(-1);
console.log(`initial run: ${runMs} ms; ${cycles} cycles of ${diskFull ? "full disk" : "kill -9"}`);

for (let cycle = 0; cycle < cycles; cycle++) {
  try {
    await addDuplicates(cycle);
  } catch (error) {
    // The repository is not as a person would find it (a git lock left behind, say): the soak cannot go on.
    violations.push(`cycle ${cycle}: the contributor could not commit: ${String(error).slice(0, 200)}`);
    break;
  }
  const disrupted = diskFull ? await runOnFullDisk() : await runAndKill(killMoment(cycle));
  if (disrupted.kind === FINISHED_FIRST && cycle % 6 === 0) runMs = disrupted.ms;
  outcomes.push(disrupted);
  await completingRun(cycle);
  const found = await check();
  violations.push(...found.map((problem) => `cycle ${cycle}: ${problem}`));
  console.log(
    `cycle ${cycle}: ${disrupted.detail} (${disrupted.ms} ms); ${
      found.length === 0 ? "all checks pass" : found.join("; ")
    }`,
  );
}

const events = relayEvents();
const skillEvents = new Set(events.filter((e) => e.event.kind === 30023).map((e) => e.event.id)).size;
const during = new Map<string, number>();
for (const outcome of outcomes) during.set(outcome.kind, (during.get(outcome.kind) ?? 0) + 1);
console.log("\n| check | result |\n| --- | --- |");
console.log(`| cycles | ${cycles} (${diskFull ? "full disk" : "kill -9"}, seed ${values.seed}) |`);
console.log(`| disrupted runs | ${[...during].sort().map(([kind, n]) => `${kind}: ${n}`).join(", ")} |`);
console.log(`| originals added | ${added.size} |`);
console.log(
  `| left behind, completed by the next run | ${healed.commits} merges committed, ${healed.operations} consolidation ` +
    `operations, ${healed.locks} git locks removed |`,
);
console.log(`| master versions announced | ${skillEvents} |`);
const kinds = [...new Set(events.map((e) => e.event.kind))].sort((a, b) => a - b).map((kind) => {
  const ofKind = events.filter((e) => e.event.kind === kind);
  return `kind ${kind}: ${new Set(ofKind.map((e) => e.event.id)).size} events in ${ofKind.length} messages`;
});
console.log(`| what the relay received | ${kinds.join("; ")} |`);
console.log(`| launch posts | ${launchPosts(events)} |`);
console.log(`| violations | ${violations.length} |`);
for (const violation of violations) console.log(`- ${violation}`);
// Deno.exit skips `await using`: the relay is stopped by hand.
await relay.stop();
if (diskFull) await run("umount", [disk]);
await Deno.remove(base, { recursive: true });
Deno.exit(violations.length === 0 ? 0 : 1);

/** The repository, committed and pushed to a bare remote that logs when each push lands. */
async function setUpGit(): Promise<void> {
  await git(base, "init", "-q", "--bare", "-b", "main", remote);
  await git(remote, "config", "core.logAllRefUpdates", "always");
  const hook = join(remote, "hooks", "post-receive");
  await Deno.writeTextFile(
    hook,
    `#!/bin/sh\nwhile read old new ref; do echo "$(date +%s%3N) $new" >> ${pushLog}; done\n`,
  );
  await Deno.chmod(hook, 0o755);
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "config", "user.name", "Soak Owner");
  await git(repo, "config", "user.email", "owner@example.com");
  await optIn(repo);
  await commitAll("skills");
  await git(repo, "remote", "add", "origin", remote);
  await git(repo, "push", "-q", "-u", "origin", "main");
}

/** Two copies of one bundled skill, as a contributor adds them, committed and pushed. */
async function addDuplicates(cycle: number): Promise<void> {
  const source = SOURCES[cycle % SOURCES.length]!;
  for (const copy of ["a", "b"]) {
    const target = source.endsWith(".md") ? `skills/soak-${cycle}-${copy}.md` : `skills/soak-${cycle}-${copy}`;
    await contributeCopy(join(bundled, source), target);
  }
  await commitAll(`contributor's copies, cycle ${cycle}`);
  await git(repo, "push", "-q", "origin", "main");
}

/** Copies a file or tree into the repository, recording the hash of every file as an original. */
async function contributeCopy(from: string, to: string): Promise<void> {
  await copyTree(from, join(repo, to));
  for (const [hash, path] of treeHashes(join(repo, to))) if (!added.has(hash)) added.set(hash, `${to}/${path}`);
}

async function commitAll(message: string): Promise<void> {
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", message);
}

/**
 * When a cycle's run is killed. Runs spend most of their time discovering and embedding, so a moment drawn over the
 * whole run rarely lands where the heartbeat changes things: one cycle in six draws it over the whole run, the others
 * a few milliseconds after the run reaches, in turn, consolidation (its merges are logged before they are applied;
 * up to 600 ms later covers the apply, the next round and `git add`/`git commit`), the commit, the push, the
 * relay's receipt of one of its events (before the outbox records the acceptance), or git's taking the index lock
 * (a kill then leaves `.git/index.lock` behind).
 */
function killMoment(cycle: number): KillMoment {
  const after = (what: string, pattern: RegExp, withinMs: number): KillMoment => ({
    what,
    pattern,
    delayMs: Math.round(random() * withinMs),
  });
  switch (cycle % 6) {
    case 0:
      return { what: "a random moment", delayMs: Math.round(random() * runMs) };
    case 1:
      return after("the merges are logged", /"message":"\{verb\} \{master\}/, 600);
    case 2:
      return after("the commit", /"message":"Committed /, 100);
    case 3:
      return after("the push", /"message":"Pushed to /, 300);
    case 4:
      return { ...after("the relay received an event", /./, 30), watch: "relay" };
    default:
      return { what: "git took the index lock", delayMs: 0, watch: "git-lock" };
  }
}

/**
 * A kill: `delayMs` after the start, after the first new line matching `pattern` of the log (or the relay's), or
 * as soon as git holds the repository's index lock.
 */
interface KillMoment {
  what: string;
  delayMs: number;
  pattern?: RegExp;
  watch?: "log" | "relay" | "git-lock";
}

/**
 * A heartbeat killed with its process group at `moment`: where its log stood when it died, or how long it took when
 * it finished first.
 */
async function runAndKill(moment: KillMoment): Promise<Disruption> {
  const watched = moment.watch === "relay" ? relayLog : LOG;
  /** A file's size; -1 when there is none. */
  const sizeOf = (path: string) => {
    try {
      return Deno.statSync(path).size;
    } catch {
      return -1;
    }
  };
  const logSize = Math.max(0, sizeOf(LOG));
  const watchedSize = Math.max(0, sizeOf(watched));
  const started = performance.now();
  const child = heartbeatCommand(repo, ["--once", "--json"], { env, ownProcessGroup: true }).spawn();
  const output = child.output();
  let finished = false;
  const kill = () => setTimeout(() => !finished && Deno.kill(-child.pid, "SIGKILL"), moment.delayMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  const reached = () => {
    if (moment.watch === "git-lock") return sizeOf(join(repo, ".git", "index.lock")) >= 0;
    if (sizeOf(watched) <= watchedSize) return false;
    return moment.pattern!.test(new TextDecoder().decode(Deno.readFileSync(watched).subarray(watchedSize)));
  };
  if (moment.pattern === undefined && moment.watch === undefined) timer = kill();
  else {
    poll = setInterval(() => {
      if (!reached()) return;
      clearInterval(poll);
      timer = kill();
    }, 1);
  }
  const status = await output;
  finished = true;
  clearInterval(poll);
  clearTimeout(timer);
  await noteUnhookedUpdates(Date.now());
  const ms = Math.round(performance.now() - started);
  if (status.signal !== "SIGKILL") return { kind: FINISHED_FIRST, detail: `${moment.what}: not reached`, ms };
  const last = lastLogged(logSize);
  return {
    kind: `killed after ${moment.what}`,
    detail: `killed ${moment.delayMs} ms after ${moment.what}, ${last ?? "before the first log line"}`,
    ms,
  };
}

/** A heartbeat on a disk left with a random few KiB free; its report must say how it ended. */
async function runOnFullDisk(): Promise<Disruption> {
  const filler = join(disk, "filler");
  const free = Number((await run("df", ["-B1", "--output=avail", disk])).stdout.trim().split("\n").pop());
  const left = Math.round(random() * 256 * 1024);
  await run("fallocate", ["-l", String(Math.max(0, free - left)), filler]);
  const started = performance.now();
  const output = await heartbeatCommand(repo, ["--once", "--json"], { env }).output();
  const ms = Math.round(performance.now() - started);
  await Deno.remove(filler);
  const stdout = new TextDecoder().decode(output.stdout);
  try {
    const report = JSON.parse(stdout);
    const failed = report.status === "ok" ? "" : `${report.error ?? report.status}`;
    // "publishing: git …" names the phase; a run that could not start says so.
    const kind = report.status === "ok" ? "completed" : `failed in ${failed.split(":")[0]}`;
    return { kind, detail: `${left >> 10} KiB free, ${report.status}${failed ? `: ${failed.slice(0, 120)}` : ""}`, ms };
  } catch {
    violations.push(`a run on a full disk printed no report (exit ${output.code}): ${stdout.slice(0, 200)}`);
    return { kind: "no report", detail: `${left >> 10} KiB free, no report`, ms };
  }
}

/** A heartbeat that must complete: exit 0 and an `ok` report. */
async function completingRun(cycle: number): Promise<number> {
  const started = performance.now();
  const output = await heartbeatCommand(repo, ["--once", "--json"], { env }).output();
  const ms = Math.round(performance.now() - started);
  const text = new TextDecoder().decode(output.stdout);
  try {
    const report = JSON.parse(text);
    healed.operations += report.consolidation.recovered ?? 0;
    healed.locks += report.publishing.removedLocks?.length ?? 0;
    healed.commits += report.consolidation.merged.length === 0 && report.publishing.committed ? 1 : 0;
    if (report.status !== "ok") {
      violations.push(`cycle ${cycle}: the completing run ended ${report.status}: ${report.error}`);
    }
  } catch {
    violations.push(
      `cycle ${cycle}: the completing run printed no report (exit ${output.code}): ${
        new TextDecoder().decode(output.stderr).slice(-300)
      }`,
    );
  }
  return ms;
}

/** Everything that must hold after a completing run. */
async function check(): Promise<string[]> {
  const problems: string[] = [];
  const present = new Set(treeHashes().keys());
  const lost = [...added].filter(([hash]) => !present.has(hash));
  if (lost.length > 0) problems.push(`${lost.length} originals lost (${lost.slice(0, 3).map(([, path]) => path)})`);
  const fsck = await run("git", ["fsck", "--no-progress", "--no-dangling"], repo);
  if (fsck.code !== 0 || /error|missing|broken|corrupt/i.test(fsck.stdout + fsck.stderr)) {
    problems.push(`git fsck: ${(fsck.stdout + fsck.stderr).trim().slice(0, 200)}`);
  }
  const head = await git(repo, "rev-parse", "HEAD");
  if (head !== await git(remote, "rev-parse", "main")) problems.push("the remote's main is not HEAD");
  const status = await git(repo, "status", "--porcelain");
  if (status !== "") problems.push(`uncommitted: ${status.split("\n").length} paths (${status.slice(0, 120)})`);
  problems.push(...await announcementProblems());
  const launches = launchPosts(relayEvents());
  if (launches > 1) problems.push(`${launches} launch posts`);
  return problems;
}

/** Whether each master version was announced by one event, and only once a push held it. */
async function announcementProblems(): Promise<string[]> {
  const problems: string[] = [];
  const byVersion = new Map<string, { ids: Set<string>; first: number }>();
  for (const { receivedAt, event } of relayEvents()) {
    if (event.kind !== 30023) continue;
    const key = `${tag(event.tags, "d")}@${tag(event.tags, "version")}`;
    const seen = byVersion.get(key) ?? { ids: new Set<string>(), first: receivedAt };
    seen.ids.add(event.id);
    seen.first = Math.min(seen.first, receivedAt);
    byVersion.set(key, seen);
  }
  const pushes = await remoteUpdates();
  for (const [key, { ids, first }] of byVersion) {
    if (ids.size > 1) problems.push(`${key} announced by ${ids.size} different events`);
    if (verified.has(key)) continue;
    const [d, version] = key.split("@") as [string, string];
    const pushedAt = await firstPushHolding(pushes, d, version);
    if (pushedAt === undefined) problems.push(`${key} announced, but no push ever held it`);
    else if (pushedAt > first) problems.push(`${key} reached the relay ${pushedAt - first} ms before it was pushed`);
    else verified.add(key);
  }
  return problems;
}

/**
 * Every update of the remote's branch and when it landed, in order. The post-receive hook's log has the
 * millisecond, but a kill can take the remote's receive-pack (a child of the killed `git push`) between its ref
 * update and the hook; the reflog, written with the update itself, misses nothing but has only the second, so its
 * entries count as landing at the end of their second (which can only make an announcement look early).
 */
async function remoteUpdates(): Promise<Array<{ at: number; rev: string }>> {
  const earliest = new Map<string, number>();
  for (const { at, rev } of [...hookedUpdates(), ...unhooked, ...await reflogUpdates()]) {
    earliest.set(rev, Math.min(at, earliest.get(rev) ?? Infinity));
  }
  return [...earliest].map(([rev, at]) => ({ at, rev })).sort((a, b) => a.at - b.at);
}

/** What the post-receive hook logged, to the millisecond. */
function hookedUpdates(): Array<{ at: number; rev: string }> {
  return Deno.readTextFileSync(pushLog).trim().split("\n").map((line) => {
    const [at, rev] = line.split(" ");
    return { at: Number(at), rev: rev! };
  });
}

/** The remote's reflog, each update at the end of its second. */
async function reflogUpdates(): Promise<Array<{ at: number; rev: string }>> {
  return (await git(remote, "log", "-g", "--date=unix", "--format=%H %gd", "refs/heads/main")).split("\n")
    .map((line) => {
      const [rev, selector] = line.split(" ");
      return { at: Number(/@\{(\d+)\}/.exec(selector ?? "")?.[1]) * 1000 + 999, rev: rev! };
    });
}

/** Notes the remote's updates a killed run made whose hook the kill took (see {@linkcode unhooked}). */
async function noteUnhookedUpdates(killedAt: number): Promise<void> {
  const known = new Set([...hookedUpdates(), ...unhooked].map((update) => update.rev));
  for (const { rev } of await reflogUpdates()) if (!known.has(rev)) unhooked.push({ at: killedAt, rev });
}

/** When the first push that held master `d` at `version` landed. */
async function firstPushHolding(
  pushes: ReadonlyArray<{ at: number; rev: string }>,
  d: string,
  version: string,
): Promise<number | undefined> {
  for (const { at, rev } of pushes) {
    for (const path of [`skills/${d}/SKILL.md`, `skills/${d}.md`]) {
      const shown = await run("git", ["show", `${rev}:${path}`], remote);
      const held = /^version:\s*['"]?([^'"\n]+)/m.exec(shown.stdout)?.[1]?.trim();
      if (shown.code === 0 && held === version) return at;
    }
  }
  return undefined;
}

interface RelayEvent {
  receivedAt: number;
  event: { id: string; kind: number; content: string; tags: string[][] };
}

function relayEvents(): RelayEvent[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(relayLog);
  } catch {
    return [];
  }
  return text.trim().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

function launchPosts(events: readonly RelayEvent[]): number {
  return new Set(
    events.filter((e) => e.event.kind === 1111 && e.event.content.startsWith("!clawnch")).map((e) => e.event.id),
  ).size;
}

function tag(tags: string[][], name: string): string | undefined {
  return tags.find((t) => t[0] === name)?.[1];
}

/** The last line the heartbeat logged since the log had `logSizeBefore` bytes: its logger and first words. */
function lastLogged(logSizeBefore: number): string | undefined {
  try {
    const log = new TextDecoder().decode(Deno.readFileSync(LOG).subarray(logSizeBefore)).trim();
    if (log === "") return undefined;
    const { logger, message } = JSON.parse(log.split("\n").at(-1)!);
    return `its last line ${String(logger)}: "${String(message).split(" ").slice(0, 3).join(" ")}…"`;
  } catch {
    return undefined;
  }
}

/** SHA-256 of every file under `root` but git's and the state directory's, with one path each. */
function treeHashes(root = repo): Map<string, string> {
  const hashes = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (rel === "" && (entry.name === ".git" || entry.name === ".heartbeat")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path, `${rel}${entry.name}/`);
      else if (entry.isFile) {
        hashes.set(createHash("sha256").update(Deno.readFileSync(path)).digest("hex"), `${rel}${entry.name}`);
      }
    }
  };
  if (Deno.statSync(root).isFile) hashes.set(createHash("sha256").update(Deno.readFileSync(root)).digest("hex"), "");
  else walk(root, "");
  return hashes;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await run("git", args, cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

async function run(command: string, args: string[], cwd?: string) {
  const output = await new Deno.Command(command, { args, ...(cwd ? { cwd } : {}), stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** A small seeded generator: the same seed, the same kill moments. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
