// Card brands as data, after braintree/credit-card-type: a pattern is a prefix number or an
// inclusive [lo, hi] range of prefixes; gaps are the digit counts after which a space is shown.

const freeze = (value) => {
  if (value && typeof value === "object") {
    Object.values(value).forEach(freeze);
    Object.freeze(value);
  }
  return value;
};

// One row per brand: type, display name, prefixes, lengths, then gaps, CVC size and name where they differ.
const brand = (type, niceType, patterns, lengths, gaps = [4, 8, 12, 16], size = 3, name = "CVV", cvcRequired = true) =>
  ({ type, niceType, patterns, gaps, lengths, code: { name, size }, cvcRequired });

export const BRANDS = freeze([
  brand("visa", "Visa", [4], [16, 18, 19]),
  brand("mastercard", "Mastercard", [[51, 55], [2221, 2720]], [16], [4, 8, 12], 3, "CVC"),
  brand("amex", "American Express", [34, 37], [15], [4, 10], 4, "CID"),
  // 5019 (Dankort) is left out; the lone 6 is the usual catch-all, beaten by any longer prefix.
  brand("maestro", "Maestro", [[5000, 5018], [5020, 5099], [56, 58], 5893, 6304, 6759, [6761, 6763], 6],
    [12, 13, 14, 15, 16, 17, 18, 19], undefined, 3, "CVC", false),
  // Bancontact cards carry no security code at all (Adyen's BIN list).
  brand("bcmc", "Bancontact", [6703, 479658, 606005], [16, 17, 18, 19], undefined, 0, "CVC", false),
  brand("discover", "Discover", [6011, [644, 649], 65], [16, 19], undefined, 3, "CID"),
  brand("jcb", "JCB", [2131, 1800, [3528, 3589]], [16, 17, 18, 19]),
  brand("diners", "Diners Club", [[300, 305], 3095, 36, 38, 39], [14, 16, 19], [4, 10]),
  brand("unionpay", "UnionPay", [62, [8100, 8171]], [16, 17, 18, 19], undefined, 3, "CVN"),
]);

const onlyDigits = (value) => String(value ?? "").replace(/\D/g, "");

// Compares only the digits both sides have, so a short input matches every pattern it could grow into.
function matchesPattern(digits, pattern) {
  if (Array.isArray(pattern)) {
    const [lo, hi] = pattern.map(String);
    const head = digits.slice(0, lo.length);
    const n = Number(head);
    return n >= Number(lo.slice(0, head.length)) && n <= Number(hi.slice(0, head.length));
  }
  const prefix = String(pattern);
  return prefix.slice(0, digits.length) === digits.slice(0, prefix.length);
}

const patternLength = (pattern) => String(Array.isArray(pattern) ? pattern[0] : pattern).length;

// How many digits of the input a brand's matching pattern pins down; 0 when the input is still shorter.
function matchStrength(brand, digits) {
  const lengths = brand.patterns
    .filter((p) => matchesPattern(digits, p) && digits.length >= patternLength(p))
    .map(patternLength);
  return Math.max(0, ...lengths);
}

export function brandByType(type) {
  return BRANDS.find((brand) => brand.type === type) ?? null;
}

export function candidateBrands(value) {
  const digits = onlyDigits(value);
  return BRANDS.filter(
    (brand) =>
      digits.length <= Math.max(...brand.lengths) && brand.patterns.some((p) => matchesPattern(digits, p)),
  );
}

export function detectBrand(value) {
  const digits = onlyDigits(value);
  if (!digits) return null;
  const candidates = candidateBrands(digits);
  if (candidates.length === 1) return candidates[0];
  let best = null;
  let bestStrength = 0;
  for (const brand of candidates) {
    const strength = matchStrength(brand, digits);
    if (strength > bestStrength) [best, bestStrength] = [brand, strength];
  }
  return best;
}
