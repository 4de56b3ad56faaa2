// The postMessage bridge between a checkout page and the card frame.
// Messages are {ns: "panless", v: 1, type, id, data}. Sends always name an exact origin, never "*";
// receivers accept a message only from the expected window, from an allowed origin, of a known type
// and shape. Card data never crosses: only events, commands and results.

export const NS = "panless";
export const VERSION = 1;

// type -> the direction it travels
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

// peer: () => the Window we talk to; origin: its exact origin; accepts: message types we take from it.
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
