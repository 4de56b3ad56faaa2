// The card form inside the checkout page's iframe. It talks to its parent only through the bridge:
// events out (never card data), commands in (configure, submit, focus, clear), each checked.

import { connect, PARENT_COMMANDS } from "../shared/bridge.js";
import { CardForm, loadTranslator, merchantApi, pickLocale, setTheme, translator } from "./form.js";

const form = document.getElementById("card-form");
const str = (v) => typeof v == "string";
const warn = (what, value, why) => console.warn(`Panless: appearance.${what} = ${JSON.stringify(value)} refused: ${why}`);

// Appearance variables the parent may set (docs/browser.md): the custom property each sets, and its kind.
const color = (v) => /^[#\w\s(),.%/+-]{1,64}$/.test(v) && !/(var|url|env|attr)\(/i.test(v) && CSS.supports("color", v);
const KINDS = {
  "a colour (#1c1c28, rebeccapurple, hsl(230 60% 50%), rgba(0, 0, 0, .5))": color,
  "a length (6px, .5rem, 1em)": (v) => /^\d{1,3}(\.\d{1,3})?(px|rem|em)$|^0$/.test(v),
  "font names (letters, digits, spaces, commas, quotes, hyphens)": (v) => /^[\w\s,"'-]{1,80}$/.test(v),
};
const [COLOR, LENGTH, FONT] = Object.keys(KINDS);
const VARIABLES = {
  colorPrimary: ["accent", COLOR], colorPrimaryText: ["accent-text", COLOR], colorText: ["text", COLOR],
  colorTextSecondary: ["muted", COLOR], colorBackground: ["background", COLOR],
  colorInputBackground: ["input-background", COLOR], colorInputText: ["input-text", COLOR],
  colorBorder: ["border", COLOR], colorFocus: ["focus", COLOR], colorDanger: ["error", COLOR],
  colorSuccess: ["success", COLOR], borderRadius: ["radius", LENGTH], spacing: ["spacing", LENGTH],
  fontSize: ["font-size", LENGTH], fontFamily: ["font", FONT],
};
const APPEARANCE = ["theme", "variables", "buttonLabel"];

// -> the button's label, if one was given and is acceptable
function applyAppearance({ theme, variables = {}, buttonLabel, ...rest } = {}) {
  for (const name of Object.keys(rest)) warn(name, rest[name], `not one of ${APPEARANCE.join(", ")}`);
  if (theme !== undefined && !["light", "dark", "auto"].includes(theme)) warn("theme", theme, "light, dark or auto");
  setTheme(["dark", "auto"].includes(theme) ? theme : "light");
  for (const [name, value] of Object.entries(variables ?? {})) {
    const [property, kind] = Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : [];
    if (!kind) warn(`variables.${name}`, value, `unknown (known: ${Object.keys(VARIABLES).join(", ")})`);
    // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
    else if (str(value) && KINDS[kind](value)) document.documentElement.style.setProperty(`--panless-${property}`, value);
    else warn(`variables.${name}`, value, `expected ${kind}`);
  }
  if (buttonLabel === undefined) return null;
  if (str(buttonLabel) && buttonLabel.trim() && buttonLabel.length <= 40) return buttonLabel.trim();
  warn("buttonLabel", buttonLabel, "expected text of 1 to 40 characters");
  return null;
}

let controller = null;
const bridge = connect({
  peer: () => window.parent,
  origin: form.dataset.parentOrigin,
  accepts: PARENT_COMMANDS,
  onMessage(type, data) {
    if (type == "configure" && !controller) return configure(data);
    if (!(controller instanceof CardForm)) return;
    // One path for Enter, the frame's button and the parent's submit(): the same events, whoever asked.
    if (type == "submit") form.requestSubmit();
    if (type == "focus" && str(data.field)) controller.focus(data.field);
    if (type == "clear") controller.clear();
  },
});

function configure({ customerToken, provider, locale, appearance, fields, hideButton, sessionOptions, savedCard, sessionKey }) {
  const label = applyAppearance(appearance && typeof appearance == "object" ? appearance : {});
  form.querySelector("#pay").hidden = hideButton === true;
  controller = new CardForm(form, {
    api: merchantApi(str(customerToken) && customerToken ? customerToken : form.dataset.customerToken),
    currency: form.dataset.currency,
    provider: str(provider) ? provider : null,
    // The PSP's session options (installments, a temporary token): the merchant app checks them.
    sessionOptions: sessionOptions && typeof sessionOptions == "object" && !Array.isArray(sessionOptions)
      ? sessionOptions : null,
    // The embed's early start: only a key, so the card's target still comes from this origin's answer.
    sessionKey: str(sessionKey) && /^[A-Za-z0-9_-]{8,64}$/.test(sessionKey) ? sessionKey : null,
    fields: Array.isArray(fields) ? fields.filter(str) : undefined,
    savedCard: str(savedCard) ? savedCard : null, // CVC re-collection for this saved card (the server checks it)
    label,
    quiet: hideButton === true,
    emit: (event, payload) => bridge.send(event, payload),
  });
  // The session and the locale's catalogue side by side; without its catalogue the form speaks English.
  const localized = loadTranslator(pickLocale(locale)).catch(() => translator()).then((t) => {
    controller.t = t;
    controller.localize();
  });
  controller.start(localized);
}

// The frame never scrolls: the parent sizes it to the content. The body's own height, not the page's
// scrollHeight, which never drops below the frame's current height: the frame could grow, not shrink.
new ResizeObserver(([entry]) => bridge.send("resize", { height: Math.ceil(entry.borderBoxSize[0].blockSize) }))
  .observe(document.body);
bridge.send("hello");
