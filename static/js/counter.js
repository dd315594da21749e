// The counter screen: pick a product (search, scan or tap), confirm, done.
// Every movement gets an idempotency key and goes into a queue kept in localStorage first,
// so a dropped connection loses nothing and a re-sent movement is recorded once.
// A queue entry is one sale as the manager made it: its movements (one per lot) travel in one batch,
// so they are recorded all together or not at all.
(function () {
  "use strict";
  var root = document.getElementById("counter");
  if (!root) return;
  var text = root.dataset;
  var point = root.dataset.point;
  var base = "/api/v1/salespoints/" + point;
  var queueKey = "ocop-counter-queue-" + point;
  var logKey = "ocop-counter-log-" + point;
  var stockKey = "ocop-counter-stock-" + point;
  var items = Array.prototype.slice.call(document.querySelectorAll("#counter-items li[data-id]"));
  var sheet = document.getElementById("counter-sheet");
  var qty = document.getElementById("qty");
  var qtyError = document.getElementById("qty-error");
  var lot = document.getElementById("lot");
  var lotOptions = document.getElementById("lot-options");
  var log = document.getElementById("counter-log");
  var search = document.getElementById("counter-q");
  var refusedCount = parseInt(root.dataset.refused || "0", 10);
  var chosen = null;
  var lotTyped = false;
  // One exchange with the server at a time, so a re-read of the balances never crosses a batch.
  var busy = false;
  var rerun = false;
  var reread = false;

  function fold(value) {
    return value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) { return name in values ? values[name] : whole; });
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|; )(?:__Host-)?ocop_csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function loadQueue() {
    var queue;
    try { queue = JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { queue = []; }
    // Entries queued by an earlier version of this page hold a single movement.
    return queue.map(function (entry) {
      return entry.movements ? entry : {movements: [entry.movement], name: entry.name, quantity: entry.movement.quantity};
    });
  }
  function saveQueue(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    document.getElementById("queue-count").textContent = queue.length;
  }
  function keyOf(entry) { return entry.movements[0].idempotency_key; }
  function drop(entries) {
    var gone = entries.map(keyOf);
    saveQueue(loadQueue().filter(function (entry) { return gone.indexOf(keyOf(entry)) < 0; }));
  }
  function describe(entry) {
    var line = entry.name + " × " + entry.quantity;
    if (entry.movements.length > 1) {
      line += " (" + entry.movements.map(function (m) { return (m.lot_code || "—") + ": " + m.quantity; }).join(", ") + ")";
    }
    return line;
  }
  // The log of what was sent, refused or is waiting is kept with the queue, per point: a reload, or the page
  // opened with no network, still shows its last twenty lines.
  var logLength = 20;
  function keptLog() {
    var lines;
    try { lines = JSON.parse(localStorage.getItem(logKey) || "[]"); } catch (e) { lines = []; }
    return Array.isArray(lines) ? lines.filter(function (line) { return line && typeof line.message === "string"; }) : [];
  }
  function stamp(at) {
    var when = new Date(at);
    var time = when.toLocaleTimeString("vi-VN");
    return when.toDateString() === new Date().toDateString() ? time : when.toLocaleDateString("vi-VN") + " " + time;
  }
  function show(line) {
    var entry = document.createElement("li");
    entry.className = line.kind || "";
    entry.dataset.line = line.id || "";
    entry.textContent = stamp(line.at) + " · " + line.message;
    log.insertBefore(entry, log.firstChild);
    while (log.children.length > logLength) log.removeChild(log.lastChild);
  }
  function unshow(line) {
    Array.prototype.slice.call(log.children).forEach(function (entry) {
      if (line.id && entry.dataset.line === line.id) log.removeChild(entry);
    });
  }
  // `again`: a state said at every attempt (offline, session ended) is said once until something else happens,
  // its earlier line dropped, so a phone left waiting does not push the sales out of the log.
  function note(message, kind, again) {
    var line = {id: newKey(), at: new Date().toISOString(), message: message, kind: kind || "", again: !!again};
    var lines = keptLog();
    if (again) {
      for (var i = lines.length - 1; i >= 0 && lines[i].again; i--) {
        if (lines[i].message === line.message && lines[i].kind === line.kind) { unshow(lines.splice(i, 1)[0]); break; }
      }
    }
    lines.push(line);
    show(line);
    try { localStorage.setItem(logKey, JSON.stringify(lines.slice(-logLength))); } catch (e) { /* full: shown only */ }
  }
  function setNetState() {
    document.getElementById("net-state").textContent = navigator.onLine ? text.textOnline : text.textOfflineState;
  }

  function filter(value) {
    var words = fold(value).split(/\s+/).filter(Boolean);
    items.forEach(function (item) {
      var haystack = item.dataset.search;
      item.hidden = !words.every(function (word) { return haystack.indexOf(word) >= 0; });
    });
  }
  function byCode(code) {
    var value = code.trim();
    var path = value.match(/\/p\/([\w-]+)/);  // a QR stamp holds the product page address
    if (path) value = path[1];
    return items.filter(function (item) {
      return item.dataset.code === value || (item.dataset.barcode && item.dataset.barcode === value);
    })[0];
  }

  // An item's lots on hand, [code, quantity], soonest expiry first (lots without one last).
  function lotsOf(item) {
    try { return JSON.parse(item.dataset.lots || "[]"); } catch (e) { return []; }
  }
  function onHand(item) {
    return lotsOf(item).filter(function (entry) { return entry[1] > 0; });
  }
  function heldIn(item, code) {
    var entry = onHand(item).filter(function (other) { return other[0] === code; })[0];
    return entry ? entry[1] : 0;
  }
  function keepLot(item, code, change) {
    var lots = lotsOf(item);
    var entry = lots.filter(function (other) { return other[0] === code; })[0];
    if (!entry) { entry = [code, 0]; lots.push(entry); }
    entry[1] = Math.max(0, entry[1] + change);  // the ledger never goes below zero; neither does this copy
    item.dataset.lots = JSON.stringify(lots);
  }
  function signed(movement) { return movement.kind === "sale" ? -movement.quantity : movement.quantity; }
  function keepQueued(item, entries) {
    entries.forEach(function (entry) {
      entry.movements.forEach(function (movement) {
        if (String(movement.product_id) === item.dataset.id) keepLot(item, movement.lot_code, signed(movement));
      });
    });
  }
  // The movements this phone had recorded, with their ledger ids, kept per point. A page opened from the phone's
  // copy (offline) shows the stock as it was read then, with the ledger up to its `data-ledger` id: the movements
  // recorded after that id are added to it, the older ones (in its stock already) forgotten.
  var sentKey = "ocop-counter-sent-" + point;
  function keptSent() {
    var sent;
    try { sent = JSON.parse(localStorage.getItem(sentKey) || "[]"); } catch (e) { sent = []; }
    return Array.isArray(sent) ? sent : [];
  }
  function keepSent(entries, ids) {
    var movements = [].concat.apply([], entries.map(function (entry) { return entry.movements; }));
    var sent = keptSent();
    movements.forEach(function (movement, n) {
      if (typeof ids[n] === "number") sent.push([ids[n], movement.product_id, movement.lot_code, signed(movement)]);
    });
    try { localStorage.setItem(sentKey, JSON.stringify(sent.slice(-1000))); } catch (e) { /* full: the page's stock */ }
  }
  function addSentSincePage() {
    var seen = parseInt(root.dataset.ledger || "0", 10);
    var later = keptSent().filter(function (movement) { return movement[0] > seen; });
    localStorage.setItem(sentKey, JSON.stringify(later));
    items.forEach(function (item) {
      later.forEach(function (movement) {
        if (String(movement[1]) === item.dataset.id) keepLot(item, movement[2], movement[3]);
      });
    });
  }
  function showStock(item) {
    item.querySelector(".stock").textContent = onHand(item).reduce(function (sum, entry) { return sum + entry[1]; }, 0);
  }

  function kind() {
    return document.querySelector("input[name=counter-kind]:checked").value;
  }
  // A sale leaves the lot empty (lots are taken by expiry); a return goes back to the lot expiring
  // first; a receipt names its own lot. Whatever the manager typed stays.
  function presetLot() {
    var movementKind = kind();
    var lots = onHand(chosen);
    if (!lotTyped) lot.value = movementKind === "customer_return" && lots.length ? lots[0][0] : "";
    lot.placeholder = movementKind === "sale" ? text.textLotAny : text.textLot;
    lotOptions.textContent = "";
    lots.forEach(function (entry) {
      if (!entry[0]) return;
      var option = document.createElement("option");
      option.value = entry[0];
      option.label = String(entry[1]);
      lotOptions.appendChild(option);
    });
  }
  function showError(message) {
    qtyError.textContent = message;
    qtyError.hidden = !message;
    qty.setAttribute("aria-invalid", message ? "true" : "false");
  }
  function choose(item) {
    chosen = item;
    document.getElementById("sheet-name").textContent = item.querySelector(".name").textContent;
    qty.value = 1;
    lotTyped = false;
    showError("");
    presetLot();
    sheet.hidden = false;
    // Room below the page for the pinned sheet: a control reached by Tab is never scrolled under it.
    document.documentElement.style.scrollPaddingBottom = (sheet.offsetHeight + 16) + "px";
    // The quantity, selected: type a number or keep 1, and Enter records.
    qty.focus();
    qty.select();
  }
  // After every action the cursor is back in the search, empty, for the next customer's item.
  function close() {
    sheet.hidden = true;
    chosen = null;
    showError("");
    document.documentElement.style.scrollPaddingBottom = "";
    search.value = "";
    filter("");
    search.focus();
  }

  function quantityProblem(value) {
    var number = Number(value);
    if (!value.trim() || !(number > 0)) return text.textQtyPositive;
    if (!Number.isInteger(number)) return text.textQtyWhole;
    if (number > 1000000) return text.textQtyLarge;
    return "";
  }
  // The lots a movement takes from, [code, quantity]. A sale from a lot the manager chose takes
  // that lot only; any other sale takes the lots on hand soonest expiry first, as far as it needs.
  function plan(item, movementKind, quantity, chosenLot) {
    if (movementKind !== "sale") return {parts: [[chosenLot, quantity]]};
    if (chosenLot) {
      var held = heldIn(item, chosenLot);
      if (held < quantity) return {refusal: fill(text.textShortLot, {available: held, lot: chosenLot})};
      return {parts: [[chosenLot, quantity]]};
    }
    var parts = [];
    var left = quantity;
    var available = 0;
    onHand(item).forEach(function (entry) {
      available += entry[1];
      var take = Math.min(left, entry[1]);
      if (take > 0) { parts.push([entry[0], take]); left -= take; }
    });
    if (left > 0) return {refusal: fill(text.textShort, {available: available})};
    return {parts: parts};
  }
  function record() {
    if (!chosen) return;
    var problem = quantityProblem(qty.value);
    if (problem) { showError(problem); qty.focus(); return; }
    var quantity = Number(qty.value);
    var movementKind = kind();
    var planned = plan(chosen, movementKind, quantity, lot.value.trim());
    if (planned.refusal) {
      showError(planned.refusal);
      qty.focus();
      sync(true);  // this copy of the stock may be behind the server's
      return;
    }
    var happenedAt = new Date().toISOString();
    var entry = {
      name: chosen.querySelector(".name").textContent, quantity: quantity,
      movements: planned.parts.map(function (part) {
        return {product_id: parseInt(chosen.dataset.id, 10), kind: movementKind, quantity: part[1], lot_code: part[0],
                idempotency_key: newKey(), happened_at: happenedAt};
      }),
    };
    var queue = loadQueue();
    queue.push(entry);
    saveQueue(queue);
    keepQueued(chosen, [entry]);
    showStock(chosen);
    note(describe(entry) + " · " + text.textQueued, "queued");
    close();
    sync();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrftoken": csrf()},
      body: JSON.stringify(body),
    });
  }
  function batchOf(entries) {
    return {movements: [].concat.apply([], entries.map(function (entry) { return entry.movements; }))};
  }
  // Sends the queue as one batch, in order. Resolves to whether the server refused anything.
  function send(queue) {
    var refused = queue.filter(function (entry) { return entry.refused; });
    var fresh = queue.filter(function (entry) { return !entry.refused; });
    return report(refused).then(function () {
      if (!fresh.length) return refused.length > 0;
      return post(base + "/movements/batch", batchOf(fresh)).then(function (response) { return settle(fresh, response); });
    });
  }
  // A failed send already told in the log (the server said why), not to be told again as the network's.
  function explained(status) {
    var error = new Error(status);
    error.explained = true;
    return error;
  }
  function settle(entries, response) {
    if (response.ok) {
      // In one task, so that a reload never finds a sale both waiting and kept as sent, or neither.
      return response.json().catch(function () { return {}; }).then(function (body) {
        keepSent(entries, body.movement_ids || []);
        drop(entries);
        entries.forEach(function (entry) { note(describe(entry) + " · " + text.textSynced, "ok"); });
        return false;
      });
    }
    // Not a refusal of the sale: the session or its form token ended, or the server is busy. The queue is
    // kept and sent again once the user has logged in again or the server answers.
    if (response.status === 401) {
      note(text.textSignIn, "refused", true);
      throw explained(response.status);
    }
    if (response.status === 403) {  // the form token expired, or the user no longer works at this point
      return response.json().catch(function () { return {}; }).then(function (body) {
        note((body.title ? body.title + " " : "") + text.textKept, "refused", true);
        throw explained(response.status);
      });
    }
    if (response.status < 400 || response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new Error(response.status);
    }
    if (entries.length > 1) return entryByEntry(entries);
    return response.json().catch(function () { return {}; }).then(function (body) {
      var detail = body.errors ? Object.values(body.errors).join(" ") : (body.title || String(response.status));
      note(describe(entries[0]) + " · " + text.textRefused + ": " + detail, "refused");
      // Never dropped: marked refused in the queue, then handed to the point's list of refused sales.
      var marked = entries[0];
      marked.refused = detail;
      saveQueue(loadQueue().map(function (entry) { return keyOf(entry) === keyOf(marked) ? marked : entry; }));
      return report([marked]).then(function () { return true; });
    });
  }
  // Refused sales go to the point's list, where the manager records them again or dismisses them; each
  // leaves this phone's queue only once the server has kept it (a report sent twice is kept once).
  function report(entries) {
    return entries.reduce(function (chain, entry) {
      return chain.then(function () {
        return post(base + "/refused-sales", {movements: entry.movements, name: entry.name, reason: entry.refused})
          .then(function (response) {
            if (!response.ok) throw new Error(response.status);
            drop([entry]);
            showRefused(refusedCount + 1);
          });
      });
    }, Promise.resolve());
  }
  function showRefused(count) {
    refusedCount = count;
    var link = document.getElementById("refused-link");
    document.getElementById("refused-count").textContent = count;
    link.hidden = count === 0;
  }
  // One refused line refuses a whole batch: sale by sale, the good ones go through and a refused one
  // is shown and dropped, each still all or nothing across its lots.
  function entryByEntry(entries) {
    var refused = false;
    return entries.reduce(function (chain, entry) {
      return chain.then(function () {
        return post(base + "/movements/batch", batchOf([entry])).then(function (response) {
          return settle([entry], response);
        }).then(function (was) { refused = refused || was; });
      });
    }, Promise.resolve()).then(function () { return refused; });
  }
  // The stock on screen becomes the server's balances with what is still queued here on top.
  function rereadStock() {
    return fetch(base + "/balances", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (rows) {
      var lots = {};
      rows.map(function (row) { return [(row.lot_expiry || "9999-12-31") + " " + row.lot_code, row]; })
        .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; })
        .forEach(function (pair) {
          var row = pair[1];
          if (row.quantity > 0) (lots[row.product_id] = lots[row.product_id] || []).push([row.lot_code, row.quantity]);
        });
      var queued = loadQueue();
      items.forEach(function (item) {
        item.dataset.lots = JSON.stringify(lots[item.dataset.id] || []);
        keepQueued(item, queued);
        showStock(item);
      });
    });
  }
  // Sends what is queued; after a refusal (or when asked) re-reads the stock from the server.
  function sync(thenReread) {
    if (thenReread === true) reread = true;
    if (busy) { rerun = true; return; }
    var queue = loadQueue();
    if (!navigator.onLine || (!queue.length && !reread)) { setNetState(); return; }
    busy = true;
    rerun = false;
    send(queue)
      .then(function (refused) {
        if (refused) reread = true;
        if (reread) return rereadStock().then(function () { reread = false; });
        return null;
      })
      .catch(function (error) { if (!(error && error.explained) && loadQueue().length) note(text.textOffline, "queued", true); })
      .then(function () {
        busy = false;
        setNetState();
        if (rerun) sync();
      });
  }

  // Scanning with the camera where the browser offers BarcodeDetector; typing works everywhere.
  function scan() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { note(text.textNoCamera, "refused"); return; }
    var video = document.getElementById("scan-video");
    var detector = new window.BarcodeDetector();
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      function stop() { stream.getTracks().forEach(function (track) { track.stop(); }); video.hidden = true; }
      function look() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            var item = byCode(codes[0].rawValue);
            if (item) choose(item); else note(text.textUnknown, "refused");
          } else {
            requestAnimationFrame(look);
          }
        }).catch(stop);
      }
      look();
    }).catch(function () { note(text.textNoCamera, "refused"); });
  }

  items.forEach(function (item) {
    item.querySelector("button").addEventListener("click", function () { choose(item); });
  });
  search.addEventListener("input", function () { filter(search.value); });
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var item = byCode(search.value) || items.filter(function (i) { return !i.hidden; })[0];
    if (item) choose(item);
  });
  document.getElementById("scan-button").addEventListener("click", scan);
  document.getElementById("confirm").addEventListener("click", record);
  document.getElementById("cancel").addEventListener("click", close);
  document.getElementById("qty-minus").addEventListener("click", function () {
    qty.value = Math.max(1, (parseInt(qty.value, 10) || 1) - 1);
    showError("");
  });
  document.getElementById("qty-plus").addEventListener("click", function () {
    qty.value = Math.max(0, parseInt(qty.value, 10) || 0) + 1;
    showError("");
  });
  qty.addEventListener("input", function () { showError(""); });
  lot.addEventListener("input", function () { lotTyped = true; showError(""); });
  // From the keyboard: Enter records, Escape closes the sheet.
  sheet.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); return; }
    if (event.key === "Enter" && (event.target === qty || event.target === lot)) { event.preventDefault(); record(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("input[name=counter-kind]"), function (radio) {
    radio.addEventListener("change", function () { if (chosen) presetLot(); });
  });
  window.addEventListener("online", function () { sync(true); });
  window.addEventListener("offline", setNetState);
  setInterval(sync, 15000);

  // Opened once, the counter opens again with no network: its page, stock and files are kept by a service
  // worker (its cache is named by the files' fingerprints, so a new release replaces it).
  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker).catch(function () {});
  }

  keptLog().forEach(show);

  // Sales queued before this page was loaded are not in the stock it was rendered with; nor, on a page opened
  // from the phone's copy, are the sales sent since it was rendered.
  addSentSincePage();
  var pending = loadQueue();
  items.forEach(function (item) { keepQueued(item, pending); showStock(item); });
  saveQueue(pending);
  sync(pending.length > 0);
})();
