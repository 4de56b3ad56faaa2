// Pure card logic, strings in and out: brands, validators, formatters. The rules: docs/browser.md.

const freeze = (v) => {
  if (v && typeof v == "object") Object.values(Object.freeze(v)).forEach(freeze);
  return v;
};
const brand = (type, niceType, patterns, lengths, gaps = [4, 8, 12, 16], size = 3, name = "CVV", cvcRequired = true,
  luhnChecked = true) => ({ type, niceType, patterns, gaps, lengths, code: { name, size }, cvcRequired, luhn: luhnChecked });
const LONG = [16, 17, 18, 19];

// A pattern is a prefix or a [lo, hi] range of prefixes; gaps are where spaces go. Where the ranges come
// from: tests/fixtures/cards/README.md.
export const BRANDS = freeze([
  brand("visa", "Visa", [4], [16, 18, 19]),
  brand("mastercard", "Mastercard", [[51, 55], [2221, 2720]], [16], [4, 8, 12], 3, "CVC"),
  brand("amex", "American Express", [34, 37], [15], [4, 10], 4, "CID"),
  brand("maestro", "Maestro", [[5000, 5018], [5020, 5099], [56, 58], 5893, 6304, 6759, [6761, 6763], 6],
    [12, 13, 14, 15, ...LONG], undefined, 3, "CVC", false),
  // Co-badged: a Bancontact number also has the lengths of the scheme around it (Maestro's, or Visa's for 479658).
  brand("bcmc", "Bancontact", [6703, 479658, 606005], [12, 13, 14, 15, ...LONG], undefined, 0, "CVC", false),
  brand("discover", "Discover", [6011, [644, 649], 65], [16, 19], undefined, 3, "CID"),
  brand("jcb", "JCB", [2131, 1800, [3528, 3589]], LONG),
  brand("diners", "Diners Club", [[300, 305], 3095, 36, 38, 39], [14, 16, 19], [4, 10]),
  // UnionPay issues cards that fail Luhn: the PSP decides.
  brand("unionpay", "UnionPay", [62, [8100, 8171]], [14, 15, ...LONG], undefined, 3, "CVN", true, false),
  brand("rupay", "RuPay", [508227, [508500, 508999], 603741, [606985, 607984], [608001, 608500], [652150, 653149],
    817290, 817368, 817378, 353800], [16]),
  brand("elo", "Elo", [401178, 401179, 438935, 457631, 457632, 431274, 451416, 457393, 504175, [506699, 506778],
    [509000, 509999], 627780, 636297, 636368, [650031, 650033], [650035, 650051], [650405, 650439],
    [650485, 650538], [650541, 650598], [650700, 650718], [650720, 650727], [650901, 650978], [651652, 651679],
    [655000, 655019], [655021, 655058]], [16], undefined, 3, "CVE"),
  brand("mir", "Mir", [[2200, 2204]], LONG, undefined, 3, "CVP2"),
  brand("troy", "Troy", [9792], [16]),
]);

const text = (v) => String(v ?? "").trim();
const max = (list) => Math.max(...list);
export const digitsOnly = (v) => String(v ?? "").replace(/\D/g, "");
export const brandByType = (type) => BRANDS.find((b) => b.type == type) ?? null;

// Only the digits both sides have are compared: a short input matches what it could grow into.
function matches(digits, pattern) {
  const [lo, hi] = [pattern].flat().map(String);
  const head = digits.slice(0, lo.length);
  return +head >= +lo.slice(0, head.length) && +head <= +(hi ?? lo).slice(0, head.length);
}

// The size of the longest pattern of `b` that the digits cover and match; 0 when none does.
function covered(b, digits) {
  const sizes = b.patterns.map((p) => String([p].flat()[0]).length);
  return Math.max(0, ...sizes.filter((size, i) => size <= digits.length && matches(digits, b.patterns[i])));
}

export function candidateBrands(value) {
  const digits = digitsOnly(value);
  return BRANDS.filter((b) => digits.length <= max(b.lengths) && b.patterns.some((p) => matches(digits, p)));
}

