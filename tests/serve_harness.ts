/**
 * `clawstr-heartbeat serve` as the tests start it: a separate process with
 * the heartbeat task's permissions, on a free loopback port, and a client
 * that speaks its API with the token.
 *
 * @module
 */

import { cliCommand, commitRepository, optIn, tempDir, writeTree } from "./utils.ts";
import { BACKGROUND, ONE_CLUE } from "./fixtures/libraries.ts";

/** The token the tests serve with. */
export const SERVE_TOKEN = "serve-test-token-31415926";

/** A running server. */
export interface TestServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** The process's id: its memory is read with `ps` (another process's `/proc` needs every permission). */
  pid: number;
  /** Sends a request with the token (or with `token`, or none when `null`). */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** Everything the process wrote on stderr so far, once it has stopped. */
  stderr(): Promise<string>;
  /** Stops it with SIGTERM and waits for its exit code. */
  stop(): Promise<number>;
}

/**
 * Starts `serve` in `cwd` with the given arguments.
 *
 * @param cwd The working directory (the repositories are relative to it).
 * @param args The arguments after `serve`.
 * @param env Variables besides `HEARTBEAT_TOKEN`; `HEARTBEAT_TOKEN: null` leaves it unset.
 * @param options `fileLimit`: the process's limit on open files (`ulimit -n`), as a systemd unit would set it.
 * @returns The server, once it listens.
 */
export async function startServe(
  cwd: string,
  args: string[],
  env: Record<string, string | null> = {},
  options: { fileLimit?: number } = {},
): Promise<TestServer> {
  const variables = Object.entries({ HEARTBEAT_TOKEN: SERVE_TOKEN, ...env })
    .filter((entry): entry is [string, string] => entry[1] !== null);
  const child = cliCommand(["serve", "--port", "0", ...args], {
    cwd,
    env: Object.fromEntries(variables),
    ...options.fileLimit === undefined
      ? {}
      : { wrapper: ["sh", "-c", `ulimit -n ${options.fileLimit} && exec "$@"`, "sh"] },
  }).spawn();
  const decoded = child.stderr.pipeThrough(new TextDecoderStream());
  const reader = decoded.getReader();
  let text = "";
  let base: string | undefined;
  while (base === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited before listening: ${text}`);
    text += value;
    base = /serving \d+ repositories on (http:\/\/[^/\s]+)\//.exec(text)?.[1];
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += value;
    }
  })();
  child.stdout.cancel();
  let exit: Promise<number> | undefined;
  const stop = () => {
    if (!exit) {
      child.kill("SIGTERM");
      exit = child.status.then((status) => status.code);
    }
    return exit;
  };
  return {
    base,
    pid: child.pid,
    api(path, init = {}) {
      const { token = SERVE_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set("authorization", `Bearer ${token}`);
      return fetch(`${base}${path}`, { ...rest, headers });
    },
    async stderr() {
      await stop();
      return await rest;
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await rest;
    },
  };
}

/**
 * A git repository of the background skills, a copy of one of them (merged unattended) and one pair proposed for
 * review, opted in.
 */
export async function repositoryWithProposal(): Promise<AsyncDisposable & { path: string }> {
  const repo = await tempDir();
  const [path, text] = Object.entries(BACKGROUND)[0]!;
  await writeTree(repo.path, { ...BACKGROUND, ...ONE_CLUE, [path.replace(/\.md$/, "-copy.md")]: text });
  await optIn(repo.path);
  await commitRepository(repo.path);
  return repo;
}

/** The pair of {@linkcode repositoryWithProposal} that waits for review. */
export const PROPOSED_PAIR = ["skills/gemini-picture-maker/SKILL.md", "skills/picture-maker/SKILL.md"];

/**
 * Waits until the repository has no run under way and has at least `runs` runs.
 *
 * @param server The server.
 * @param name The repository.
 * @param runs How many runs it must have had.
 * @returns Its runs, newest first.
 */
export async function settledRuns(
  server: TestServer,
  name: string,
  runs = 1,
): Promise<Array<{ runId: string; status: string; report: boolean }>> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const answer = await (await server.api(`/api/repositories/${name}/runs`)).json();
    if (!answer.running && answer.runs.length >= runs) return answer.runs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not settle after ${runs} runs`);
}
