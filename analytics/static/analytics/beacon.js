/* Hội Tụ first-party beacon: no cookie, no third party. Posts page views, engaged time
   (a heartbeat every 15 s while the tab is visible and the reader active in the last
   30 s), audio/video plays and progress, and paywall impressions/conversions to
   /a/collect. Other scripts may call window.hoituTrack(kind, extra). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.dataset.page || !me.dataset.site) return;
  var page = parseInt(me.dataset.page, 10);
  var site = parseInt(me.dataset.site, 10);
  var endpoint = me.dataset.endpoint || "/a/collect";
  var BEAT = 15, IDLE = 30;

  function send(kind, extra) {
    var body = { k: kind, p: page, s: site };
    for (var key in extra || {}) body[key] = extra[key];
    var data = JSON.stringify(body);
    // text/plain keeps sendBeacon a "simple" request; the server parses JSON anyway.
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([data], { type: "text/plain" }))) return;
    try { fetch(endpoint, { method: "POST", body: data, keepalive: true, credentials: "same-origin" }); } catch (e) {}
  }
  window.hoituTrack = send;

  send("pageview", document.referrer ? { r: document.referrer.slice(0, 500) } : {});

  var lastActive = Date.now(), lastBeat = Date.now();
  ["scroll", "mousemove", "keydown", "touchstart", "click"].forEach(function (name) {
    addEventListener(name, function () { lastActive = Date.now(); }, { passive: true });
  });
  function beat(force) {
    var now = Date.now();
    var seconds = Math.min(60, Math.round((now - lastBeat) / 1000));
    lastBeat = now;
    if (document.visibilityState !== "visible" && !force) return;
    if (now - lastActive > IDLE * 1000 || seconds < 1) return;
    send("heartbeat", { sec: seconds });
  }
  setInterval(beat, BEAT * 1000);
  var left = false;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beat(true); } else { lastBeat = Date.now(); left = false; }
  });
  // Leaving the page does not always hide it first (navigation, closing a tab).
  addEventListener("pagehide", function () { if (!left) { left = true; beat(true); } });

  // Audio and video: a play, then progress every 15 s of actual playing.
  document.querySelectorAll("audio, video").forEach(function (el) {
    var kind = el.tagName === "AUDIO" ? "audio" : "video", played = 0, reported = 0;
    el.addEventListener("play", function () { send("media_play", { m: kind }); });
    el.addEventListener("timeupdate", function () {
      played = el.currentTime;
      var delta = Math.round(played - reported);
      if (delta >= BEAT && delta <= 60) { send("media_progress", { m: kind, sec: delta }); reported = played; }
      else if (delta < 0 || delta > 60) reported = played; // seeking
    });
  });

  // The paywall marks its box with data-paywall and fires "hoitu:paywall-conversion".
  if (document.querySelector("[data-paywall]")) send("paywall_impression");
  document.addEventListener("hoitu:paywall-conversion", function () { send("paywall_conversion"); });
})();
