// The card form inside the checkout page's iframe. It talks to its parent only through the bridge:
// events out (never card data), commands in (configure, submit, focus, clear), each checked.

import { connect } from "../shared/bridge.js";
import { CardForm, loadTranslator, localize, merchantApi, pickLocale, setTheme, translator } from "./form.js";

// The checkout page's commands (the bridge takes no other type from it).
const PARENT_COMMANDS = ["configure", "submit", "focus", "clear"];
const form = document.getElementById("card-form");
// The HTML holds the strings' keys, not their English (the bundle has it): English at once, before the frame is
// sized and seen; the checkout's locale replaces it once configured.
localize(translator());
const str = (v) => typeof v == "string";
// What the import map pins besides the bundle, as the server marked <html> from the frame's URL (data-locales,
// data-appearance): no other module is imported, for its bytes would go unchecked.
const html = document.documentElement.dataset;
const unpinned = (name, instead) => console.warn(`Panless: ${name} is not in the frame's import map: ${instead}`);
// The appearance option's checks: a module of their own, fetched only when the checkout gives one.
const LOOK = { theme: "light", label: null }; // without one
function appearanceOf(appearance) {
  if (!appearance || typeof appearance != "object") return LOOK;
  if ("appearance" in html) return import("./appearance.js").then((m) => m.applyAppearance(appearance));
  unpinned("appearance.js", "appearance ignored");
  return LOOK;
}
function localeOf(option) {
  const locale = pickLocale(option);
  if (locale == "en" || html.locales?.split(" ").includes(locale)) return locale;
  unpinned(`i18n-${locale}.js`, "using English");
  return "en";
}

// The checkout's origin as the page names it, exact ("*" and anything with a path throw): the bridge posts to it.
const parentOrigin = html.parentOrigin;
if (new URL(parentOrigin).origin != parentOrigin) throw new Error(`Panless: "${parentOrigin}" is not an exact origin`);

let controller = null;
let configured = false; // the first configure only (configure waits for the appearance module)
const bridge = connect({
  peer: () => window.parent,
  origin: parentOrigin,
  accepts: PARENT_COMMANDS,
  onMessage(type, data) {
    if (type == "configure" && !configured) return configure(data);
    if (!(controller instanceof CardForm)) return;
    // One path for Enter, the frame's button and the parent's submit(): the same events, whoever asked.
    if (type == "submit") form.requestSubmit();
    if (type == "focus" && str(data.field)) controller.focus(data.field);
    if (type == "clear") controller.clear();
  },
});

async function configure({ customerToken, provider, locale, appearance, fields, hideButton, sessionOptions, savedCard,
  sessionKey }) {
  configured = true;
  const { theme, label } = await appearanceOf(appearance);
  setTheme(theme);
  form.querySelector("#pay").hidden = hideButton === true;
  controller = new CardForm(form, {
    api: merchantApi(str(customerToken) && customerToken ? customerToken : html.customerToken),
    currency: form.dataset.currency,
    provider: str(provider) ? provider : null,
    // The PSP's session options (installments, a temporary token): the merchant app checks them.
    sessionOptions: sessionOptions && typeof sessionOptions == "object" && !Array.isArray(sessionOptions)
      ? sessionOptions : null,
    // The early start's key (early.js sent the request): the bundle takes that answer instead of a new call.
    sessionKey: str(sessionKey) && /^[A-Za-z0-9_-]{8,64}$/.test(sessionKey) ? sessionKey : null,
    joined: sessionKey && sessionKey === early?.key ? early.join : null, // that session, already asked for
    fields: Array.isArray(fields) ? fields.filter(str) : undefined,
    savedCard: str(savedCard) ? savedCard : null, // CVC re-collection for this saved card (the server checks it)
    label,
    quiet: hideButton === true,
    emit: (event, payload) => bridge.send(event, payload),
  });
  // The session and the locale's catalogue side by side; without its catalogue the form speaks English.
  const localized = loadTranslator(localeOf(locale)).catch(() => translator()).then((t) => {
    controller.t = t;
    controller.localize();
  });
  controller.start(localized);
}

// The frame never scrolls: the parent sizes it to the content. The body's own height, not the page's
// scrollHeight, which never drops below the frame's current height: the frame could grow, not shrink.
new ResizeObserver(([entry]) => bridge.send("resize", { height: Math.ceil(entry.borderBoxSize[0].blockSize) }))
  .observe(document.body);
// early.js (inline in the page) said hello and kept what came since: through the bridge's checks now.
const early = self.panlessEarly;
if (early) {
  removeEventListener("message", early.keep);
  // The embed's options came in the fragment: the form starts without a round trip through the checkout page,
  // which early.js's hello told to send no configure (one sent all the same is ignored, as any second one).
  // Without them (an older embed, a reload) the configure message starts it; were they unreadable, a second
  // hello asks for it.
  let given = null;
  try {
    given = JSON.parse(early.config);
  } catch {}
  if (given?.constructor === Object) configure(given);
  else if (early.config != null) bridge.send("hello");
  for (const event of early.messages.splice(0)) dispatchEvent(new MessageEvent("message", event));
} else {
  bridge.send("hello");
}
