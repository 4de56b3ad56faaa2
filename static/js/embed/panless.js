// Mounts the card form as an iframe from the Panless origin: no checkout script can read the card.
// API and events: panless.d.ts; start-up failures and their codes: docs/browser.md.

import { connect } from "../shared/bridge.js";
import { pickLocale } from "../shared/locale.js";

// The frame's events (the bridge takes no other type from it).
const FRAME_EVENTS = ["hello", "ready", "change", "focus", "blur", "submit", "tokenized", "error", "resize"];
// The options the frame takes (sent in `configure`), and the embed's own.
const CONFIG = ["customerToken", "provider", "locale", "appearance", "fields", "hideButton", "sessionOptions",
  "savedCard"];
const OWN = ["origin", "title", "readyTimeout", "startCode"];
// Why start-up failed and what to do about it: a module of its own, fetched only when start-up fails.
const startup = () => import("./startup.js");
const error = (code, message) => ({ code, message, field: null });

// The frame's session, started by the frame's first lines before its bundle loads, from what its fragment
// carries (docs/browser.md, "Starting early"). -> the key, the body and the token (without one, the frame's page
// issues its own), or undefined outside a secure context
function earlySession({ customerToken, provider, sessionOptions: options, savedCard }) {
  const key = crypto.randomUUID?.(); // in secure contexts only: elsewhere the frame's bundle starts the session
  if (!key) return;
  // The body form.js createSession would send, else the key's reuse is a 422 and the bundle starts another. A
  // value the bundle would drop (not a string, not an object) is the server's to refuse: that costs the head
  // start and nothing else.
  const body = JSON.stringify(savedCard ? { saved_card: savedCard, options } : { provider: provider || undefined, options });
  return { key, body, ...(customerToken && { token: customerToken }) };
}

export function mount(container, options = {}) {
  const host = typeof container == "string" ? document.querySelector(container) : container;
  if (!host) throw new Error("Panless.mount: container not found");
  const config = {};
  for (const key in options) {
    if (CONFIG.includes(key)) config[key] = options[key];
    else if (!OWN.includes(key)) console.warn(`Panless: unknown option "${key}" ignored`);
  }
  const { origin: from = import.meta.url, title = "Card details", readyTimeout: limit } = options;
  const origin = new URL(from).origin;
  const handlers = {};
  const waiting = []; // [resolve, reject] of each submit() under way
  let status = "starting"; // then "ready", or "failed" with `failure`
  let failure, hello;
  const frame = document.createElement("iframe");
  frame.title = title;
  frame.referrerPolicy = "no-referrer";
  frame.style.cssText = "border:0;width:100%;height:0;overflow:hidden;display:block";
  const early = earlySession(options);
  config.sessionKey = early?.key;

  // A handler added or removed while others run waits for the next event (forEach stops at the length it began
  // with; off() makes a new array).
  const emit = (type, data) => handlers[type]?.forEach((handler) => handler(data));
  const settle = (ok, data) => waiting.splice(0).forEach(([resolve, reject]) => (ok ? resolve(data.card) : reject(data)));
  // Start-up trouble: startup.js finds the cause (asking the server when the frame said nothing) and reports it;
  // were it not to load (the server gone), the start fails all the same, in fewer words.
  const trouble = (why) => startup().then((m) => m.trouble(origin, failed, why),
    () => failed(error(why?.code ?? "panless_unreachable", "The card form could not start.")));
  // The first failure before `ready` is the start-up's: `say` tells the console what to fix.
  function failed(reason, say) {
    if (status != "starting") return;
    status = "failed";
    say?.();
    emit("error", (failure = reason));
    settle(false, reason);
  }
  const wait = Number.isFinite(limit) && limit > 0 ? limit : 15000;
  setTimeout(() => status == "starting" && trouble(wait), wait);
  frame.onload = () => setTimeout(() => hello || trouble(), 1000);
  const blocked = (event) => event.blockedURI.startsWith(origin) && trouble(event);
  document.addEventListener("securitypolicyviolation", blocked);

  const bridge = connect({
    peer: () => frame.contentWindow,
    origin,
    accepts: FRAME_EVENTS,
    onMessage(type, data) {
      if (type == "hello") {
        hello = true;
        // A frame that took the options from its fragment says so: they need not cross again.
        if (data.configured !== true) bridge.send("configure", config);
        return void delete config.sessionKey; // a reloaded frame starts its own session
      }
      // The frame is ours (the bridge checked): a height the CSSOM refuses leaves the frame as it was.
      if (type == "resize") return void (frame.style.height = data.height + "px");
      if (status == "starting" && type == "error") return trouble(data);
      if (status == "starting" && type == "ready") status = "ready";
      if (type == "tokenized" || type == "error") settle(type == "tokenized", data);
      emit(type, data);
    },
  });
  // The query names what the frame may load on demand, the only modules its import map pins: the catalogue it
  // will pick (the same rule and languages here; "en" pins none) and the appearance checks. The fragment, which no
  // server sees: the early session (the frame's first lines start it before its bundle loads) and the configure
  // message's options (its bundle starts the form with them at once). The checkout page sends nothing to the
  // Panless origin: a session started from here (a CORS preflight, then the PSP's calls) took the CPU from the
  // frame's own start-up, which it delayed by more than it saved.
  const query = new URLSearchParams({ parent: location.origin, locale: pickLocale(config.locale) });
  if (config.appearance) query.set("appearance", 1);
  // A customerToken of the page's own (what the frame takes): the frame's page then issues none.
  if (typeof config.customerToken == "string" && config.customerToken) query.set("customer", 1);
  // A startCode (single-use, issued with the token): the server starts the session as it sends the frame's page.
  if (early?.token && typeof options.startCode == "string") query.set("start", options.startCode), query.set("key", early.key), query.set("body", early.body);
  frame.src = `${origin}/frame?${query}#${new URLSearchParams({ ...early, config: JSON.stringify(config) })}`;
  host.append(frame);

  return {
    frame,
    on(event, handler) {
      (handlers[event] ??= []).push(handler);
      // Start-up already over: a late `ready` or start-up `error` handler still hears of it.
      if (event == (failure ? "error" : status == "ready" && "ready")) {
        queueMicrotask(() => handlers[event]?.includes(handler) && handler(failure ?? {}));
      }
      return this;
    },
    off(event, handler) {
      handlers[event] = handlers[event]?.filter((h) => h != handler);
      return this;
    },
    submit() {
      if (failure) return Promise.reject(failure);
      if (status != "ready") return Promise.reject(error("not_ready", "The card form is not ready yet."));
      return new Promise((resolve, reject) => {
        waiting.push([resolve, reject]);
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
      document.removeEventListener("securitypolicyviolation", blocked);
      bridge.close();
      frame.remove();
      status = "destroyed";
      settle(false, error("destroyed", "The card form was removed."));
    },
  };
}

export default { mount };
