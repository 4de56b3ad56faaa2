// The only code that sends card data: straight to the PSP, as the session's TokenizationTarget says.

import { PanlessError, clientError } from "../shared/errors.js";

const failed = () => clientError("tokenization_failed", "new_session");

function expiryValues(format, map, { month, year }) {
  const yy = year.slice(-2);
  if (format == "MM+YYYY" || format == "MM+YY") {
    return { [map.exp_month]: month, [map.exp_year]: format == "MM+YY" ? yy : year };
  }
  return { [map.expiry]: format == "MM/YY" ? `${month}/${yy}` : month + (format == "MMYYYY" ? year : yy) };
}

export function cardPayload(target, card) {
  const map = target.card_fields;
  const values = { ...target.fields };
  // A CVC re-collection target (a saved card) takes the CVC alone.
  if (map.number) Object.assign(values, { [map.number]: card.number }, expiryValues(target.expiry_format, map, card.expiry));
  if (map.cvc && (card.cvc || target.cvc_required)) values[map.cvc] = card.cvc;
  for (const key of ["name", "postal"]) if (map[key] && card[key]) values[map[key]] = card[key];
  return values;
}

const pick = (data, path) => String(path ?? "").split(".").filter(Boolean).reduce((v, key) => v?.[key], data);
const known = (errors, code) => new PanlessError(errors?.[code] ?? { code: "tokenization_failed", retry: "new_session" });

// -> the opaque result for finalize, or throws PanlessError
export function readResult(target, status, text) {
  const spec = target.result ?? { type: "text" };
  const ok = status >= 200 && status < 300;
  if (spec.type == "text") {
    if (spec.error_prefix && text.startsWith(spec.error_prefix)) {
      throw known(target.errors, text.slice(spec.error_prefix.length).trim());
    }
    if (!ok || !text) throw failed();
    return text;
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw failed();
  }
  const result = pick(data, spec.path);
  if (ok && result) return result;
  // "*key": the error's first key names the field ({"card_number": [...]})
  const code = spec.error_code_path == "*key" ? Object.keys(data ?? {})[0] : pick(data, spec.error_code_path);
  throw known(target.errors, String(code ?? status));
}

// sent(): called once the post is on its way
export async function tokenize(target, card, sent = () => {}) {
  const values = cardPayload(target, card);
  const json = target.encoding == "json";
  let response;
  try {
    const pending = fetch(target.url, {
      method: target.method,
      headers: { ...target.headers, "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded" },
      body: json ? JSON.stringify(values) : new URLSearchParams(values).toString(),
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
