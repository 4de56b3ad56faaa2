// The error of the card form and the embed: {code, message, field, retry}. Codes are the server's
// (server/merchant/errors.py CATALOG) except the few only the browser can see, listed here.

// network_error: the merchant app did not answer; psp_unreachable: the PSP did not answer the browser;
// validation_failed: a field is wrong, nothing was sent; destroyed: the embed was removed mid-submit.
export const BROWSER_CODES = Object.freeze(["network_error", "psp_unreachable", "validation_failed", "destroyed"]);

// message: the server's, or the code for errors found here (the form shows t(code) for those).
export class PanlessError extends Error {
  constructor({ code, message, field = null, retry = null }) {
    super(message ?? code);
    Object.assign(this, { code, field, retry });
  }
}

export const clientError = (code, retry = "same_session") => new PanlessError({ code, retry });
