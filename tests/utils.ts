/**
 * The shared test harness: temporary repositories, the heartbeat task's own
 * command line, and subprocess helpers.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverSkills } from "../src/discovery/discover.ts";
import type { Skill } from "../src/discovery/skill.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { heartbeatEnvironment, heartbeatFlags } from "../tools/heartbeat_flags.ts";

/** The project's root directory. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** The bundled skills directory. */
export const BUNDLED_SKILLS: string = join(PROJECT_ROOT, "skills");

/** The shared material beside the project, absent on a user's clone. */
export const SHARED: string = join(PROJECT_ROOT, "..", "shared");

/** The bundled model, which a repository other than the project reads from the project. */
export const MODEL_DIR: string = join(PROJECT_ROOT, "models");

/**
 * The `deno run` flags of a task in deno.json, as the README gives them for
 * a repository other than the project: the task's own, with read permission
 * on the project's `models/` added to the working directory's.
 *
 * @param task The task's name.
 * @returns The flags between `deno run` and `main.ts`.
 */
export function taskFlags(task: string): string[] {
  return heartbeatFlags(PROJECT_ROOT, { task });
}

/** What a finished subprocess left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run the program. */
export interface CliOptions {
  /** The working directory (the heartbeat task grants read and write there). */
  cwd: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** The task whose flags are used; `heartbeat` by default. */
  task?: string;
  /** A command the program runs under, with its arguments (`sh -c 'ulimit -n 1024; exec "$@"' sh`). */
  wrapper?: readonly string[];
}

/**
 * Builds the command that runs `main.ts` with a task's permission flags and the variables it sets.
 *
 * @param args The program's arguments.
 * @param options Working directory, environment, task.
 * @returns The command, not yet spawned.
 */
