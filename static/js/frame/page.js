// The hosted card page: the form, the customer's saved cards (Remove deactivates at the PSP), and
// redirect mode (back to the checkout with the outcome; never card data).

import { CardForm, brandName, loadTranslator, merchantApi, pickLocale, setTheme } from "./form.js";
import { brandIcon } from "./icons.js";
import PAGE_STRINGS from "./page-strings.js";

const $ = (id) => document.getElementById(id);
const form = $("card-form");
const api = merchantApi(form.dataset.customerToken);
const result = $("result");
const returnUrl = form.dataset.returnUrl;

function goBack(params) {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(`panless_${key}`, value);
  if (form.dataset.state) url.searchParams.set("state", form.dataset.state);
  // replace(), not assign(): Back from the checkout's page then skips this one, whose single-use code is spent.
  window.location.replace(url);
}

setTheme(document.documentElement.dataset.theme ?? "auto");
const translate = await loadTranslator(pickLocale(form.dataset.locale));
// The page's own strings: the catalogue's, else their English here (the English catalogue has the form's only).
const t = (key, vars, fallback) => translate(key, vars, fallback ?? PAGE_STRINGS[key]);

async function refreshCards() {
  const { cards } = await api("GET", "/api/cards");
  $("saved-cards-list").replaceChildren(...cards.map((card) => {
    const item = document.createElement("li");
    Object.assign(item.dataset, { token: card.token, active: card.active });
    const text = controller.describe(card) + (card.active ? "" : ` ${t("page.removed")}`);
    item.append(brandIcon(card.brand, brandName(card.brand)), Object.assign(document.createElement("span"), { textContent: text }));
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
  savedCard: form.dataset.savedCard || null, // ?saved_card=: the security code of that saved card alone
  t,
  emit(event, data) {
    if (event != "tokenized") return;
    if (returnUrl) return goBack({ session: data.session, status: "completed" });
    result.dataset.token = data.card.token;
    if (!form.dataset.savedCard) refreshCards().catch(() => {});
  },
});

controller.localize();
$("cancel")?.addEventListener("click", () => goBack({ status: "cancelled" }));
controller.start();
if (!returnUrl && !form.dataset.savedCard) refreshCards().catch(() => {});
