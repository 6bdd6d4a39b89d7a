// A menu file's preview and an undone load in people's words, as the API answers them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { firstNames, keptText, undoneVerdict, units, uploadOf } from "../upload.js";

test("what a check cost, in units as people count them", () => {
  assert.equal(units(3.0, "read unit"), "3 read units");
  assert.equal(units(1, "write unit"), "1 write unit");
  assert.equal(units(2.5, "read unit"), "2.5 read units");
  assert.equal(units(undefined, "read unit"), "0 read units");
});

test("the first 50 names, and how many more", () => {
  const many = Array.from({ length: 53 }, (_, i) => `product ${i}`);
  assert.deepEqual(firstNames(many), { names: many.slice(0, 50), more: 3 });
  assert.deepEqual(firstNames(["a"]), { names: ["a"], more: 0 });
});

test("an undone load: how many removed, kept and gone; each kept by who and its version now", () => {
  assert.equal(undoneVerdict({ removed: ["a", "b"], kept: [], gone: [] }), "Undone: 2 removed.");
  assert.equal(undoneVerdict({ removed: [], kept: [{}], gone: ["c"] }), "Undone: 0 removed; 1 kept (changed since); 1 already gone.");
  assert.equal(keptText({ product_name: "lemon tart", by_text: "barista", version: 2 }), "lemon tart — by barista (now version 2)");
});

test("the upload id is the report path's, its name encoded or not", () => {
  assert.equal(uploadOf("/menu_files/spring%20menu.json/report?upload=2026-12-03T19-56-05Z-0a1b2c3d"),
    "2026-12-03T19-56-05Z-0a1b2c3d");
  assert.equal(uploadOf("/menu_files/spring.json/report"), null);
});
