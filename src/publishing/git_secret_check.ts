/**
 * The secret guard at git's two doors: what a commit would record and what a
 * push would send are read from git's own output, streamed through the
 * guard's scanner (never held whole, however long the history), and refused
 * when they hold a configured secret. The secrets are looked for in this
 * process: none is ever passed to git as an argument, where other processes
 * could read it (`/proc/PID/cmdline`).
 *
 * Only what is added is read: a removed line was in the parent, which either
 * is on the remote already or is read itself, and a commit that takes a key
 * out must not be refused for it.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { ROOT_CATEGORY } from "../logging.ts";
import type { Secret } from "../secret.ts";
import { assertNoSecret, HEX_KEY_SHAPE, NSEC_SHAPE, SecretLeakError, SecretScanner } from "../secret_guard.ts";
import { type Git, pathSlices } from "./git.ts";

const logger = getLogger([ROOT_CATEGORY, "publishing"]);

/** How git shows changes to be read: every file as text, no program of the user's in between, no context lines. */
const DIFF_FLAGS = ["--text", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-U0"] as const;

/** Reading a whole history can take a while; it is bounded by time, not by size. */
const SCAN_TIMEOUT_MS = 600_000;

/** What a commit is about to record. */
export interface PendingCommit {
  /** The commit message. */
  message: string;
  /** The author, `Name <email>`. */
  author: string;
  /** Paths committed alone (`git commit -- PATHS`, which takes them from the work tree); all that is staged when absent. */
  only?: readonly string[] | undefined;
}

/**
 * Refuses a commit whose changes, message or author hold a configured secret. Text merely shaped like a key
 * (skills that teach Nostr carry example keys; hashes look like hex keys) is counted in a warning.
 *
 * @param git Git in the repository.
 * @param secrets The configured secrets.
 * @param commit What the commit would record.
 * @returns When nothing holds a secret.
 * @throws {SecretLeakError} When something does; nothing was committed and the index is as it was.
 */
export async function assertCommitHoldsNoSecret(
  git: Git,
  secrets: readonly Secret[],
  commit: PendingCommit,
): Promise<void> {
  const refusal = { action: "commit", fix: "nothing was committed: take the key out of the changed files" };
  assertNoSecret("the commit's message and author", `${commit.author}\n${commit.message}`, secrets, refusal);
  const scan = new GitOutputScan(secrets, { removedLines: "skip" });
  for (const args of await diffsToCommit(git, commit.only)) {
    await scan.read(git, ["--literal-pathspecs", ...args]);
  }
  if (scan.found) throw new SecretLeakError(refusal.action, "the changes", refusal.fix);
  if (scan.nsecShaped > 0) {
    logger.warn("The commit holds {count} nsec-shaped strings that are not the agent's key (skills' example text?)", {
      count: scan.nsecShaped,
    });
  }
  if (scan.hexShaped > 0) {
    logger.warn("The commit holds {count} 64-hex strings; they look like hashes, not keys", { count: scan.hexShaped });
  }
}

/** The diffs that show what a commit would record: the staged changes, or the given paths' work-tree changes. */
async function diffsToCommit(git: Git, only: readonly string[] | undefined): Promise<string[][]> {
  if (only === undefined) return [["diff", "--cached", ...DIFF_FLAGS]];
  const head = await git.run(["rev-parse", "--verify", "-q", "HEAD"], { allowFailure: true });
  // `diff` takes paths only as arguments: in slices, within the system's limit on a command line.
  const slices = [...pathSlices(only)];
  if (head.code === 0) return slices.map((slice) => ["diff", "HEAD", ...DIFF_FLAGS, "--", ...slice]);
  // A first commit has no HEAD to compare with: the index, and the work tree's changes since it, together.
  return slices.flatMap((slice) => [
    ["diff", "--cached", ...DIFF_FLAGS, "--", ...slice],
    ["diff", ...DIFF_FLAGS, "--", ...slice],
  ]);
}

/**
 * Refuses a push that would send a configured secret: every commit HEAD has that no branch of the remote (as last
 * fetched) has is read, its message, author and committer, and what it changed against its first parent. A commit
 * made by hand, by an older version or by another command is read like the heartbeat's own.
 *
 * @param git Git in the repository.
 * @param secrets The configured secrets.
 * @param target The remote and branch pushed to.
 * @returns When nothing holds a secret.
 * @throws {SecretLeakError} Naming the first commit that holds one; nothing was pushed.
 */
export async function assertPushHoldsNoSecret(
  git: Git,
  secrets: readonly Secret[],
  target: { remote: string; branch: string },
): Promise<void> {
  // A branch with no commit yet sends nothing.
  if ((await git.run(["rev-parse", "--verify", "-q", "HEAD"], { allowFailure: true })).code !== 0) return;
  const outgoing = ["HEAD", "--not", `--remotes=${target.remote}`, "--"];
  const action = `push to ${target.remote}/${target.branch}`;
  const fix = (commit: string) =>
    `nothing was pushed: take the key out of ${commit} (git rebase -i, or git reset and commit again), and replace ` +
    "the key if that commit was ever shared";
  const metadata = new GitOutputScan(secrets, { removedLines: "read" });
  await metadata.read(git, ["log", "--format=%x00%H%n%an <%ae>%n%cn <%ce>%n%B", ...outgoing]);
  if (metadata.hit !== undefined) {
    throw new SecretLeakError(action, `the message and author of commit ${metadata.hit}`, fix(metadata.hit));
  }
  const changes = new GitOutputScan(secrets, { removedLines: "skip" });
  // `--root`: a first commit's changes are read whatever the owner's `log.showRoot` says (false hides them).
  await changes.read(git, [
    "log",
    "-p",
    "--root",
    "--format=%x00%H",
    "--diff-merges=first-parent",
    ...DIFF_FLAGS,
    ...outgoing,
  ]);
  if (changes.hit !== undefined) {
    throw new SecretLeakError(action, `the changes of commit ${changes.hit}`, fix(changes.hit));
  }
}

/** How many characters of a commit marker line are kept: a hash is 40 (SHA-1) or 64 (SHA-256). */
const MAX_MARKER = 64;

/**
 * Reads git's output line by line as it streams: a line that starts with NUL names the commit the following lines
 * belong to (git never puts NUL in a message, and a diff's lines all start with a marker character); a removed line
 * (`-`) is left out when asked; every other line goes to the guard's scanner, and is counted when shaped like a key.
 */
class GitOutputScan {
  readonly #scanner: SecretScanner;
  readonly #skipRemoved: boolean;
  readonly #decoder = new TextDecoder();
  /** The commit whose lines are being read (its id, abbreviated), when the output names commits. */
  #commit = "";
  #marker: string | undefined;
  #atLineStart = true;
  #skipping = false;
  /** The commit the first secret was found in ("" when the output names none), once found. */
  hit: string | undefined;
  nsecShaped = 0;
  hexShaped = 0;

  constructor(secrets: readonly Secret[], options: { removedLines: "skip" | "read" }) {
    this.#scanner = new SecretScanner(secrets);
    this.#skipRemoved = options.removedLines === "skip";
  }

  get found(): boolean {
    return this.hit !== undefined;
  }

  /** Runs git and reads its output; an adapter that returns the output whole rather than streaming it is read too. */
  async read(git: Git, args: readonly string[]): Promise<void> {
    const result = await git.run(args, {
      timeoutMs: SCAN_TIMEOUT_MS,
      onStdout: (piece) => this.#feed(this.#decoder.decode(piece, { stream: true })),
    });
    this.#feed(this.#decoder.decode() + result.stdout);
    this.#endLine();
  }

  #feed(text: string): void {
    let at = 0;
    while (at < text.length) {
      if (this.#atLineStart) at += this.#startLine(text[at]!);
      const newline = text.indexOf("\n", at);
      const end = newline < 0 ? text.length : newline;
      this.#take(text.slice(at, end));
      if (newline >= 0) this.#endLine();
      at = end + 1;
    }
  }

  /** Reads a line's first character: how many characters it used up (a commit marker's NUL). */
  #startLine(first: string): number {
    this.#atLineStart = false;
    this.#marker = first === "\0" ? "" : undefined;
    this.#skipping = this.#skipRemoved && first === "-";
    return first === "\0" ? 1 : 0;
  }

  #take(part: string): void {
    if (part === "") return;
    if (this.#marker !== undefined) {
      this.#marker = (this.#marker + part).slice(0, MAX_MARKER);
      return;
    }
    if (this.#skipping) return;
    if (this.#scanner.write(part) && this.hit === undefined) this.hit = this.#commit;
    this.nsecShaped += part.match(NSEC_SHAPE)?.length ?? 0;
    this.hexShaped += part.match(HEX_KEY_SHAPE)?.length ?? 0;
  }

  #endLine(): void {
    if (this.#atLineStart) return;
    if (this.#marker !== undefined) this.#commit = this.#marker.slice(0, 12);
    else if (this.#scanner.write("\n") && this.hit === undefined) this.hit = this.#commit;
    this.#marker = undefined;
    this.#atLineStart = true;
  }
}
