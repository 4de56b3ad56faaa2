// The card form of the hosted page and the frame: inputs, inline errors, a session made in advance,
// the post to the PSP, finalize, and events for the host. How it works: docs/browser.md.

import {
  brandByType, detectBrand, digitsOnly, expiryParts, formatExpiry, formatWithCaret, validateCvc, validateExpiry, validateName,
  validateNumber,
} from "../card/card.js";
import { PanlessError, clientError } from "../shared/errors.js";
import { LOCALES as NAMES, matchLocale, pickLocale as pick } from "../shared/locale.js";
import en from "./i18n-en.js";
import { brandIcon } from "./icons.js";
import { tokenize } from "./tokenize.js";

// Each catalogue is its own module, fetched only when asked for: the frame's bytes matter. Keys: i18n-en.js, and
// the server's error codes (their English comes with each answer: server/merchant/errors.py).
// Which one a tag finds: ../shared/locale.js, whose LOCALES names these and English.
const LOCALES = {
  fr: () => import("./i18n-fr.js"), es: () => import("./i18n-es.js"), de: () => import("./i18n-de.js"),
  "pt-BR": () => import("./i18n-pt-BR.js"), it: () => import("./i18n-it.js"), nl: () => import("./i18n-nl.js"),
};
export { matchLocale }; // the pages' one import

// The choice (../shared/locale.js), and a locale asked for without a catalogue said in the console.
export function pickLocale(option, languages) {
  const locale = pick(option, languages);
  if (typeof option == "string" && option && !matchLocale(option)) {
    console.warn(`Panless: no catalogue for locale "${option}"; using English (${NAMES})`);
  }
  return locale;
}

export const translator = (table = en) => (key, vars = {}, fallback) =>
  (table[key] ?? en[key] ?? fallback ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");

// Sets the document's language and direction too.
export async function loadTranslator(locale) {
  const table = LOCALES[locale] ? (await LOCALES[locale]()).default : en;
  document.documentElement.lang = locale;
  document.documentElement.dir = ["ar", "fa", "he", "ur"].includes(locale.split("-")[0]) ? "rtl" : "ltr";
  return translator(table);
}

// The page's text from the catalogue, by each element's key: text, then placeholders. (The frame's HTML carries
// the keys alone; the hosted page's, the English too, shown until its script runs.)
export function localize(t, root = document) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of root.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
}

// "light", "dark", or "auto": the shopper's prefers-color-scheme, followed as it changes.
const scheme = matchMedia("(prefers-color-scheme: dark)");
const follow = () => (document.documentElement.dataset.theme = scheme.matches ? "dark" : "light");
export function setTheme(theme) {
  scheme.removeEventListener("change", follow);
  if (theme != "auto") return void (document.documentElement.dataset.theme = theme);
  follow();
  scheme.addEventListener("change", follow);
}

// The merchant API (docs/openapi.yaml). The customer token goes in a header, never a cookie, so no
// other site can call it on the shopper's behalf.
// A 503 (the PSP down or busy) is tried once more after the wait it names (at most 3 s), then reported;
// every call is safe to repeat (sessions carry an Idempotency-Key, a finalize returns the same card).
// sent: the same request's answer when it was already sent (the frame's early join, static/js/frame/early.js),
// as [the response, its JSON or null], the body read as early.js reads it.
export const merchantApi = (token) => async function call(method, path, body, headers, retried = false, sent = null) {
  let response, data;
  try {
    [response, data] = await (sent ?? fetch(path, {
      method,
      credentials: "omit",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
      body: body && JSON.stringify(body),
    }).then(async (answer) => [answer, await answer.json().catch(() => null)]));
  } catch {
    throw clientError("network_error");
  }
  if (response.status == 503 && !retried) {
    await new Promise((done) => setTimeout(done, Math.min(Number(response.headers.get("Retry-After")) || 1, 3) * 1000));
    return call(method, path, body, headers, true);
  }
  if (!response.ok) throw new PanlessError(data?.error ?? { code: "network_error", retry: "same_session" });
  return data;
};

