/**
 * The git adapter: the one program the heartbeat runs (`--allow-run=git`).
 *
 * Each call gets an explicit environment (`clearEnv`): an inherited `LD_*`
 * variable would make Deno refuse to spawn under a scoped `--allow-run`, and
 * git must never stop to ask for a password (`GIT_TERMINAL_PROMPT=0`). Calls
 * time out, and a failure carries git's own message.
 *
 * @module
 */

/** A git command failed; `stderr` holds git's message. */
export class GitError extends Error {
  override name = "GitError";
  /** git's exit code (124 after a timeout). */
  readonly code: number;
  /** What git printed on standard error. */
  readonly stderr: string;

  /**
   * @param args The arguments git ran with.
   * @param code Its exit code.
   * @param stderr Its standard error.
   */
  constructor(args: readonly string[], code: number, stderr: string) {
    super(`git ${subcommand(args)} failed (exit ${code}): ${gist(stderr)}`);
    this.code = code;
    this.stderr = stderr;
  }
}

/** git's `fatal:` and `error:` lines, which say what went wrong; else its last lines (the advice follows them). */
function gist(stderr: string): string {
  const lines = stderr.trim().split("\n");
  const errors = lines.filter((line) => /^(fatal|error):/.test(line));
  return (errors.length > 0 ? errors : lines.slice(-3)).join(" ");
}

/** The subcommand and its first argument, past git's own options (`-c name=value`, `--literal-pathspecs`). */
function subcommand(args: readonly string[]): string {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += args[i] === "-c" ? 2 : 1;
  return args.slice(i, i + 2).join(" ");
}

/** What a finished git command left. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git in one repository. */
export interface Git {
  /**
   * Runs git; throws on a non-zero exit unless `allowFailure`.
   *
   * @param args The arguments.
   * @param options A timeout, whether a failure is an answer rather than an error, and text for git's standard input.
   * @returns The output.
   * @throws {GitError} When git fails and `allowFailure` is not set.
   */
  run(args: readonly string[], options?: GitRunOptions): Promise<GitResult>;
}

/** How one git command runs. */
export interface GitRunOptions {
  /** Give up after this many milliseconds (default 60,000). */
  timeoutMs?: number;
  /** A non-zero exit is an answer, not an error. */
  allowFailure?: boolean;
  /** Text written to git's standard input (for `--batch` and `--stdin` commands); none by default. */
  stdin?: string;
  /**
   * Receives git's standard output piece by piece as it comes, instead of the result's `stdout` (left empty): output
   * as long as a whole history's (a push's secret check reads it) is never held whole.
   */
  onStdout?: (piece: Uint8Array) => void;
}

/** The environment variables passed to git, when set: where programs and the user's configuration are, and SSH's agent. */
export const GIT_ENVIRONMENT = ["PATH", "HOME", "SSH_AUTH_SOCK"] as const;

/**
 * Git on this machine, run in `repo`.
 *
 * @param repo The repository's directory.
 * @param env The variables to pass (from {@linkcode GIT_ENVIRONMENT}), read by the caller.
 * @returns The adapter.
 */
export function localGit(repo: string, env: Readonly<Record<string, string | undefined>>): Git {
  const childEnv: Record<string, string> = { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  for (const name of GIT_ENVIRONMENT) if (env[name] !== undefined) childEnv[name] = env[name]!;
  return {
    async run(args, options = {}) {
      const timeoutMs = options.timeoutMs ?? 60_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const command = new Deno.Command("git", {
        args: [...args],
        cwd: repo,
        clearEnv: true,
        env: childEnv,
        stdin: options.stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
        signal: timeout,
      });
      const result = await runCommand(command, options);
      // The timeout kills git (SIGTERM), which then fails like any other exit: the signal says why.
      if (result.code !== 0 && timeout.aborted) throw new GitError(args, 124, `timed out after ${timeoutMs} ms`);
      if (result.code !== 0 && !options.allowFailure) throw new GitError(args, result.code, result.stderr);
      return result;
    },
  };
}

/**
 * Runs a command to its end: `stdin` written while its output is read, so neither side blocks; standard output
 * collected, or handed to `onStdout` piece by piece.
 */
async function runCommand(command: Deno.Command, options: GitRunOptions): Promise<GitResult> {
  const child = command.spawn();
  let written = Promise.resolve();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    // A git that exits before reading all its input closes the pipe: its exit code and output say why, not the write.
    written = writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close()).catch(() => {});
  }
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  if (options.onStdout) {
    for await (const piece of child.stdout) options.onStdout(piece);
  } else {
    stdout = await new Response(child.stdout).text();
  }
  const [status] = await Promise.all([child.status, written]);
  return { code: status.code, stdout, stderr: await stderr };
}

/**
 * Paths given to one git command as arguments, where the command cannot read them from standard input: far below the
 * system's limit on a command line (2 MiB in all on Linux) at any path length git accepts.
 */
export const PATHS_PER_COMMAND = 1000;

/**
 * Paths in slices of at most {@linkcode PATHS_PER_COMMAND}, for commands that take them only as arguments (`status`,
 * `diff`, `ls-tree`): a library of any size stays within the system's limit on a command line.
 *
 * @example
 * ```ts
 * import { pathSlices } from "./git.ts";
 * [...pathSlices(["a", "b", "c"], 2)]; // [["a", "b"], ["c"]]
 * ```
 *
 * @param paths The paths.
 * @param size The most in one slice.
 * @returns The slices, in order.
 */
export function* pathSlices(paths: readonly string[], size = PATHS_PER_COMMAND): Generator<string[]> {
  for (let start = 0; start < paths.length; start += size) yield paths.slice(start, start + size);
}

/**
 * The arguments and standard input that give a command (`add`, `reset`, `commit`) its paths through standard input,
 * NUL-separated (`--pathspec-from-file=- --pathspec-file-nul`): one process for any number of paths, and any byte a
 * path may hold.
 *
 * @example
 * ```ts
 * import { pathspecsOnStdin } from "./git.ts";
 * const { args, stdin } = pathspecsOnStdin(["skills/a.md", "skills/b.md"]);
 * // git.run(["--literal-pathspecs", "add", "-A", ...args], { stdin })
 * ```
 *
 * @param paths The paths.
 * @returns The arguments to append and the text for standard input.
 */
export function pathspecsOnStdin(paths: readonly string[]): { args: string[]; stdin: string } {
  return { args: ["--pathspec-from-file=-", "--pathspec-file-nul"], stdin: paths.join("\0") };
}

/**
 * Stages exactly these files, added, changed or deleted (`git update-index --add --remove -z --stdin`): each path is
 * looked up, not matched as a pathspec against every entry of the index. `git add -A` with the 30,000 paths of a
 * 60,000-skill run's merges ran past its minute; this costs the paths.
 *
 * @example
 * ```ts ignore
 * import { stageFiles } from "./git.ts";
 * await stageFiles(git, ["skills/todoist/SKILL.md", ".archive/index.json"]);
 * ```
 *
 * @param git Git in the repository.
 * @param files Repository-relative file paths (not directories).
 * @returns git's result.
 * @throws {GitError} When git fails.
 */
export function stageFiles(git: Git, files: readonly string[]): Promise<GitResult> {
  return git.run(["update-index", "--add", "--remove", "-z", "--stdin"], { stdin: `${files.join("\0")}\0` });
}
