// Prices as people type them, read into whole cents; cents shown back as the website shows them.
// This is cafe-menu's rule (cli/src/price.rs), not a second one: both readers are tested against
// the same table, shared/price-rule.json (forms, maximum, every accepted and refused example with
// its exact message), by `cargo test` and by `node --test staff/test/` in `make test`. Change the
// rule there first. (Compiling the Rust reader to WebAssembly would need a target and a build
// step that a fresh clone does not have offline; a 60-line reader held to one table does not.)

export const FORMS = "4.50, $4.50, 4.5, 4 or $4 (dollars), or 450c (cents)";
export const MAX_PRICE_IN_CENTS = 1000000;

const DIGITS = /^[0-9]+$/;

/** Whole cents from what a person typed: `{ cents }`, or `{ error }` saying how to write it. */
export function parsePrice(typed) {
  const text = typed.trim();
  const refuse = (why) => ({ error: `${JSON.stringify(typed)} is not a price: ${why}` });
  if (text === "") return refuse(`it is empty; write it as ${FORMS}`);
  if (text.startsWith("-") || text.startsWith("$-")) return refuse("a price cannot be negative");
  if (text.startsWith("+") || text.startsWith("$+")) return refuse(`leave out the sign; write it as ${FORMS}`);
  if (text.includes(",")) {
    return refuse("a comma could be a decimal point (4,50 = 4.50) or a thousands separator " +
      "(4,500 = 4500); write 4.50 for four dollars fifty, 4500 for four thousand five hundred");
  }
  let cents;
  const marked = /[c¢]$/.test(text) ? text.slice(0, -1) : null;
  if (marked !== null && /[0-9]/.test(marked)) {
    if (marked.startsWith("$")) return refuse("it has both a dollar sign and a cents mark; write $4.50 or 450c");
    if (!DIGITS.test(marked)) return refuse("cents are a whole number, as in 450c");
    cents = BigInt(marked);
  } else {
    const dollars = text.startsWith("$") ? text.slice(1) : text;
    const dot = dollars.indexOf(".");
    const whole = dot < 0 ? dollars : dollars.slice(0, dot);
    const fraction = dot < 0 ? null : dollars.slice(dot + 1);
    if (!DIGITS.test(whole)) return refuse(`write it as ${FORMS}`);
    let fractionCents = 0n;
    if (fraction !== null) {
      if (fraction === "") return refuse("a dot must be followed by the cents, as in 4.50");
      if (!DIGITS.test(fraction)) return refuse(`write it as ${FORMS}`);
      if (fraction.length > 2) {
        return refuse(`prices are whole cents, and ${dollars} has ${fraction.length} digits after the dot`);
      }
      fractionCents = BigInt(fraction.length === 1 ? fraction + "0" : fraction);
    }
    cents = BigInt(whole) * 100n + fractionCents;
  }
  if (cents > BigInt(MAX_PRICE_IN_CENTS)) {
    return refuse(`the menu's highest price is ${formatCents(MAX_PRICE_IN_CENTS)}`);
  }
  return { cents: Number(cents) };
}

/** Cents as the website shows a price, in a form parsePrice reads back: `$4.50`, `$1000.00`. */
export function formatCents(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
