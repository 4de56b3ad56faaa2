// The customer's saved cards: brand, last 4, expiry, and a Remove button (deactivates at the PSP).

const niceBrand = { visa: "Visa", mastercard: "Mastercard", amex: "American Express", maestro: "Maestro", bcmc: "Bancontact", cb: "CB" };

export function describeCard(card) {
  const brand = niceBrand[card.brand] ?? card.brand;
  const expiry = `${String(card.exp_month).padStart(2, "0")}/${String(card.exp_year).slice(-2)}`;
  return `${brand} •••• ${card.last4}, expires ${expiry}`;
}

export function renderSavedCards(list, cards, onRemove) {
  list.replaceChildren(
    ...cards.map((card) => {
      const item = document.createElement("li");
      item.dataset.token = card.token;
      item.dataset.active = String(card.active);
      const text = document.createElement("span");
      text.textContent = describeCard(card) + (card.active ? "" : " (removed)");
      item.append(text);
      if (card.active) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "remove";
        button.textContent = "Remove";
        button.setAttribute("aria-label", `Remove ${describeCard(card)}`);
        button.addEventListener("click", () => onRemove(card));
        item.append(button);
      }
      return item;
    }),
  );
}
