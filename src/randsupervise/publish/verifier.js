/*
 * randsupervise browser verifier: recompute a published draw without our Python code.
 *
 * Plain JavaScript, no build step, no network. SHA-256 comes from WebCrypto
 * (crypto.subtle.digest), 64-bit arithmetic from BigInt. The same file runs in a browser
 * (inlined into a published page) and in Node (node --test), where the test suite checks
 * it against the published test vectors.
 *
 * What it recomputes, each rule from the project's specification pages:
 *   - the seed from its public source text (docs/spec/tickets.md §1: NFC, whitespace runs
 *     to one space, trimmed; contributions; hex);
 *   - tickets (§2-§4) and the selection order (ticket, UTF-8 bytes of the id) (§6);
 *   - the batch order of draw versions 1 and 2 (§8);
 *   - the register digest of a register CSV file (docs/spec/register.md);
 *   - the receipt digest (RFC 8785: JSON.stringify with keys sorted by UTF-16 code
 *     units, recursively) of draw receipts of version 2 and later;
 *   - for the method "smallest" without burden spreading: every stratum's eligible
 *     population (targeted-draw filter, frequency exclusions as the receipt lists them),
 *     its sample size (docs/spec/allocation.md §2) and its selection with tickets.
 *   - against an announcement published before the seed (docs/spec/announcement.md §4):
 *     the announcement's own digest and dates, and that the draw is the announced one
 *     (register digest and size, policy, stream, batches, and a seed text that begins
 *     with the announced source).
 * What it does not: receipts of version 1 (their canonical form is Python's), the
 * weighted methods and burden-spread draws, and the frequency history behind an
 * exclusion list (the command line checks those: randsupervise verify).
 */
