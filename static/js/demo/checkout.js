// The demo shop's checkout script: mounts the Panless card frame and shows its events. The status line
// follows the events, so Enter in the frame and the Pay button tell the shopper the same things.

const root = document.getElementById("checkout");
const { mount } = await import(`${root.dataset.panlessUrl}/static/js/embed/panless.js`);
const status = document.getElementById("checkout-status");
const log = document.getElementById("events");
window.panlessEvents = [];

const card = mount("#card-element", {
  origin: root.dataset.panlessUrl,
  customerToken: root.dataset.customerToken,
  startCode: root.dataset.startCode, // the frame's session then starts with its page
  hideButton: true,
  appearance: { variables: { colorPrimary: "#8a4b08", borderRadius: "4px" } },
});

const STATUS = {
  submit: () => "Saving your card…",
  tokenized: ({ card: saved }) => `Card saved: ${saved.brand_name} •••• ${saved.last4}`,
  error: (error) => error.message ?? "The card was not saved.",
};
for (const event of ["ready", "change", "focus", "blur", "submit", "tokenized", "error"]) {
  card.on(event, (data) => {
    window.panlessEvents.push({ event, data });
    if (STATUS[event]) status.textContent = STATUS[event](data);
    const item = document.createElement("li");
    item.textContent = `${event} ${JSON.stringify(data)}`;
    log.prepend(item);
  });
}

// A submit() before ready, or after a failed start, rejects at once without an event.
document.getElementById("checkout-pay").addEventListener("click", () => card.submit().catch((error) => {
  if (!window.panlessEvents.some((e) => e.event == "error" && e.data === error)) status.textContent = error.message;
}));
window.panlessCard = card;
