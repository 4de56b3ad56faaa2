// The hosted card form: a session is made on load, so Pay needs two requests: the PSP post, then
// the merchant's finalize. Card data goes to the PSP only, never to the merchant API.

import { MerchantApi } from "../shared/api.js";
import { clientError } from "../shared/errors.js";
import { tokenize } from "../shared/tokenize.js";
import { expiryParts } from "../card/format.js";
import { CardFields } from "./fields.js";
import { describeCard, renderSavedCards } from "./saved-cards.js";

const form = document.getElementById("card-form");
const api = new MerchantApi({ base: form.dataset.api ?? "", token: form.dataset.customerToken });
const submit = form.querySelector("#pay");
const formError = form.querySelector("#form-error");
const result = document.getElementById("result");
const savedList = document.getElementById("saved-cards-list");

let session = null; // Promise of the current session
let sessionBrands = [];

function newKey() {
  return crypto.getRandomValues(new Uint8Array(16)).reduce((s, b) => s + b.toString(16).padStart(2, "0"), "");
}

// One Idempotency-Key per logical session, reused when the call is retried after a network error.
async function createSession(brand, key = newKey(), tries = 2) {
  try {
    const created = await api.createSession({ currency: form.dataset.currency, brand }, key);
    sessionBrands = created.accepted_brands;
    return created;
  } catch (error) {
    if (tries > 1 && error.code === "network_error") return createSession(brand, key, tries - 1);
    throw error;
  }
}

function ensureSession(brand = null) {
  if (session && (!brand || sessionBrands.includes(brand))) return session;
  session = createSession(brand);
  session.catch(() => (session = null));
  return session;
}

const fields = new CardFields(form, {
  onBrand: (brand) => brand && !sessionBrands.includes(brand) && ensureSession(brand),
  onChange: () => (formError.hidden = true),
});

function showFormError(message) {
  formError.textContent = message;
  formError.hidden = false;
}

function busy(on) {
  submit.disabled = on;
  form.setAttribute("aria-busy", String(on));
}

async function refreshCards() {
  const { cards } = await api.listCards();
  renderSavedCards(savedList, cards, removeCard);
  document.getElementById("saved-cards").hidden = cards.length === 0;
}

async function removeCard(card) {
  try {
    await api.deactivate(card.token);
    await refreshCards();
  } catch (error) {
    showFormError(error.message);
  }
}

function handleFailure(error) {
  if (error.retry === "new_session") {
    session = null;
    ensureSession(fields.brand?.type ?? null);
  }
  if (error.field && fields.inputs[error.field]) {
    fields.showError(error.field, error.message);
    fields.inputs[error.field].focus();
  } else {
    showFormError(error.message);
  }
}

async function pay(event) {
  event.preventDefault();
  formError.hidden = true;
  if (!fields.checkAll() || submit.disabled) return;
  busy(true);
  try {
    const card = fields.values();
    const current = await ensureSession(fields.brand?.type ?? null);
    const opaque = await tokenize(current.target, { ...card, expiry: expiryParts(card.expiry) });
    const { card: saved } = await api.finalize(current.id, opaque);
    fields.clear();
    session = null;
    result.querySelector("#result-card").textContent = describeCard(saved);
    result.dataset.token = saved.token;
    result.hidden = false;
    result.focus();
    ensureSession();
    await refreshCards();
  } catch (error) {
    handleFailure(error.code ? error : clientError("tokenization_failed"));
  } finally {
    busy(false);
  }
}

form.addEventListener("submit", pay);
document.getElementById("another").addEventListener("click", () => {
  result.hidden = true;
  fields.inputs.name.focus();
});
ensureSession().then(() => form.setAttribute("data-ready", "true"), (error) => showFormError(error.message));
refreshCards().catch(() => {});
