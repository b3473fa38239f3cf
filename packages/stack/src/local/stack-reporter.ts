/** How the local run talks: progress lines of its own, and every part's output. */
export interface StackReporter {
  /** A progress or banner line of the orchestrator itself. */
  info(line: string): void;
  /** A line of one part of the stack. */
  line(part: string, line: string, stream: 'stdout' | 'stderr'): void;
}

/** A start-up problem with a message meant for a person (no stack trace). */
export class StackStartError extends Error {
  override name = 'StackStartError';
}
