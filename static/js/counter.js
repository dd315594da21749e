// The counter screen: pick a product (search, scan or tap), confirm, done.
// Every movement gets an idempotency key and goes into a queue kept in localStorage first,
// so a dropped connection loses nothing and a re-sent movement is recorded once.
(function () {
  "use strict";
  var root = document.getElementById("counter");
  if (!root) return;
  var point = root.dataset.point;
  var queueKey = "ocop-counter-queue-" + point;
  var items = Array.prototype.slice.call(document.querySelectorAll("#counter-items li[data-id]"));
  var sheet = document.getElementById("counter-sheet");
  var qty = document.getElementById("qty");
  var lot = document.getElementById("lot");
  var log = document.getElementById("counter-log");
  var chosen = null;
  var syncing = false;

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|; )ocop_csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    document.getElementById("queue-count").textContent = queue.length;
  }
  function note(text, kind) {
    var entry = document.createElement("li");
    entry.className = kind || "";
    entry.textContent = new Date().toLocaleTimeString("vi-VN") + " · " + text;
    log.insertBefore(entry, log.firstChild);
    while (log.children.length > 20) log.removeChild(log.lastChild);
  }
  function setNetState() {
    document.getElementById("net-state").textContent = navigator.onLine ? root.dataset.textOnline : root.dataset.textOfflineState;
  }

  function filter(text) {
    var words = fold(text).split(/\s+/).filter(Boolean);
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
  function lotsOf(item) {
    try { return JSON.parse(item.dataset.lots || "[]"); } catch (e) { return []; }
  }
  // Lots on hand come soonest expiry first: a sale or a return takes the first unless the manager
  // types another; a receipt names its own lot.
  function firstLot(item) {
    var onHand = lotsOf(item).filter(function (entry) { return entry[1] > 0; });
    return onHand.length ? onHand[0][0] : "";
  }
  function keepLot(item, code, change) {
    var lots = lotsOf(item);
    var entry = lots.filter(function (other) { return other[0] === code; })[0];
    if (!entry) { entry = [code, 0]; lots.push(entry); }
    entry[1] += change;
    item.dataset.lots = JSON.stringify(lots);
  }
  function choose(item) {
    chosen = item;
    document.getElementById("sheet-name").textContent = item.querySelector(".name").textContent;
    qty.value = 1;
    lot.value = kind() === "receipt" ? "" : firstLot(item);
    sheet.hidden = false;
    document.getElementById("confirm").focus();
  }

  function kind() {
    return document.querySelector("input[name=counter-kind]:checked").value;
  }
  function record() {
    if (!chosen) return;
    var quantity = parseInt(qty.value, 10);
    if (!(quantity > 0)) { qty.focus(); return; }
    var movement = {
      product_id: parseInt(chosen.dataset.id, 10), kind: kind(), quantity: quantity,
      lot_code: lot.value.trim(), idempotency_key: newKey(), happened_at: new Date().toISOString(),
    };
    var queue = loadQueue();
    queue.push({movement: movement, name: chosen.querySelector(".name").textContent});
    saveQueue(queue);
    var stock = chosen.querySelector(".stock");
    var sign = movement.kind === "sale" ? -1 : 1;
    stock.textContent = parseInt(stock.textContent, 10) + sign * quantity;
    keepLot(chosen, movement.lot_code, sign * quantity);
    note(chosen.querySelector(".name").textContent + " × " + quantity + " · " + root.dataset.textQueued, "queued");
    sheet.hidden = true;
    chosen = null;
    sync();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrftoken": csrf()},
      body: JSON.stringify(body),
    });
  }
  // Sends the queue as one batch; if the batch is refused (one bad line refuses all), sends the
  // lines one by one so good ones go through and refused ones are shown and dropped.
  function sync() {
    var queue = loadQueue();
    if (syncing || !queue.length || !navigator.onLine) { setNetState(); return; }
    syncing = true;
    var base = "/api/v1/salespoints/" + point + "/movements";
    post(base + "/batch", {movements: queue.map(function (entry) { return entry.movement; })})
      .then(function (response) {
        if (response.ok) {
          queue.forEach(function (entry) { note(entry.name + " · " + root.dataset.textSynced, "ok"); });
          saveQueue(loadQueue().slice(queue.length));
          return null;
        }
        if (response.status >= 400 && response.status < 500) return oneByOne(base, queue);
        throw new Error(response.status);
      })
      .catch(function () { note(root.dataset.textOffline, "queued"); })
      .then(function () { syncing = false; setNetState(); });
  }
  function oneByOne(base, queue) {
    return queue.reduce(function (chain, entry) {
      return chain.then(function () {
        return post(base, entry.movement).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.ok) {
              note(entry.name + " · " + root.dataset.textSynced, "ok");
            } else if (response.status >= 400 && response.status < 500) {
              var detail = body.errors ? Object.values(body.errors).join(" ") : (body.title || response.status);
              note(entry.name + " · " + root.dataset.textRefused + ": " + detail, "refused");
            } else {
              throw new Error(response.status);
            }
            var rest = loadQueue().filter(function (other) {
              return other.movement.idempotency_key !== entry.movement.idempotency_key;
            });
            saveQueue(rest);
          });
        });
      });
    }, Promise.resolve());
  }

  // Scanning with the camera where the browser offers BarcodeDetector; typing works everywhere.
  function scan() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { note(root.dataset.textNoCamera, "refused"); return; }
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
            if (item) choose(item); else note(root.dataset.textUnknown, "refused");
          } else {
            requestAnimationFrame(look);
          }
        }).catch(stop);
      }
      look();
    }).catch(function () { note(root.dataset.textNoCamera, "refused"); });
  }

  items.forEach(function (item) {
    item.querySelector("button").addEventListener("click", function () { choose(item); });
  });
  var search = document.getElementById("counter-q");
  search.addEventListener("input", function () { filter(search.value); });
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var item = byCode(search.value) || items.filter(function (i) { return !i.hidden; })[0];
    if (item) choose(item);
  });
  document.getElementById("scan-button").addEventListener("click", scan);
  document.getElementById("confirm").addEventListener("click", record);
  document.getElementById("cancel").addEventListener("click", function () { sheet.hidden = true; chosen = null; });
  document.getElementById("qty-minus").addEventListener("click", function () { qty.value = Math.max(1, (parseInt(qty.value, 10) || 1) - 1); });
  document.getElementById("qty-plus").addEventListener("click", function () { qty.value = (parseInt(qty.value, 10) || 0) + 1; });
  window.addEventListener("online", sync);
  window.addEventListener("offline", setNetState);
  setInterval(sync, 15000);
  saveQueue(loadQueue());
  sync();
})();
