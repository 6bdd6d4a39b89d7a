// The staff page's price reader against THE price rule's table (shared/price-rule.json), the
// same table cafe-menu's tests read (cli/src/price.rs): exactly the same answers and messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FORMS, MAX_PRICE_IN_CENTS, formatCents, parsePrice } from "../price.js";

const rule = JSON.parse(readFileSync(new URL("../../shared/price-rule.json", import.meta.url), "utf8"));

test("the rule's forms and maximum are the page's", () => {
  assert.equal(FORMS, rule.forms);
  assert.equal(MAX_PRICE_IN_CENTS, rule.max_cents);
});

test("dollars and cents as people write them", () => {
  for (const [typed, cents] of rule.accepted) assert.deepEqual(parsePrice(typed), { cents }, typed);
});

test("what could be read two ways is refused, saying why, in cafe-menu's words", () => {
  for (const [typed, message] of rule.refused) assert.deepEqual(parsePrice(typed), { error: message }, typed);
});

test("cents shown as the website shows them", () => {
  for (const [cents, shown] of rule.shown) assert.equal(formatCents(cents), shown);
});

test("a shown price reads back as itself", () => {
  for (const cents of [0, 5, 99, 450, 4595, 100000, 1000000]) {
    assert.deepEqual(parsePrice(formatCents(cents)), { cents });
  }
});
