// Labels and messages. English is complete; a missing key falls back to English, and a server error
// without a translation keeps the server's own (English) message.

const en = {
  "label.name": "Name on card",
  "label.number": "Card number",
  "label.expiry": "Expiry date",
  "label.cvc": "Security code",
  "label.cvc_optional": "(optional for this card)",
  "label.postal": "ZIP / postal code",
  "button.pay": "Save card",
  network_error: "We could not reach the server. Check your connection and try again.",
  psp_unreachable: "The payment provider could not be reached. Check your connection and try again.",
  tokenization_failed: "The card could not be saved right now. Please try again.",
  number_required: "Enter the card number.",
  number_incomplete: "The card number is incomplete.",
  number_invalid: "This card number is not valid. Check the digits.",
  expiry_required: "Enter the expiry date as MM / YY.",
  expiry_invalid: "This expiry date is not valid. Use MM / YY.",
  expiry_past: "This card has expired.",
  cvc_required: "Enter the security code.",
  cvc_invalid: "The security code should be {size} digits.",
  name_required: "Enter the name on the card.",
  name_invalid: "Use the name as printed on the card (letters, spaces, hyphens, apostrophes).",
  validation_failed: "Check the highlighted fields.",
  postal_required: "Enter the billing ZIP or postal code.",
  postal_invalid: "This ZIP or postal code does not look right.",
};



// Other locales are modules of their own, fetched only by a frame that asks for them.
const LOADERS = { fr: () => import("./i18n-fr.js") };

export function translator(table = en) {
  return (key, vars = {}, fallback = undefined) =>
    (table[key] ?? en[key] ?? fallback ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}

export async function loadTranslator(locale = "en") {
  const load = LOADERS[String(locale).slice(0, 2)];
  return translator(load ? (await load()).default : en);
}
