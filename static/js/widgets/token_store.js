// Tokens this browser keeps in localStorage, one key per id: the delete tokens of the models it
// imported or trained, the cancel tokens of its training jobs. When storage is blocked, nothing
// is kept: the model or job can still be used, only not deleted or cancelled from this page.

/** createTokenStore("convlens.delete-token") -> {get(id), set(id, token), remove(id)}. */
export function createTokenStore(prefix) {
  const key = (id) => `${prefix}.${id}`;
  const attempt = (action, fallback = null) => {
    try {
      return action();
    } catch {
      return fallback;
    }
  };
  return {
    get: (id) => attempt(() => localStorage.getItem(key(id))),
    set: (id, token) => attempt(() => localStorage.setItem(key(id), token)),
    remove: (id) => attempt(() => localStorage.removeItem(key(id))),
  };
}
