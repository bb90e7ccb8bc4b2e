// Transcript editing screen: "▶ 0:15" plays the cut from that segment's start.
(function () {
  "use strict";
  var player = document.querySelector("[data-transcript-player]");
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    if (!player) { button.disabled = true; return; }
    button.addEventListener("click", function () {
      player.currentTime = parseFloat(button.getAttribute("data-seek")) || 0;
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    });
  });
}());
