// Card brands as data, after braintree/credit-card-type: a pattern is a prefix number or an
// inclusive [lo, hi] range of prefixes; gaps are the digit counts after which a space is shown.

const freeze = (value) => {
  if (value && typeof value === "object") {
    Object.values(value).forEach(freeze);
    Object.freeze(value);
  }
  return value;
};

export const BRANDS = freeze([
  {
    type: "visa",
    niceType: "Visa",
    patterns: [4],
    gaps: [4, 8, 12, 16],
    lengths: [16, 18, 19],
    code: { name: "CVV", size: 3 },
    cvcRequired: true,
  },
  {
    type: "mastercard",
    niceType: "Mastercard",
    patterns: [[51, 55], [2221, 2720]],
    gaps: [4, 8, 12],
    lengths: [16],
    code: { name: "CVC", size: 3 },
    cvcRequired: true,
  },
  {
    type: "amex",
    niceType: "American Express",
    patterns: [34, 37],
    gaps: [4, 10],
    lengths: [15],
    code: { name: "CID", size: 4 },
    cvcRequired: true,
  },
  {
    // 5019 is left out on purpose: it is Dankort, which this kit does not take.
    // The single-digit 6 is the catch-all card-type libraries use; longer prefixes beat it.
    type: "maestro",
    niceType: "Maestro",
    patterns: [
      [5000, 5018],
      [5020, 5099],
      [56, 58],
      5893,
      6304,
      6759,
      [6761, 6763],
      6,
    ],
    gaps: [4, 8, 12, 16],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
    code: { name: "CVC", size: 3 },
    cvcRequired: false,
  },
  {
    // Bancontact cards carry no security code at all, hence size 0 (Adyen's BIN list).
    type: "bcmc",
    niceType: "Bancontact",
    patterns: [6703, 479658, 606005],
    gaps: [4, 8, 12, 16],
    lengths: [16, 17, 18, 19],
    code: { name: "CVC", size: 0 },
    cvcRequired: false,
  },
  {
    type: "discover",
    niceType: "Discover",
    patterns: [6011, [644, 649], 65],
    gaps: [4, 8, 12, 16],
    lengths: [16, 19],
    code: { name: "CID", size: 3 },
    cvcRequired: true,
  },
  {
    type: "jcb",
    niceType: "JCB",
    patterns: [2131, 1800, [3528, 3589]],
    gaps: [4, 8, 12, 16],
    lengths: [16, 17, 18, 19],
    code: { name: "CVV", size: 3 },
    cvcRequired: true,
  },
  {
    type: "diners",
    niceType: "Diners Club",
    patterns: [[300, 305], 3095, 36, 38, 39],
    gaps: [4, 10],
    lengths: [14, 16, 19],
    code: { name: "CVV", size: 3 },
    cvcRequired: true,
  },
  {
    type: "unionpay",
    niceType: "UnionPay",
    patterns: [62, [8100, 8171]],
    gaps: [4, 8, 12, 16],
    lengths: [16, 17, 18, 19],
    code: { name: "CVN", size: 3 },
    cvcRequired: true,
  },
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