(function (root) {
  "use strict";

  const M64 = (1n << 64n) - 1n;
  const encoder = new TextEncoder();

  function utf8(s) {
    return encoder.encode(s);
  }

  function concat(parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  function subtle() {
    const c = root.crypto;
    if (!c || !c.subtle) {
      throw new Error("WebCrypto (crypto.subtle) is not available in this browser");
    }
    return c.subtle;
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle().digest("SHA-256", bytes));
  }

  function toHex(bytes) {
    let s = "";
    for (const b of bytes) s += b.toString(16).padStart(2, "0");
    return s;
  }

  function fromHex(s) {
    if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error("not lower-case hex: " + s);
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  function be64(bytes, off) {
    let x = 0n;
    for (let i = 0; i < 8; i++) x = (x << 8n) | BigInt(bytes[(off || 0) + i]);
    return x;
  }

  function u64be(x) {
    const out = new Uint8Array(8);
    for (let i = 7; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }

  function hex64(x) {
    return x.toString(16).padStart(16, "0");
  }

  function fmix64(x) {
    x ^= x >> 33n;
    x = (x * 0xff51afd7ed558ccdn) & M64;
    x ^= x >> 33n;
    x = (x * 0xc4ceb9fe1a85ec53n) & M64;
    x ^= x >> 33n;
    return x;
  }

  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }

  // ------------------------------------------------------------------ seeds (§1)
  // Exactly the 29 code points Python's str.split() splits on.
  const WHITESPACE = new Set([
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
    0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ]);

  function canonicalSeedText(text) {
    const words = [];
    let word = "";
    for (const ch of text.normalize("NFC")) {
      if (WHITESPACE.has(ch.codePointAt(0))) {
        if (word) words.push(word);
        word = "";
      } else {
        word += ch;
      }
    }
    if (word) words.push(word);
    return words.join(" ");
  }

  async function seedFromText(text) {
    const canon = canonicalSeedText(text);
    if (!canon) throw new Error("the seed text is empty");
    return sha256(concat([utf8("randsupervise.seed.v1\u0000"), utf8(canon)]));
  }

  async function seedFromContributions(texts) {
    if (!texts.length) throw new Error("no contributions");
    const hashes = [];
    for (const t of texts) hashes.push(await seedFromText(t));
    hashes.sort(compareBytes);
    return sha256(concat([utf8("randsupervise.seeds.v1\u0000"), ...hashes]));
  }

  /** The seed bytes a receipt's seed_source stands for (text, contributions or hex). */
  async function seedFromSource(source) {
    if (source.startsWith("contributions: ")) {
      const texts = JSON.parse(source.slice("contributions: ".length));
      if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
        throw new Error("contributions are not a JSON list of strings");
      }
      return seedFromContributions(texts);
    }
    if (source.startsWith("hex:")) return fromHex(source.slice(4));
    return seedFromText(source);
  }

  // ---------------------------------------------------------------- tickets (§2-§4)
  async function fingerprint(id) {
    return be64(await sha256(concat([utf8("randsupervise.id.v1\u0000"), utf8(id)])), 0);
  }

  async function streamKey(seed, stream) {
    const k = await sha256(concat([utf8("randsupervise.stream.v1\u0000"), seed, utf8(stream)]));
    return [be64(k, 0), be64(k, 8)];
  }

  function ticketOf(fp, key) {
    return fmix64(fmix64(fp ^ key[0]) ^ key[1]);
  }

  async function tickets(seed, stream, ids) {
    const key = await streamKey(seed, stream);
    const out = [];
    for (const id of ids) out.push(ticketOf(await fingerprint(id), key));
    return out;
  }

  /** Units [{id, ticket}] sorted by (ticket, UTF-8 bytes of id) (§6). */
  function selectionOrder(units) {
    const keyed = units.map((u) => ({ u, b: utf8(u.id) }));
    keyed.sort((x, y) => {
      if (x.u.ticket !== y.u.ticket) return x.u.ticket < y.u.ticket ? -1 : 1;
      return compareBytes(x.b, y.b);
    });
    return keyed.map((x) => x.u);
  }

  function cutBatches(ids, k) {
    const q = Math.floor(ids.length / k);
    const r = ids.length % k;
    const out = [];
    let at = 0;
    for (let j = 0; j < k; j++) {
      const size = q + (j < r ? 1 : 0);
      out.push(ids.slice(at, at + size));
      at += size;
    }
    return out;
  }

  /** Batches of the selected ids (given in selection order) under draw version 1 or 2. */
  async function batchOrder(seed, stream, ids, k, version) {
    if (version === 1) return cutBatches(ids, k);
    const t = await tickets(seed, stream + "/batch-order", ids);
    const order = selectionOrder(ids.map((id, i) => ({ id, ticket: t[i] })));
    return cutBatches(order.map((u) => u.id), k);
  }

  // ---------------------------------------------------------- register (register.md)
  const COLUMNS = ["id", "name", "kind", "region", "industry", "risk_class", "status", "weight"];
  const DEFAULTS = { kind: "enterprise", region: "", industry: "", status: "active" };

  /** RFC 4180 fields of a CSV text (a leading byte-order mark dropped); blank lines skipped. */
  function parseCSV(text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const rows = [];
    let row = [];
    let field = "";
    let quoted = false;
    let started = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
          }
        } else {
          field += c;
        }
        continue;
      }
      if (c === '"' && field === "") {
        quoted = true;
        started = true;
      } else if (c === ",") {
        row.push(field);
        field = "";
        started = true;
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        if (started || field !== "") {
          row.push(field);
          rows.push(row);
        }
        row = [];
        field = "";
        started = false;
      } else {
        field += c;
        started = true;
      }
    }
    if (started || field !== "") {
      row.push(field);
      rows.push(row);
    }
    return rows;
  }

  function riskLetter(v) {
    if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 3) return "ABCD"[v];
    if (typeof v === "string" && /^[ABCDabcd]$/.test(v.trim())) return v.trim().toUpperCase();
    throw new Error("unknown risk class " + JSON.stringify(v));
  }

  /**
   * Register rows from columns (register.md §1): {id: [...], name: [...] or null, ...}.
   * A missing or null column takes its default; a missing risk_class column makes every
   * row ordinary (B), as the command line reads a register without classes.
   */
  function registerFromColumns(columns) {
    const ids = columns.id;
    const rows = [];
    for (let i = 0; i < ids.length; i++) {
      const get = (c) => (columns[c] == null ? undefined : columns[c][i]);
      const name = get("name");
      const weight = get("weight");
      rows.push({
        id: String(ids[i]),
        // numpy drops trailing NUL characters of stored names (register.md §7)
        name: name === undefined ? String(ids[i]) : String(name).replace(/\u0000+$/, ""),
        kind: get("kind") === undefined ? DEFAULTS.kind : String(get("kind")),
        region: get("region") === undefined ? DEFAULTS.region : String(get("region")),
        industry: get("industry") === undefined ? DEFAULTS.industry : String(get("industry")),
        risk_class: get("risk_class") === undefined ? "B" : riskLetter(get("risk_class")),
        status: get("status") === undefined ? DEFAULTS.status : String(get("status")),
        weight: weight === undefined ? 1.0 : Number(weight),
      });
    }
    return rows;
  }

  /** Register rows from the text of a register CSV file (header with "id"). */
  function registerFromCSV(text) {
    const table = parseCSV(text);
    if (!table.length) throw new Error("empty file: a header with 'id' is required");
    const header = table[0].map((h) => h.trim());
    if (!header.includes("id")) throw new Error("no 'id' column in the header");
    for (const h of header) {
      if (!COLUMNS.includes(h)) throw new Error("unknown column " + JSON.stringify(h));
    }
    const columns = {};
    for (const h of header) columns[h] = [];
    for (let r = 1; r < table.length; r++) {
      const row = table[r];
      if (row.length !== header.length) {
        throw new Error("row " + (r + 1) + ": " + row.length + " fields, the header has " + header.length);
      }
      header.forEach((h, j) => columns[h].push(row[j]));
    }
    if (columns.weight) {
      columns.weight = columns.weight.map((w, i) => {
        const x = w.trim() === "" ? NaN : Number(w);
        if (!Number.isFinite(x) || x < 0) throw new Error("row " + (i + 2) + ": weight " + JSON.stringify(w) + " is not a number >= 0");
        return x;
      });
    }
    return registerFromColumns(columns);
  }

  function weightBits(w) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, w === 0 ? 0 : w); // -0.0 is stored as 0.0
    return view.getBigUint64(0);
  }

  const digestCache = new WeakMap();

  /** The register digest (register.md §5) of register rows; also each row's hash. */
  function registerDigest(rows) {
    // one register checks every draw of a page: digest it once
    if (!digestCache.has(rows)) digestCache.set(rows, computeRegisterDigest(rows));
    return digestCache.get(rows);
  }

  async function computeRegisterDigest(rows) {
    const cache = new Map();
    async function vh(column, value) {
      const k = column + "\u0000" + value;
      if (!cache.has(k)) {
        const d = await sha256(concat([utf8("randsupervise.value.v1\u0000" + column + "\u0000"), utf8(value)]));
        cache.set(k, be64(d, 0));
      }
      return cache.get(k);
    }
    const nameEmpty = await vh("name", "");
    const weightEmpty = await vh("weight", "");
    const hashes = [];
    for (const r of rows) {
      const fp = await fingerprint(r.id);
      const cols = [
        fp,
        r.name === r.id ? fmix64(fp ^ nameEmpty) : await vh("name", r.name),
        await vh("kind", r.kind),
        await vh("region", r.region),
        await vh("industry", r.industry),
        await vh("risk_class", r.risk_class),
        await vh("status", r.status),
        fmix64(weightBits(r.weight) ^ weightEmpty),
      ];
      let h = 0n;
      for (const c of cols) h = fmix64(h ^ c);
      hashes.push(h);
    }
    const sorted = hashes.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const header = utf8("randsupervise.registry.v1\n" + COLUMNS.join(",") + "\n" + rows.length + "\n");
    const digest = toHex(await sha256(concat([header, ...sorted.map(u64be)])));
    return { digest, rowHashes: hashes.map(hex64) };
  }

  // ------------------------------------------------------------ RFC 8785 (JCS)
  /** Canonical JSON: JSON.stringify with object keys sorted by UTF-16 code units. */
  function canonicalJSON(value) {
    if (value === null || typeof value !== "object") {
      if (typeof value === "number" && !Number.isFinite(value)) throw new Error("non-finite number");
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) return "[" + value.map(canonicalJSON).join(",") + "]";
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJSON(value[k])).join(",") + "}";
  }

  async function jcsDigest(value) {
    return toHex(await sha256(utf8(canonicalJSON(value))));
  }

  function without(obj, key) {
    const out = {};
    for (const k of Object.keys(obj)) if (k !== key) out[k] = obj[k];
    return out;
  }

  // ------------------------------------------------------ allocation (allocation.md §2)
  /** An exact decimal [BigInt digits, power of ten] of a number's shortest text. */
  function decimalOf(x) {
    const s = String(x);
    const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
    if (!m) throw new Error("not a ratio: " + s);
    const frac = m[2] || "";
    return [BigInt(m[1] + frac), (m[3] ? Number(m[3]) : 0) - frac.length];
  }

  function roundProduct(ratio, n, rounding) {
    const [digits, exp] = decimalOf(ratio);
    let num = digits * BigInt(n);
    let den = 1n;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den = 10n ** BigInt(-exp);
    if (rounding === "floor") return num / den;
    if (rounding === "half_up") return (2n * num + den) / (2n * den);
    return (num + den - 1n) / den; // ceil
  }

  function allocation(policy, label, population) {
    const counts = policy.counts || {};
    const ratios = policy.ratios || {};
    let want;
    let ratio = null;
    let count = null;
    if (Object.prototype.hasOwnProperty.call(counts, label)) {
      count = counts[label];
      want = count;
    } else {
      ratio = Object.prototype.hasOwnProperty.call(ratios, label) ? ratios[label] : policy.default_ratio;
      want = ratio === null || ratio === undefined ? 0 : Number(roundProduct(ratio, population, policy.rounding));
      if (ratio === undefined) ratio = null;
    }
    if (population > 0 && want < policy.min_per_stratum) want = policy.min_per_stratum;
    const clipped = want > population;
    const size = Math.min(want, population);
    const note = clipped ? "requested " + want + " > population " + population + ": clipped to " + population : "";
    return { requested: want, ratio, count, clipped, note, sample_size: size };
  }

  // ------------------------------------------------------------------ verification
  function diff(out, path, message, receipt, recomputed) {
    out.push({ path, message, receipt, recomputed });
  }

  function sameList(a, b) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  }

  function listMessage(got, want) {
    const setW = new Set(want);
    const setG = new Set(got);
    const extra = got.filter((x) => !setW.has(x));
    const missing = want.filter((x) => !setG.has(x));
    const parts = [];
    if (extra.length) parts.push("the published list has " + extra.slice(0, 5).join(", ") + (extra.length > 5 ? " …" : "") + ", which the recomputation does not");
    if (missing.length) parts.push("the recomputation gives " + missing.slice(0, 5).join(", ") + (missing.length > 5 ? " …" : "") + ", which the published list does not");
    if (!parts.length) {
      const i = got.findIndex((x, k) => x !== want[k]);
      parts.push(i < 0 ? got.length + " entries published, " + want.length + " recomputed" : "the order differs from position " + i);
    }
    return parts.join("; ");
  }

  function columnValue(row, column) {
    return row[column];
  }

  /** What a register says for one draw: per stratum label, its eligible rows. */
  function strataOf(receipt, rows) {
    const policy = receipt.policy;
    const where = policy.where || {};
    const excluded = new Set(receipt.frequency_limit ? receipt.frequency_limit.excluded : []);
    const labels = new Set();
    if (policy.stratify === null) labels.add("ALL");
    else if (policy.stratify === "risk_class") ["A", "B", "C", "D"].forEach((l) => labels.add(l));
    else rows.forEach((r) => labels.add(columnValue(r, policy.stratify)));
    const strata = {};
    for (const l of labels) strata[l] = [];
    for (const r of rows) {
      let ok = !excluded.has(r.id);
      for (const col of Object.keys(where)) {
        if (!where[col].includes(col === "risk_class" ? r.risk_class : columnValue(r, col))) ok = false;
      }
      if (ok) strata[policy.stratify === null ? "ALL" : columnValue(r, policy.stratify)].push(r);
    }
    return strata;
  }

  /** Why this file cannot recompute the selection of a draw, or "" when it can. */
  function unsupported(receipt) {
    if (receipt.version < 2) return "a version-1 receipt (its canonical form is Python's): use the command line, randsupervise verify";
    if (receipt.burden) return "a burden-spread draw: use the command line, randsupervise verify --burden";
    if (receipt.policy.method !== "smallest") return "the method " + receipt.policy.method + ": use the command line, randsupervise verify";
    return "";
  }

  /**
   * Recompute every stratum of a draw from register rows: records as a receipt holds
   * them, with selected ids, tickets and probabilities.
   */
  async function recomputeStrata(receipt, rows, seed) {
    const strata = strataOf(receipt, rows);
    const key = await streamKey(seed, receipt.stream);
    const out = {};
    for (const label of Object.keys(strata).sort()) {
      const units = [];
      for (const r of strata[label]) units.push({ id: r.id, ticket: ticketOf(await fingerprint(r.id), key) });
      const n = units.length;
      const a = allocation(receipt.policy, label, n);
      const chosen = selectionOrder(units).slice(0, a.sample_size);
      const pi = n ? a.sample_size / n : 0;
      out[label] = {
        population: n,
        sample_size: chosen.length,
        requested: a.requested,
        ratio: a.ratio,
        count: a.count,
        clipped: a.clipped,
        note: a.note,
        inclusion_probability: pi,
        expected_size: a.sample_size,
        selected: chosen.map((u) => u.id),
        tickets: chosen.map((u) => hex64(u.ticket)),
        probabilities: chosen.map(() => pi),
      };
    }
    return out;
  }

  function mergedSelection(strata) {
    const units = [];
    for (const s of Object.values(strata)) {
      s.selected.forEach((id, i) => units.push({ id, ticket: BigInt("0x" + s.tickets[i]) }));
    }
    return selectionOrder(units);
  }

  async function checkSeed(doc, diffs, expected) {
    let seed;
    try {
      seed = await seedFromSource(doc.seed_source);
    } catch (e) {
      diff(diffs, "seed_source", "the seed source cannot be read: " + e.message, doc.seed_source);
      return null;
    }
    if (toHex(seed) !== doc.seed) diff(diffs, "seed", "the seed is not the hash of its stated source text", doc.seed, toHex(seed));
    if (expected) {
      const want = toHex(await seedFromSource(expected));
      if (want !== doc.seed) diff(diffs, "seed", "the seed is not the one announced", doc.seed, want);
    }
    return seed;
  }

  async function checkListedTickets(seed, stream, ids, tix, path, diffs) {
    const t = await tickets(seed, stream, ids);
    ids.forEach((id, i) => {
      if (hex64(t[i]) !== tix[i]) diff(diffs, path + ".tickets[" + i + "]", "the ticket of " + id + " is not the one its seed and stream give", tix[i], hex64(t[i]));
    });
    const order = selectionOrder(ids.map((id, i) => ({ id, ticket: t[i] }))).map((u) => u.id);
    if (!sameList(order, ids)) diff(diffs, path + ".selected", "the list is not in (ticket, id) order", ids, order);
  }

  async function checkBatches(receipt, seed, mergedIds, diffs) {
    const k = receipt.policy.batches;
    if (k <= 1) {
      if (receipt.batches !== null) diff(diffs, "batches", "one batch, yet the receipt lists batches", receipt.batches, null);
      return;
    }
    const want = await batchOrder(seed, receipt.stream, mergedIds, k, receipt.version);
    const got = receipt.batches || [];
    for (let j = 0; j < Math.max(k, got.length); j++) {
      if (!sameList(got[j], want[j])) diff(diffs, "batches[" + j + "]", listMessage(got[j] || [], want[j] || []), got[j], want[j]);
    }
  }

  /**
   * With the register's rows loaded: check the receipt's register digest and size, and
   * say so in `checked`. Without them: note what is left unchecked. True when loaded.
   */
  async function registerChecked(receipt, rows, diffs, notes, checked) {
    if (!rows) {
      notes.push("no register loaded: the register digest and the selection are not checked");
      return false;
    }
    const reg = await registerDigest(rows);
    checkRegister(receipt, reg.digest, rows.length, diffs);
    checked.push("registry_digest");
    return true;
  }

  function checkRegister(receipt, computed, nrows, diffs) {
    if (computed !== receipt.registry_digest) diff(diffs, "registry_digest", "the register differs from the one drawn from (content digest mismatch)", receipt.registry_digest, computed);
    if (nrows !== receipt.registry_size) diff(diffs, "registry_size", "the receipt says " + receipt.registry_size + " targets, the register has " + nrows, receipt.registry_size, nrows);
  }

  function compareStrata(published, recomputed, diffs, fields) {
    const labels = new Set([...Object.keys(published), ...Object.keys(recomputed)]);
    for (const l of [...labels].sort()) {
      const p = published[l];
      const r = recomputed[l];
      if (!p || !r) {
        diff(diffs, "strata." + l, p ? "not a stratum of this register" : "missing from the receipt", p, r);
        continue;
      }
      for (const f of fields) {
        if (Array.isArray(r[f])) {
          if (!sameList(p[f], r[f])) diff(diffs, "strata." + l + "." + f, listMessage(p[f] || [], r[f]), p[f], r[f]);
        } else if (p[f] !== r[f]) {
          diff(diffs, "strata." + l + "." + f, "published " + JSON.stringify(p[f]) + ", recomputed " + JSON.stringify(r[f]), p[f], r[f]);
        }
      }
    }
  }

  const AGGREGATE_FIELDS = ["population", "sample_size", "requested", "ratio", "count", "clipped", "note", "inclusion_probability", "expected_size"];

  /**
   * Verify a draw receipt (the audit form) and, when register rows are given, recompute
   * it from them. Returns {status: "verified" | "not verified" | "partial", differences,
   * notes, checked}.
   */
  async function verifyReceipt(receipt, rows, options) {
    const diffs = [];
    const notes = [];
    const checked = [];
    const expected = options && options.expectedSeed;
    if (receipt.version >= 2) {
      const want = await jcsDigest(without(receipt, "receipt_digest"));
      if (want !== receipt.receipt_digest) diff(diffs, "receipt_digest", "the receipt was changed after it was made (its digest does not match its content)", receipt.receipt_digest, want);
      checked.push("receipt_digest");
    }
    const seed = await checkSeed(receipt, diffs, expected);
    checked.push("seed");
    if (!seed) return finish(diffs, notes, checked, false);
    const why = unsupported(receipt);
    if (why) {
      notes.push("the selection is not recomputed here: " + why);
    }
    const merged = mergedSelection(receipt.strata);
    for (const label of Object.keys(receipt.strata).sort()) {
      const s = receipt.strata[label];
      await checkListedTickets(seed, receipt.stream, s.selected, s.tickets, "strata." + label, diffs);
    }
    checked.push("tickets");
    await checkBatches(receipt, seed, merged.map((u) => u.id), diffs);
    checked.push("batches");
    if (!(await registerChecked(receipt, rows, diffs, notes, checked))) {
      return finish(diffs, notes, checked, false);
    }
    if (why) return finish(diffs, notes, checked, false);
    if (receipt.frequency_limit && receipt.frequency_limit.excluded.length) {
      notes.push(receipt.frequency_limit.excluded.length + " unit(s) left out for their yearly frequency limit, as the receipt lists them; the history behind that list is checked by the command line only");
    }
    const again = await recomputeStrata(receipt, rows, seed);
    compareStrata(receipt.strata, again, diffs, [...AGGREGATE_FIELDS, "selected", "tickets", "probabilities"]);
    checked.push("strata");
    return finish(diffs, notes, checked, true);
  }

  /**
   * Verify the public form of a drawn list (no risk class of any firm in it). Without a
   * register: its own digest, the seed, every listed ticket, the order, the batches.
   * With the register: the whole draw, and that the audit receipt it names
   * (receipt.receipt_digest) is the one the recomputation gives.
   */
  async function verifyPublic(record, rows, options) {
    const diffs = [];
    const notes = [];
    const checked = [];
    const expected = options && options.expectedSeed;
    const want = await jcsDigest(without(record, "public_digest"));
    if (want !== record.public_digest) diff(diffs, "public_digest", "the record was changed after it was made (its digest does not match its content)", record.public_digest, want);
    checked.push("public_digest");
    const receipt = record.receipt;
    const seed = await checkSeed(receipt, diffs, expected);
    checked.push("seed");
    if (!seed) return finish(diffs, notes, checked, false);
    await checkListedTickets(seed, receipt.stream, record.selected, record.tickets, "", diffs);
    const total = Object.values(receipt.strata).reduce((n, s) => n + s.sample_size, 0);
    if (total !== record.selected.length) diff(diffs, "selected", record.selected.length + " firms listed, the strata draw " + total, record.selected.length, total);
    checked.push("tickets");
    await checkBatches(receipt, seed, record.selected, diffs);
    checked.push("batches");
    if (!(await registerChecked(receipt, rows, diffs, notes, checked))) {
      return finish(diffs, notes, checked, false);
    }
    const why = unsupported(receipt);
    if (why) {
      notes.push("the selection is not recomputed here: " + why);
      return finish(diffs, notes, checked, false);
    }
    const again = await recomputeStrata(receipt, rows, seed);
    compareStrata(receipt.strata, again, diffs, AGGREGATE_FIELDS);
    const merged = mergedSelection(again);
    const ids = merged.map((u) => u.id);
    if (!sameList(record.selected, ids)) diff(diffs, "selected", listMessage(record.selected, ids), record.selected, ids);
    // the audit receipt rebuilt from the register must be the one the record names
    const full = without(receipt, "receipt_digest");
    full.strata = again;
    const digest = await jcsDigest(full);
    if (digest !== receipt.receipt_digest) diff(diffs, "receipt.receipt_digest", "the audit receipt rebuilt from the register is not the one this record names", receipt.receipt_digest, digest);
    checked.push("strata", "receipt_digest");
    return finish(diffs, notes, checked, true);
  }

  function finish(differences, notes, checked, complete) {
    const status = differences.length ? "not verified" : complete ? "verified" : "partial";
    return { status, differences, notes, checked };
  }

  // ------------------------------------------- announcements (announcement.md §4)
  function announced(out, path, what, got, want) {
    out.push({ path, message: "not the announced " + what + ": receipt " + JSON.stringify(got) + ", announced " + JSON.stringify(want), receipt: got, recomputed: want, announced: true });
  }

  function sameJSON(a, b) {
    return canonicalJSON(a === undefined ? null : a) === canonicalJSON(b === undefined ? null : b);
  }

  function asList(v) {
    return Array.isArray(v) ? v : [v];
  }

  /** The announced policy against a draw of a year's plan (subject "plan"). */
  function planPolicyDifferences(receipt, subject, entry, out) {
    const policy = receipt.policy;
    if (policy.batches !== entry.batches.length) announced(out, "policy.batches", "batch count (" + entry.batches.join(", ") + ")", policy.batches, entry.batches.length);
    const filter = entry.filter || {};
    const where = policy.where || {};
    for (const col of Object.keys(filter).sort()) {
      const allowed = new Set(asList(filter[col]).map(String));
      const got = where[col];
      if (!Array.isArray(got) || !got.length || !got.every((v) => allowed.has(String(v)))) {
        announced(out, "policy.where." + col, "scope", got === undefined ? null : got, filter[col]);
      }
    }
    const task = (subject.plan.tasks || []).find((t) => t.id === entry.task);
    if (!task) {
      announced(out, "policy", "task", entry.task, null);
      return;
    }
    const classes = new Set([...Object.keys(task.ratios || {}), ...Object.keys(task.counts || {})]);
    for (const c of Object.keys(policy.counts || {}).concat(Object.keys(policy.ratios || {}))) {
      if (!classes.has(c)) announced(out, "policy.counts." + c, "classes of task " + task.id, c, [...classes].sort());
    }
    const items = new Set(task.items);
    for (const rule of policy.frequency_items || []) {
      if (!items.has(rule.id)) announced(out, "policy.frequency_items", "items of task " + task.id, rule.id, task.items);
    }
  }

  /**
   * Check a draw receipt (the audit form, or the receipt inside a public record) against
   * an announcement of kind "draw" or "plan". Returns {status: "matches" | "differs",
   * differences}; paths as the command line names them (announcement.md §4).
   */
  async function checkAnnouncement(announcement, receipt) {
    const out = [];
    const a = announcement;
    const want = await jcsDigest(without(a, "announcement_digest"));
    if (want !== a.announcement_digest) out.push({ path: "announcement.announcement_digest", message: "the announcement was changed after it was made (its digest does not match its content)", receipt: a.announcement_digest, recomputed: want, announced: true });
    const rule = a.seed_rule || {};
    if (!(String(rule.date) > String(a.date))) out.push({ path: "announcement.seed_rule.date", message: "the seed's source is dated " + rule.date + ", not after the announcement (" + a.date + "): the seed could have been known when the announcement was made", receipt: rule.date, recomputed: a.date, announced: true });
    const subject = a[a.kind];
    if (a.kind === "draw") {
      for (const [key, what] of [["version", "draw version"], ["stream", "stream"], ["registry_digest", "register (content digest)"], ["registry_size", "register size"]]) {
        if (!sameJSON(receipt[key], subject[key])) announced(out, key, what, receipt[key], subject[key]);
      }
      const keys = new Set([...Object.keys(receipt.policy || {}), ...Object.keys(subject.policy)]);
      for (const k of [...keys].sort()) {
        if (!sameJSON((receipt.policy || {})[k], subject.policy[k])) announced(out, "policy." + k, "policy", (receipt.policy || {})[k], subject.policy[k]);
      }
    } else if (a.kind === "plan") {
      if (receipt.registry_digest !== subject.registry_digest) announced(out, "registry_digest", "register (content digest)", receipt.registry_digest, subject.registry_digest);
      const entry = subject.draws.find((d) => d.stream === receipt.stream);
      if (!entry) {
        announced(out, "stream", "stream", receipt.stream, subject.draws.map((d) => d.stream));
      } else {
        planPolicyDifferences(receipt, subject, entry, out);
      }
    } else {
      out.push({ path: "announcement.kind", message: "an announcement of a " + a.kind + ", not of a draw or a plan", receipt: "draw", recomputed: a.kind, announced: true });
    }
    const canon = canonicalSeedText(String(receipt.seed_source));
    if (rule.method === "text") {
      const head = canonicalSeedText(String(rule.source));
      if (!(canon.startsWith(head + " ") && canon.length > head.length + 1)) out.push({ path: "seed_source", message: "the seed text does not begin with the announced source " + JSON.stringify(head) + " followed by the value it gave", receipt: receipt.seed_source, recomputed: head, announced: true });
    } else if (!canon.startsWith("contributions: ")) {
      out.push({ path: "seed_source", message: "the announced seed is made from sealed contributions; this seed is not", receipt: receipt.seed_source, announced: true });
    }
    return { status: out.length ? "differs" : "matches", differences: out };
  }

  /** Verify an embedded document of either form (and, given one, against the announcement). */
  async function verifyDocument(doc, rows, options) {
    const isPublic = doc && doc.format === "randsupervise.public-draw";
    const r = isPublic ? await verifyPublic(doc, rows, options) : await verifyReceipt(doc, rows, options);
    const a = options && options.announcement;
    if (a) {
      const c = await checkAnnouncement(a, isPublic ? doc.receipt : doc);
      r.announcement = c.status;
      r.differences.push(...c.differences);
      r.checked.push("announcement");
      if (c.differences.length) r.status = "not verified";
    }
    return r;
  }

  // --------------------------------------------------------------------- the page
  const WORDS = {
    zh: {
      verified: "已核验",
      "not verified": "未通过核验",
      partial: "部分核验（请载入检查对象名录库文件以完成核验）",
      partialShort: "部分核验",
      working: "正在核验……",
      error: "无法核验",
      draw: "抽取",
      field: "不一致的字段",
      notes: "说明",
      matches: "与抽查预告一致",
      differs: "与抽查预告不一致",
      noAnnouncement: "本页未附抽查预告",
    },
    en: {
      verified: "verified",
      "not verified": "not verified",
      partial: "partly checked (load the register file to finish)",
      partialShort: "partly checked",
      working: "checking…",
      error: "cannot check",
      draw: "draw",
      field: "field that differs",
      notes: "notes",
      matches: "matches the announcement",
      differs: "does not match the announcement",
      noAnnouncement: "no announcement on this page",
    },
  };

  // Chinese wording of the differences and notes, by JSON path (the English is kept in
  // the element's title, for whoever reports the problem)
  const ZH_PATHS = [
    [/^(receipt_digest|public_digest)$/, "内容在生成后被改动（摘要与内容不符）"],
    [/^receipt\.receipt_digest$/, "由名录库重建的审计回执与本记录所指的回执不符"],
    [/^seed_source$/, "无法读取随机种子原文"],
    [/^seed$/, "随机种子与公布的原文不符"],
    [/^registry_digest$/, "名录库与抽取时所用的名录库不一致（内容摘要不符）"],
    [/^registry_size$/, "名录库的条目数与抽取时不一致"],
    [/^batches/, "批次划分与重新计算的结果不一致"],
    [/tickets/, "抽签号与由种子重新计算的结果不一致"],
    [/selected$/, "抽取名单与重新计算的结果不一致"],
    [/^strata\./, "该类别的抽取数据与重新计算的结果不一致"],
  ];
  // differences from the announcement check, by JSON path
  const ZH_ANNOUNCED = [
    [/^announcement\.announcement_digest$/, "抽查预告在发布后被改动（摘要与内容不符）"],
    [/^announcement\.seed_rule\.date$/, "随机种子的产生日期不在预告发布之后"],
    [/^announcement\.kind$/, "预告的类型与本次抽取不符"],
    [/^seed_source$/, "随机种子原文不是以预告的来源开头"],
    [/^registry_digest$/, "抽取所用的名录库不是预告的名录库（内容摘要不符）"],
    [/^registry_size$/, "名录库的条目数与预告不符"],
    [/^stream$/, "抽取流标签不是预告的标签"],
    [/^version$/, "抽取版本与预告不符"],
    [/^policy\.batches$/, "批次数与预告不符"],
    [/^policy\.where/, "抽查范围与预告不符"],
    [/^policy/, "抽取规则与预告不符"],
  ];
  const ZH_NOTES = [
    [/^no register loaded/, "尚未载入名录库：名录库摘要和抽取结果尚未核验；种子、抽签号和批次已核验"],
    [/^the selection is not recomputed here/, "本页不重新计算此类抽取（请使用命令行 randsupervise verify）"],
    [/left out for their yearly frequency limit/, "部分对象因年度检查次数上限未参加抽取，名单以回执所列为准；其依据的检查记录仅能用命令行核验"],
  ];

  function localized(lang, text, table) {
    if (lang !== "zh") return text;
    for (const [re, zh] of table) if (re.test(text)) return zh;
    return text;
  }

  function documentsOf(doc) {
    return Array.from(doc.querySelectorAll("script[data-rs-document]")).map((s) => ({
      name: s.getAttribute("data-rs-document"),
      value: JSON.parse(s.textContent),
    }));
  }

  function isAnnouncement(value) {
    return value && value.format === "randsupervise.announcement";
  }

  async function runPage(doc, csvText) {
    const lang = doc.documentElement.getAttribute("lang") === "en" ? "en" : "zh";
    const w = WORDS[lang];
    const out = doc.getElementById("rs-result");
    const status = doc.getElementById("rs-status");
    status.textContent = w.working;
    status.className = "rs-status";
    out.textContent = "";
    let rows = null;
    try {
      if (csvText) rows = registerFromCSV(csvText);
    } catch (e) {
      status.textContent = w.error + ": " + e.message;
      status.className = "rs-status rs-bad";
      status.setAttribute("data-status", "error");
      return "error";
    }
    const seedInput = doc.getElementById("rs-seed-text");
    const expected = seedInput && seedInput.value.trim() ? seedInput.value : null;
    let overall = "verified";
    const documents = documentsOf(doc);
    const announcement = (documents.find((d) => isAnnouncement(d.value)) || {}).value || null;
    let matching = announcement ? "matches" : "none";
    for (const { name, value } of documents) {
      if (isAnnouncement(value)) continue;
      let r;
      try {
        r = await verifyDocument(value, rows, { expectedSeed: expected, announcement });
      } catch (e) {
        r = { status: "not verified", differences: [{ path: "$", message: e.message }], notes: [] };
        if (announcement) r.announcement = "differs";
      }
      if (r.announcement === "differs") matching = "differs";
      if (r.status === "not verified") overall = "not verified";
      else if (r.status === "partial" && overall === "verified") overall = "partial";
      const li = doc.createElement("li");
      li.setAttribute("data-status", r.status);
      li.textContent = w.draw + " " + name + ": " + (r.status === "partial" ? w.partialShort : w[r.status]);
      if (r.differences.length || r.notes.length) {
        const ul = doc.createElement("ul");
        for (const d of r.differences) {
          const item = doc.createElement("li");
          item.className = "rs-bad";
          item.textContent = w.field + " " + d.path + ": " + localized(lang, d.path, d.announced ? ZH_ANNOUNCED : ZH_PATHS);
          if (d.announced) item.setAttribute("data-announced", "true");
          item.title = d.message;
          ul.appendChild(item);
        }
        for (const n of r.notes) {
          const item = doc.createElement("li");
          item.textContent = w.notes + ": " + localized(lang, n, ZH_NOTES);
          item.title = n;
          ul.appendChild(item);
        }
        li.appendChild(ul);
      }
      out.appendChild(li);
    }
    const against = doc.getElementById("rs-announcement");
    if (against) {
      against.textContent = matching === "none" ? w.noAnnouncement : w[matching];
      against.className = matching === "matches" ? "rs-good" : matching === "differs" ? "rs-bad" : "";
      against.setAttribute("data-status", matching);
    }
    status.textContent = w[overall];
    status.className = "rs-status " + (overall === "verified" ? "rs-good" : overall === "partial" ? "" : "rs-bad");
    status.setAttribute("data-status", overall);
    return overall;
  }

  function mountPage(doc) {
    const file = doc.getElementById("rs-register");
    const text = doc.getElementById("rs-register-text");
    const button = doc.getElementById("rs-check");
    if (!button) return;
    button.addEventListener("click", () => runPage(doc, text.value));
    file.addEventListener("change", () => {
      const f = file.files && file.files[0];
      if (!f) return;
      f.text().then((t) => {
        text.value = t;
        return runPage(doc, t);
      });
    });
    // a register passed in the address (#register=<percent-encoded CSV>), for tests and links
    const m = /(?:^#|&)register=([^&]*)/.exec(root.location ? root.location.hash : "");
    if (m) text.value = decodeURIComponent(m[1]);
    // a register already in the text box (pasted, or kept by the browser) is checked at once
    runPage(doc, text.value);
  }

  const api = {
    canonicalSeedText,
    seedFromText,
    seedFromContributions,
    seedFromSource,
    fingerprint,
    streamKey,
    tickets,
    selectionOrder,
    batchOrder,
    cutBatches,
    parseCSV,
    registerFromColumns,
    registerFromCSV,
    registerDigest,
    canonicalJSON,
    jcsDigest,
    allocation,
    verifyReceipt,
    verifyPublic,
    verifyDocument,
    checkAnnouncement,
    runPage,
    mountPage,
    toHex,
    fromHex,
    hex64,
  };
  root.RandsuperviseVerifier = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof document !== "undefined" && document.getElementById) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountPage(document));
    else mountPage(document);
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
