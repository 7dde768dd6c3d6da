/**
 * Wrap `run` so that any number of calls within one turn of the event loop
 * run it once, on the next turn: many servers changing at once cost one
 * snapshot, one settings write.
 */
export function oncePerTurn(run: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      run();
    });
  };
}
