// The card form's behaviour, shared by the hosted page and the embeddable frame: a session made in
// advance (and remade when the brand needs another), validation, the post to the PSP, the finalize
// call, and events for whoever hosts it. After "Pay" only two requests remain: PSP, then finalize.

import { expiryParts } from "../card/format.js";
import { clientError } from "../shared/errors.js";
import { translator } from "../shared/i18n.js";
import { tokenize } from "../shared/tokenize.js";
import { CardFields } from "./fields.js";

function newKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Open the connection to the PSP while the shopper types, so that Pay does not wait for it.
function preconnect(url) {
  const origin = new URL(url).origin;
  if (document.querySelector(`link[rel="preconnect"][href="${origin}"]`)) return;
  const link = Object.assign(document.createElement("link"), { rel: "preconnect", href: origin, crossOrigin: "anonymous" });
  document.head.append(link);
}

export class CardForm {
  // emit(event, data): ready, change, focus, blur, submit, tokenized, error
  constructor(form, { api, currency, provider = null, t = translator(), fields, emit = () => {} }) {
    this.form = form;
    this.api = api;
    this.currency = currency;
    this.provider = provider;
    this.t = t;
    this.emit = emit;
    this.session = null; // Promise of the current session
    this.sessionBrands = [];
    this.button = form.querySelector("#pay");
    this.formError = form.querySelector("#form-error");
    this.fields = new CardFields(form, {
      fields,
      t: this.t,
      onBrand: (brand) => brand && !this.sessionBrands.includes(brand) && this.ensureSession(brand),
      onChange: () => {
        this.formError.hidden = true;
        const state = this.fields.state();
        const key = JSON.stringify(state);
        if (key !== this.lastState) this.emit("change", state); // only when something changed
        this.lastState = key;
      },
    });
    for (const [field, input] of Object.entries(this.fields.inputs)) {
      input.addEventListener("focus", () => this.emit("focus", { field }));
      input.addEventListener("blur", () => this.emit("blur", { field }));
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.pay();
    });
  }

  localize() {
    for (const key of ["name", "number", "expiry", "cvc", "postal"]) {
      const label = this.form.querySelector(`label[for="${key}"] .text`);
      if (label) label.textContent = this.t(`label.${key}`);
    }
    this.form.querySelector("#cvc-optional").textContent = this.t("label.cvc_optional");
    this.button.textContent = this.t("button.pay");
  }

  // One Idempotency-Key per logical session, reused when the call is retried after a network error.
  async createSession(brand, key = newKey(), tries = 2) {
    try {
      const created = await this.api.createSession({ currency: this.currency, brand, provider: this.provider }, key);
      this.sessionBrands = created.accepted_brands;
      this.fields.setPostal(Boolean(created.target?.card_fields?.postal));
      preconnect(created.target.url);
      return created;
    } catch (error) {
      if (tries > 1 && error.code === "network_error") return this.createSession(brand, key, tries - 1);
      throw error;
    }
  }

  ensureSession(brand = null) {
    if (this.session && (!brand || this.sessionBrands.includes(brand))) return this.session;
    this.session = this.createSession(brand);
    this.session.catch(() => (this.session = null));
    return this.session;
  }

  async start() {
    try {
      await this.ensureSession();
      this.form.dataset.ready = "true";
      this.emit("ready", {});
    } catch (error) {
      this.fail(error);
    }
  }

  showFormError(message) {
    this.formError.textContent = message;
    this.formError.hidden = false;
  }

  fail(error) {
    const message = this.t(error.code, {}, error.message);
    if (error.retry !== "same_session" || error.field) this.unfinished = null; // the answer is spent or wrong
    if (error.retry === "new_session") {
      this.session = null;
      this.ensureSession(this.fields.brand?.type ?? null);
    }
    if (error.field && this.fields.inputs[error.field]) {
      this.fields.showError(error.field, message);
      this.fields.inputs[error.field].focus();
    } else {
      this.showFormError(message);
    }
    this.emit("error", { code: error.code, message, field: error.field ?? null });
  }

  busy(on) {
    this.button.disabled = on;
    this.form.setAttribute("aria-busy", String(on));
  }

  // -> the saved card, or null when the form is invalid or the attempt failed (already reported)
  async pay() {
    this.formError.hidden = true;
    if (this.button.disabled) return null;
    if (!this.fields.checkAll()) {
      this.emit("error", { code: "validation_failed", message: this.t("validation_failed"), field: this.firstInvalid() });
      return null;
    }
    this.busy(true);
    try {
      const card = this.fields.values();
      const current = await this.ensureSession(this.fields.brand?.type ?? null);
      // After a finalize that failed on the way (network, PSP busy), retry with the same answer: the
      // PSP may already have used it, and a new post to the same session could be refused.
      const reuse = this.unfinished?.session === current.id;
      const opaque = reuse ? this.unfinished.opaque
        : await tokenize(current.target, { ...card, expiry: expiryParts(card.expiry) }, () => this.emit("submit", {}));
      if (reuse) this.emit("submit", {});
      this.unfinished = { session: current.id, opaque };
      const { card: saved } = await this.api.finalize(current.id, opaque);
      this.unfinished = null;
      this.session = null;
      // What crosses to the host page: the token and what a shopper may see, nothing more. It goes
      // first; clearing the form and preparing the next session wait for the next task.
      const { token, brand, last4, exp_month, exp_year } = saved;
      this.emit("tokenized", { card: { token, brand, last4, exp_month, exp_year }, session: current.id });
      setTimeout(() => {
        this.fields.clear();
        this.ensureSession();
      });
      return saved;
    } catch (error) {
      this.fail(error.code ? error : clientError("tokenization_failed"));
      return null;
    } finally {
      this.busy(false);
    }
  }

  firstInvalid() {
    return this.fields.fields.find((f) => this.fields.problem(f)) ?? null;
  }

  focus(field) {
    this.fields.inputs[field]?.focus();
  }

  clear() {
    this.fields.clear();
    this.formError.hidden = true;
  }
}
