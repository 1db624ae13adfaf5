// The field screen as the inspector left it: the server's last copy of the inspection (or the service
// worker's kept one when there is no signal) with the items still waiting on this tablet (the outbox,
// IndexedDB) laid over it: a start, verdicts, findings, photos and the close, each marked "chưa đồng bộ"
// until the server has it. And drafts: what is being typed (a finding, a note) is kept on the device on
// every change, so a reload, a crash or a closed tab loses nothing.
(function () {
  "use strict";

  var F = window.CCHCField, U = F.ui, S = F.state;
  var NC = "non_compliant";
  var blobs = {};  // a waiting photo's client UUID → its object URL (made once per page)

  // {status, body}: the inspection's JSON with this inspection's waiting items laid over it.
  function load() {
    return F.net.getJSON(U.api("/inspections/" + S.id)).then(function (res) {
      if (res.status !== 200) return res;
      return waiting().then(function (rows) {
        res.body = overlay(res.body, rows);
        return res;
      });
    });
  }

  function waiting() {
    if (!F.outbox || !F.outbox.pending) return Promise.resolve([]);
    return F.outbox.pending(S.id).then(function (rows) {
      return rows.filter(function (r) { return r.state === "queued"; });
    }, function () { return []; });
  }

  function overlay(data, rows) {
    var results = {}, findings = data.findings.slice();
    data.results.forEach(function (r) { results[r.item_id] = r; });
    data.local = {status: false, photos: {}};
    rows.forEach(function (row) { LAY[row.kind](data, row.payload, results, findings); });
    data.results = Object.keys(results).map(function (id) { return results[id]; });
    data.findings = findings;
    return data;
  }

  // How each waiting item changes the server's copy, as the server will once it has the item.
  var LAY = {
    start: function (data) {
      if (data.status === "planned" || data.status === "announced") {
        data.status = "in_progress";
        data.local.status = true;
      }
    },
    close: function (data, p) {
      if (data.status !== "in_progress") return;
      data.status = "minutes_closed";
      data.local.status = true;
      data.minutes = Object.assign({}, data.minutes, p, {signatures: []});
    },
    sign: function (data, p) {
      var m = data.minutes = data.minutes || {signatures: []};
      m.signatures = (m.signatures || []).filter(function (s) { return s.role !== p.role; });
      m.signatures.push({role: p.role, signed_at: p.device_time, image: p.image, local: true});
    },
    result: function (data, p, results, findings) {
      results[p.item_id] = {id: null, item_id: p.item_id, value: p.value, note: p.note || "", version: p.version,
                            client_uuid: p.client_uuid, device_time: p.device_time, received_at: null, local: true};
      var at = findings.map(function (f) { return f.item_id; }).indexOf(p.item_id);
      var old = at === -1 ? null : findings[at];
      if (p.value !== NC) {
        if (old && !old.photos.length) findings.splice(at, 1);
        return;
      }
      if (old) findings[at] = localFinding(p, old);
      else findings.push(localFinding(p, null));
    },
    finding: function (data, p, results, findings) {
      findings.push(localFinding(p, null));
    },
    photo: function (data, p) {
      (data.local.photos[p.finding_uuid] = data.local.photos[p.finding_uuid] || []).push(p);
    }
  };

  // A finding the server keeps its identity (and photos) of when it gets the new text.
  function localFinding(p, old) {
    return {id: old ? old.id : null, item_id: p.item_id || null, severity: p.severity, description: p.description,
            client_uuid: old ? old.client_uuid : p.client_uuid, device_time: p.device_time,
            photos: old ? old.photos : [], local: true};
  }

  // ---------------------------------------------------------------- photo thumbnails

  // The finding's photos: those on the server, then those still on the tablet ("chưa đồng bộ").
  function thumbnails(finding) {
    var list = U.make("ul", "photo-list finding-photos");
    finding.photos.forEach(function (photo) {
      if (finding.id) list.appendChild(thumbnail(photoUrl(finding.id, photo.id), false));
    });
    ((S.data.local || {}).photos[finding.client_uuid] || []).forEach(function (payload) {
      if (!blobs[payload.client_uuid]) blobs[payload.client_uuid] = URL.createObjectURL(payload.file);
      list.appendChild(thumbnail(blobs[payload.client_uuid], true));
    });
    return list;
  }

  function photoUrl(findingId, photoId) {
    return S.root.getAttribute("data-photo-url").replace("/0/", "/" + findingId + "/") + "?p=" + photoId;
  }

  function thumbnail(src, local) {
    var li = U.make("li", "photo-item" + (local ? " is-local" : "")), img = U.make("img");
    img.src = src;
    img.alt = U.t(local ? "photo.local" : "photo.server");
    img.width = 96;
    img.height = 72;
    img.loading = "lazy";
    img.addEventListener("error", function () { li.replaceChildren(U.make("span", "photo-state", img.alt)); });
    li.appendChild(img);
    if (local) li.appendChild(U.make("span", "local-mark", U.t("local")));
    return li;
  }

  // ---------------------------------------------------------------- drafts

  function key(name) {
    return "cchc-draft:" + S.userId + ":" + S.id + ":" + name;
  }

  function keepDraft(name, value) {
    try { localStorage.setItem(key(name), JSON.stringify(value)); } catch (e) { /* storage full: nothing kept */ }
  }

  function draft(name) {
    try { return JSON.parse(localStorage.getItem(key(name)) || "null"); } catch (e) { return null; }
  }

  function dropDraft(name) {
    try { localStorage.removeItem(key(name)); } catch (e) { /* nothing kept */ }
  }

  F.local = {load: load, thumbnails: thumbnails, keepDraft: keepDraft, draft: draft, dropDraft: dropDraft};
})();
