// The browser verifier (src/randsupervise/publish/verifier.js) against the published test
// vectors and against receipts made by the library. Run by tests/test_publish_js.py
// (node --test); RS_FIXTURES names a directory of receipts the Python side wrote.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const V = require(path.join(ROOT, "src", "randsupervise", "publish", "verifier.js"));
const vectors = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "vectors", name), "utf8"));

test("seeds from text and from contributions (tickets §1)", async () => {
  for (const s of vectors("tickets_v1.json").seeds) {
    if ("text" in s) {
      assert.equal(V.canonicalSeedText(s.text), s.canonical);
      assert.equal(V.toHex(await V.seedFromText(s.text)), s.hex);
    } else {
      assert.equal(V.toHex(await V.seedFromContributions(s.contributions)), s.hex);
    }
  }
});

test("fingerprints, stream keys, tickets and the worked example (tickets §2-§4, §9)", async () => {
  const v = vectors("tickets_v1.json");
  for (const f of v.fingerprints) assert.equal(V.hex64(await V.fingerprint(f.id)), f.fingerprint_hex, f.id);
  for (const k of v.stream_keys) {
    const [k0, k1] = await V.streamKey(V.fromHex(k.seed), k.stream);
    assert.deepEqual([V.hex64(k0), V.hex64(k1)], [k.k0, k.k1], k.stream);
  }
  for (const t of v.tickets) {
    const [got] = await V.tickets(V.fromHex(t.seed), t.stream, [t.id]);
    assert.equal(V.hex64(got), t.ticket_hex);
    assert.equal(got.toString(), t.ticket);
  }
  const s = v.steps;
  const [step] = await V.tickets(V.fromHex(s.seed), s.stream, [s.id]);
  assert.equal(V.hex64(step), s.ticket);
});

test("selections: the n smallest (ticket, UTF-8 id) (tickets §6)", async () => {
  for (const sel of vectors("tickets_v1.json").selections) {
    const t = await V.tickets(V.fromHex(sel.seed), sel.stream, sel.ids);
    const order = V.selectionOrder(sel.ids.map((id, i) => ({ id, ticket: t[i] })));
    assert.deepEqual(order.slice(0, sel.n).map((u) => u.id), sel.selected);
  }
});

test("batch order of draw versions 1 and 2 (tickets §8)", async () => {
  const v = vectors("batches_v2.json");
  assert.ok(v.cases.length > 3);
  for (const c of v.cases) {
    const seed = V.fromHex(c.seed);
    const bt = await V.tickets(seed, c.batch_stream, c.ids);
    assert.deepEqual(bt.map(V.hex64), c.batch_tickets);
    assert.deepEqual(await V.batchOrder(seed, c.stream, c.ids, c.k, 2), c.batches["2"]);
    assert.deepEqual(await V.batchOrder(seed, c.stream, c.ids, c.k, 1), c.batches["1"]);
  }
});

test("register digests (register.md)", async () => {
  const v = vectors("digests_v1.json");
  assert.ok(v.registers.length > 3);
  for (const r of v.registers) {
    const rows = V.registerFromColumns(r.columns);
    const got = await V.registerDigest(rows);
    assert.deepEqual(got.rowHashes, r.row_hashes, r.name);
    assert.equal(got.digest, r.digest, r.name);
  }
});

test("canonical JSON sorts keys by UTF-16 code units and writes numbers as ECMAScript", () => {
  // U+FF61 sorts after U+1F600 in code points, before it in UTF-16 code units
  assert.equal(V.canonicalJSON({ "\u{1F600}": 1, "\uFF61": 2, b: [1.0, 1e-7, 1e21], a: "网吧" }),
    '{"a":"网吧","b":[1,1e-7,1e+21],"😀":1,"｡":2}');
});

const FIXTURES = process.env.RS_FIXTURES;
const why = "RS_FIXTURES is not set: run through tests/test_publish_js.py, which writes the receipts";

test("receipts made by the library verify, audit form and public form", { skip: FIXTURES ? false : why }, async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, "cases.json"), "utf8"));
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const rows = V.registerFromCSV(fs.readFileSync(path.join(FIXTURES, c.register), "utf8"));
    const audit = await V.verifyReceipt(c.receipt, rows, { expectedSeed: c.seed_text });
    assert.deepEqual(audit.differences, [], c.name);
    assert.equal(audit.status, "verified", c.name);
    const pub = await V.verifyPublic(c.public, rows, { expectedSeed: c.seed_text });
    assert.deepEqual(pub.differences, [], c.name);
    assert.equal(pub.status, "verified", c.name);
    const alone = await V.verifyPublic(c.public, null);
    assert.equal(alone.status, "partial", c.name);
  }
});

