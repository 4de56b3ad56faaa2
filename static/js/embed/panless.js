// Mounts the card form as an iframe from the Panless origin: no checkout script can read the card.
// API and events: panless.d.ts.

import { connect, FRAME_EVENTS } from "../shared/bridge.js";

export function mount(container, options = {}) {
  const host = typeof container === "string" ? document.querySelector(container) : container;
  if (!host) throw new Error("Panless.mount: container not found");
  const origin = new URL(options.origin ?? import.meta.url).origin;
  const handlers = {};
  const waiting = [];
  const frame = document.createElement("iframe");
  frame.title = options.title ?? "Card details";
  frame.referrerPolicy = "no-referrer";
  frame.style.cssText = "border:0;width:100%;height:0;overflow:hidden;display:block";
  const { customerToken, provider, locale, appearance, fields, hideButton } = options;
  const config = { customerToken, provider, locale, appearance, fields, hideButton };

  const settle = (ok, data) => waiting.splice(0).forEach((w) => (ok ? w.resolve(data.card) : w.reject(data)));
  const bridge = connect({
    peer: () => frame.contentWindow,
    origin,
    accepts: FRAME_EVENTS,
    onMessage(type, data) {
      if (type === "hello") return bridge.send("configure", config);
      if (type === "resize") return void (frame.style.height = `${Math.max(0, Number(data.height) || 0)}px`);
      if (type === "tokenized") settle(true, data);
      if (type === "error") settle(false, data);
      (handlers[type] ?? []).slice().forEach((handler) => handler(data));
    },
  });
  frame.src = `${origin}/frame?parent=${encodeURIComponent(window.location.origin)}`;
  host.append(frame);

  return {
    frame,
    on(event, handler) {
      (handlers[event] ??= []).push(handler);
      return this;
    },
    off(event, handler) {
      handlers[event] = (handlers[event] ?? []).filter((h) => h !== handler);
      return this;
    },
    submit() {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        bridge.send("submit");
      });
    },
    focus(field) {
      bridge.send("focus", { field });
    },
    clear() {
      bridge.send("clear");
    },
    destroy() {
      bridge.close();
      frame.remove();
      settle(false, { code: "destroyed", message: "The card form was removed." });
    },
  };
}

export default { mount };
