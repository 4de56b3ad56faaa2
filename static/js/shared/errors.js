// The error the card form reports: {code, message, field, retry}. Codes are the server's
// (server/merchant/errors.py) but for these, which only the browser can meet (docs/browser.md).
export const BROWSER_CODES = Object.freeze(["network_error", "psp_unreachable", "validation_failed", "destroyed",
  "panless_unreachable", "checkout_csp_blocked", "ready_timeout", "not_ready"]);

// message: the server's, or the code for errors found here (the form shows t(code) for those).
export class PanlessError extends Error {
  constructor({ code, message, field = null, retry = null }) {
    super(message ?? code);
    Object.assign(this, { code, field, retry });
  }
}

export const clientError = (code, retry = "same_session") => new PanlessError({ code, retry });
