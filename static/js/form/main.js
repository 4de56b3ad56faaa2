// The hosted card form page: the form, the saved cards, and redirect mode (back to the checkout).

import { MerchantApi } from "../shared/api.js";
import { CardForm } from "./controller.js";
import { describeCard, renderSavedCards } from "./saved-cards.js";

const form = document.getElementById("card-form");
const api = new MerchantApi({ base: "", token: form.dataset.customerToken });
const result = document.getElementById("result");
const savedList = document.getElementById("saved-cards-list");
const returnUrl = form.dataset.returnUrl;

// Redirect mode: back to the checkout with the session id and the outcome; never card data.
function goBack(params) {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries({ ...params, state: form.dataset.state })) {
    if (value) url.searchParams.set(key === "state" ? "state" : `panless_${key}`, value);
  }
  window.location.assign(url.toString());
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
    controller.showFormError(error.message);
  }
}

const controller = new CardForm(form, {
  api,
  currency: form.dataset.currency,
  provider: form.dataset.provider || null,
  emit(event, data) {
    if (event !== "tokenized") return;
    if (returnUrl) return goBack({ session: data.session, status: "completed" });
    result.querySelector("#result-card").textContent = describeCard(data.card);
    result.dataset.token = data.card.token;
    result.hidden = false;
    result.focus();
    refreshCards().catch(() => {});
  },
});

document.getElementById("another").addEventListener("click", () => {
  result.hidden = true;
  controller.focus("name");
});
document.getElementById("cancel")?.addEventListener("click", () => goBack({ status: "cancelled" }));
controller.start();
if (!returnUrl) refreshCards().catch(() => {});