// A brand code as people read it ("Visa"); CB (Cartes Bancaires) is reported by PSPs, not detected here.
export const brandName = (code) => brandByType(code)?.niceType ?? (code == "cb" ? "CB" : code);

// Milliseconds a save runs before it looks and says busy: under 0.1 s, an answer feels immediate.
const BUSY_DELAY = 100;
const FIELDS = ["name", "number", "expiry", "cvc"]; // and "postal" when the target asks for it
const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

// Connect to the PSP while the shopper types.
function preconnect(url) {
  const href = new URL(url).origin;
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "preconnect", href, crossOrigin: "anonymous" }));
}

export class CardForm {
  // fields: "name" may be left out; emit(event, data): ready change focus blur submit tokenized error
  // label: the button's text instead of the catalogue's; quiet: the host tells the shopper the outcome (the
  // frame with hideButton), so the form neither moves focus nor speaks for a submit (one announcement each).
  // savedCard: a saved card's token: CVC re-collection, the security code alone for that card.
  // sessionKey: the Idempotency-Key of a first session already being started (the frame's early start);
  // joined: the answer to that session's request when the page already sent it.
  constructor(form, { api, currency, provider = null, sessionOptions = null, t = translator(), fields = FIELDS, label = null, quiet = false,
    savedCard = null, emit = () => {}, sessionKey = null, joined = null }) {
    Object.assign(this, { form, api, currency, provider, sessionOptions, t, emit, label, quiet, session: null, sessionBrands: [], brand: null,
      sessionKey, joined });
    this.savedCard = typeof savedCard == "string" && savedCard ? savedCard : null;
    this.result = document.getElementById("result");
    this.announcer = document.getElementById("announce");
    document.getElementById("another").addEventListener("click", () => {
      this.clear();
      this.focus(this.fields[0]);
    });
    this.$ = (selector) => form.querySelector(selector);
    this.button = this.$("#pay");
    this.formError = this.$("#form-error");
    this.fields = this.savedCard ? ["cvc"] : FIELDS.filter((f) => f != "name" || fields.includes(f));
    for (const field of FIELDS) if (!this.fields.includes(field)) this.$(`#${field}`)?.closest(".field").remove();
    if (this.savedCard) this.cvcOnly();
    this.inputs = Object.fromEntries([...this.fields, "postal"].map((f) => [f, this.$(`#${f}`)]));
    const { number, expiry, cvc } = this.inputs;
    number?.addEventListener("beforeinput", () => (this.previous = number.value));
    number?.addEventListener("input", () => this.formatNumber());
    expiry?.addEventListener("input", () => (expiry.value = formatExpiry(expiry.value)));
    cvc.addEventListener("input", () => (cvc.value = digitsOnly(cvc.value).slice(0, 4)));
    for (const [field, input] of Object.entries(this.inputs)) {
      input.addEventListener("beforeinput", (event) => this.saving && event.preventDefault());
      input.addEventListener("focus", () => this.emit("focus", { field }));
      input.addEventListener("blur", () => {
        if (this.form.hidden) return; // the form giving way to the saved card took the focus, not the shopper
        const slot = this.$(`#${field}-error`);
        const was = slot.textContent;
        if (input.value && !this.check(field) && slot.textContent != was) {
          this.say(slot.textContent); // the shopper has moved on: the error is said once, politely
        }
        this.emit("blur", { field });
      });
      input.addEventListener("input", () => {
        if (input.getAttribute("aria-invalid") == "true") this.check(field);
        this.formError.hidden = true;
        const state = this.state();
        const key = JSON.stringify(state);
        if (key != this.lastState) this.emit("change", state);
        this.lastState = key;
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.pay();
    });
  }

  // CVC re-collection: the other fields are gone; the texts say "confirm", not "save"; no "Add another card".
  cvcOnly() {
    this.form.classList.add("cvc-only");
    this.button.dataset.t = "button.confirm";
    document.getElementById("result-title").dataset.t = "status.confirmed";
    document.getElementById("another").hidden = true;
    document.querySelector("h1[data-t='page.title']")?.setAttribute("data-t", "page.cvc_title");
    this.$("#cvc").setAttribute("aria-describedby", "saved-card cvc-error");
  }

  // The saved card the CVC is for, as the session describes it: its brand's icon, and which card in words.
  showSavedCard(card) {
    this.saved = card;
    const text = Object.assign(document.createElement("span"), { textContent: this.t("page.cvc_intro", { card: this.describe(card) }) });
    const slot = this.$("#saved-card");
    slot.replaceChildren(brandIcon(card.brand, brandName(card.brand)), text);
    slot.hidden = false;
    this.setBrand(brandByType(card.brand));
  }

  localize(root = document) {
    localize(this.t, root);
    if (this.label) this.button.textContent = this.label;
  }

  formatNumber() {
    const input = this.inputs.number;
    const brand = detectBrand(input.value);
    const { value, caret } = formatWithCaret(input.value, input.selectionStart, brand, this.previous);
    input.value = value;
    if (document.activeElement == input) input.setSelectionRange(caret, caret);
    this.setBrand(brand);
  }

  setBrand(brand) {
    if (brand?.type == this.brand?.type) return;
    this.brand = brand;
    const label = this.$("#number-brand"); // none in CVC re-collection: the saved card shows its brand
    const name = Object.assign(document.createElement("span"), { className: "visually-hidden", textContent: brand?.niceType });
    label?.replaceChildren(...(brand ? [brandIcon(brand.type, brand.niceType), name] : []));
    if (label) label.dataset.brand = brand?.type ?? "";
    const cvc = this.inputs.cvc;
    const size = brand?.code.size ?? 3;
    cvc.maxLength = size;
    cvc.placeholder = "•".repeat(size);
    cvc.required = brand?.cvcRequired != false;
    this.$("#cvc-optional").hidden = cvc.required;
    if (brand && !this.sessionBrands.includes(brand.type)) this.ensureSession(brand.type);
  }

  setPostal(required) {
    const wrapper = this.$("#postal-field");
    if (!wrapper || required == this.fields.includes("postal")) return;
    wrapper.hidden = !required;
    this.fields = required ? [...this.fields, "postal"] : this.fields.filter((f) => f != "postal");
  }

  values() {
    const v = Object.fromEntries(Object.entries(this.inputs).map(([k, input]) => [k, input.value.trim()]));
    return { ...v, number: digitsOnly(v.number), cvc: digitsOnly(v.cvc) };
  }

  // -> the field's error code, or null
  problem(field, values = this.values()) {
    const value = values[field];
    if (!value) return field == "cvc" && !this.inputs.cvc.required ? null : `${field}_required`;
    if (field == "number") {
      const r = validateNumber(value);
      const short = value.length < Math.min(...(this.brand?.lengths ?? [16]));
      return r.isValid ? null : r.isPotentiallyValid && short ? "number_incomplete" : "invalid_number";
    }
    const r = field == "expiry" ? validateExpiry(value)
      : field == "cvc" ? validateCvc(value, this.brand)
      : field == "name" ? validateName(value)
      : { isValid: /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(value) };
    return r.isValid ? null : r.reason == "expired" ? "expiry_past" : `invalid_${field}`;
  }

  // A saved card as people read it: "Visa •••• 1119, expires 12/28".
  describe(card) {
    const expiry = `${String(card.exp_month).padStart(2, "0")}/${String(card.exp_year).slice(-2)}`;
    return this.t("status.card", { brand: brandName(card.brand), last4: card.last4, expiry });
  }

  // A code's message, the same for the form's own checks and the server's answers.
  message(code, fallback) {
    return this.t(code, { size: this.brand?.code.size ?? 3 }, fallback);
  }

  check(field, values) {
    const code = this.problem(field, values);
    this.showError(field, code ? this.message(code) : "");
    return !code;
  }

  state() {
    const values = this.values();
    const fields = Object.fromEntries(this.fields.map((f) => {
      const problem = this.problem(f, values);
      return [f, { empty: !values[f], complete: !/_(required|incomplete)$/.test(problem), valid: !problem }];
    }));
    return { brand: this.brand?.type ?? null, complete: Object.values(fields).every((f) => f.valid), fields };
  }

  checkAll(values) {
    const first = this.fields.filter((f) => !this.check(f, values))[0];
    const input = this.inputs[first];
    // Focus on the field reads it with its error: one announcement. Already there, the error is said.
    if (!input || this.quiet) return !first;
    if (input == document.activeElement) this.say(this.message(this.problem(first, values)));
    else input.focus();
    return !first;
  }

  showError(field, message = "") {
    const slot = this.$(`#${field}-error`);
    if (message || slot.textContent) slot.textContent = message; // a repeated error is announced again
    // Only when it changes (absent is false): setting even the same value restyles the field.
    const input = this.inputs[field];
    if ((input.getAttribute("aria-invalid") ?? "false") != `${!!message}`) input.setAttribute("aria-invalid", !!message);
  }

  showFormError(message) {
    this.formError.textContent = message;
    this.formError.hidden = false;
  }

  // One polite announcement, only while the shopper is in this document (else the host says it).
  say(message) {
    if (!this.announcer || !document.hasFocus()) return;
    this.announcer.textContent = "";
    requestAnimationFrame(() => (this.announcer.textContent = message));
  }

  // The saved card in place of the form, focused so it is read (the hosted page, or a frame with its button).
  done(card) {
    document.getElementById("result-card").textContent = this.describe(card);
    this.form.hidden = true;
    this.result.hidden = false;
    if (!this.quiet) this.result.focus();
  }

  focus(field) {
    if (Object.hasOwn(this.inputs, field)) this.inputs[field].focus();
  }

  clear() {
    for (const [field, input] of Object.entries(this.inputs)) {
      input.value = "";
      this.showError(field);
    }
    this.setBrand(this.saved ? brandByType(this.saved.brand) : null);
    this.formError.hidden = true;
    this.result.hidden = true;
    this.form.hidden = false;
  }

  // One Idempotency-Key per session, kept for the retry after a network error.
  async createSession(brand, key = newKey(), tries = 2) {
    const joined = key == this.sessionKey ? this.joined : null; // read once
    this.joined = null;
    try {
      const body = this.savedCard ? { saved_card: this.savedCard, options: this.sessionOptions || undefined }
        : { currency: this.currency, brand: brand || undefined, provider: this.provider || undefined,
          options: this.sessionOptions || undefined };
      const created = await this.api("POST", "/api/sessions", body, { "Idempotency-Key": key }, false, joined);
      this.sessionBrands = created.accepted_brands;
      if (created.saved_card) this.showSavedCard(created.saved_card);
      this.setPostal(!!created.target?.card_fields?.postal);
      preconnect(created.target.url);
      return created;
    } catch (error) {
      if (joined) return this.createSession(brand); // the early session failed: one of the frame's own
      if (tries > 1 && error.code == "network_error") return this.createSession(brand, key, tries - 1);
      if (error.field == "Idempotency-Key") return this.createSession(brand); // a given key made for another session
      throw error;
    }
  }

  ensureSession(brand = null, key = undefined) {
    if (this.session && (!brand || this.sessionBrands.includes(brand))) return this.session;
    this.session = this.createSession(brand, key);
    this.session.catch(() => (this.session = null));
    return this.session;
  }

  // before: a promise the form also waits for before it is ready (the frame's locale)
  async start(before = null) {
    try {
      await Promise.all([this.ensureSession(null, this.sessionKey ?? undefined), before]);
      this.form.dataset.ready = "true";
      this.emit("ready", {});
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error) {
    const message = this.message(error.code, error.message);
    const input = this.inputs[error.field];
    if (error.retry != "same_session" || error.field) this.unfinished = null;
    if (error.retry == "new_session") {
      this.session = null;
      this.ensureSession(this.brand?.type);
    }
    if (input) {
      this.showError(error.field, message);
      if (!this.quiet) input.focus();
    } else {
      this.showFormError(message);
      if (!this.quiet && this.form.dataset.ready) this.formError.focus(); // read at once, and Tab goes on from it
    }
    this.emit("error", { code: error.code, message, field: error.field ?? null });
  }

  // While saving, at once: a second submit is ignored and no field takes an edit (refused as it comes, so
  // that nothing on the page changes). Only once the save has taken BUSY_DELAY, which a save on a fast
  // connection seldom does, the busy look: the button disabled and saying so, the fields read-only and
  // disabled for assistive technology, the form aria-busy, and the announcement. A fast save is then seen and
  // heard once, as its outcome, and the frame draws nothing while the save is under way (a repaint then costs
  // the save time on a small machine). The fields keep the shopper's focus (disabling the focused one would
  // drop it on the page).
  busy(on) {
    this.saving = on;
    clearTimeout(this.busyTimer);
    if (on) this.busyTimer = setTimeout(() => this.busyLook(true), BUSY_DELAY);
    else if (this.button.disabled) this.busyLook(false);
  }

  busyLook(on) {
    this.button.disabled = on;
    for (const input of Object.values(this.inputs)) {
      input.readOnly = on;
      input.setAttribute("aria-disabled", on);
    }
    this.form.setAttribute("aria-busy", on);
    this.button.textContent = on ? this.t("button.busy") : this.label ?? this.t(this.button.dataset.t);
    if (on && !this.quiet) this.say(this.t("status.busy"));
  }

  // -> the saved card, or null (the error is reported)
  async pay() {
    if (this.saving) return null;
    if (!this.formError.hidden) this.formError.hidden = true;
    const card = this.values();
    if (!this.checkAll(card)) {
      const field = this.fields.find((f) => this.problem(f, card)) ?? null;
      this.emit("error", { code: "validation_failed", message: this.t("validation_failed"), field });
      return null;
    }
    this.busy(true);
    try {
      const current = await this.ensureSession(this.brand?.type);
      // A finalize that failed on the way is retried with the same PSP answer.
      const reuse = this.unfinished?.session == current.id;
      const opaque = reuse ? this.unfinished.opaque
        : await tokenize(current.target, { ...card, expiry: expiryParts(card.expiry) },
          () => this.emit("submit", {}));
      if (reuse) this.emit("submit", {});
      this.unfinished = { session: current.id, opaque };
      const { card: saved } = await this.api("POST", `/api/sessions/${encodeURIComponent(current.id)}/finalize`, { result: opaque });
      this.unfinished = this.session = null;
      // Only the token and what a shopper may see cross to the host, before anything else; after a CVC
      // re-collection, also what to charge the card with and until when.
      const { token, brand, last4, exp_month, exp_year, charge } = saved;
      const visible = { token, brand, brand_name: brandName(brand), last4, exp_month, exp_year, ...(charge && { charge }) };
      this.emit("tokenized", { card: visible, session: current.id });
      setTimeout(() => {
        this.clear();
        this.done(visible);
        if (!this.savedCard) this.ensureSession(); // a CVC is asked for once; clear() starts again if the host wants
      });
      return saved;
    } catch (error) {
      this.fail(error.code ? error : clientError("tokenization_failed"));
      return null;
    } finally {
      this.busy(false);
    }
  }
}