// The candidate whose matching pattern is longest (the first on a tie), once the input covers it.
export function detectBrand(value) {
  const digits = digitsOnly(value);
  const candidates = digits ? candidateBrands(digits) : [];
  if (candidates.length == 1) return candidates[0];
  let [best, longest] = [null, 0];
  for (const b of candidates) {
    const size = covered(b, digits);
    if (size > longest) [best, longest] = [b, size];
  }
  return best;
}

// isValid: can be submitted; isPotentiallyValid: could still become valid by typing more.
const verdict = (isValid, isPotentiallyValid, reason, extra) =>
  ({ isValid, isPotentiallyValid, ...(reason && { reason }), ...extra });
const ok = (extra) => verdict(true, true, null, extra);
const notYet = (reason, extra) => verdict(false, true, reason, extra);
const bad = (reason, extra) => verdict(false, false, reason, extra);

export function luhn(digits) {
  const s = String(digits ?? "");
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s[s.length - 1 - i] * (1 + (i % 2));
    sum += d > 9 ? d - 9 : d;
  }
  return /^\d+$/.test(s) && sum % 10 == 0;
}

// A length the brand has, and every scheme whose range holds the brand's (a co-badged card) has too.
function lengthFits(brand, digits) {
  const around = BRANDS.filter((b) => b != brand && covered(b, digits));
  return [brand, ...around].every((b) => b.lengths.includes(digits.length));
}

export function validateNumber(value) {
  const digits = text(value).replace(/[\s-]/g, "");
  if (!digits) return notYet("required", { brand: null });
  if (/\D/.test(digits) || !candidateBrands(digits).length) return bad("invalid_number", { brand: null });
  const brand = detectBrand(digits);
  if (!brand) return notYet("incomplete", { brand });
  const fits = lengthFits(brand, digits);
  if (fits && (!brand.luhn || luhn(digits))) return ok({ brand });
  const canGrow = digits.length < max(brand.lengths);
  return (canGrow ? notYet : bad)(fits || !canGrow ? "invalid_number" : "incomplete", { brand });
}

// -> {month, year} as typed, or null when the text is not shaped like an expiry
function splitExpiry(value, now) {
  const s = text(value);
  const m = s.match(/^(\d{1,2})(?:(?:\s*[/\-.]\s*|\s+)(\d{0,4}))?$/);
  if (m) return { month: m[1], year: m[2] ?? "" };
  const iso = s.match(/^(\d{4})-(\d{1,2})$/); // YYYY-MM: <input type=month> and some autofill
  if (iso) return { month: iso[2], year: iso[1] };
  if (!/^\d{3,6}$/.test(s)) return null;
  // No separator: a one-digit month when two digits cannot be one, or when the rest can be a year (127 is 1/27).
  const one = s[0] > "1" || (s[0] == "1" && (s[1] > "2" || yearMayGrow(s.slice(1), now)));
  return { month: s.slice(0, one ? 1 : 2), year: s.slice(one ? 1 : 2) };
}

export function parseExpiry(value, now = new Date()) {
  const parts = splitExpiry(value, now);
  const width = parts?.year.length;
  return width == 2 || width == 4 ? { month: +parts.month, year: +parts.year + (width == 2 ? 2000 : 0) } : null;
}

const AHEAD = 20; // years

// Could these digits still become an acceptable year, written with one of `widths` digits?
function yearMayGrow(digits, now, widths = [2, 4]) {
  for (let y = now.getFullYear(); y <= now.getFullYear() + AHEAD; y++) {
    if (widths.some((w) => String(y).slice(-w).startsWith(digits))) return true;
  }
  return false;
}

