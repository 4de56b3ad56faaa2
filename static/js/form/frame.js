// The card form inside the checkout page's iframe. It talks to its parent only through the bridge:
// events out (never card data), commands in (configure, submit, focus, clear), each checked.

import { connect, PARENT_COMMANDS } from "../shared/bridge.js";
import { MerchantApi } from "../shared/api.js";
import { loadTranslator } from "../shared/i18n.js";
import { CardForm } from "./controller.js";

const form = document.getElementById("card-form");
const parentOrigin = form.dataset.parentOrigin;

// Appearance variables the parent may set, each with the shape its value must have.
const COLOR = /^(#[0-9a-fA-F]{3,8}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/;
const LENGTH = /^\d{1,2}(\.\d{1,2})?(px|rem|em)$/;
const FONT = /^[\w\s,"'-]{1,80}$/;
const VARIABLES = {
  colorPrimary: ["--panless-accent", COLOR],
  colorDanger: ["--panless-error", COLOR],
  colorText: ["--panless-text", COLOR],
  colorBackground: ["--panless-background", COLOR],
  borderRadius: ["--panless-radius", LENGTH],
  fontFamily: ["--panless-font", FONT],
};

function applyAppearance(variables = {}) {
  for (const [name, value] of Object.entries(variables)) {
    const rule = VARIABLES[name];
    // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
    if (rule && typeof value === "string" && rule[1].test(value)) {
      document.documentElement.style.setProperty(rule[0], value);
    }
  }
}

let controller = null;
const bridge = connect({
  peer: () => window.parent,
  origin: parentOrigin,
  accepts: PARENT_COMMANDS,
  onMessage(type, data) {
    if (type === "configure" && !controller) return configure(data);
    if (!(controller instanceof CardForm)) return;
    if (type === "submit") controller.pay();
    if (type === "focus" && typeof data.field === "string") controller.focus(data.field);
    if (type === "clear") controller.clear();
  },
});

async function configure({ customerToken, provider, locale, appearance, fields, hideButton }) {
  const token = typeof customerToken === "string" && customerToken ? customerToken : form.dataset.customerToken;
  applyAppearance(appearance?.variables);
  form.querySelector("#pay").hidden = hideButton === true;
  controller = "loading"; // a second configure while the locale loads is ignored too
  controller = new CardForm(form, {
    api: new MerchantApi({ base: "", token }),
    currency: form.dataset.currency,
    provider: typeof provider === "string" ? provider : null,
    t: await loadTranslator(typeof locale === "string" ? locale : "en"),
    fields: Array.isArray(fields) ? fields.filter((f) => typeof f === "string") : undefined,
    emit: (event, payload) => bridge.send(event, payload),
  });
  controller.localize();
  controller.start();
}

// The frame never scrolls: the parent sizes it to the content.
new ResizeObserver(() => bridge.send("resize", { height: Math.ceil(document.documentElement.scrollHeight) })).observe(
  document.body,
);
bridge.send("hello", {});
