// Executes a TokenizationTarget: posts the card straight to the PSP and reads the opaque result.
// It knows nothing of any PSP; everything PSP-specific arrives in the target from the server.

import { PanlessError, clientError } from "./errors.js";

function expiryValues(format, map, { month, year }) {
  if (format === "MM+YYYY") return { [map.exp_month]: month, [map.exp_year]: year };
  if (format === "MM+YY") return { [map.exp_month]: month, [map.exp_year]: year.slice(-2) };
  if (format === "MM/YY") return { [map.expiry]: `${month}/${year.slice(-2)}` };
  if (format === "MMYYYY") return { [map.expiry]: month + year };
  return { [map.expiry]: month + year.slice(-2) };
}

export function cardPayload(target, card) {
  const map = target.card_fields;
  const values = { ...target.fields, [map.number]: card.number, ...expiryValues(target.expiry_format, map, card.expiry) };
  if (map.cvc && (card.cvc || target.cvc_required)) values[map.cvc] = card.cvc;
  if (map.name && card.name) values[map.name] = card.name;
  if (map.postal && card.postal) values[map.postal] = card.postal;
  return values;
}

function encode(target, values) {
  if (target.encoding === "json") return { type: "application/json", body: JSON.stringify(values) };
  return { type: "application/x-www-form-urlencoded", body: new URLSearchParams(values).toString() };
}

function pick(data, path) {
  return String(path ?? "").split(".").filter(Boolean).reduce((value, key) => value?.[key], data);
}

function known(errors, code) {
  return new PanlessError(errors?.[code] ?? { code: "tokenization_failed", retry: "new_session" });
}

// -> the opaque result to hand the merchant's finalize call; throws PanlessError otherwise.
export function readResult(target, status, text) {
  const spec = target.result ?? { type: "text" };
  if (spec.type === "text") {
    if (spec.error_prefix && text.startsWith(spec.error_prefix)) {
      throw known(target.errors, text.slice(spec.error_prefix.length).trim());
    }
    if (status < 200 || status >= 300 || !text) throw clientError("tokenization_failed", null, "new_session");
    return text;
  }
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    throw clientError("tokenization_failed", null, "new_session");
  }
  const result = pick(data, spec.path);
  if (status >= 200 && status < 300 && result) return result;
  // "*key": the error names the field as its first key ({"card_number": ["..."]}).
  const code = spec.error_code_path === "*key" ? Object.keys(data ?? {})[0] : pick(data, spec.error_code_path);
  throw known(target.errors, String(code ?? status));
}

// sent(): called once the post is on its way (the caller's "submit" event need not delay it).
export async function tokenize(target, card, sent = () => {}) {
  const { type, body } = encode(target, cardPayload(target, card));
  let response;
  try {
    const pending = fetch(target.url, {
      method: target.method,
      headers: { ...target.headers, "Content-Type": type },
      body,
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    sent();
    response = await pending;
  } catch {
    throw clientError("psp_unreachable");
  }
  return readResult(target, response.status, await response.text());
}
