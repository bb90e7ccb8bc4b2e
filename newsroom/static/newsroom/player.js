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

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-player]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
