/** Quitting with live runs: they stop at their next step and keep a checkpoint, then the app quits. */

export interface StoppableStudio {
  liveRunIds(): string[];
  shutdown(graceMs: number): Promise<unknown>;
}

/** How long live runs get to reach a checkpoint before the app quits anyway. */
export const QUIT_GRACE_MS = 10_000;

/** The 'before-quit' handler: holds the first quit while runs are live, then quits once they stopped. */
export function quitGuard(studio: StoppableStudio, quit: () => void): (event: { preventDefault(): void }) => void {
  let stopping = false;
  return (event) => {
    // Once the runs are stopping (or stopped), a quit goes through.
    if (stopping || studio.liveRunIds().length === 0) return;
    event.preventDefault();
    stopping = true;
    void studio.shutdown(QUIT_GRACE_MS).finally(quit);
  };
}
