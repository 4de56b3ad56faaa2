// The card inputs: formatting as you type (caret kept), brand display, inline accessible errors.

import { detectBrand } from "../card/brands.js";
import { digitsOnly, formatExpiry, formatWithCaret } from "../card/format.js";
import { validateCvc, validateExpiry, validateName, validateNumber } from "../card/validate.js";
import { translator } from "../shared/i18n.js";

const typeOf = (brand) => (typeof brand === "string" ? brand : brand?.type ?? null);

export const FIELDS = ["name", "number", "expiry", "cvc"]; // and "postal" when the PSP asks for it

export class CardFields {
  // fields: which to collect ("name" may be left out); t: the locale's translator.
  constructor(form, { fields = FIELDS, t = translator(), onBrand = () => {}, onChange = () => {} } = {}) {
    this.form = form;
    this.fields = FIELDS.filter((f) => fields.includes(f) || f !== "name");
    this.inputs = Object.fromEntries([...this.fields, "postal"].map((f) => [f, form.querySelector(`#${f}`)]));
    this.t = t;
    this.brand = null;
    this.onBrand = onBrand;
    this.onChange = onChange;
    if (!this.fields.includes("name")) {
      form.querySelector("#name")?.closest(".field")?.remove();
      delete this.inputs.name;
    }
    this.bind();
  }

  // Some PSPs need the billing postal code; the session's target says so.
  setPostal(required) {
    const wrapper = this.form.querySelector("#postal-field");
    if (!wrapper || required === this.fields.includes("postal")) return;
    wrapper.hidden = !required;
    this.fields = required ? [...this.fields, "postal"] : this.fields.filter((f) => f !== "postal");
  }

  bind() {
    const { number, expiry, cvc } = this.inputs;
    number.addEventListener("beforeinput", () => (this.previous = number.value));
    number.addEventListener("input", () => this.formatNumber());
    expiry.addEventListener("input", () => (expiry.value = formatExpiry(expiry.value)));
    cvc.addEventListener("input", () => (cvc.value = digitsOnly(cvc.value).slice(0, 4)));
    for (const [field, input] of Object.entries(this.inputs)) {
      input.addEventListener("blur", () => input.value && this.check(field));
      input.addEventListener("input", () => {
        if (input.getAttribute("aria-invalid") === "true") this.check(field);
        this.onChange(field);
      });
    }
  }

  formatNumber() {
    const input = this.inputs.number;
    const brand = detectBrand(digitsOnly(input.value));
    const { value, caret } = formatWithCaret(input.value, input.selectionStart, brand, this.previous);
    input.value = value;
    if (document.activeElement === input) input.setSelectionRange(caret, caret);
    this.setBrand(brand);
  }

  setBrand(brand) {
    if (typeOf(brand) === typeOf(this.brand)) return;
    this.brand = brand;
    const label = this.form.querySelector("#number-brand");
    label.textContent = brand ? brand.niceType : "";
    label.dataset.brand = typeOf(brand) ?? "";
    const cvc = this.inputs.cvc;
    const size = brand?.code?.size ?? 3;
    cvc.maxLength = size;
    cvc.placeholder = "•".repeat(size);
    cvc.required = brand?.cvcRequired !== false;
    this.form.querySelector("#cvc-optional").hidden = cvc.required;
    this.onBrand(typeOf(brand));
  }

  values() {
    const v = Object.fromEntries(Object.entries(this.inputs).map(([k, input]) => [k, input.value]));
    return { ...v, number: digitsOnly(v.number), cvc: digitsOnly(v.cvc), name: (v.name ?? "").trim(),
      postal: (v.postal ?? "").trim() };
  }

  // -> error code for the field, or null when valid (client-side messages in shared/errors.js)
  problem(field) {
    const v = this.values();
    if (field === "number") {
      if (!v.number) return "number_required";
      const r = validateNumber(v.number);
      if (r.isValid) return null;
      // Still potentially valid past the shortest length only means "might grow": on check, it is wrong.
      const shortest = Math.min(...(this.brand?.lengths ?? [16]));
      return r.isPotentiallyValid && v.number.length < shortest ? "number_incomplete" : "number_invalid";
    }
    if (field === "expiry") {
      if (!v.expiry) return "expiry_required";
      const r = validateExpiry(v.expiry);
      return r.isValid ? null : r.reason === "expired" ? "expiry_past" : "expiry_invalid";
    }
    if (field === "cvc") {
      if (!v.cvc) return this.inputs.cvc.required ? "cvc_required" : null;
      return validateCvc(v.cvc, this.brand).isValid ? null : "cvc_invalid";
    }
    if (field === "postal") {
      if (!v.postal) return "postal_required";
      return /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(v.postal) ? null : "postal_invalid";
    }
    if (!v.name) return "name_required";
    return validateName(v.name).isValid ? null : "name_invalid";
  }

  check(field) {
    const code = this.problem(field);
    const size = this.brand?.code?.size ?? 3;
    this.showError(field, code ? this.t(code, { size }) : null);
    return !code;
  }

  // Per field: empty, complete (nothing more to type), valid; drives the embed's "change" event.
  state() {
    const values = this.values();
    const fields = Object.fromEntries(this.fields.map((f) => {
      const problem = this.problem(f);
      const complete = !problem || !/_(required|incomplete)$/.test(problem);
      return [f, { empty: !values[f], complete, valid: !problem }];
    }));
    const complete = Object.values(fields).every((f) => f.valid);
    return { brand: typeOf(this.brand), complete, fields };
  }

  checkAll() {
    const fields = this.fields;
    const results = fields.map((f) => this.check(f));
    const first = fields.find((_, i) => !results[i]);
    if (first) this.inputs[first].focus();
    return !first;
  }

  showError(field, message) {
    const input = this.inputs[field];
    const slot = this.form.querySelector(`#${field}-error`);
    // The slot keeps its height (see form.css): a message appearing on blur must not move the Pay
    // button away from under the pointer between mousedown and click.
    slot.textContent = message ?? "";
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  clear() {
    for (const [field, input] of Object.entries(this.inputs)) {
      input.value = "";
      this.showError(field, null);
    }
    this.setBrand(null);
  }
}
