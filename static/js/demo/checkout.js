// The demo shop's checkout script: mounts the Panless card frame and shows its events.

const root = document.getElementById("checkout");
const { mount } = await import(`${root.dataset.panlessUrl}/static/js/embed/panless.js`);
const status = document.getElementById("checkout-status");
const log = document.getElementById("events");
window.panlessEvents = [];

const card = mount("#card-element", {
  origin: root.dataset.panlessUrl,
  customerToken: root.dataset.customerToken,
  hideButton: true,
  appearance: { variables: { colorPrimary: "#8a4b08", borderRadius: "4px" } },
});

for (const event of ["ready", "change", "focus", "blur", "submit", "tokenized", "error"]) {
  card.on(event, (data) => {
    window.panlessEvents.push({ event, data });
    const item = document.createElement("li");
    item.textContent = `${event} ${JSON.stringify(data)}`;
    log.prepend(item);
  });
}

document.getElementById("checkout-pay").addEventListener("click", async () => {
  status.textContent = "Saving your card…";
  try {
    const saved = await card.submit();
    status.textContent = `Card saved: ${saved.brand} •••• ${saved.last4}`;
  } catch (error) {
    status.textContent = error.message ?? "The card was not saved.";
  }
});
window.panlessCard = card;
