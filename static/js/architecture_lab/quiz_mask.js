// What an open quiz question would give away besides the asked value: the asked layer's MACs
// (its parameters times its output positions), every later layer's shape, parameters and
// working (each is worked out from the asked shape), and the totals (the asked count is the
// total minus the visible rows).

const NOTHING = { asked: () => false, masked: () => false, totals: false };

/**
 * quizMask(layers, hide) -> {asked(row, column), masked(row, column), totals}.
 * layers are a summary's rows in table order, hide is {location, kind} or null, column is
 * "shape" | "params" | "macs". asked is the cell the question hides; masked a cell that would
 * give its answer away; totals whether the sums must be hidden too.
 */
export function quizMask(layers, hide) {
  if (!hide) return NOTHING;
  const position = new Map(layers.map((row, i) => [row.location, i]));
  const askedAt = position.get(hide.location);
  if (askedAt === undefined) return NOTHING;
  return {
    asked: (row, column) => row.location === hide.location && column === hide.kind,
    masked(row, column) {
      const at = position.get(row.location);
      if (at === askedAt) return column === "macs";
      // A later layer's input is the asked shape, or is worked out from it.
      return hide.kind === "shape" && at > askedAt;
    },
    totals: true,
  };
}
