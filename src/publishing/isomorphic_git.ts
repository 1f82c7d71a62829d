/**
 * Git without a git binary, for hosts that do not promise one (Deno Deploy):
 * isomorphic-git, pure JavaScript, over the work tree on disk and HTTPS with a
 * token. It is a {@linkcode Git} like the local binary's, answering the
 * commands the heartbeat's publishing runs, in the forms it runs them, with
 * git's own exit codes and the output those callers read; anything else
 * fails with exit 129, so a new command in publishing cannot pass unnoticed.
 *
 * Where the binary would do more than the heartbeat needs, this does what it
 * needs: `diff` lists each staged file's old and new text whole, whatever it
 * compares (the commit's secret check reads every added line either way);
 * `log` shows each commit's metadata in the formats the push's secret check
 * asks for and, with `-p`, each changed file's new text whole against its
 * first parent; `rebase` replays the
 * local commits on the remote branch with cherry-picks and changes nothing
 * when one conflicts; `ls-files --ignored` lists nothing, as a fresh clone
 * holds no ignored files (they are never committed).
 *
 * @module
 */

import fs from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/web";
import type { Secret } from "../secret.ts";
import { type Git, GitError, type GitResult } from "./git.ts";

/** Where the repository is, and how to authenticate to its remotes. */
export interface IsomorphicGitOptions {
  /** The work tree, absolute; its `.git` directory inside. */
  dir: string;
  /** The token for HTTPS remotes, sent as the password (a forge's personal access token). */
  token?: Secret | undefined;
  /** The user name sent with the token (default `x-access-token`, which GitHub, Gitea and GitLab accept). */
  username?: string | undefined;
}