export function validateExpiry(value, now = new Date()) {
  if (!text(value)) return notYet("required");
  const parts = splitExpiry(value, now);
  if (!parts) return bad("invalid_expiry");
  if (parts.month == "0" && !parts.year) return notYet("incomplete"); // the start of 01-09
  if (parts.month < 1 || parts.month > 12) return bad("invalid_month");
  const parsed = parseExpiry(value, now);
  if (!parsed) return yearMayGrow(parts.year, now) ? notYet("incomplete") : bad("invalid_year");
  const { month, year } = parsed;
  const reason = year * 12 + month - 1 < now.getFullYear() * 12 + now.getMonth() ? "expired"
    : year > now.getFullYear() + AHEAD ? "invalid_year" : null;
  if (!reason) return ok({ month, year });
  // "12 / 20" may be on its way to "12 / 2030".
  return (parts.year.length == 2 && yearMayGrow(parts.year, now, [4]) ? notYet : bad)(reason);
}

export function validateCvc(value, brand = null) {
  const code = text(value);
  const entry = typeof brand == "string" ? brandByType(brand) : brand;
  const sizes = entry ? [entry.code.size] : [3, 4];
  if (/\D/.test(code)) return bad("invalid_cvc");
  if (!code) return entry && !entry.cvcRequired ? ok() : notYet("required");
  if (sizes.includes(code.length)) return ok();
  return code.length < max(sizes) ? notYet("incomplete") : bad("invalid_cvc");
}

export function validateName(value) {
  const name = text(value);
  if (!name) return notYet("required");
  if (!/^\p{L}[\p{L}\p{M} '’.-]*$/u.test(name) || name.length > 45) return bad("invalid_name");
  return name.length < 2 ? notYet("incomplete") : ok();
}

// Without an explicit brand the first six digits decide, so stray digits after a pasted number do not.
export function formatNumber(value, brand = null) {
  const digits = digitsOnly(value);
  const entry = typeof brand == "string" ? brandByType(brand) : brand ?? detectBrand(digits.slice(0, 6));
  const gaps = entry?.gaps ?? [4, 8, 12, 16];
  return [...digits.slice(0, entry ? max(entry.lengths) : 19)].map((d, i) => (gaps.includes(i) ? " " : "") + d).join("");
}

// The caret stays after the same digit. With `previous`, Backspace over a space removes the digit before it.
export function formatWithCaret(value, caret, brand = null, previous = null) {
  const raw = String(value ?? "");
  const at = Math.max(0, Math.min(caret ?? raw.length, raw.length));
  const prev = String(previous ?? "");
  let digits = digitsOnly(raw);
  let before = digitsOnly(raw.slice(0, at)).length;
  if (before && /\D/.test(prev[at] ?? "") && prev.slice(0, at) + prev.slice(at + 1) == raw) {
    digits = digits.slice(0, before - 1) + digits.slice(before--);
  }
  const formatted = formatNumber(digits, brand);
  let seen = 0;
  const index = [...formatted].findIndex((c) => /\d/.test(c) && ++seen == before);
  return { value: formatted, caret: before ? (index < 0 ? formatted.length : index + 1) : 0 };
}

// "MM / YY" as typed: jquery.payment's rules, plus "13" read as "01 / 3".
export function formatExpiry(value) {
  const iso = text(value).match(/^(\d{4})-(\d{1,2})$/); // what <input type=month> and some autofill give
  if (iso) return formatExpiry(`${iso[2]}/${iso[1]}`);
  const m = String(value ?? "").match(/^\D*(\d{1,2})(\D+)?(\d{1,4})?/);
  if (!m) return "";
  let [, month, sep = "", year = ""] = m;
  if (sep == " /" && !year) return month[0]; // Backspace on "MM / "
  if (month > 12 && month[0] == "1") [month, sep, year] = ["1", " / ", (month[1] + year).slice(0, 4)];
  if (month.length == 1 && month != "0" && (sep || year || month > 1)) month = "0" + month;
  return month + (month.length == 2 || sep || year ? " / " : sep) + year;
}

export function expiryParts(value) {
  const parsed = parseExpiry(value);
  if (!parsed || parsed.month < 1 || parsed.month > 12) return null;
  return { month: String(parsed.month).padStart(2, "0"), year: String(parsed.year) };
}