test("a tampered register, receipt or record is named by the field that differs", { skip: FIXTURES ? false : why }, async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, "cases.json"), "utf8"));
  const c = cases.find((x) => x.name === "sample-net-key");
  const honest = V.registerFromCSV(fs.readFileSync(path.join(FIXTURES, c.register), "utf8"));
  const tampered = V.registerFromCSV(fs.readFileSync(path.join(FIXTURES, "tampered.csv"), "utf8"));
  const bad = await V.verifyReceipt(c.receipt, tampered);
  assert.equal(bad.status, "not verified");
  assert.ok(bad.differences.some((d) => d.path === "registry_digest"));
  assert.ok(bad.differences.some((d) => d.path.startsWith("strata.")));
  const badPublic = await V.verifyPublic(c.public, tampered);
  assert.ok(badPublic.differences.some((d) => d.path === "selected"));
  // a receipt edited after it was made: its digest no longer matches
  const edited = structuredClone(c.receipt);
  edited.strata.A.selected[0] = edited.strata.B.selected[0];
  const r1 = await V.verifyReceipt(edited, honest);
  assert.deepEqual(r1.differences.map((d) => d.path).slice(0, 1), ["receipt_digest"]);
  // ... and resealed: the recomputation still names the stratum
  edited.receipt_digest = await V.jcsDigest(Object.fromEntries(Object.entries(edited).filter(([k]) => k !== "receipt_digest")));
  const r2 = await V.verifyReceipt(edited, honest);
  assert.ok(r2.differences.some((d) => d.path === "strata.A.selected"));
  // a public record whose list was swapped and resealed: the audit receipt it names differs
  const forged = structuredClone(c.public);
  forged.selected = forged.selected.slice().reverse();
  forged.public_digest = await V.jcsDigest(Object.fromEntries(Object.entries(forged).filter(([k]) => k !== "public_digest")));
  const r3 = await V.verifyPublic(forged, honest);
  assert.ok(r3.differences.some((d) => d.path === "selected"));
  // another seed than the one announced
  const r4 = await V.verifyReceipt(c.receipt, honest, { expectedSeed: "another ceremony" });
  assert.ok(r4.differences.some((d) => d.path === "seed"));
});

test("every draw of the sample year matches its plan announcement; a draw announced alone matches its own", { skip: FIXTURES ? false : why }, async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, "cases.json"), "utf8"));
  const plan = JSON.parse(fs.readFileSync(path.join(FIXTURES, "announcement.json"), "utf8"));
  assert.equal(plan.kind, "plan");
  const sample = cases.filter((c) => c.name.startsWith("sample-"));
  assert.equal(sample.length, plan.plan.draws.length);
  for (const c of sample) {
    for (const receipt of [c.receipt, c.public.receipt]) {
      const r = await V.checkAnnouncement(plan, receipt);
      assert.deepEqual(r.differences, [], c.name);
      assert.equal(r.status, "matches", c.name);
    }
    const rows = V.registerFromCSV(fs.readFileSync(path.join(FIXTURES, c.register), "utf8"));
    const full = await V.verifyDocument(c.public, rows, { expectedSeed: c.seed_text, announcement: plan });
    assert.equal(full.status, "verified", c.name);
    assert.equal(full.announcement, "matches", c.name);
  }
  const alone = cases.find((c) => c.announcement);
  assert.equal(alone.announcement.kind, "draw");
  assert.equal((await V.checkAnnouncement(alone.announcement, alone.receipt)).status, "matches");
  // a draw-kind announcement does not cover another draw's policy
  const other = cases.find((c) => c.name === "ratios-ceil");
  const r = await V.checkAnnouncement(alone.announcement, other.receipt);
  assert.equal(r.status, "differs");
  assert.ok(r.differences.some((d) => d.path === "stream"));
  assert.ok(r.differences.some((d) => d.path === "policy.batches"));
});

test("a draw that is not the announced one is named by the field that differs", { skip: FIXTURES ? false : why }, async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, "cases.json"), "utf8"));
  const plan = JSON.parse(fs.readFileSync(path.join(FIXTURES, "announcement.json"), "utf8"));
  const c = cases.find((x) => x.name === "sample-net-key");
  const reseal = async (a) => {
    a.announcement_digest = await V.jcsDigest(Object.fromEntries(Object.entries(a).filter(([k]) => k !== "announcement_digest")));
    return a;
  };
  const paths = async (a, receipt) => (await V.checkAnnouncement(a, receipt || c.public.receipt)).differences.map((d) => d.path);
  // changed after publication, not resealed: its own digest says so
  const edited = structuredClone(plan);
  edited.plan.registry_digest = "0".repeat(64);
  assert.deepEqual(await paths(edited), ["announcement.announcement_digest", "registry_digest"]);
  // another register, resealed
  assert.deepEqual(await paths(await reseal(edited)), ["registry_digest"]);
  // another stream label announced for the task: the draw was not announced
  const stream = structuredClone(plan);
  stream.plan.draws[0].stream = "2024/net-key-announced";
  assert.deepEqual(await paths(await reseal(stream)), ["stream"]);
  // other batches announced
  const batches = structuredClone(plan);
  const entry = batches.plan.draws.find((d) => d.stream === c.receipt.stream);
  entry.batches = ["H1"];
  assert.deepEqual(await paths(await reseal(batches)), ["policy.batches"]);
  // another scope announced
  const scope = structuredClone(plan);
  scope.plan.draws.find((d) => d.stream === c.receipt.stream).filter = { industry: "旅行社" };
  assert.deepEqual(await paths(await reseal(scope)), ["policy.where.industry"]);
  // another seed source announced, and a seed dated before the announcement
  const source = structuredClone(plan);
  source.seed_rule.source = "双色球 2024年第006期 开奖号码";
  source.seed_rule.date = "2024-01-01";
  assert.deepEqual(await paths(await reseal(source)), ["announcement.seed_rule.date", "seed_source"]);
  // the page's overall status follows
  const rows = V.registerFromCSV(fs.readFileSync(path.join(FIXTURES, c.register), "utf8"));
  const r = await V.verifyDocument(c.public, rows, { announcement: stream });
  assert.equal(r.status, "not verified");
  assert.equal(r.announcement, "differs");
});
