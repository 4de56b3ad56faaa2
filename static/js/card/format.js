// Display formatting after stripe/jquery.payment, minus the DOM: every function maps strings to
// strings so the input handlers stay thin and everything here can be tested on its own.

import { brandByType, detectBrand } from "./brands.js";
import { parseExpiry } from "./validate.js";

const DEFAULT_GAPS = [4, 8, 12, 16];
const DEFAULT_MAX_LENGTH = 19;

export function digitsOnly(value) {
  return String(value ?? "").replace(/\D/g, "");
}

// An explicit brand wins; without one the leading digits decide (no pattern is longer than six),
// so that a pasted Amex with stray digits after it still groups and caps as Amex.
function resolveBrand(brand, digits) {
  if (typeof brand === "string") return brandByType(brand);
  return brand ?? detectBrand(digits.slice(0, 6));
}

export function formatNumber(value, brand = null) {
  const digits = digitsOnly(value);
  const entry = resolveBrand(brand, digits);
  const gaps = entry ? entry.gaps : DEFAULT_GAPS;
  const max = entry ? Math.max(...entry.lengths) : DEFAULT_MAX_LENGTH;
  let out = "";
  [...digits.slice(0, max)].forEach((digit, i) => {
    out += (gaps.includes(i) ? " " : "") + digit;
  });
  return out;
}

function caretAfterDigit(formatted, count) {
  if (count <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (/\d/.test(formatted[i]) && ++seen === count) return i + 1;
  }
  return formatted.length;
}

// True when the edit from `previous` to `value` removed one separator at the caret and nothing else.
function deletedLoneSeparator(value, caret, previous) {
  if (previous == null || caret <= 0) return false;
  const prev = String(previous);
  return /\D/.test(prev[caret] ?? "") && prev.slice(0, caret) + prev.slice(caret + 1) === value;
}

// The caret is tracked as "after the Nth digit", which survives any regrouping. Pass `previous`
// (the value before the edit) so that Backspace over a space also removes the digit before it,
// as the user expects; otherwise reformatting would put the space straight back.
export function formatWithCaret(value, caret, brand = null, previous = null) {
  const raw = String(value ?? "");
  const at = Math.max(0, Math.min(caret ?? raw.length, raw.length));
  let digits = digitsOnly(raw);
  let before = digitsOnly(raw.slice(0, at)).length;
  if (deletedLoneSeparator(raw, at, previous) && before > 0) {
    digits = digits.slice(0, before - 1) + digits.slice(before);
    before -= 1;
  }
  const formatted = formatNumber(digits, brand);
  return { value: formatted, caret: caretAfterDigit(formatted, before) };
}

// "MM / YY" as the user types: jquery.payment's rules, plus "13" read as "01 / 3".
export function formatExpiry(value) {
  const m = String(value ?? "").match(/^\D*(\d{1,2})(\D+)?(\d{1,4})?/);
  if (!m) return "";
  let [, month, sep = "", year = ""] = m;
  // " /" only arises from Backspace on "MM / ": drop the separator and the digit before it.
  if (sep === " /" && !year) return month.slice(0, 1);
  if (month.length === 2 && Number(month) > 12 && month[0] === "1") {
    year = (month[1] + year).slice(0, 4);
    month = "1";
    sep = " / ";
  }
  const single = month.length === 1;
  if (single && month !== "0" && (sep || year || Number(month) > 1)) month = `0${month}`;
  if (month.length === 2 || sep || year) sep = " / ";
  return month + sep + year;
}

export function expiryParts(value) {
  const parsed = parseExpiry(value);
  if (!parsed || parsed.month < 1 || parsed.month > 12) return null;
  return { month: String(parsed.month).padStart(2, "0"), year: String(parsed.year) };
}

export function expiryMMYY(value) {
  const parts = expiryParts(value);
  return parts ? parts.month + parts.year.slice(-2) : null;
}

export function maskedLast4(digits) {
  const last4 = digitsOnly(digits).slice(-4);
  return last4 ? `•••• ${last4}` : "";
}
