// postMessage between checkout page and card frame: {ns, v, type, id, data} to an exact origin only;
// accepted only from the expected window and origin, of a known type and shape. Never card data.

export const NS = "panless";
export const VERSION = 1;

export const FRAME_EVENTS = ["hello", "ready", "change", "focus", "blur", "submit", "tokenized", "error", "resize"];
export const PARENT_COMMANDS = ["configure", "submit", "focus", "clear"];

const isPlainObject = (value) => value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;

export function isMessage(message, types) {
  return (
    isPlainObject(message) &&
    message.ns === NS &&
    message.v === VERSION &&
    types.includes(message.type) &&
    (message.id === undefined || (typeof message.id === "string" && message.id.length <= 64)) &&
    (message.data === undefined || isPlainObject(message.data))
  );
}

export function exactOrigin(origin) {
  const parsed = new URL(origin);
  if (origin === "*" || parsed.origin !== origin) throw new Error(`Panless: "${origin}" is not an exact origin`);
  return origin;
}

// peer(): the Window we talk to; origin: its exact origin; accepts: the types we take from it.
export function connect({ peer, origin, accepts, onMessage }) {
  const targetOrigin = exactOrigin(origin);
  const listener = (event) => {
    if (event.source !== peer() || event.origin !== targetOrigin) return;
    if (!isMessage(event.data, accepts)) return;
    onMessage(event.data.type, event.data.data ?? {}, event.data.id);
  };
  window.addEventListener("message", listener);
  return {
    send(type, data = {}, id = undefined) {
      peer()?.postMessage({ ns: NS, v: VERSION, type, id, data }, targetOrigin);
    },
    close() {
      window.removeEventListener("message", listener);
    },
  };
}
