// Signing out from any page with items of this user still waiting in the tablet's outbox
// (field-outbox.js, IndexedDB "cchc-outbox") asks first, with their count. The field screens show
// their own dialog (field-outbox.js); this covers every other page. The queue is never touched here.
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

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-outbox-user]");
    if (!box) return;
    box.querySelectorAll("form[action='/logout'], form[action='/logout-all']").forEach(function (form) {
      guard(form, box);
    });
  });
})(window);
