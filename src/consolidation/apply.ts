/**
 * Carries out a consolidation plan, crash-safely.
 *
 * Before the first operation, the whole plan is written to a journal in the
 * state directory; after each operation its number is appended to a progress
 * file. Every operation can be repeated safely (copies are checked, writes are
 * atomic renames, removals of missing files do nothing), so after a crash at
 * any instant the next start finds the journal and completes the plan from
 * the last recorded operation: the originals are in the archive before
 * anything is removed, so nothing is lost on the way.
 *
 * @module
 */

import { join } from "node:path";
import { type RepositoryWriter, sameBytes } from "../fs/repository_writer.ts";
import { indexWithEntries, indexWithRestored } from "./archive_index.ts";
import type { Operation } from "./plan.ts";

/** An operation could not be carried out. */
export class ConsolidationError extends Error {
  override name = "ConsolidationError";
}

const JOURNAL = "consolidation-journal.json";
const PROGRESS = "consolidation-progress";

/** Options of {@linkcode applyOperations}. */
export interface ApplyOptions {
  /** The state directory, where the journal lives. */
  stateDir: string;
  /** The archive's index file, repository-relative. */
  indexPath: string;
  /**
   * Called after each operation is applied and again once it is recorded
   * (tests use it to crash on purpose at every point between the two).
   */
  afterOperation?: (index: number, stage: "applied" | "recorded") => void;
}

/**
 * Carries out operations, journalled.
 *
 * @param operations The operations, in order.
 * @param writer Writes the repository.
 * @param options Where the journal and the archive's index are.
 */
export function applyOperations(
  operations: readonly Operation[],
  writer: RepositoryWriter,
  options: ApplyOptions,
): void {
  Deno.mkdirSync(options.stateDir, { recursive: true });
  const journal = join(options.stateDir, JOURNAL);
  const temporary = `${journal}.tmp`;
  Deno.writeTextFileSync(temporary, JSON.stringify({ indexPath: options.indexPath, operations }));
  Deno.writeTextFileSync(join(options.stateDir, PROGRESS), "");
  Deno.renameSync(temporary, journal);
  run(operations, 0, writer, options);
}

/**
 * Completes a consolidation a crash interrupted, if there is one.
 *
 * @param writer Writes the repository.
 * @param stateDir The state directory.
 * @returns How many operations were left and carried out now (0: nothing was interrupted).
 */
export function recoverConsolidation(writer: RepositoryWriter, stateDir: string): number {
  let journal: { indexPath: string; operations: Operation[] };
  try {
    journal = JSON.parse(Deno.readTextFileSync(join(stateDir, JOURNAL)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
  let progress = "";
  try {
    progress = Deno.readTextFileSync(join(stateDir, PROGRESS));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const done = progress.split("\n").filter((line) => /^\d+$/.test(line)).map(Number);
  // The last recorded operation is done; the next may have been under way, so it runs again,
  // after the temporary files of a write that never reached its rename are cleared away.
  const next = done.length === 0 ? 0 : done.reduce((last, line) => Math.max(last, line)) + 1;
  for (const operation of journal.operations.slice(next)) {
    const target = operation.kind === "write"
      ? operation.path
      : operation.kind === "index" || operation.kind === "restored"
      ? journal.indexPath
      : operation.kind === "remove"
      ? undefined
      : operation.to;
    if (target) writer.removeLeftovers(target);
  }
  run(journal.operations, next, writer, { stateDir, indexPath: journal.indexPath });
  return journal.operations.length - next;
}

function run(operations: readonly Operation[], from: number, writer: RepositoryWriter, options: ApplyOptions): void {
  const progress = join(options.stateDir, PROGRESS);
  for (let index = from; index < operations.length; index++) {
    apply(operations[index]!, writer, options.indexPath);
    options.afterOperation?.(index, "applied");
    Deno.writeTextFileSync(progress, `${index}\n`, { append: true });
    options.afterOperation?.(index, "recorded");
  }
  Deno.removeSync(join(options.stateDir, JOURNAL));
  Deno.removeSync(progress);
}

function apply(operation: Operation, writer: RepositoryWriter, indexPath: string): void {
  switch (operation.kind) {
    case "archive":
    case "carry": {
      const source = writer.read(operation.from);
      const target = writer.read(operation.to);
      if (source === undefined) {
        // Already moved by an interrupted run: the target must be there.
        if (target === undefined) throw new ConsolidationError(`Neither ${operation.from} nor ${operation.to} exists`);
        return;
      }
      if (target !== undefined) {
        if (sameBytes(source, target)) return;
        throw new ConsolidationError(`${operation.to} exists and differs from ${operation.from}; nothing overwritten`);
      }
      writer.copy(operation.from, operation.to);
      return;
    }
    case "write":
      writer.write(operation.path, new TextEncoder().encode(operation.content));
      return;
    case "remove":
      writer.remove(operation.path, operation.keep);
      return;
    case "index":
      writer.write(indexPath, indexWithEntries(writer.read(indexPath), indexPath, operation.entries));
      return;
    case "restored":
      writer.write(indexPath, indexWithRestored(writer.read(indexPath), indexPath, operation.archived, operation.run));
      return;
  }
}
