/**
 * What clustering reads of the configuration: the thresholds it decides by,
 * the related-cluster cosine, and their defaults. A leaf module, so that the
 * command line and configuration know them without loading clustering itself.
 *
 * @module
 */

/** Thresholds of the duplicate decision. */
export interface EvidenceThresholds {
  /** Text similarity from which two skills are near copies. */
  near: number;
  /** Text similarity from which two skills by different authors with a shared clue are the same tool. */
  sameTool: number;
  /** With a shared clue, text similarity from which agreeing meaning (`meaning`) also makes the same tool. */
  sameToolText: number;
  /** Embedding similarity that, with `sameToolText`, makes the same tool. */
  meaning: number;
  /**
   * With a *strong* shared clue (the whole name or title), text similarity
   * from which they are the same tool.
   */
  strongClueText: number;
  /** Text similarity from which the same tool named by one clue only is conclusive (merged without review). */
  conclusiveText: number;
  /** Embedding similarity from which one clue is conclusive, when the texts agree (`conclusiveMeaningText`). */
  conclusiveMeaning: number;
  /** Text similarity from which one clue and agreeing meaning (`conclusiveMeaning`) are conclusive. */
  conclusiveMeaningText: number;
}

/** The defaults, chosen on the labelled pairs with margin (see README, "Clustering"). */
export const DEFAULT_THRESHOLDS: EvidenceThresholds = {
  near: 0.9,
  sameTool: 0.3,
  sameToolText: 0.1,
  meaning: 0.75,
  strongClueText: 0.1,
  conclusiveText: 0.5,
  conclusiveMeaning: 0.9,
  conclusiveMeaningText: 0.2,
};

/**
 * The lowest value of each threshold a run accepts (the highest is 1): the safe range for unattended merges.
 * `heartbeat.json` is committed, so a contributor can change it; below these, the run refuses to start.
 *
 * Chosen by measuring, not by reasoning about each rule: `deno run -A bench/threshold_floors.ts REPO --grid` runs the
 * program dry over a copy of the dev corpus (`../shared/corpora/openclaw-skills`, 2,417 files; the defaults merge 402
 * skills into 168 masters) with one threshold lowered from its default 0.05 at a time. Each floor is the lowest step
 * at which that threshold alone merges at most 2.5% more skills than the defaults, 412 (the next steps merge more:
 * near 0.8 416, sameTool 0.15 418, meaning 0.65 414, conclusiveText 0.3 414; conclusiveMeaning's first step, 0.85,
 * merges 415, so it cannot be loosened at all). sameToolText, strongClueText and conclusiveMeaningText stay within it
 * down to 0.05, the lowest step measured, which is their floor. So a contributor's change adds a handful of merges,
 * not hundreds (near alone at 0.05 merges 2,021 skills). Every threshold at its floor at once merges 432 (1.07×); a
 * rule of 5% each would have allowed 486 (1.21×) together.
 */
export const THRESHOLD_FLOORS: EvidenceThresholds = {
  near: 0.85,
  sameTool: 0.2,
  sameToolText: 0.05,
  meaning: 0.7,
  strongClueText: 0.05,
  conclusiveText: 0.35,
  conclusiveMeaning: 0.9,
  conclusiveMeaningText: 0.05,
};

/** The default least embedding cosine of a related cluster. */
export const DEFAULT_RELATED = 0.9;

/** The part of the configuration clustering reads. */
export interface ClusteringSettings {
  readonly clustering: {
    /** The least embedding cosine of a related cluster. */
    related: number;
    /** Whether related clusters merge too (not only duplicates). */
    mergeRelated: boolean;
    /** The duplicate decision's thresholds. */
    thresholds: EvidenceThresholds;
  };
}