/** The arguments of one supported command, past git's own options, and the identity `-c` gave. */
interface Invocation {
  command: string;
  args: string[];
  identity: { name?: string; email?: string };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Clones `url` into `dir` (one branch, its whole history, the remote named `origin`).
 *
 * @param options Where, and the token.
 * @param url The repository's HTTPS URL.
 * @param branch The branch; the remote's default when absent.
 * @throws {Error} isomorphic-git's, when the remote cannot be read (the token is never in it).
 */
export async function cloneRepository(
  options: IsomorphicGitOptions,
  url: string,
  branch?: string,
): Promise<void> {
  await git.clone({
    fs,
    http,
    dir: options.dir,
    url,
    singleBranch: true,
    ...(branch === undefined ? {} : { ref: branch }),
    onAuth: credentials(options),
  });
}

/**
 * Git in `options.dir` through isomorphic-git.
 *
 * @param options The work tree and the token.
 * @returns The adapter.
 *
 * @example
 * ```ts ignore
 * import { cloneRepository, isomorphicGit } from "./isomorphic_git.ts";
 * await cloneRepository({ dir: "/tmp/skills", token }, "https://git.example/skills.git");
 * const head = await isomorphicGit({ dir: "/tmp/skills", token }).run(["rev-parse", "HEAD"]);
 * ```
 */
export function isomorphicGit(options: IsomorphicGitOptions): Git {
  const repository = new IsomorphicRepository(options);
  return {
    async run(args, runOptions = {}) {
      const invocation = parseInvocation(args);
      let result: GitResult;
      try {
        result = await repository.answer(invocation, runOptions.stdin ?? "", runOptions.onStdout);
      } catch (error) {
        result = { code: 128, stdout: "", stderr: `fatal: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (result.code !== 0 && !runOptions.allowFailure) throw new GitError(args, result.code, result.stderr);
      return result;
    },
  };
}

function credentials(options: IsomorphicGitOptions) {
  return () =>
    options.token === undefined
      ? { cancel: true }
      : { username: options.username ?? "x-access-token", password: options.token.reveal() };
}

/** Splits off `-c name=value` (the commit's identity) and `--literal-pathspecs` (paths are always literal here). */
function parseInvocation(args: readonly string[]): Invocation {
  const identity: Invocation["identity"] = {};
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    if (args[i] !== "-c") continue;
    const [key, value = ""] = args[++i]!.split(/=(.*)/s);
    if (key === "user.name") identity.name = value;
    if (key === "user.email") identity.email = value;
  }
  return { command: args[i] ?? "", args: args.slice(i + 1), identity };
}

const ok = (stdout = ""): GitResult => ({ code: 0, stdout, stderr: "" });
const failed = (code: number, stderr: string): GitResult => ({ code, stdout: "", stderr });

/** The paths after `--`, or on standard input, NUL-separated, with `--pathspec-from-file=-` (see `pathspecsOnStdin`). */
function pathspecs(args: readonly string[], stdin = ""): string[] {
  if (args.includes("--pathspec-from-file=-")) return stdin.split("\0").filter((path) => path !== "");
  const at = args.indexOf("--");
  return at < 0 ? [] : args.slice(at + 1);
}

/** One statusMatrix row: path, HEAD, work tree, index (isomorphic-git's codes). */
type StatusRow = [string, number, number, number];

/** The two-letter `status --porcelain` code of a row, or `undefined` when the path is unchanged. */
function porcelainCode([, head, workdir, stage]: StatusRow): string | undefined {
  if (head === 1 && workdir === 1 && stage === 1) return undefined;
  if (head === 0 && stage === 0) return workdir === 0 ? undefined : "??";
  const index = stage === 1 ? " " : stage === 0 ? "D" : head === 0 ? "A" : "M";
  // The work tree matches the index when both match HEAD (1, 1), stage 2 says so, or both lack the file.
  const clean = (workdir === 1 && stage === 1) || stage === 2 || (workdir === 0 && stage === 0);
  const worktree = clean ? " " : workdir === 0 ? "D" : "M";
  return `${index}${worktree}`;
}

/** A file a commit changed: its path, and its blob and mode after the commit (none when deleted). */
interface TreeChange {
  path: string;
  oid?: string | undefined;
  mode?: number | undefined;
}

/** The answers, command by command. */
class IsomorphicRepository {
  readonly #options: IsomorphicGitOptions;
  readonly #dir: string;
  readonly #cache = {};

  constructor(options: IsomorphicGitOptions) {
    this.#options = options;
    this.#dir = options.dir;
  }

  answer(invocation: Invocation, stdin: string, onStdout?: (piece: Uint8Array) => void): Promise<GitResult> {
    const { command, args } = invocation;
    switch (command) {
      case "rev-parse":
        return this.#revParse(args);
      case "symbolic-ref":
        return this.#currentBranch();
      case "status":
        return this.#status(args);
      case "add":
        return this.#add(pathspecs(args, stdin));
      case "update-index":
        // `--add --remove -z --stdin`, as stageFiles runs it: the same as adding those files.
        return this.#add(stdin.split("\0").filter((path) => path !== ""));
      case "reset":
        return this.#reset(pathspecs(args, stdin));
      case "diff":
        return this.#stagedDiff(args.includes("--name-only"));
      case "commit":
        return this.#commit(invocation);
      case "config":
        return this.#config(args[0] ?? "");
      case "remote":
        return this.#remotes();
      case "rev-list":
        return this.#countAhead(args);
      case "log":
        return this.#log(args, onStdout);
      case "push":
        return this.#push(args);
      case "fetch":
        return this.#fetch(args);
      case "rebase":
        return args.includes("--abort") ? Promise.resolve(ok()) : this.#rebase(args.at(-1) ?? "");
      case "ls-files":
        return Promise.resolve(ok());
      case "ls-tree":
        return this.#listTree(args);
      case "hash-object":
        return this.#hashPaths(stdin);
      case "cat-file":
        return this.#catFile(args);
      default:
        return Promise.resolve(failed(129, `isomorphic-git adapter: git ${command} is not supported`));
    }
  }

  get #base() {
    return { fs, dir: this.#dir, cache: this.#cache };
  }

  async #resolve(ref: string): Promise<string | undefined> {
    try {
      return await git.resolveRef({ ...this.#base, ref });
    } catch {
      return undefined;
    }
  }

  async #revParse(args: string[]): Promise<GitResult> {
    if (args.includes("--is-inside-work-tree")) return ok("true\n");
    if (args.includes("--absolute-git-dir")) return ok(`${join(this.#dir, ".git")}\n`);
    const ref = args.filter((arg) => !arg.startsWith("-")).at(-1) ?? "HEAD";
    const oid = await this.#resolve(ref);
    if (oid === undefined) return failed(args.includes("-q") ? 1 : 128, `fatal: ambiguous argument '${ref}'`);
    return ok(`${args.includes("--short") ? oid.slice(0, 7) : oid}\n`);
  }

  async #currentBranch(): Promise<GitResult> {
    const branch = await git.currentBranch({ ...this.#base, fullname: false });
    return branch === undefined ? failed(1, "") : ok(`${branch}\n`);
  }

  async #rows(paths: readonly string[]): Promise<StatusRow[]> {
    return await git.statusMatrix({ ...this.#base, ...(paths.length > 0 ? { filepaths: [...paths] } : {}) });
  }

  async #status(args: string[]): Promise<GitResult> {
    // Plain `status` is asked whether a rebase is under way: this adapter never leaves one.
    if (!args.some((arg) => arg.startsWith("--porcelain"))) return ok("");
    const entries = (await this.#rows(pathspecs(args))).flatMap((row) => {
      const code = porcelainCode(row);
      return code === undefined ? [] : [`${code} ${row[0]}\0`];
    });
    return ok(entries.join(""));
  }

  async #add(paths: string[]): Promise<GitResult> {
    for (const [filepath, head, workdir, stage] of await this.#rows(paths)) {
      if (workdir === 0 && (head !== 0 || stage !== 0)) await git.remove({ ...this.#base, filepath });
      else if (workdir !== 0) await git.add({ ...this.#base, filepath });
    }
    return ok();
  }

  async #reset(paths: string[]): Promise<GitResult> {
    for (const [filepath] of await this.#rows(paths)) await git.resetIndex({ ...this.#base, filepath });
    return ok();
  }

  /** The staged files (index against HEAD): their names, or their old and new text whole. */
  async #stagedDiff(namesOnly: boolean): Promise<GitResult> {
    const staged = await git.walk({
      ...this.#base,
      trees: [git.TREE({ ref: "HEAD" }), git.STAGE()],
      map: async (filepath, [head, stage]) => {
        if (filepath === "." || (await (head ?? stage)?.type()) === "tree") return undefined;
        const [before, after] = [await head?.oid(), await stage?.oid()];
        if (before === after) return undefined;
        return { filepath, before, after };
      },
    }) as Array<{ filepath: string; before?: string; after?: string }>;
    if (namesOnly) return ok(staged.map((entry) => `${entry.filepath}\0`).join(""));
    // The index's entries carry no content (the walker's `content()` is empty for them): each blob is read by its id.
    const lines = async (oid: string | undefined, sign: string) => {
      if (oid === undefined) return "";
      const { blob } = await git.readBlob({ ...this.#base, oid });
      return decoder.decode(blob).split("\n").map((line) => `${sign}${line}\n`).join("");
    };
    const diffs = [];
    for (const entry of staged) {
      const header = `diff --git a/${entry.filepath} b/${entry.filepath}\n`;
      diffs.push(`${header}${await lines(entry.before, "-")}${await lines(entry.after, "+")}`);
    }
    return ok(diffs.join(""));
  }

  async #commit(invocation: Invocation): Promise<GitResult> {
    if (invocation.args.includes("--") || invocation.args.includes("--only")) {
      return failed(129, "isomorphic-git adapter: commit -- PATHS is not supported");
    }
    const at = invocation.args.indexOf("-m");
    const message = at < 0 ? undefined : invocation.args[at + 1];
    if (message === undefined) return failed(129, "isomorphic-git adapter: commit needs -m MESSAGE");
    const { name, email } = invocation.identity;
    await git.commit({
      ...this.#base,
      message,
      ...(name !== undefined && email !== undefined ? { author: { name, email } } : {}),
    });
    return ok();
  }

  async #config(path: string): Promise<GitResult> {
    const value = await git.getConfig({ ...this.#base, path });
    return value === undefined ? failed(1, "") : ok(`${value}\n`);
  }

  async #remotes(): Promise<GitResult> {
    const remotes = await git.listRemotes({ ...this.#base });
    return ok(remotes.map((remote) => `${remote.remote}\n`).join(""));
  }

  /** `rev-list --count BASE..HEAD`: the commits HEAD has that BASE lacks. */
  async #countAhead(args: string[]): Promise<GitResult> {
    const range = args.find((arg) => arg.includes(".."));
    if (!args.includes("--count") || range === undefined || range.includes("...")) {
      return failed(129, `isomorphic-git adapter: rev-list ${args.join(" ")} is not supported`);
    }
    const [base = "", tip = "HEAD"] = range.split("..");
    const reachable = async (ref: string) => new Set((await git.log({ ...this.#base, ref })).map((entry) => entry.oid));
    const [fromTip, fromBase] = [await reachable(tip), await reachable(base)];
    return ok(`${[...fromTip].filter((oid) => !fromBase.has(oid)).length}\n`);
  }

  /**
   * `log [-p] --format=FORMAT … HEAD --not --remotes=REMOTE --`: the commits HEAD has that no branch of REMOTE has,
   * each in FORMAT (`%x00 %H %n %an %ae %cn %ce %B`) and, with `-p`, what it changed against its first parent: each
   * file's header and its new text whole, as added lines. Handed to `onStdout` commit by commit when given.
   */
  async #log(args: string[], onStdout: ((piece: Uint8Array) => void) | undefined): Promise<GitResult> {
    const format = args.find((arg) => arg.startsWith("--format="))?.slice("--format=".length) ?? "";
    const placeholders = /%(x00|an|ae|cn|ce|H|n|B)/g;
    const revisions = args.filter((arg) => !arg.startsWith("-") || arg === "--not" || arg.startsWith("--remotes="));
    const remote = revisions[2]?.slice("--remotes=".length);
    if (
      format.replace(placeholders, "").includes("%") || revisions.length !== 3 || revisions[0] !== "HEAD" ||
      revisions[1] !== "--not" || !revisions[2]!.startsWith("--remotes=")
    ) {
      return failed(129, `isomorphic-git adapter: log ${args.join(" ")} is not supported`);
    }
    const published = new Set<string>();
    for (const branch of await git.listBranches({ ...this.#base, remote })) {
      const tip = await this.#resolve(`refs/remotes/${remote}/${branch}`);
      if (tip === undefined || published.has(tip)) continue;
      for (const entry of await git.log({ ...this.#base, ref: tip })) published.add(entry.oid);
    }
    const pieces: string[] = [];
    const emit = (text: string) => onStdout ? onStdout(encoder.encode(text)) : pieces.push(text);
    for (const { oid, commit } of await git.log({ ...this.#base, ref: "HEAD" })) {
      if (published.has(oid)) continue;
      const fields: Record<string, string> = {
        x00: "\0",
        H: oid,
        n: "\n",
        an: commit.author.name,
        ae: commit.author.email,
        cn: commit.committer.name,
        ce: commit.committer.email,
        B: commit.message,
      };
      emit(`${format.replace(placeholders, (_, name: string) => fields[name]!)}\n`);
      if (!args.includes("-p")) continue;
      for (const change of await this.#treeChanges(commit.parent[0], oid)) {
        const header = `diff --git a/${change.path} b/${change.path}\n`;
        if (change.oid === undefined) {
          emit(header);
          continue;
        }
        const { blob } = await git.readBlob({ ...this.#base, oid: change.oid });
        const added = decoder.decode(blob).split("\n").map((line) => `+${line}\n`).join("");
        emit(`${header}+++ b/${change.path}\n${added}`);
      }
    }
    return ok(pieces.join(""));
  }

  /** `push --porcelain REMOTE HEAD:refs/heads/BRANCH`; a rejection reads as git's own. */
  async #push(args: string[]): Promise<GitResult> {
    const [remote = "origin", refspec = ""] = args.filter((arg) => !arg.startsWith("-"));
    const remoteRef = refspec.split(":")[1] ?? refspec;
    const branch = await git.currentBranch({ ...this.#base, fullname: false });
    try {
      const result = await git.push({
        ...this.#base,
        http,
        remote,
        ...(branch === undefined ? {} : { ref: branch }),
        remoteRef,
        onAuth: credentials(this.#options),
      });
      if (!result.ok) return failed(1, `error: failed to push: ${result.error ?? "the remote refused it"}`);
      const head = await this.#resolve("HEAD");
      const tracking = `refs/remotes/${remote}/${remoteRef.replace(/^refs\/heads\//, "")}`;
      if (head !== undefined) await git.writeRef({ ...this.#base, ref: tracking, value: head, force: true });
      return ok(`To ${remote}\n \t${refspec}\t[up to date]\nDone\n`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "PushRejectedError") {
        return { code: 1, stdout: `To ${remote}\n!\t${refspec}\t[rejected] (non-fast-forward)\nDone\n`, stderr: "" };
      }
      throw error;
    }
  }

  async #fetch(args: string[]): Promise<GitResult> {
    const [remote = "origin", branch] = args.filter((arg) => !arg.startsWith("-"));
    await git.fetch({
      ...this.#base,
      http,
      remote,
      ...(branch === undefined ? {} : { ref: branch }),
      singleBranch: true,
      tags: false,
      onAuth: credentials(this.#options),
    });
    return ok();
  }

  /**
   * `rebase UPSTREAM`: the commits HEAD has past the merge base, replayed in order onto UPSTREAM, each with its
   * message, author and committer. When UPSTREAM changed a file one of them changes, nothing changes and it fails, as
   * git's rebase stops on a conflict (whose `--abort` then has nothing to undo).
   */
  async #rebase(upstream: string): Promise<GitResult> {
    const branch = await git.currentBranch({ ...this.#base, fullname: false });
    const [head, onto] = [await this.#resolve("HEAD"), await this.#resolve(`refs/remotes/${upstream}`)];
    if (branch === undefined || head === undefined || onto === undefined) {
      return failed(128, `fatal: cannot rebase onto ${upstream}`);
    }
    const [base] = await git.findMergeBase({ ...this.#base, oids: [head, onto] }) as string[];
    if (base === onto) return ok();
    const local = [];
    for (const entry of await git.log({ ...this.#base, ref: head })) {
      if (entry.oid === base) break;
      local.unshift(entry);
    }
    const theirs = new Set((await this.#treeChanges(base, onto)).map((change) => change.path));
    const replays = [];
    for (const entry of local) {
      const changes = await this.#treeChanges(entry.commit.parent[0], entry.oid);
      const conflict = changes.find((change) => theirs.has(change.path));
      if (conflict) return failed(1, `CONFLICT (content): merge conflict in ${conflict.path}`);
      replays.push({ entry, changes });
    }
    await git.writeRef({ ...this.#base, ref: `refs/heads/${branch}`, value: onto, force: true });
    await git.checkout({ ...this.#base, ref: branch, force: true });
    for (const { entry, changes } of replays) {
      for (const change of changes) await this.#applyChange(change);
      const { message, author, committer } = entry.commit;
      await git.commit({ ...this.#base, message, author, committer: { ...committer, timestamp: undefined } });
    }
    return ok();
  }

  /** The files that differ between two commits' trees: each path with its blob in the second, or none when deleted. */
  async #treeChanges(from: string | undefined, to: string): Promise<TreeChange[]> {
    const trees = [git.TREE({ ref: from ?? to }), git.TREE({ ref: to })];
    return await git.walk({
      ...this.#base,
      trees,
      map: async (filepath, [before, after]) => {
        const [a, b] = [from === undefined ? undefined : await before?.oid(), await after?.oid()];
        if (a === b) return null;
        if (filepath === "." || (await (after ?? before)?.type()) === "tree") return undefined;
        return { path: filepath, oid: b, mode: await after?.mode() };
      },
    }) as TreeChange[];
  }

  /** Writes one file of a replayed commit into the work tree and the index. */
  async #applyChange(change: TreeChange): Promise<void> {
    const path = join(this.#dir, change.path);
    if (change.oid === undefined) {
      await fs.promises.rm(path, { force: true });
      await git.remove({ ...this.#base, filepath: change.path });
      return;
    }
    const { blob } = await git.readBlob({ ...this.#base, oid: change.oid });
    await fs.promises.mkdir(join(path, ".."), { recursive: true });
    await fs.promises.writeFile(path, blob, { mode: change.mode === 0o100755 ? 0o755 : 0o644 });
    await git.add({ ...this.#base, filepath: change.path });
  }

  /** `ls-tree -r -z --full-tree REF -- PATHS`: each path's blob at REF. */
  async #listTree(args: string[]): Promise<GitResult> {
    const ref = args.filter((arg) => !arg.startsWith("-")).find((arg) => arg !== "--") ?? "HEAD";
    const commit = await this.#resolve(ref);
    if (commit === undefined) return failed(128, `fatal: Not a valid object name ${ref}`);
    const entries: string[] = [];
    for (const filepath of pathspecs(args)) {
      try {
        const { oid } = await git.readBlob({ ...this.#base, oid: commit, filepath });
        entries.push(`100644 blob ${oid}\t${filepath}\0`);
      } catch {
        // Not in that tree: not listed, as git lists nothing for it.
      }
    }
    return ok(entries.join(""));
  }

  /** `hash-object --stdin-paths`: the blob id of each work-tree file named on a line. */
  async #hashPaths(stdin: string): Promise<GitResult> {
    const ids: string[] = [];
    for (const path of stdin.split("\n").filter((line) => line !== "")) {
      const { oid } = await git.hashBlob({ object: await fs.promises.readFile(join(this.#dir, path)) });
      ids.push(`${oid}\n`);
    }
    return ok(ids.join(""));
  }

  /** `cat-file blob REF:PATH`. */
  async #catFile(args: string[]): Promise<GitResult> {
    const [ref = "HEAD", filepath = ""] = (args.at(-1) ?? "").split(/:(.*)/s);
    const commit = await this.#resolve(ref);
    if (commit === undefined) return failed(128, `fatal: Not a valid object name ${ref}`);
    try {
      const { blob } = await git.readBlob({ ...this.#base, oid: commit, filepath });
      return ok(decoder.decode(blob));
    } catch {
      return failed(128, `fatal: path '${filepath}' does not exist in '${ref}'`);
    }
  }
}
