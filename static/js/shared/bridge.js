// postMessage between checkout page and card frame: {ns, v, type, data} to an exact origin only; accepted only
// from the expected window and origin, of a known type and shape (an `id`, reserved, is a short string). Never
// card data.

// The types each side takes are its own (`accepts`): the frame's events in embed/panless.js, the checkout's
// commands in frame/frame.js, so neither bundle carries the other's list.

// What postMessage makes of an object literal (a clone cannot hold a function of its own named constructor): an
// array, a date, a string or null is refused.
const plain = (value) => value?.constructor === Object;

// peer(): the Window we talk to; origin: its exact origin, which the caller makes sure of (the embed takes a URL's
// origin; the frame checks the one its page names); accepts: the types we take from it.
export function connect({ peer, origin, accepts, onMessage }) {
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
