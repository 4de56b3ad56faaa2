// Field validators after braintree/card-validator: isValid means "can be submitted",
// isPotentiallyValid means "could still become valid by typing more", so a form can hold its
// error until the user has finished. Invalid results carry a `reason` code for the message.

import { brandByType, candidateBrands, detectBrand } from "./brands.js";

const MAX_YEARS_AHEAD = 20;

const ok = (extra = {}) => ({ isValid: true, isPotentiallyValid: true, ...extra });
const notYet = (reason, extra = {}) => ({ isValid: false, isPotentiallyValid: true, reason, ...extra });
const bad = (reason, extra = {}) => ({ isValid: false, isPotentiallyValid: false, reason, ...extra });

const toBrand = (brand) => (typeof brand === "string" ? brandByType(brand) : brand ?? null);

export function luhn(digits) {
  const s = String(digits ?? "");
  if (!/^\d+$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export function validateNumber(value) {
  const raw = String(value ?? "").trim();
  const digits = raw.replace(/[\s-]/g, "");
  if (!digits) return notYet("required", { brand: null });
  if (/\D/.test(digits) || candidateBrands(digits).length === 0) return bad("invalid_number", { brand: null });

  const brand = detectBrand(digits);
  // Several brands still fit a short prefix: nothing to hold against the user yet.
  if (!brand) return notYet("incomplete", { brand: null });

  const fitsLength = brand.lengths.includes(digits.length);
  if (fitsLength && luhn(digits)) return ok({ brand });
  const canGrow = digits.length < Math.max(...brand.lengths);
  const reason = fitsLength || !canGrow ? "invalid_number" : "incomplete";
  return canGrow ? notYet(reason, { brand }) : bad(reason, { brand });
}

// Month and year as typed, both strings, or null when the text is not shaped like an expiry.
function splitExpiry(value) {
  const s = String(value ?? "").trim();
  const m = s.match(/^(\d{1,2})(?:(?:\s*[/\-.]\s*|\s+)(\d{0,4}))?$/) ?? s.match(/^(\d{2})(\d{1,4})$/);
  return m ? { month: m[1], year: m[2] ?? "" } : null;
}

export function parseExpiry(value) {
  const parts = splitExpiry(value);
  if (!parts || (parts.year.length !== 2 && parts.year.length !== 4)) return null;
  const year = Number(parts.year);
  return { month: Number(parts.month), year: parts.year.length === 2 ? 2000 + year : year };
}

// Could these year digits still grow into an acceptable year, written with `widths` digits?
function yearMayBecomeValid(yearDigits, now, widths = [2, 4]) {
  for (let y = now.getFullYear(); y <= now.getFullYear() + MAX_YEARS_AHEAD; y++) {
    if (widths.some((w) => String(y).slice(-w).startsWith(yearDigits))) return true;
  }
  return false;
}

export function validateExpiry(value, now = new Date()) {
  if (!String(value ?? "").trim()) return notYet("required");
  const parts = splitExpiry(value);
  if (!parts) return bad("invalid_expiry");

  const month = Number(parts.month);
  // A lone "0" is the start of 01-09; with a year after it, it is no month at all.
  if (parts.month === "0" && !parts.year) return notYet("incomplete");
  if (month < 1 || month > 12) return bad("invalid_month");

  const parsed = parseExpiry(value);
  if (!parsed) {
    return yearMayBecomeValid(parts.year, now) ? notYet("incomplete") : bad("invalid_year");
  }
  const thisMonth = now.getFullYear() * 12 + now.getMonth();
  const expires = parsed.year * 12 + (parsed.month - 1);
  const reason =
    expires < thisMonth ? "expired" : parsed.year > now.getFullYear() + MAX_YEARS_AHEAD ? "invalid_year" : null;
  if (!reason) return ok({ month: parsed.month, year: parsed.year });
  // "12 / 20" may be on its way to "12 / 2030".
  const mayGrow = parts.year.length === 2 && yearMayBecomeValid(parts.year, now, [4]);
  return mayGrow ? notYet(reason) : bad(reason);
}

export function validateCvc(value, brand = null) {
  const code = String(value ?? "").trim();
  const entry = toBrand(brand);
  // Before the brand is known, accept either usual size.
  const sizes = entry ? [entry.code.size] : [3, 4];
  if (!/^\d*$/.test(code)) return bad("invalid_cvc");
  if (!code) return entry && !entry.cvcRequired ? ok() : notYet("required");
  if (sizes.includes(code.length)) return ok();
  return code.length < Math.max(...sizes) ? notYet("incomplete") : bad("invalid_cvc");
}

const NAME_PATTERN = /^\p{L}[\p{L}\p{M} '’.-]*$/u;

export function validateName(value) {
  const name = String(value ?? "").trim();
  if (!name) return notYet("required");
  if (!NAME_PATTERN.test(name) || name.length > 45) return bad("invalid_name");
  return name.length < 2 ? notYet("incomplete") : ok();
}

export function validateCard({ number, expiry, cvc, name } = {}, now = new Date()) {
  const numberResult = validateNumber(number);
  const fields = {
    number: numberResult,
    expiry: validateExpiry(expiry, now),
    cvc: validateCvc(cvc, numberResult.brand),
    name: validateName(name),
  };
  const isValid = Object.values(fields).every((field) => field.isValid);
  return { isValid, fields, brand: numberResult.brand };
}
