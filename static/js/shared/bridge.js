// postMessage between checkout page and card frame: {ns, v, type, data} to an exact origin only; accepted only
// from the expected window and origin, of a known type and shape (an `id`, reserved, is a short string). Never
// card data.

export const FRAME_EVENTS = ["hello", "ready", "change", "focus", "blur", "submit", "tokenized", "error", "resize"];
export const PARENT_COMMANDS = ["configure", "submit", "focus", "clear"];

// What postMessage makes of an object literal (a clone cannot hold a function of its own named constructor): an
// array, a date, a string or null is refused.
const plain = (value) => value?.constructor === Object;

// peer(): the Window we talk to; origin: its exact origin ("*" and anything with a path throw); accepts: the
// types we take from it.
export function connect({ peer, origin, accepts, onMessage }) {
  if (new URL(origin).origin != origin) throw new Error(`Panless: "${origin}" is not an exact origin`);
  const listener = ({ source, origin: from, data: m }) => {
    if (source == peer() && from == origin && plain(m) && m.ns === "panless" && m.v === 1 && accepts.includes(m.type)
      && (m.id === undefined || (typeof m.id == "string" && m.id.length <= 64))
      && (m.data === undefined || plain(m.data))) onMessage(m.type, m.data ?? {});
  };
  addEventListener("message", listener);
  return {
    send(type, data = {}) {
      peer()?.postMessage({ ns: "panless", v: 1, type, data }, origin);
    },
    close() {
      removeEventListener("message", listener);
    },
  };
}
