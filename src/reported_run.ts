/**
 * One run through the pipeline that always ends in a report: whatever it
 * throws becomes a failed run's report, so every host (the command line, the
 * Deno Deploy entry) says why a run failed the same way.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { PipelineAdapters } from "./adapters.ts";
import { errorMessage } from "./error_message.ts";
import { ROOT_CATEGORY } from "./logging.ts";
import { runPipeline } from "./pipeline.ts";
import type { RunReport } from "./report.ts";
import { failedRunReport, type PipelineOptions } from "./run_report.ts";

/**
 * Runs the pipeline; a throw becomes a failed run's report, logged.
 *
 * @param adapters The run's adapters.
 * @param options The configuration and what to do.
 * @returns The run's report.
 */
export async function reportedRun(adapters: PipelineAdapters, options: PipelineOptions): Promise<RunReport> {
  const started = adapters.clock.now();
  try {
    return await runPipeline(adapters, options);
  } catch (error) {
    getLogger([ROOT_CATEGORY]).error("The run failed: {error}", { error });
    return failedRunReport(options, started, `the run failed: ${errorMessage(error)}`);
  }
}
