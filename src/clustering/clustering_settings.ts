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
