// One inspection on the tablet: loading, the header, starting it, the optional location, findings
// and their photos, the free finding form and closing the minutes (the checklist: field-checklist.js).
(function () {
  "use strict";

  var F = window.CCHCField, U = F.ui, S = F.state;
  var t = U.t, $ = U.$, make = U.make, fromTemplate = U.fromTemplate, clock = U.clock, note = U.note, api = U.api;
  var Submission = U.Submission, send = U.send, samePayload = U.samePayload, clearInvalid = U.clearInvalid;
  var C = F.checklist;
  var WRITABLE = ["in_progress", "minutes_closed", "conclusion_drafted"];
  var dates = U.dates;
  var NC = "non_compliant";

  // ---------------------------------------------------------------- one inspection: loading, header

  function initInspection(root) {
    S.root = root;
    S.api = root.getAttribute("data-api-root");
    S.id = Number(root.getAttribute("data-inspection-id"));
    S.userId = Number(root.getAttribute("data-user-id"));
    if (F.outbox) {
      F.outbox.describe = describe;
      F.outbox.onDelivered = refresh;  // the server has more of it now: read its copy again
    }
    F.local.load().then(function (res) {
      if (res.status !== 200) return note($("#field-loading"), t("err.load"));
      $("#field-loading").hidden = true;
      build(res.body);
      initGeo();  // shown with the rest of the card, in the same frame: nothing below it moves
    }, function () { note($("#field-loading"), t("err.load")); });
    wireStatic();
  }

  // The outbox's line for an item: the criterion's code and the words of its verdict, never raw values.
  function describe(kind, p) {
    if (kind === "result") {
      var item = S.items.filter(function (i) { return i.data.id === p.item_id; })[0];
      var text = (item ? item.data.code + " — " : "") + t("value." + p.value);
      return p.value === NC ? text + ": " + p.description : text;
    }
    if (kind === "finding") return t("severity." + p.severity) + ": " + p.description;
    if (kind === "close") return p.representative_name;
    if (kind === "sign") return t("sign.item") + ": " + (p.role === "lead" ? t("team.lead") : t("sign.unit"));
    if (kind === "photo") return p.filename;
    return S.data ? S.data.title : "";
  }

  function build(data) {
    S.data = data;
    S.findings = data.findings;
    var results = {};
    data.results.forEach(function (r) { results[r.item_id] = r; });
    S.items = data.template.items.map(function (d, n) { return new C.Item(d, n, results[d.id]); });
    C.renderChecklist();
    renderHeader();
    renderFindings();
    restoreFreeDraft();
    C.go(C.firstOpenItem());
  }

  function renderHeader() {
    var d = S.data;
    $("[data-bind=kind]").textContent = t("kind." + d.kind) + (d.number ? " · " + d.number : "");
    $("[data-bind=unit]").textContent = d.unit.name + (d.unit.address ? " — " + d.unit.address : "");
    $("[data-bind=dates]").textContent = dates(d);
    $("[data-bind=team]").textContent = d.team.map(function (m) {
      return m.name + " (" + t("team." + m.role) + ")";
    }).join(", ");
    renderStatus();
  }

  function isLead() {
    return S.data.team.some(function (m) { return m.user_id === S.userId && m.role === "lead"; });
  }

  function writable() {
    return WRITABLE.indexOf(S.data.status) !== -1;
  }

  function renderStatus() {
    var status = S.data.status, badge = $("[data-bind=status]");
    badge.textContent = t("status." + status);
    badge.className = "badge field-status st-" + status;
    $("#status-local").hidden = !(S.data.local && S.data.local.status);
    $("#start-box").hidden = ["planned", "announced"].indexOf(status) === -1;
    $("#work").hidden = !$("#start-box").hidden;
    $("#close-box").hidden = !(status === "in_progress" && isLead());
    $("#free-box").hidden = !writable();
    $("#closed-note").hidden = !(status !== "in_progress" && writable());
    $("#closed-note").textContent = t("closed.note");
    S.items.forEach(C.renderItem);
    C.renderProgress();
    if (F.minutes) F.minutes.render();
  }

  // ---------------------------------------------------------------- start, geolocation

  function wireStatic() {
    $("#start-btn").addEventListener("click", start);
    $("#geo-btn").addEventListener("click", locate);
    $("#prev-btn").addEventListener("click", function () { C.go(S.index - 1, true); });
    $("#next-btn").addEventListener("click", function () { C.go(S.index + 1, true); });
    document.querySelectorAll(".view-toggle [data-view]").forEach(function (button) {
      button.addEventListener("click", function () { C.setView(button.getAttribute("data-view")); });
    });
    $("#free-form").addEventListener("submit", saveFree);
    $("#free-form").addEventListener("input", function () { clearInvalid($("#free-state")); keepFreeDraft(); });
    $("#free-form").addEventListener("change", keepFreeDraft);
    $("#free-photo").addEventListener("change", function (e) { takePhotos(S.free, e.target, $("#free-photos")); });
    $("#close-btn").addEventListener("click", openClose);
    $("#close-cancel").addEventListener("click", function () { $("#close-dialog").close(); });
    $("#close-form").addEventListener("submit", saveClose);
  }

  function start() {
    var payload = {device_time: F.net.deviceTime(), location: geoText()};
    var sub = new Submission("start", api("/inspections/" + S.id + "/start"), payload, $("#start-state"), {
      busy: function (on) { $("#start-btn").disabled = on; },
      saved: function (body) {
        S.data.status = body.inspection.status;
        S.data.local.status = Boolean(body.inspection.local);
        renderStatus();
        C.go(S.index, true);
      },
      refused: function () { refresh(); }  // e.g. a teammate started it meanwhile
    });
    send(sub);
  }

  // The server's copy read again, with what still waits on the tablet over it; what is being typed stays.
  function refresh() {
    if (!S.data) return;
    F.local.load().then(function (res) {
      if (res.status !== 200) return;
      var results = {};
      res.body.results.forEach(function (r) { results[r.item_id] = r; });
      S.data.status = res.body.status;
      S.data.local = res.body.local;
      S.findings = res.body.findings;
      S.items.forEach(function (item) {
        item.result = results[item.data.id] || null;
        item.finding = C.findingOf(item);
        if (item.finding) uploadAll(item, item.finding);  // photos that waited for their finding
        C.showSaved(item);
      });
      renderStatus();
      renderFindings();
    }, function () { /* keep what is on screen; the next write reports the connection */ });
  }

  function initGeo() {
    if (!navigator.geolocation) return;
    $("#geo-box").hidden = false;
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({name: "geolocation"}).then(function (p) {
        if (p.state === "granted") locate();
      }, function () {});
    }
  }

  // Only when the user allows it; never waited for by a submission.
  function locate() {
    $("#geo-state").textContent = t("geo.asking");
    navigator.geolocation.getCurrentPosition(function (pos) {
      S.position = {latitude: +pos.coords.latitude.toFixed(6), longitude: +pos.coords.longitude.toFixed(6),
                    accuracy: Math.round(pos.coords.accuracy)};
      $("#geo-state").textContent = t("geo.on", {lat: S.position.latitude, lng: S.position.longitude,
                                                 acc: S.position.accuracy});
    }, function () {
      $("#geo-state").textContent = t("geo.off");
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 300000});
  }

  function geoText() {
    var p = S.position;
    return p ? p.latitude + ", " + p.longitude + " (±" + p.accuracy + " m)" : "";
  }

  // ---------------------------------------------------------------- findings and photos

  function takePhotos(owner, input, list) {
    Array.prototype.forEach.call(input.files || [], function (file) {
      var photo = {file: file, url: URL.createObjectURL(file), uuid: F.net.uuid4(),
                   time: F.net.deviceTime(), sub: null, li: fromTemplate("tpl-photo")};
      $("img", photo.li).src = photo.url;
      $("img", photo.li).alt = t("photo.alt", {name: file.name});
      note($(".photo-state", photo.li), t("photo.waiting"), "unsaved");
      list.appendChild(photo.li);
      owner.photos.push(photo);
    });
    input.value = "";
    var finding = owner.finding || owner.saved;
    if (finding) uploadAll(owner, finding);
    var save = owner.card ? $(".save-finding", owner.card) : $("#free-form button[type=submit]");
    save.scrollIntoView({block: "nearest"});  // the preview and the button that saves it, both in view
  }

  // Photos are addressed by their finding's client UUID, so one taken offline goes after its finding.
  function uploadAll(owner, finding) {
    owner.photos.forEach(function (photo) {
      if (!photo.sub) {
        photo.sub = new Submission("photo", api("/inspections/" + S.id + "/photos"), {
          file: photo.file, filename: photo.file.name || "anh.jpg", client_uuid: photo.uuid,
          finding_uuid: finding.client_uuid, device_time: photo.time, kind: "before"}, $(".photo-state", photo.li), {
          saved: function () { refresh(); }  // its thumbnail under its finding, on the server or still on the device
        });
        send(photo.sub);
      }
    });
  }

  function renderFindings() {
    var list = $("#finding-list");
    list.textContent = "";
    if (!S.findings.length) list.appendChild(make("li", "muted", t("finding.none")));
    S.findings.forEach(function (f) {
      var li = make("li", "finding-entry sev-" + f.severity);
      var item = S.items.filter(function (i) { return i.data.id === f.item_id; })[0];
      li.appendChild(make("span", "badge sev-badge", t("severity." + f.severity)));
      li.appendChild(make("strong", "finding-where", item ? item.data.code + " " + item.data.criterion : t("finding.free")));
      li.appendChild(make("span", "finding-text", f.description));
      if (f.local) li.appendChild(make("span", "local-mark", t("local")));
      li.appendChild(F.local.thumbnails(f));
      list.appendChild(li);
    });
  }

  function saveFree(event) {
    event.preventDefault();
    var form = $("#free-form"), box = $("#free-state");
    var content = {description: $("#free-description").value.trim(), severity: C.severityOf(form),
                   latitude: S.position ? S.position.latitude : null,
                   longitude: S.position ? S.position.longitude : null};
    if (!content.severity) return note(box, t("need.severity"), "invalid");
    if (!content.description) return note(box, t("need.description"), "invalid");
    var last = S.freeSub;
    if (last && last.state === "error" && samePayload(last.content, content)) return send(last);  // same UUID
    var owner = S.free;
    S.freeSub = new Submission("finding", api("/inspections/" + S.id + "/findings"),
      Object.assign({client_uuid: F.net.uuid4(), device_time: F.net.deviceTime()}, content), box, {
        busy: function (on) { $("button[type=submit]", form).disabled = on; },
        saved: function (body) { freeSaved(owner, body); }
      });
    S.freeSub.content = content;
    send(S.freeSub);
  }

  function freeSaved(owner, body) {
    owner.saved = body.finding || null;
    S.free = {photos: []};  // the next free finding starts empty; this one's photos show under its entry
    $("#free-description").value = "";
    C.checkRadio($("#free-form"), "");
    F.local.dropDraft("free");
    $("#free-photos").textContent = "";
    if (!owner.saved) return;  // a correction (202): no finding until the lead accepts it
    uploadAll(owner, owner.saved);
    refresh();
  }

  // What is typed in the free finding's form, kept on the tablet on every change.
  function keepFreeDraft() {
    F.local.keepDraft("free", {severity: C.severityOf($("#free-form")), description: $("#free-description").value});
  }

  function restoreFreeDraft() {
    var kept = F.local.draft("free");
    if (!kept || !(kept.description || kept.severity)) return;
    $("#free-description").value = kept.description || "";
    C.checkRadio($("#free-form"), kept.severity || "");
    note($("#free-state"), t("state.draft"), "unsaved");
  }

  // ---------------------------------------------------------------- closing the minutes

  function openClose() {
    var left = S.items.filter(function (i) { return !i.result; }).length;
    $("#close-warning").hidden = !left;
    $("#close-warning").textContent = t("close.unmarked", {n: left});
    $("#close-summary").textContent = t("close.summary", tally());
    prefill(S.data.minutes || {});
    $("#close-dialog").showModal();
    $("#rep-name").focus();
  }

  // The căn cứ as the office entered it, the start time of the tablet's start, the end time now.
  function prefill(m) {
    document.querySelectorAll("#close-form [data-part]").forEach(function (input) {
      var name = input.getAttribute("data-part");
      if (!input.value) input.value = name === "decision_date" ? typedDate(m[name]) : m[name] || "";
    });
    if (!$("#min-began").value) $("#min-began").value = m.started || clock();
    if (!$("#min-ended").value) $("#min-ended").value = clock();
  }

  // The decision's date is typed dd/mm/yyyy like every date of the app (a date picker follows the
  // tablet's language); the API takes it as ISO. "" for a date that is not one.
  function isoDate(text) {
    var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text || "");
    var day = m && new Date(Date.UTC(+m[3], +m[2] - 1, +m[1]));
    return day && day.getUTCDate() === +m[1] && day.getUTCMonth() === +m[2] - 1 ? day.toISOString().slice(0, 10) : "";
  }

  function typedDate(iso) {
    var part = (iso || "").split("-");
    return part.length === 3 ? part[2] + "/" + part[1] + "/" + part[0] : "";
  }

  function parts() {
    var found = {};
    document.querySelectorAll("#close-form [data-part]").forEach(function (input) {
      found[input.getAttribute("data-part")] = input.value.trim();
    });
    return found;
  }

  function tally() {
    var counts = {total: S.items.length, compliant: 0, non_compliant: 0, not_applicable: 0, findings: S.findings.length};
    S.items.forEach(function (i) { if (i.result) counts[i.result.value] += 1; });
    return counts;
  }

  function saveClose(event) {
    event.preventDefault();
    var box = $("#close-state");
    var content = Object.assign({representative_name: $("#rep-name").value.trim(),
                                 representative_title: $("#rep-title").value.trim()}, parts());
    if (!content.representative_name) return note(box, t("need.representative"), "invalid");
    if (!(content.decision_number && content.decision_date && content.decision_issuer && content.decision_summary)) {
      return note(box, t("need.basis"), "invalid");
    }
    var iso = isoDate(content.decision_date);
    if (!iso) return note(box, t("need.date", {text: content.decision_date}), "invalid");
    content.decision_date = iso;
    if (!(content.began && content.ended)) return note(box, t("need.times"), "invalid");
    var last = S.closeSub;
    if (last && last.state === "error" && samePayload(last.content, content)) return send(last);
    S.closeSub = new Submission("close", api("/inspections/" + S.id + "/close-minutes"),
      Object.assign({device_time: F.net.deviceTime()}, content), box, {
        busy: function (on) { $("#close-confirm").disabled = on; },
        saved: function (body) {
          S.data.status = body.inspection.status;
          S.data.minutes = Object.assign({}, S.data.minutes, content, {signatures: []});
          $("#close-dialog").close();
          renderStatus();
        }
      });
    S.closeSub.content = content;
    send(S.closeSub);
  }

  F.inspection = {init: initInspection, writable: writable, refresh: refresh, takePhotos: takePhotos,
                  uploadAll: uploadAll};
})();
