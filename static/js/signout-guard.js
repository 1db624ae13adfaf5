// Signing out from any page with items of this user still waiting in the tablet's outbox
// (field-outbox.js, IndexedDB "cchc-outbox") asks first, with their count. The field screens show
// their own dialog (field-outbox.js); this covers every other page. The queue is never touched here.
// The same count fills the home page's "Việc cần làm" line ([data-outbox-line]) and the menu's badge
// on "Kiểm tra hôm nay" ([data-outbox-badge]): items on this device the server has not stored yet.
(function (root) {
  "use strict";

  function queuedCount(user) {
    if (!root.indexedDB || !root.indexedDB.databases) return Promise.resolve(0);
    return root.indexedDB.databases().then(function (dbs) {
      if (!dbs.some(function (d) { return d.name === "cchc-outbox"; })) return 0;
      return new Promise(function (resolve) {
        var open = root.indexedDB.open("cchc-outbox");
        open.onerror = function () { resolve(0); };
        open.onsuccess = function () {
          var db = open.result;
          if (!db.objectStoreNames.contains("items")) { db.close(); return resolve(0); }
          var request = db.transaction("items").objectStore("items").index("user").getAll(user);
          request.onsuccess = function () {
            db.close();
            resolve((request.result || []).filter(function (r) { return r.state === "queued"; }).length);
          };
          request.onerror = function () { db.close(); resolve(0); };
        };
      });
    }, function () { return 0; });
  }

  function guard(form, box) {
    form.addEventListener("submit", function (event) {
      if (document.getElementById("outbox") || form.getAttribute("data-confirmed") === "1") return;
      event.preventDefault();
      queuedCount(Number(box.getAttribute("data-outbox-user"))).then(function (n) {
        var text = box.getAttribute("data-outbox-warning").split("{n}").join(String(n));
        if (n && !root.confirm(text)) return;
        form.setAttribute("data-confirmed", "1");
        form.submit();
      });
    });
  }

  function showCount(box) {
    var line = document.querySelector("[data-outbox-line]"), badge = document.querySelector("[data-outbox-badge]");
    if (!line && !badge) return;
    queuedCount(Number(box.getAttribute("data-outbox-user"))).then(function (n) {
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = String(n); });
      if (line) line.classList.toggle("todo-zero", n === 0);
      if (badge) { badge.textContent = String(n); badge.hidden = n === 0; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-outbox-user]");
    if (!box) return;
    showCount(box);
    box.querySelectorAll("form[action='/logout'], form[action='/logout-all']").forEach(function (form) {
      guard(form, box);
    });
  });
})(window);
