// The stack editor's state: the layers in the API's request format (layers[0], the Input, kept
// apart as its name and the three input fields), which cards are open, the settings that could
// not be read, and the edits (move, remove, add) that change the layers.

/**
 * createStackState() -> {inputName, layers, problems, lastChannels, openStages, uid(layer),
 * isExpanded(layer), setExpanded(layer, open)}.
 */
export function createStackState() {
  let nextUid = 0;
  const uids = new WeakMap(); // layer object -> the data-uid of its card, to refocus after moves
  const expanded = new WeakSet(); // merges whose branches are shown
  return {
    inputName: null,
    layers: [],
    problems: new Map(), // field id -> message (what could not even be sent)
    lastChannels: 8, // the last layer's channels: what a new Add's main path keeps
    openStages: new Set(), // the stages (./stack_stages.js) shown open, by name
    uid(layer) {
      if (!uids.has(layer)) uids.set(layer, `layer-${++nextUid}`);
      return uids.get(layer);
    },
    hasUid: (layer) => uids.has(layer),
    isExpanded: (layer) => expanded.has(layer),
    setExpanded(layer, open) {
      if (open) expanded.add(layer);
      else expanded.delete(layer);
    },
  };
}

/** Move owner[index] up or down; returns the moved layer. */
export function moveLayer(owner, index, direction) {
  const other = direction === "up" ? index - 1 : index + 1;
  [owner[index], owner[other]] = [owner[other], owner[index]];
  return owner[other];
}

/** Remove owner[index]; returns the layer that takes its place (or the one before), or null. */
export function removeLayer(owner, index) {
  owner.splice(index, 1);
  return owner[index] ?? owner[index - 1] ?? null;
}

/** The request body for the layers after an input of `shape`. */
export function requestBody(state, shape) {
  const input = { type: "Input", shape, ...(state.inputName ? { name: state.inputName } : {}) };
  return { layers: [input, ...state.layers] };
}
