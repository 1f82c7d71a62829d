// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The review commands: `heartbeat review` lists the merges proposed to the
 * owner, `heartbeat approve ID` and `heartbeat reject ID` decide one. Each runs
 * the heartbeat once, dry, so the proposals are those of the library as it is
 * now; a decision goes into the repository (`<archive>/decisions.json`) and the
 * next run honours it (and commits it).
 *
 * @module
 */

import { type Decision, DecisionsError } from "../clustering/review_decisions.ts";
import { NoSuchProposalError, proposalsOf, recordProposalDecision } from "../proposal_decision.ts";
import { printable } from "../printable.ts";
import type { ClusterReport } from "../report.ts";
import { DEFAULT_INTERVAL_HOURS } from "./args.ts";
import type { CommonOptions } from "../common_options.ts";
import { type ReportConsumer, runCommand } from "./run.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/** How many lines of a proposal's preview the listing shows; `--json` has all. */
const PREVIEW_LINES = 40;

/**
 * Lists the review proposals, or decides one.
 *
 * @param command `review`, or `approve`/`reject` with the proposal's id.
 * @param version The program's version.
 * @returns The exit code: 0, or 1 when the run failed or the proposal is not there.
 */
export function reviewCommand(
  command: { name: "review"; options: CommonOptions } | { name: Verb; id: string; options: CommonOptions },
  version: string,
): Promise<number> {
  const consumer = command.name === "review"
    ? listProposals(command.options.json)
    : decideProposal(command.name === "approve" ? "approved" : "rejected", command.id, command.options.json);
  return runCommand(
    { ...command.options, once: true, dryRun: true, commit: false, push: false, intervalHours: DEFAULT_INTERVAL_HOURS },
    version,
    consumer,
  );
}

type Verb = "approve" | "reject";

function listProposals(json: boolean): ReportConsumer {
  return {
    writesArchive: false,
    consume(report) {
      const proposals = proposalsOf(report);
      if (json) {
        console.log(JSON.stringify({ runId: report.runId, proposals }));
        return 0;
      }
      if (proposals.length === 0) {
        console.log("Nothing waits for review.");
        return 0;
      }
      const lines = [`${proposals.length} merge${proposals.length === 1 ? "" : "s"} proposed for review:`];
      for (const proposal of proposals) {
        lines.push("");
        for (const line of describeProposal(proposal)) lines.push(line);
      }
      lines.push("", `Decide with: ${PROGRAM_NAME} approve ID, or ${PROGRAM_NAME} reject ID.`);
      console.log(lines.map(printable).join("\n"));
      return 0;
    },
  };
}

function describeProposal(proposal: ClusterReport): string[] {
  const lines = [
    `${proposal.id}  ${proposal.members.length} skills (likely ${proposal.likelihood ?? 0}, text ${proposal.score}): ${
      proposal.reasons.join("; ")
    }`,
  ];
  for (const part of proposal.parts ?? []) {
    lines.push(`  - ${part.join(", ")}${part.length > 1 ? " (merged anyway)" : ""}`);
  }
  const preview = (proposal.preview ?? "").split("\n");
  lines.push(`  the master it would write:`);
  for (const line of preview.slice(0, PREVIEW_LINES)) lines.push(`    ${line}`);
  if (preview.length > PREVIEW_LINES) lines.push(`    … ${preview.length - PREVIEW_LINES} more lines (--json has all)`);
  return lines;
}

function decideProposal(decision: Decision, id: string, json: boolean): ReportConsumer {
  return {
    writesArchive: true,
    consume(report, config) {
      let recorded: { file: string; members: string[] };
      try {
        recorded = recordProposalDecision(config, report, id, decision);
      } catch (error) {
        if (error instanceof NoSuchProposalError) {
          console.error(`${PROGRAM_NAME}: ${error.message} now; "${PROGRAM_NAME} review" lists those that do.`);
          return 1;
        }
        if (!(error instanceof DecisionsError)) throw error;
        console.error(`${PROGRAM_NAME}: ${error.message}; mend or remove it, then decide again.`);
        return 1;
      }
      if (json) {
        console.log(JSON.stringify({ id, decision, members: recorded.members, file: recorded.file }));
        return 0;
      }
      const [members, path] = [recorded.members.join(", "), recorded.file];
      console.log(printable(
        decision === "approved"
          ? `Approved ${id}: the next run merges ${members}. Recorded in ${path}, committed by that run.`
          : `Rejected ${id}: ${members} will not be proposed together again. Recorded in ${path}, committed by the next run.`,
      ));
      return 0;
    },
  };
}
