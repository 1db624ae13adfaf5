// The device outbox: every write of the field screen is stored on the tablet (IndexedDB) BEFORE it
// is sent, and leaves the device only when the server has confirmed it (200/201/202).
//
// It wraps CCHCField.net.submit(kind, url, payload): the payload (with its client UUID, device time
// and, for a photo, its Blob) is kept as is, so every retry re-sends exactly the same request and the
// server stores it once. Items go in the order they were taken: up to BATCH writes (start, results,
// findings, close) in one request to the API's batch endpoint (/api/v1/sync, answered item by item),
// each photo on its own; a send that gets no answer (no signal, server down, session expired) stops
// the round and keeps the order. An edit of an item still waiting (a criterion's verdict re-entered,
// a second "Bắt đầu kiểm tra") changes that item in place: same client UUID, the newest content wins,
// never a second item. The screen reads what waits (pending) to draw itself over the server's copy. Rounds
// start when the page opens or is shown again, on the `online` event, on the "Đồng bộ" button and
// every RETRY_MS while items wait (Background Sync is not on Safari or Firefox). An item the server
// refuses for good (403/404/409/422…) is kept in a list with the reason until the inspector discards
// it: nothing is dropped silently. Each item belongs to the user who took it: only they see or send it.
//
// Items that waited for days: a 400 whose body says `code: "csrf"` (token expired) fetches a fresh token
// from the page and sends again; a 401 (session over) stops the round with a sign-in link (and opens the
// sign-in page when the inspector pressed "Đồng bộ"); the queue stays. A tablet registered as a device
// sends `Authorization: Bearer <token>` instead (no CSRF, no session needed); a revoked token (401,
// `code: "device_revoked"`) is forgotten and the session is tried instead. Signing out with unsynced
// items asks first, showing how many stay on the tablet. In a secure context the page asks once for
// persistent storage (navigator.storage.persist()) and the panel says whether the browser grants it.
(function (root) {
  "use strict";

  var F = root.CCHCField = root.CCHCField || {};
  var net = F.net;
  if (!net || !root.indexedDB) return;

  var DB_NAME = "cchc-outbox", STORE = "items", DEVICES = "devices", RETRY_MS = 30000, BATCH = 50;
  var realSubmit = net.submit;
  var waiters = {};   // seq → resolve(answer) of a submit() still waiting on this page
  var later = {};     // seq → resolve(answer) for an item the screen already shows as on the device
  var chain = Promise.resolve();
  var dbPromise = null;
  var user = 0;
  var device = null;  // {user, id, name, token}: this tablet's registration for the signed-in user
  var asked = false;  // the round was started by the "Đồng bộ" button (a sign-in page may open)
  var inflight = {};  // seq → true while the item is on its way (an edit then makes a new item)
  var shownRejected = 0;
  var delivered = 0;  // items the server answered, on this page (the screen then reads the server's copy)

  // ---------------------------------------------------------------- IndexedDB

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function (event) {
        if (event.oldVersion < 1) {
          request.result.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true}).createIndex("user", "user");
        }
        if (event.oldVersion < 2) request.result.createObjectStore(DEVICES, {keyPath: "user"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }

  function tx(mode, work, storeName) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var name = storeName || STORE, t = db.transaction(name, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
        result = work(t.objectStore(name));
        if (result && "onsuccess" in result) {
          result.onsuccess = function () { result = result.result; };
        }
      });
    });
  }

  function put(record) {
    return tx("readwrite", function (store) { return store.put(record); });
  }

  function remove(seq) {
    return tx("readwrite", function (store) { store.delete(seq); });
  }

  function mine() {
    return tx("readonly", function (store) { return store.index("user").getAll(user); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  // This tablet's device token for the signed-in user (registered on the field screen), if any.
  function loadDevice() {
    return tx("readonly", function (store) { return store.get(user); }, DEVICES).then(function (row) {
      device = row || null;
      return device;
    }, function () { return null; });
  }

  function saveDevice(row) {
    return tx("readwrite", function (store) { return store.put(row); }, DEVICES).then(function () { device = row; });
  }

  function forgetDevice() {
    device = null;
    return tx("readwrite", function (store) { store.delete(user); }, DEVICES);
  }

  // ---------------------------------------------------------------- sending, in order

  // The line the outbox list shows: the screen's words (criterion code, "Đạt"…) when it describes it.
  function label(kind, payload) {
    if (F.outbox.describe) return String(F.outbox.describe(kind, payload) || "").slice(0, 120);
    var value = payload.value ? word("value." + payload.value) : "";
    var text = payload.description || payload.representative_name || payload.filename || "";
    return String(value && text ? value + ": " + text : value || text).slice(0, 120);
  }

  function inspectionOf(url) {
    var match = /\/inspections\/(\d+)\//.exec(url);
    return match ? Number(match[1]) : 0;
  }

  // Which waiting item an edit replaces: one verdict per criterion, one start and one close per inspection.
  function keyOf(kind, url, payload) {
    if (kind === "result") return "result:" + inspectionOf(url) + ":" + payload.item_id;
    if (kind === "sign") return "sign:" + inspectionOf(url) + ":" + payload.role;
    return kind === "start" || kind === "close" ? kind + ":" + inspectionOf(url) : "";
  }

  // A photo's sha256, so the server refuses bytes damaged on the way (422) instead of keeping them.
  function withDigest(kind, payload) {
    var subtle = root.crypto && root.crypto.subtle;
    if (kind !== "photo" || !subtle || !payload.file || payload.sha256) return Promise.resolve(payload);
    return new Response(payload.file).arrayBuffer().then(function (bytes) {
      return subtle.digest("SHA-256", bytes);
    }).then(function (hash) {
      payload.sha256 = Array.prototype.map.call(new Uint8Array(hash), function (b) {
        return (b + 0x100).toString(16).slice(1);
      }).join("");
      return payload;
    }, function () { return payload; });
  }

  function submit(kind, url, payload) {
    return withDigest(kind, payload).then(function () { return enqueue(kind, url, payload); });
  }

  function enqueue(kind, url, payload) {
    var record = {user: user, kind: kind, url: url, payload: payload, state: "queued", error: "",
                  key: keyOf(kind, url, payload), label: label(kind, payload), created: net.deviceTime()};
    return store(record).then(function (seq) {
      var answer = new Promise(function (resolve) { waiters[seq] = resolve; });
      render();
      drain();
      return answer;
    }, function () {
      return realSubmit(kind, url, payload);  // storage refused (private mode, quota): send directly
    });
  }

  // Add the record, or put its content into the waiting item it edits (in one transaction, so a round
  // cannot take that item in between): the item keeps its place, its client UUID and the version its
  // first edit started from. An item on its way is not touched: the edit becomes an item of its own.
  function store(record) {
    return tx("readwrite", function (items) {
      var holder = {seq: null};
      var read = items.index("user").getAll(user);
      read.onsuccess = function () {
        var old = record.key && read.result.filter(function (r) {
          return r.key === record.key && r.state === "queued" && !inflight[r.seq];
        }).pop();  // the newest, should an edit made during a round have become an item of its own
        if (old) {
          ["client_uuid", "version"].forEach(function (name) {
            if (name in old.payload) record.payload[name] = old.payload[name];
          });
          record.seq = old.seq;
          record.created = old.created;
          delete later[old.seq];  // the earlier edit's answer will never come: this one replaces it
        }
        items.put(record).onsuccess = function (event) { holder.seq = event.target.result; };
      };
      return holder;
    }).then(function (holder) { return holder.seq; });
  }

  // The user's items of one inspection still on the device (waiting or refused), oldest first.
  function pending(inspectionId) {
    return mine().then(function (rows) {
      return rows.filter(function (r) { return inspectionOf(r.url) === inspectionId; });
    });
  }

  function drain() {
    chain = chain.then(round, round).then(render, render);
    return chain;
  }

  function drainAsked() {
    asked = true;
    return drain().then(function () { asked = false; });
  }

  function round() {
    busy(true);
    var queued = [], before = delivered;
    return mine().then(function (rows) {
      queued = rows.filter(function (r) { return r.state === "queued"; });
      queued.forEach(function (r) { inflight[r.seq] = true; });
      return sendFrom(queued, 0, false);
    }).then(function (reason) {
      inflight = {};
      busy(false);
      status(reason);
      if (reason === "session" && asked) root.location.assign(signInUrl());  // the queue stays on the device
      releaseWaiters(queued);
      if (delivered !== before && F.outbox.onDelivered) F.outbox.onDelivered();
    });
  }

  function authHeaders() {
    return device ? {Authorization: "Bearer " + device.token} : {};
  }

  // A verdict nobody waits for on screen (taken earlier, sent from the queue) asks to be kept as a pending
  // correction when it clashes with another member's change. The body stays the same on every retry.
  function proposes(row) {
    return !waiters[row.seq] && row.kind === "result";
  }

  function isCsrfError(res) {
    return res.status === 400 && (!res.body || res.body.code === "csrf");
  }

  // Send from rows[i] on: a run of writes in one batch, a photo on its own; resolves with why the round
  // stopped ("" when all went).
  function sendFrom(rows, i, refreshed) {
    if (i >= rows.length) return Promise.resolve("");
    var group = rows[i].kind === "photo" ? [rows[i]] : runFrom(rows, i);
    return post(group).then(function (res) {
      if (isCsrfError(res)) {  // the CSRF token expired (or the session behind it is gone)
        if (refreshed) return "session";
        return freshToken().then(function (ok) { return ok ? sendFrom(rows, i, true) : "session"; });
      }
      if (res.status === 401 && res.body && res.body.code === "device_revoked" && device) {
        // revoked by an administrator: forget the token and try the session (the items stay queued)
        return forgetDevice().then(showDevice).then(function () { return sendFrom(rows, i, refreshed); });
      }
      return settleGroup(group, res).then(function (stop) {
        return stop || sendFrom(rows, i + group.length, false);
      });
    }, function () { return "offline"; });
  }

  function runFrom(rows, i) {
    var run = [];
    for (var n = i; n < rows.length && run.length < BATCH && rows[n].kind !== "photo"; n += 1) run.push(rows[n]);
    return run;
  }

  function post(group) {
    var row = group[0], headers = authHeaders();
    if (row.kind === "photo" || group.single) {
      if (proposes(row)) headers["X-On-Conflict"] = "propose";
      return realSubmit(row.kind, row.url, row.payload, headers);
    }
    return realSubmit("batch", panel().getAttribute("data-sync-url"), {items: group.map(function (r) {
      var item = {kind: r.kind, inspection_id: inspectionOf(r.url), body: r.payload};
      if (proposes(r)) item.on_conflict = "propose";
      return item;
    })}, headers);
  }

  // The batch's answers, item by item in order. A batch refused as a whole for its session or by a
  // server in trouble stops the round; refused for anything else (a size limit), its items go one by one.
  function settleGroup(group, res) {
    if (group.length === 1 && (group[0].kind === "photo" || group.single)) return settle(group[0], res);
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.results)) {
      if (res.status === 401 || !res.status || res.status >= 500 || res.status === 429) return settle(group[0], res);
      return singly(group, 0);
    }
    return group.reduce(function (chain, row, n) {
      return chain.then(function (stop) { return stop || settle(row, res.body.results[n] || {status: 0}); });
    }, Promise.resolve(""));
  }

  function singly(group, n) {
    if (n >= group.length) return Promise.resolve("");
    var one = [group[n]];
    one.single = true;
    return post(one).then(function (res) {
      return settle(group[n], res).then(function (stop) { return stop || singly(group, n + 1); });
    }, function () { return "offline"; });
  }

  function signInUrl() {
    return "/login?next=" + encodeURIComponent(root.location.pathname);
  }

  // "" to go on with the next item, or why the round must stop (the item stays queued).
  function settle(row, res) {
    if (res.status === 401) return Promise.resolve("session");
    if (!res.status || res.status >= 500 || res.status === 429) return Promise.resolve("server");
    var waiter = waiters[row.seq], after = later[row.seq];
    delete waiters[row.seq];
    delete later[row.seq];
    if (after) after(res);
    delivered += 1;
    // a start answered 409: the inspection is under way already (this start's lost answer, or a teammate's)
    if (res.status >= 200 && res.status < 300 || waiter || row.kind === "start" && res.status === 409) {
      if (waiter) waiter(res);  // the screen on this page shows the answer (a 409 with its choices)
      return remove(row.seq).then(function () { return ""; });
    }
    row.state = "rejected";
    row.error = (res.body && res.body.error) || String(res.status);
    return put(row).then(function () { return ""; });
  }

  // What the screen shows for an item that is stored on the device but not yet on the server.
  function localAnswer(row) {
    var p = row.payload, body = {};
    if (row.kind === "start") body = {inspection: {status: "in_progress", local: true}};
    if (row.kind === "close") body = {inspection: {status: "minutes_closed", local: true}};
    if (row.kind === "sign") body = {signature: {role: p.role, signed_at: p.device_time, local: true}};
    if (row.kind === "finding" || row.kind === "result" && p.value === "non_compliant") {
      body.finding = {id: null, client_uuid: p.client_uuid, item_id: p.item_id || null, severity: p.severity,
                      description: p.description, device_time: p.device_time, photos: [], local: true};
    }
    if (row.kind === "result") {
      body.result = {id: null, item_id: p.item_id, value: p.value, note: p.note || "", version: p.version,
                     client_uuid: p.client_uuid, device_time: p.device_time, received_at: null, local: true};
    }
    return {status: 0, queued: true, body: body};
  }

  // The submissions this round tried but could not deliver: the screen shows them as on the device.
  function releaseWaiters(rows) {
    rows.forEach(function (row) {
      if (!waiters[row.seq]) return;
      var answer = localAnswer(row);
      answer.settled = new Promise(function (resolve) { later[row.seq] = resolve; });
      waiters[row.seq](answer);
      delete waiters[row.seq];
    });
  }

  // A CSRF token older than its lifetime: take a fresh one from the page itself (network first).
  // True when a token was found (false: signed out, the sign-in page came instead).
  function freshToken() {
    return root.fetch(root.location.pathname, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      return r.redirected ? "" : r.text();
    }).then(function (html) {
      var match = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (match && meta) meta.setAttribute("content", match[1]);
      return Boolean(match && meta);
    }, function () { return false; });
  }

  // ---------------------------------------------------------------- on screen

  function panel() {
    return document.getElementById("outbox");
  }

  function word(key, n) {
    var node = document.querySelector('#outbox-text [data-key="' + key + '"]');
    return (node ? node.textContent.trim() : key).split("{n}").join(String(n));
  }

  function busy(on) {
    var box = panel();
    if (box) document.getElementById("outbox-sync").disabled = on;
  }

  function status(reason) {
    var box = panel();
    if (!box) return;
    var text = reason ? word("why." + reason) : "";
    document.getElementById("outbox-why").textContent = text;
    var link = document.getElementById("outbox-signin");
    link.hidden = reason !== "session";
    link.setAttribute("href", signInUrl());
  }

  function render() {
    var box = panel();
    if (!box) return Promise.resolve();
    return mine().then(function (rows) {
      var queued = rows.filter(function (r) { return r.state === "queued"; });
      var rejected = rows.filter(function (r) { return r.state === "rejected"; });
      box.classList.toggle("has-queue", queued.length > 0);
      document.getElementById("outbox-count").textContent =
        queued.length ? word("count", queued.length) : word("none");
      box.setAttribute("data-count", String(queued.length));
      list(document.getElementById("outbox-list"), queued, false);
      list(document.getElementById("outbox-rejected"), rejected, true);
      if (rejected.length > shownRejected) document.getElementById("outbox-fold").open = true;  // to be seen
      shownRejected = rejected.length;
    });
  }

  function list(ul, rows, rejected) {
    ul.textContent = "";
    ul.hidden = !rows.length;
    rows.forEach(function (row) {
      var li = document.createElement("li");
      li.className = "outbox-item kind-" + row.kind;
      li.appendChild(span("outbox-kind", word("kind." + row.kind)));
      li.appendChild(span("outbox-label", row.label));
      if (rejected) {
        li.appendChild(span("outbox-error", row.error));
        li.appendChild(discardButton(row));
      }
      ul.appendChild(li);
    });
  }

  function span(className, text) {
    var node = document.createElement("span");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function discardButton(row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-small";
    button.textContent = word("discard");
    button.addEventListener("click", function () { remove(row.seq).then(render); });
    return button;
  }

  // ---------------------------------------------------------------- the service worker

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !root.isSecureContext) return;
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var one = document.getElementById("field");
      var urls = [root.location.pathname];
      if (one) urls.push(one.getAttribute("data-api-root") + "/inspections/" + one.getAttribute("data-inspection-id"));
      else urls.push(document.getElementById("field-today").getAttribute("data-api-root") + "/inspections/today");
      registration.active.postMessage({type: "keep", urls: urls});
    }, function () { /* no offline shell: the screen still works online */ });
  }

  // Signing out: the kept pages go; the queue stays, tied to its user, and syncs at their next
  // sign-in. With unsynced items the inspector first confirms, seeing how many stay on the tablet.
  function wipeOnSignOut() {
    document.querySelectorAll("form[action='/logout'], form[action='/logout-all']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-confirmed") === "1") return wipeKept();
        event.preventDefault();
        mine().then(function (rows) {
          var queued = rows.filter(function (r) { return r.state === "queued"; }).length;
          if (!queued) return signOut(form);
          return confirmSignOut(form, queued);
        }, function () { signOut(form); });
      });
    });
  }

  function wipeKept() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "wipe"});
    }
  }

  function signOut(form) {
    form.setAttribute("data-confirmed", "1");
    wipeKept();
    form.submit();
  }

  function confirmSignOut(form, queued) {
    var dialog = document.getElementById("signout-dialog");
    document.getElementById("signout-count").textContent = word("signout", queued);
    dialog.querySelector("[data-action=signout]").onclick = function () { dialog.close(); signOut(form); };
    dialog.querySelector("[data-action=stay]").onclick = function () { dialog.close(); drainAsked(); };
    dialog.showModal();
  }

  // ---------------------------------------------------------------- registering this tablet

  function showDevice() {
    var box = document.getElementById("device-box");
    if (!box) return;
    box.hidden = !root.isSecureContext;
    document.getElementById("device-form").hidden = Boolean(device);
    var state = document.getElementById("device-state");
    state.textContent = device ? word("device.on").split("{name}").join(device.name) : word("device.off");
  }

  function registerDevice(event) {
    event.preventDefault();
    var name = document.getElementById("device-name").value.trim();
    var url = panel().getAttribute("data-devices-url");
    root.fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": net.csrfToken()},
      body: JSON.stringify({name: name})}).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }).then(function (res) {
      if (res.status !== 201) throw new Error((res.body && res.body.error) || String(res.status));
      return saveDevice({user: user, id: res.body.device.id, name: res.body.device.name, token: res.body.token});
    }).then(function () {
      showDevice();
      drain();
    }, function (error) {
      document.getElementById("device-state").textContent = error.message || word("why.server");
    });
  }

  // Ask the browser once per page (secure context only) to keep this site's storage, so the queue is
  // not cleared when the tablet runs short of space, and say in the panel whether it does.
  function keepStorage() {
    var storage = root.navigator.storage, line = document.getElementById("outbox-storage");
    if (!line || !root.isSecureContext || !storage || !storage.persisted) return Promise.resolve();
    return storage.persisted().then(function (kept) {
      return kept || !storage.persist ? kept : storage.persist();
    }).then(function (kept) {
      line.textContent = word(kept ? "storage.kept" : "storage.risk");
      line.classList.toggle("is-warning", !kept);
    }, function () {
      line.textContent = word("storage.risk");
      line.classList.add("is-warning");
    });
  }

  function start() {
    var box = panel();
    user = Number(box ? box.getAttribute("data-user-id") : 0);
    if (!box || !user) return;
    // Plain HTTP: no service worker, no device-side hashing; say so on the field screen itself.
    document.getElementById("field-insecure").hidden = Boolean(root.isSecureContext);
    document.getElementById("outbox-sync").addEventListener("click", drainAsked);
    var deviceForm = document.getElementById("device-form");
    if (deviceForm) deviceForm.addEventListener("submit", registerDevice);
    root.addEventListener("online", drain);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") drain();
    });
    setInterval(function () { if (box.getAttribute("data-count") !== "0") drain(); }, RETRY_MS);
    net.submit = submit;
    registerWorker();
    wipeOnSignOut();
    keepStorage();
    showDevice();  // at once, so the screen does not shift when the stored registration is read
    loadDevice().then(showDevice).then(drain, drain);
  }

  F.outbox = {drain: drain, render: render, pending: pending, describe: null, onDelivered: null};
  document.addEventListener("DOMContentLoaded", start);
})(window);
