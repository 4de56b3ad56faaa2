// The checkout's `appearance` option, checked (docs/browser.md): loaded by the frame only when one is given.
// Each variable sets a custom property by CSSOM, never a style attribute (allowed by a CSP without 'unsafe-inline').

const str = (v) => typeof v == "string";
const warn = (what, value, why) => console.warn(`Panless: appearance.${what} = ${JSON.stringify(value)} refused: ${why}`);

// Appearance variables the parent may set: the custom property each sets, and its kind.
const color = (v) => /^[#\w\s(),.%/+-]{1,64}$/.test(v) && !/(var|url|env|attr)\(/i.test(v) && CSS.supports("color", v);
const KINDS = {
  "a colour (#1c1c28, rebeccapurple, hsl(230 60% 50%), rgba(0, 0, 0, .5))": color,
  "a length (6px, .5rem, 1em)": (v) => /^\d{1,3}(\.\d{1,3})?(px|rem|em)$|^0$/.test(v),
  "font names (letters, digits, spaces, commas, quotes, hyphens)": (v) => /^[\w\s,"'-]{1,80}$/.test(v),
};
const [COLOR, LENGTH, FONT] = Object.keys(KINDS);
const VARIABLES = {
  colorPrimary: ["accent", COLOR], colorPrimaryText: ["accent-text", COLOR], colorText: ["text", COLOR],
  colorTextSecondary: ["muted", COLOR], colorBackground: ["background", COLOR],
  colorInputBackground: ["input-background", COLOR], colorInputText: ["input-text", COLOR],
  colorBorder: ["border", COLOR], colorFocus: ["focus", COLOR], colorDanger: ["error", COLOR],
  colorSuccess: ["success", COLOR], borderRadius: ["radius", LENGTH], spacing: ["spacing", LENGTH],
  fontSize: ["font-size", LENGTH], fontFamily: ["font", FONT],
};
const APPEARANCE = ["theme", "variables", "buttonLabel"];

// Sets the variables; -> {theme, label}: the theme to set, and the button's label if one was given and is acceptable
export function applyAppearance({ theme, variables = {}, buttonLabel, ...rest } = {}) {
  for (const name of Object.keys(rest)) warn(name, rest[name], `not one of ${APPEARANCE.join(", ")}`);
  if (theme !== undefined && !["light", "dark", "auto"].includes(theme)) warn("theme", theme, "light, dark or auto");
  for (const [name, value] of Object.entries(variables ?? {})) {
    const [property, kind] = Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : [];
    if (!kind) warn(`variables.${name}`, value, `unknown (known: ${Object.keys(VARIABLES).join(", ")})`);
    else if (str(value) && KINDS[kind](value)) document.documentElement.style.setProperty(`--panless-${property}`, value);
    else warn(`variables.${name}`, value, `expected ${kind}`);
  }
  const label = str(buttonLabel) && buttonLabel.trim() && buttonLabel.length <= 40 ? buttonLabel.trim() : null;
  if (buttonLabel !== undefined && !label) warn("buttonLabel", buttonLabel, "expected text of 1 to 40 characters");
  return { theme: ["dark", "auto"].includes(theme) ? theme : "light", label };
}
