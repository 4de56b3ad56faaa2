// The card form inside the checkout page's iframe. It talks to its parent only through the bridge:
// events out (never card data), commands in (configure, submit, focus, clear), each checked.

import { connect, PARENT_COMMANDS } from "../shared/bridge.js";
import { CardForm, loadTranslator, merchantApi, pickLocale } from "./form.js";

const form = document.getElementById("card-form");
const str = (v) => typeof v == "string";

// Appearance variables the parent may set: the custom property each sets, and the shape its value must have.
const COLOR = /^(#[0-9a-fA-F]{3,8}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/;
const LENGTH = /^\d{1,2}(\.\d{1,2})?(px|rem|em)$/;
const VARIABLES = {
  colorPrimary: ["accent", COLOR],
  colorDanger: ["error", COLOR],
  colorText: ["text", COLOR],
  colorBackground: ["background", COLOR],
  borderRadius: ["radius", LENGTH],
  fontFamily: ["font", /^[\w\s,"'-]{1,80}$/],
};

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

async function configure({ customerToken, provider, locale, appearance, fields, hideButton }) {
  for (const [name, value] of Object.entries(appearance?.variables ?? {})) {
    const [property, shape] = Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : [];
    // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
    if (str(value) && shape?.test(value)) document.documentElement.style.setProperty(`--panless-${property}`, value);
  }
  form.querySelector("#pay").hidden = hideButton === true;
  controller = "loading"; // a second configure while the locale loads is ignored too
  controller = new CardForm(form, {
    api: merchantApi(str(customerToken) && customerToken ? customerToken : form.dataset.customerToken),
    currency: form.dataset.currency,
    provider: str(provider) ? provider : null,
    t: await loadTranslator(pickLocale(locale)),
    fields: Array.isArray(fields) ? fields.filter(str) : undefined,
    emit: (event, payload) => bridge.send(event, payload),
  });
  controller.localize();
  controller.start();
}

// The frame never scrolls: the parent sizes it to the content. The body's own height, not the page's
// scrollHeight, which never drops below the frame's current height: the frame could grow, not shrink.
new ResizeObserver(([entry]) => bridge.send("resize", { height: Math.ceil(entry.borderBoxSize[0].blockSize) }))
  .observe(document.body);
bridge.send("hello");
