/**
 * The program's one name: the command a user types (installed, compiled or in
 * a container), the prefix of what it prints and commits, its cron job's name
 * and its log category. "heartbeat" alone would collide on a PATH (Linux-HA
 * ships a `heartbeat` daemon); the product is Clawstr's. `deno task heartbeat`
 * is the same program run from source. Files keep names that say what they
 * hold: `heartbeat.json` (the owner's settings), `orchestrator_heartbeat.log`.
 *
 * @module
 */

/** The program's name. */
export const PROGRAM_NAME = "clawstr-heartbeat";
