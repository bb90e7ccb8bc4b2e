/* Hội Tụ players: HLS where possible, MP4/AAC otherwise, nothing loaded before "play".
   hls.js (vendor/hls.js, Apache-2.0) is fetched only when a reader presses play in a
   browser without native HLS. */
(function () {
  "use strict";
  if (window.hoituPlayers) return;
  window.hoituPlayers = true;
  var script = document.currentScript;
  var libUrl = script && script.getAttribute("data-hls-lib");
  var libPromise = null;

  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!libPromise) {
      libPromise = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = libUrl;
        s.onload = function () { resolve(window.Hls); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return libPromise;
  }

  function nativeHls(el) {
    return el.canPlayType("application/vnd.apple.mpegurl") !== "";
  }

  function setup(el) {
    var url = el.getAttribute("data-hls");
    if (!url || el.dataset.playerReady) return;
    el.dataset.playerReady = "1";
    if (nativeHls(el)) {
      // Safari, iOS, Android: the browser plays the ladder itself; preload="none" holds.
      el.src = url;
      el.dataset.engine = "native";
      return;
    }
    if (!window.MediaSource || !libUrl) {
      el.dataset.engine = "progressive";
      return;
    }
    el.addEventListener("play", function first() {
      el.removeEventListener("play", first);
      el.pause();
      loadHls().then(function (Hls) {
        if (!Hls || !Hls.isSupported()) {
          el.dataset.engine = "progressive";
          el.play();
          return;
        }
        // Drop the MP4 fallback so only the ladder is fetched; start on the first (360p)
        // variant and never pick one larger than the player shows.
        var fallback = Array.prototype.slice.call(el.querySelectorAll("source"));
        fallback.forEach(function (s) { s.remove(); });
        el.removeAttribute("src");
        var hls = new Hls({ startLevel: 0, capLevelToPlayerSize: true });
        el.hoituHls = hls;
        el.dataset.engine = "hls.js";
        hls.on(Hls.Events.MANIFEST_PARSED, function () { el.play(); });
        hls.on(Hls.Events.ERROR, function (event, data) {
          if (data.fatal) {
            // The ladder failed: go back to the plain files, from where the reader was.
            var at = el.currentTime;
            hls.destroy();
            el.removeAttribute("src");
            fallback.forEach(function (s) { el.appendChild(s); });
            el.dataset.engine = "progressive";
            el.load();
            el.currentTime = at;
            el.play();
          }
        });
        hls.loadSource(url);
        hls.attachMedia(el);
      }, function () {
        el.dataset.engine = "progressive";
        el.play();
      });
    });
  }

  // Keyboard (docs/accessibility.md), with the player itself focused: Space plays or
  // pauses and the up and down arrows change the volume in the browsers' own controls
  // (Chromium acts on them before a page's listener, so handling them here would act
  // twice); added here, as browsers differ: the left and right arrows go back or forward
  // 5 s, Home/End to the start or the end, K plays or pauses, M mutes. Keys pressed on one
  // of the browser's buttons inside the player (reached with Tab; the player itself is
  // then not :focus-visible) are left to them. What a key did is said in a live region.
  var SEEK_STEP = 5;

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    var mm = Math.floor(s / 60);
    var ss = s % 60;
    return mm + ":" + (ss < 10 ? "0" : "") + ss;
  }

  function status(el) {
    // A polite live region beside the player: what a key did, read out by screen readers.
    if (!el.hoituStatus) {
      el.hoituStatus = document.createElement("p");
      el.hoituStatus.className = "visually-hidden";
      el.hoituStatus.setAttribute("aria-live", "polite");
      el.parentNode.insertBefore(el.hoituStatus, el.nextSibling);
    }
    return el.hoituStatus;
  }

  function seekTo(el, time) {
    var end = isFinite(el.duration) ? el.duration : time;
    el.currentTime = Math.min(Math.max(0, time), end);
    status(el).textContent = "Đến " + clock(el.currentTime) + (isFinite(el.duration) ? " / " + clock(el.duration) : "");
  }

  function onKey(event) {
    var el = event.currentTarget;
    if (event.altKey || event.ctrlKey || event.metaKey || !el.matches(":focus-visible")) return;
    switch (event.key) {
      case "k":
      case "K":
        if (el.paused) { el.play(); } else { el.pause(); }
        break;
      case "ArrowLeft": seekTo(el, el.currentTime - SEEK_STEP); break;
      case "ArrowRight": seekTo(el, el.currentTime + SEEK_STEP); break;
      case "Home": seekTo(el, 0); break;
      case "End": if (isFinite(el.duration)) seekTo(el, el.duration); break;
      case "m":
      case "M":
        el.muted = !el.muted;
        break;
      default:
        return;
    }
    event.preventDefault();  // no page scroll, and the browser's own handling does not run twice
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-player]"), function (el) {
      setup(el);
      if (!el.dataset.playerKeys) {
        el.dataset.playerKeys = "1";
        el.addEventListener("keydown", onKey);
        el.addEventListener("play", function () { status(el).textContent = "Đang phát"; });
        el.addEventListener("pause", function () { status(el).textContent = "Tạm dừng"; });
        el.addEventListener("volumechange", function () {
          status(el).textContent = el.muted ? "Tắt tiếng" : "Âm lượng " + Math.round(el.volume * 100) + "%";
        });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
