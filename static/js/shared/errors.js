// Messages for what the browser finds on its own; the server's codes arrive with their messages.

export const CLIENT_ERRORS = Object.freeze({
  network_error: "We could not reach the server. Check your connection and try again.",
  psp_unreachable: "The payment provider could not be reached. Check your connection and try again.",
  tokenization_failed: "The card could not be saved right now. Please try again.",
  number_required: "Enter the card number.",
  number_incomplete: "The card number is incomplete.",
  number_invalid: "This card number is not valid. Check the digits.",
  brand_unsupported: "This card brand is not accepted here.",
  expiry_required: "Enter the expiry date as MM / YY.",
  expiry_invalid: "This expiry date is not valid. Use MM / YY.",
  expiry_past: "This card has expired.",
  cvc_required: "Enter the security code.",
  cvc_invalid: "The security code should be {size} digits.",
  name_required: "Enter the name on the card.",
  name_invalid: "Use the name as printed on the card (letters, spaces, hyphens, apostrophes).",
});

export class PanlessError extends Error {
  constructor({ code, message, field = null, retry = null }) {
    super(message ?? CLIENT_ERRORS[code] ?? code);
    this.code = code;
    this.field = field;
    this.retry = retry;
  }
}

export function clientError(code, field = null, retry = "same_session", vars = {}) {
  const message = (CLIENT_ERRORS[code] ?? code).replace(/\{(\w+)\}/g, (_, key) => vars[key] ?? "");
  return new PanlessError({ code, message, field, retry });
}
