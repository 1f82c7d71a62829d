/**
 * The help text of each command.
 *
 * @module
 */

import type { HelpTopic } from "./args.ts";
import { commonHelp } from "../common_options.ts";
import { PROGRAM_NAME } from "../program_name.ts";

const COMMON = `
${[...commonHelp(), "  -h, --help           show this help", "  -V, --version        show the version"].join("\n")}`;

const RUN = `Usage: ${PROGRAM_NAME} [run] [options]

Keeps a library of agent skills healthy: discovers skills, clusters duplicates,
merges them into master skills, commits and pushes, and broadcasts the updates
to Nostr. Runs on a schedule until stopped (SIGINT/SIGTERM), or once with --once.

Options:
  --interval HOURS     hours between runs, fractions allowed (default: 6)
  --once               run once now and exit (0 on success, 1 on failure)
  --dry-run            report every decision, change nothing (only the state directory is written)
  --no-commit          write the changes but do not commit them
  --no-push            commit but do not push${COMMON}

Commands:
  run                  the heartbeat (the default)
  serve [REPO ...]     the heartbeat over one or more repositories, with a web dashboard and a JSON API
  health               check the setup and exit 0 when healthy, 1 when not
  init                 opt this repository in (writes and commits heartbeat.json);
                       until then every run is a dry run
  review               list the merges proposed for the owner's review
  approve ID           approve a proposed merge: the next run merges it
  reject ID            reject a proposed merge: it is never proposed again
  restore PATH         undo a merge: bring a master's members (or one) back, as a commit
  fix [--write]        rewrite frontmatter read only by recovery as valid YAML (default: show the diff)
  help [COMMAND]       show help

Environment: NOSTR_NSEC, NOSTR_RELAY, NOSTR_PREVIOUS_KEYS, AGENT_NAME, and for the
Clawnch launch TOKEN_TICKER, TOKEN_WALLET, TOKEN_NAME, TOKEN_DESCRIPTION,
TOKEN_IMAGE, TOKEN_WEBSITE, TOKEN_TWITTER, CLAWNCH_PUBKEY (see README.md).
Exit codes: 0 ok, 1 run failed or unhealthy, 2 bad usage or configuration,
3 another heartbeat holds the repository's lock.`;

const SERVE = `Usage: ${PROGRAM_NAME} serve [REPO ...] [options]

Runs the heartbeat on each repository (the current one by default) on the schedule,
and serves a web dashboard (/dashboard/) and a JSON API (/api/) to watch and steer
it. Every /api/ request needs "Authorization: Bearer $HEARTBEAT_TOKEN"; without
HEARTBEAT_TOKEN only a loopback address may be used. Each repository has its own
lock, state, consent and review queue; one slow or failing does not hold up the others.

Options:
  --hostname ADDRESS   the address to listen on (default: 127.0.0.1)
  --port N             the port (default: 8787; 0: any free one)
  --watch              run a repository when its skills change (debounced)
  --max-connections N  connections open at once; at the cap the longest idle is closed
                       (default: 512, fewer when the limit on open files is low)
  --interval HOURS     hours between runs (default: 6)
  --dry-run            report every decision, change nothing
  --no-commit          write the changes but do not commit them
  --no-push            commit but do not push${COMMON}`;

const HEALTH = `Usage: ${PROGRAM_NAME} health [options]

Runs the health checks and prints them; exits 0 when healthy, 1 when not.

Options:${COMMON}`;

const INIT = `Usage: ${PROGRAM_NAME} init [options]

Opts the repository in: writes heartbeat.json at its root (relays, agent name,
pinned skills, duplicate thresholds; edit it freely) and commits it. Until a
repository has it, every run is a dry run that changes nothing and says so.

Options:${COMMON}`;

const RESTORE = `Usage: ${PROGRAM_NAME} restore PATH [options]

Undoes a merge. PATH is a master (all its members come back) or a merged
skill's original file or folder, relative to the repository. The originals are
copied back from the archive byte for byte; the master is written again from the
members that remain, or removed when fewer than two remain; the restored skills
are recorded as rejected beside the others (decisions.json), so no run merges them
again unless approved. Everything is committed as one commit of its own.

Options:${COMMON}`;

const FIX = `Usage: ${PROGRAM_NAME} fix [--write] [options]

Frontmatter that strict YAML refuses but that discovery recovers (text after a
block indicator on the same line, an unquoted ': ' inside a value, a value starting
with a reserved character such as **) is rewritten as valid YAML: each broken value
becomes one double-quoted string of the same text. Nothing else in a file changes.
Without --write, prints the diff of each file and writes nothing.

Options:
  --write              write the fixed files${COMMON}`;

const REVIEW = `Usage: ${PROGRAM_NAME} review [options]

Lists the merges proposed for review: skills whose evidence of being one tool is
real but not conclusive (one identity clue, a group the evidence joins only in
part). The heartbeat never merges them unattended. Each proposal shows its id,
its parts (what merges anyway, single skills), the evidence and the master it
would write. Runs the heartbeat once, dry: nothing but the state directory changes.

Options:${COMMON}`;

const DECIDE = (verb: "approve" | "reject") =>
  `Usage: ${PROGRAM_NAME} ${verb} ID [options]

${
    verb === "approve"
      ? `Approves the proposal ID (from ${PROGRAM_NAME} review): the next run merges it.`
      : `Rejects the proposal ID (from ${PROGRAM_NAME} review): its skills are never proposed\ntogether again.`
  } The decision is written to
decisions.json in the archive directory and committed by the next run, so it
survives the loss of the state directory.

Options:${COMMON}`;

/**
 * The help text for a command.
 *
 * @param topic The command; the main help when absent.
 * @returns The text.
 */
export function usage(topic?: HelpTopic): string {
  switch (topic) {
    case "serve":
      return SERVE;
    case "health":
      return HEALTH;
    case "init":
      return INIT;
    case "restore":
      return RESTORE;
    case "fix":
      return FIX;
    case "review":
      return REVIEW;
    case "approve":
    case "reject":
      return DECIDE(topic);
    default:
      return RUN;
  }
}
