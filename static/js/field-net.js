// The tablet's transport to the JSON API (/api/v1).
//
// Every write of the field screen goes through ONE function:
//     CCHCField.net.submit(kind, url, payload[, headers]) -> Promise<{status, body}>
// kind: "start" | "result" | "finding" | "photo" | "close"; payload: a plain object (for "photo",
// its `file` is a Blob), already carrying its client_uuid and device_time, so a retry re-sends
// exactly the same request and the server stores it once. The promise rejects only when no
// answer came back (no signal, timeout). The offline outbox can wrap or replace this function:
// the screen looks it up on CCHCField.net at every call.
(function (root) {
  "use strict";

  var TIMEOUT_MS = {photo: 120000, other: 30000};

  // RFC 4122 version 4, from crypto.getRandomValues (crypto.randomUUID needs a secure context).
  function uuid4() {
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // ISO 8601 with the device's own offset, e.g. 2025-06-12T09:15:03+07:00.
  function deviceTime(date) {
    var d = date || new Date();
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var abs = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) +
      ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function encode(kind, payload) {
    if (kind !== "photo") {
      return {headers: {"Content-Type": "application/json"}, body: JSON.stringify(payload)};
    }
    var form = new FormData();
    Object.keys(payload).forEach(function (key) {
      if (key === "file") form.append("file", payload.file, payload.filename || "anh.jpg");
      else if (key !== "filename" && payload[key] !== null && payload[key] !== undefined) form.append(key, payload[key]);
    });
    return {headers: {}, body: form};
  }

  // {status, body}: a JSON answer as it came; an HTML answer after a redirect (the sign-in page)
  // as 401, so the screen can say the session expired.
  function answer(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) {
      return {status: response.redirected ? 401 : response.status, body: null};
    }
    return response.json().then(
      function (data) { return {status: response.status, body: data}; },
      function () { return {status: response.status, body: null}; });
  }

  function request(url, options, timeout) {
    var controller = root.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeout) : null;
    options.credentials = "same-origin";
    if (controller) options.signal = controller.signal;
    return root.fetch(url, options).then(answer).then(
      function (result) { clearTimeout(timer); return result; },
      function (error) { clearTimeout(timer); throw error; });
  }

  // `extra`: more headers, e.g. the outbox's `Authorization: Bearer <device token>`.
  function submit(kind, url, payload, extra) {
    var encoded = encode(kind, payload);
    encoded.headers["X-CSRFToken"] = csrfToken();
    Object.keys(extra || {}).forEach(function (name) { encoded.headers[name] = extra[name]; });
    encoded.headers.Accept = "application/json";
    return request(url, {method: "POST", headers: encoded.headers, body: encoded.body},
      TIMEOUT_MS[kind] || TIMEOUT_MS.other);
  }

  function getJSON(url) {
    return request(url, {headers: {Accept: "application/json"}}, TIMEOUT_MS.other);
  }

  root.CCHCField = root.CCHCField || {};
  root.CCHCField.net = {uuid4: uuid4, deviceTime: deviceTime, csrfToken: csrfToken, submit: submit, getJSON: getJSON};
})(window);
