// Counts event-loop turns while work is pending: how the tests show that long work is done in
// slices without timing anything (a step that holds the loop lets no turn run at all).

/** Counts the event-loop turns (setImmediate) that run while `work` is pending. */
export async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { value: await work(), turns };
  } finally {
    running = false;
  }
}