export function cliCommand(args: string[], options: CliOptions): Deno.Command {
  const [program = Deno.execPath(), ...wrapperArgs] = [...options.wrapper ?? [], Deno.execPath()];
  return new Deno.Command(program, {
    args: [
      ...wrapperArgs,
      "run",
      "--config",
      join(PROJECT_ROOT, "deno.json"),
      ...taskFlags(options.task ?? "heartbeat"),
      join(PROJECT_ROOT, "main.ts"),
      ...args,
    ],
    cwd: options.cwd,
    env: {
      ...inheritedEnv(),
      ...heartbeatEnvironment(PROJECT_ROOT, { task: options.task ?? "heartbeat" }),
      NO_COLOR: "1",
      ...options.env,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** What a child process needs from this one: where programs and Deno's cache are. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Runs `main.ts` to completion with a task's permission flags.
 *
 * @param args The program's arguments.
 * @param options Working directory, environment, task.
 * @returns The exit code and output.
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const output = await cliCommand(args, options).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/**
 * A temporary directory holding a copy of a skills tree under `skills/`, opted in (an empty `heartbeat.json`,
 * as `heartbeat init` would write), removed when disposed.
 *
 * @param source The skills tree to copy; the bundled skills by default.
 * @param options `optedIn: false` leaves `heartbeat.json` out.
 * @returns The directory.
 */
export async function tempRepo(
  source: string = BUNDLED_SKILLS,
  options: { optedIn?: boolean } = {},
): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "heartbeat-test-" });
  await copyTree(source, join(path, "skills"));
  if (options.optedIn ?? true) await optIn(path);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/**
 * Opts a repository in, as `heartbeat init` does (without committing).
 *
 * @param repo The repository.
 */
export async function optIn(repo: string): Promise<void> {
  await Deno.writeTextFile(join(repo, "heartbeat.json"), "{}\n");
}

/**
 * Copies a file, or a directory tree (its directories and regular files).
 *
 * @param from The file or directory.
 * @param to Where the copy goes; its parent must exist.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  if ((await Deno.lstat(from)).isFile) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory || entry.isFile) await copyTree(join(from, entry.name), join(to, entry.name));
  }
}

/**
 * Reads a stream until what was read matches, for waiting on a subprocess.
 *
 * @param stream The subprocess's output.
 * @param pattern What to wait for.
 * @returns Everything read so far, and the rest of the output, still to be read.
 */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<{ text: string; rest: ReadableStream<string> }> {
  const decoded = stream.pipeThrough(new TextDecoderStream());
  const reader = decoded.getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The output ended before ${pattern}: ${text}`);
    text += value;
  }
  reader.releaseLock();
  return { text, rest: decoded };
}

/**
 * Writes files under `dir`: each key a relative path, each value its text or bytes.
 *
 * @param dir The root.
 * @param files The files.
 */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    await Deno.mkdir(join(target, ".."), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(target, content);
    else await Deno.writeFile(target, content);
  }
}

/**
 * Writes `files` into a temporary repository and discovers its skills (the
 * directory is removed afterwards: the skills carry their text).
 *
 * @param files The files, by path relative to the repository.
 * @returns The skills found under `skills/`.
 */
export async function discoverTree(files: Record<string, string>): Promise<Skill[]> {
  await using dir = await tempDir();
  await writeTree(dir.path, files);
  const { skills } = await discoverSkills(denoFileSystem, {
    repo: dir.path,
    skillsDir: join(dir.path, "skills"),
    ruleSets: [],
  });
  return skills;
}

/**
 * A temporary directory, removed when disposed.
 *
 * @returns The directory.
 */
export async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "heartbeat-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/**
 * Whether the shared corpora are here; tests that need them skip with a
 * message when they are not (a user's clone has no `../shared`).
 *
 * @param what What the test needs, for the message.
 * @returns `true` when `../shared` exists.
 */
export function hasShared(what: string): boolean {
  try {
    Deno.statSync(join(SHARED, "corpora"));
    return true;
  } catch {
    // deno-lint-ignore no-console -- the skip must be visible in the test output
    console.warn(`skipped: ${what} needs ../shared, which is not here`);
    return false;
  }
}

/**
 * Every file under `dir` but the state directory (`.heartbeat`) and git's (`.git`), with its SHA-256: what a run
 * changed, compared.
 *
 * @param dir The directory.
 * @returns Relative path → hash, in path order.
 */
export function treeSnapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    for (const entry of [...Deno.readDirSync(path)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (rel === "" && (entry.name === ".heartbeat" || entry.name === ".git")) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory) walk(child, `${rel}${entry.name}/`);
      else files[`${rel}${entry.name}`] = createHash("sha256").update(Deno.readFileSync(child)).digest("hex");
    }
  };
  walk(dir, "");
  return files;
}

/**
 * Makes `dir` a git repository whose first commit holds everything in it, with an owner's identity, and, when asked,
 * a bare remote `origin` it has pushed to.
 *
 * @param dir The directory.
 * @param remote Where to create the bare remote, if any.
 */
export async function commitRepository(dir: string, remote?: string): Promise<void> {
  const git = async (cwd: string, ...args: string[]) => {
    const { code, stderr } = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" }).output();
    if (code !== 0) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  };
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "config", "user.name", "Owner");
  await git(dir, "config", "user.email", "owner@example.com");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "skills");
  if (remote === undefined) return;
  await git(dir, "init", "-q", "--bare", "-b", "main", remote);
  await git(dir, "remote", "add", "origin", remote);
  await git(dir, "push", "-q", "-u", "origin", "main");
}

/**
 * Runs git in a directory; a failure throws with git's message.
 *
 * @param cwd The directory.
 * @param args git's arguments.
 * @returns Its standard output.
 */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout);
}

/**
 * Runs a program to completion as a user's shell would, with `paths` first on the PATH, then deno's directory.
 *
 * @param program The program, by name or path.
 * @param args Its arguments.
 * @param options The working directory, directories to put first on the PATH, and the environment besides.
 * @returns The exit code and output.
 */
export async function runProgram(
  program: string,
  args: readonly string[],
  options: { cwd: string; paths?: readonly string[]; env?: Record<string, string> },
): Promise<CliResult> {
  const path = [...(options.paths ?? []), dirname(Deno.execPath()), Deno.env.get("PATH") ?? ""].join(":");
  const output = await new Deno.Command(program, {
    args: [...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env, PATH: path },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
