// Mounts the card form as an iframe from the Panless origin: no checkout script can read the card.
// API and events: panless.d.ts; start-up failures and their codes: docs/browser.md.

import { connect, FRAME_EVENTS } from "../shared/bridge.js";

const OPTIONS = ["origin", "customerToken", "provider", "locale", "appearance", "fields", "hideButton", "title",
  "readyTimeout", "sessionOptions", "savedCard"];
// Why start-up failed and what to do about it: a module of its own, fetched only when start-up fails.
const startup = () => import("./startup.js");

// The frame's session, started while the frame loads; the frame joins it by key (docs/browser.md, "Starting
// early"). Failures are ignored: the frame's own call starts it. -> the key and the body sent (the frame sends
// the same request to join it), or undefined without a token
function startSession(origin, { customerToken, provider, sessionOptions, savedCard }) {
  const key = crypto.randomUUID?.(); // in secure contexts only: elsewhere the frame starts the session
  if (typeof customerToken !== "string" || !customerToken || !key) return undefined;
  // The frame's body (form.js createSession), else the key's reuse is a 422.
  const options = sessionOptions && typeof sessionOptions === "object" && !Array.isArray(sessionOptions)
    ? sessionOptions : undefined;
  const body = JSON.stringify(typeof savedCard === "string" && savedCard ? { saved_card: savedCard, options }
    : { provider: typeof provider === "string" && provider ? provider : undefined, options });
  fetch(`${origin}/api/sessions`, {
    method: "POST",
    credentials: "omit",
    referrerPolicy: "no-referrer",
    headers: { Authorization: `Bearer ${customerToken}`, "Content-Type": "application/json", "Idempotency-Key": key },
    body,
  }).catch(() => {});
  return { key, body };
}

export function mount(container, options = {}) {
  const host = typeof container === "string" ? document.querySelector(container) : container;
  if (!host) throw new Error("Panless.mount: container not found");
  for (const key of Object.keys(options)) if (!OPTIONS.includes(key)) console.warn(`Panless: unknown option "${key}" ignored`);
  const origin = new URL(options.origin ?? import.meta.url).origin;
  const limit = Number.isFinite(options.readyTimeout) && options.readyTimeout > 0 ? options.readyTimeout : 15000;
  const handlers = {};
  const waiting = [];
  let status = "starting"; // then "ready", or "failed" with `failure`
  let failure = null;
  const frame = document.createElement("iframe");
  frame.title = options.title ?? "Card details";
  frame.referrerPolicy = "no-referrer";
  frame.style.cssText = "border:0;width:100%;height:0;overflow:hidden;display:block";
  const { customerToken, provider, locale, appearance, fields, hideButton, sessionOptions, savedCard } = options;
  const early = startSession(origin, options);
  const config = { customerToken, provider, locale, appearance, fields, hideButton, sessionOptions, savedCard,
    sessionKey: early?.key, sessionBody: early?.body };

  const emit = (type, data) => (handlers[type] ?? []).slice().forEach((handler) => handler(data));
  const settle = (ok, data) => waiting.splice(0).forEach((w) => (ok ? w.resolve(data.card) : w.reject(data)));
  function fail(code, message, detail) {
    if (status !== "starting") return;
    status = "failed";
    clearTimeout(timer);
    // The error is reported with its fix; were the fix not to load (the server gone), with where to read it.
    startup().then(({ fix }) => fix(code, origin, detail), () => null).then((advice) => {
      if (status === "destroyed") return;
      failure = { code, message: `${message ?? "The card form could not start."}`, field: null };
      console.error(`Panless: ${failure.message} To fix: ${advice ?? "see docs/browser.md."}`);
      emit("error", failure);
      settle(false, failure);
    });
  }
  async function diagnose(fallback) {
    try {
      const error = await (await startup()).diagnose(origin);
      if (error) return fail(error.code, error.message);
    } catch {
      // A refusal by this page's own CSP is reported just after the fetch fails: let it name the cause.
      return setTimeout(() => fail("panless_unreachable", `The Panless server at ${origin} cannot be reached.`), 100);
    }
    if (fallback) fail(fallback, "The card form did not start in time.", limit);
  }
  const timer = setTimeout(() => diagnose("ready_timeout"), limit);
  let hello = false;
  frame.addEventListener("load", () => setTimeout(() => hello || diagnose(), 1000));
  const blocked = (event) => {
    // A blocked early start only costs time.
    if (event.blockedURI.startsWith(origin) && !event.blockedURI.startsWith(`${origin}/api/`)) {
      fail("checkout_csp_blocked", "This page's Content-Security-Policy blocks the card form.", event.effectiveDirective);
    }
  };
  document.addEventListener("securitypolicyviolation", blocked);

  const bridge = connect({
    peer: () => frame.contentWindow,
    origin,
    accepts: FRAME_EVENTS,
    onMessage(type, data) {
      if (type === "hello") {
        hello = true;
        bridge.send("configure", config);
        return void (delete config.sessionKey, delete config.sessionBody); // a reloaded frame starts its own
      }
      if (type === "resize") return void (frame.style.height = `${Math.max(0, Number(data.height) || 0)}px`);
      if (status === "starting" && type === "error") return fail(data.code, data.message);
      if (status === "starting" && type === "ready") {
        status = "ready";
        clearTimeout(timer);
      }
      if (type === "tokenized") settle(true, data);
      if (type === "error") settle(false, data);
      emit(type, data);
    },
  });
  frame.src = `${origin}/frame?parent=${encodeURIComponent(window.location.origin)}`;
  host.append(frame);

  return {
    frame,
    on(event, handler) {
      (handlers[event] ??= []).push(handler);
      // Start-up already over: a late `ready` or start-up `error` handler still hears of it.
      if ((event === "ready" && status === "ready") || (event === "error" && failure)) {
        queueMicrotask(() => handlers[event]?.includes(handler) && handler(failure ?? {}));
      }
      return this;
    },
    off(event, handler) {
      handlers[event] = (handlers[event] ?? []).filter((h) => h !== handler);
      return this;
    },
    submit() {
      if (failure) return Promise.reject(failure);
      if (status !== "ready") {
        return Promise.reject({ code: "not_ready", message: "The card form is still starting: wait for its ready event.",
          field: null });
      }
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
      clearTimeout(timer);
      document.removeEventListener("securitypolicyviolation", blocked);
      bridge.close();
      frame.remove();
      status = "destroyed";
      settle(false, { code: "destroyed", message: "The card form was removed.", field: null });
    },
  };
}

export default { mount };
