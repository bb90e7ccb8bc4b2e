// "In mã" on the recovery codes page: the browser's print dialog.
document.querySelectorAll("[data-twofactor-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
