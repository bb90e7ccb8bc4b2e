// Transcript editing screen: "▶ 0:15" plays the cut from that segment's start.
(function () {
  "use strict";
  var player = document.querySelector("[data-transcript-player]");

  function playFrom(seconds) {
    player.currentTime = seconds;
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }

  document.querySelectorAll("[data-seek]").forEach(function (button) {
    if (!player) { button.disabled = true; return; }
    button.addEventListener("click", function () {
      var seconds = parseFloat(button.getAttribute("data-seek")) || 0;
      if (player.readyState >= 1) { playFrom(seconds); return; }
      // Nothing loaded yet: a seek now would be forgotten; seek once the length is known.
      player.addEventListener("loadedmetadata", function () { playFrom(seconds); }, { once: true });
      player.load();
    });
  });
}());
