// The history in people's words, and which undo each change offers, as the API answers them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { changeLines, fieldText, undoOf, valueText, whenText } from "../history.js";

const price = { field: "price_in_cents_int", before: 450, after: 4500 };

test("each field as people say it, prices as the website shows them", () => {
  assert.equal(fieldText(price, "changed"), "Price: $4.50 → $45.00");
  assert.equal(fieldText({ field: "special_int", before: 1, after: 0 }, "changed"), "Special: yes → no");
  assert.equal(fieldText({ field: "tag_str_arr", before: ["bakery"], after: ["bakery", "out of stock"] }, "changed"),
    "Tags: bakery → bakery, out of stock");
  assert.equal(fieldText({ field: "tag_str_arr", before: [], after: ["vegan"] }, "changed"), "Tags: (none) → vegan");
  assert.equal(fieldText({ field: "description_str", before: "", after: "Fresh" }, "changed"), "Description: (none) → “Fresh”");
  assert.equal(fieldText({ field: "product_id_str", before: "a1", after: "a2" }, "changed"), "Id: a1 → a2");
});

test("the store's own field names read the same (no type suffix; special as true/false)", () => {
  assert.equal(fieldText({ field: "price_in_cents", before: 450, after: 4500 }, "changed"), "Price: $4.50 → $45.00");
  assert.equal(fieldText({ field: "special", before: false, after: true }, "changed"), "Special: no → yes");
  assert.equal(fieldText({ field: "tags", before: ["bakery"], after: [] }, "changed"), "Tags: bakery → (none)");
  assert.equal(valueText("special_int", undefined), "no", "no special_int: not a special");
  assert.equal(fieldText({ field: "colour", before: "red", after: "blue" }, "changed"), "colour: red → blue");
});

test("added lists what it was added with; removed says so", () => {
  const added = { kind: "added", fields: [{ field: "price_in_cents_int", after: 325 }, { field: "tag_str_arr", after: ["muffin"] }] };
  assert.deepEqual(changeLines(added), ["Added", "Price: $3.25", "Tags: muffin"]);
  assert.deepEqual(changeLines({ kind: "removed", fields: [{ field: "price_in_cents_int", before: 325 }] }), ["Removed"]);
  assert.deepEqual(changeLines({ kind: "changed", fields: [price] }), ["Price: $4.50 → $45.00"]);
});

test("when: today and yesterday by name, otherwise the date; to the second when known", () => {
  const now = new Date(2026, 11, 3, 20, 0, 0);
  assert.match(whenText(new Date(2026, 11, 3, 19, 56, 5).toISOString(), now), /^Today, .*56.*05/);
  assert.match(whenText(new Date(2026, 11, 2, 9, 0, 0).toISOString(), now), /^Yesterday, /);
  assert.match(whenText(new Date(2026, 10, 20, 9, 0, 0).toISOString(), now), /2026/);
  assert.doesNotMatch(whenText(new Date(2026, 11, 3, 19, 56, 0).toISOString(), now), /56:00/, "no :00 on the whole minute");
  assert.equal(whenText("not a time", now), "not a time");
});

test("undo: to any earlier state while it is on the menu, at its version now; never to the version it is at", () => {
  const at = (version, kind = "changed") => ({ kind, version, after: kind === "removed" ? null : { product_name_str: "x" } });
  assert.deepEqual(undoOf(at(3), 5), { label: "Undo to this", toVersion: 3, version: 5 });
  assert.equal(undoOf(at(5), 5), null, "already as it is now");
  assert.equal(undoOf(at(4, "removed"), 5), null, "a removal has no state to go back to while it is on the menu");
  assert.equal(undoOf(at(3), undefined), null, "the menu not read yet: nothing offered");
});

test("a product no longer on the menu is put back (If-None-Match: *), a removal as it was when removed", () => {
  assert.deepEqual(undoOf({ kind: "removed", version: 4, after: null }, null), { label: "Put back", toVersion: 4, version: null });
  assert.deepEqual(undoOf({ kind: "changed", version: 3, after: {} }, null), { label: "Put back", toVersion: 3, version: null });
});
