// The hosted card page: the form, the customer's saved cards (Remove deactivates at the PSP), and
// redirect mode (back to the checkout with the outcome; never card data).

import { CardForm, loadTranslator, merchantApi, pickLocale, setTheme } from "./form.js";

const $ = (id) => document.getElementById(id);
const form = $("card-form");
const api = merchantApi(form.dataset.customerToken);
const result = $("result");
const returnUrl = form.dataset.returnUrl;

function goBack(params) {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(`panless_${key}`, value);
  if (form.dataset.state) url.searchParams.set("state", form.dataset.state);
  window.location.assign(url);
}

setTheme(document.documentElement.dataset.theme ?? "auto");
const t = await loadTranslator(pickLocale(form.dataset.locale));

async function refreshCards() {
  const { cards } = await api("GET", "/api/cards");
  $("saved-cards-list").replaceChildren(...cards.map((card) => {
    const item = document.createElement("li");
    Object.assign(item.dataset, { token: card.token, active: card.active });
    item.append(Object.assign(document.createElement("span"), { textContent: controller.describe(card) + (card.active ? "" : ` ${t("page.removed")}`) }));
    if (card.active) {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "remove", textContent: t("page.remove") });
      button.setAttribute("aria-label", t("page.remove_label", { card: controller.describe(card) }));
      button.addEventListener("click", () => removeCard(card));
      item.append(button);
    }
    return item;
  }));
  $("saved-cards").hidden = !cards.length;
}

async function removeCard(card) {
  try {
    await api("DELETE", `/api/cards/${encodeURIComponent(card.token)}`);
    await refreshCards();
  } catch (error) {
    controller.showFormError(controller.message(error.code, error.message));
  }
}

const controller = new CardForm(form, {
  api,
  currency: form.dataset.currency,
  provider: form.dataset.provider || null,
  t,
  emit(event, data) {
    if (event != "tokenized") return;
    if (returnUrl) return goBack({ session: data.session, status: "completed" });
    $("result-card").textContent = controller.describe(data.card);
    result.dataset.token = data.card.token;
    result.hidden = false;
    result.focus();
    refreshCards().catch(() => {});
  },
});

controller.localize();
$("another").addEventListener("click", () => {
  result.hidden = true;
  controller.focus("name");
});
$("cancel")?.addEventListener("click", () => goBack({ status: "cancelled" }));
controller.start();
if (!returnUrl) refreshCards().catch(() => {});
