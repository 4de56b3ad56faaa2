// Brand marks drawn here as inline SVG, never fetched: no image leaves the Panless origin. Simple shapes in the
// brands' colours, not their artwork; the brand's name is text beside them for people and screen readers.

const NS = "http://www.w3.org/2000/svg";
const svg = (name, attributes) => {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
};
// type -> [background, two circles' colours or a word, the word's colour]
const MARKS = {
  visa: ["#1a1f71", "VISA"], mastercard: ["#231f20", ["#eb001b", "#f79e1b"]], maestro: ["#231f20", ["#0099df", "#ed0006"]],
  amex: ["#1f72cd", "AMEX"], discover: ["#fff", "DISC", "#d4531c"], jcb: ["#0b4ea2", "JCB"], diners: ["#0079be", "DC"],
  unionpay: ["#d10429", "UP"], bcmc: ["#005498", "BC"], cb: ["#1c5e8a", "CB"], rupay: ["#fff", "RuPay", "#097a44"],
  elo: ["#000", "elo"],
};

export function brandIcon(type, name = type) {
  const [background, mark, ink = "#fff"] = MARKS[type] ?? ["#555866", String(name).slice(0, 4).toUpperCase()];
  const icon = svg("svg", { viewBox: "0 0 40 26", "aria-hidden": "true", focusable: "false", "data-brand": type });
  icon.append(svg("rect", { x: .5, y: .5, width: 39, height: 25, rx: 4, fill: background, stroke: "#8a8d99" }));
  if (Array.isArray(mark)) {
    icon.append(svg("circle", { cx: 16, cy: 13, r: 7.5, fill: mark[0] }),
      svg("circle", { cx: 24, cy: 13, r: 7.5, fill: mark[1], "fill-opacity": .85 }));
  } else {
    const word = svg("text", { x: 20, y: 17.5, "text-anchor": "middle", fill: ink, "font-weight": 700,
      "font-size": mark.length > 4 ? 9 : 11, "font-family": "Arial, Helvetica, sans-serif" });
    word.textContent = mark;
    icon.append(word);
  }
  return icon;
}
