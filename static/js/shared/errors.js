// Errors as the browser code passes them around: a stable code, a message, the field, the retry hint.
// Messages for what the browser finds on its own live in i18n.js; the server's arrive with their codes.

import { translator } from "./i18n.js";

const english = translator();

export class PanlessError extends Error {
  constructor({ code, message, field = null, retry = null }) {
    super(message ?? english(code));
    this.code = code;
    this.field = field;
    this.retry = retry;
  }
}

export function clientError(code, field = null, retry = "same_session") {
  return new PanlessError({ code, message: english(code), field, retry });
}
