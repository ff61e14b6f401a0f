// Share block enhancements. The block works without this file: every link is a plain link, the
// Mastodon form submits to our server, and the article's address is shown ready to select.
(function () {
  "use strict";
  // The strings of the page's language, from /jsi18n/ (Django's JavaScript catalogue); the
  // English text when it has not loaded.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  var STORAGE_KEY = "newsite.mastodonInstance";

  function remembered() {
    try { return window.localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { return ""; }
  }
  function remember(value) {
    try { window.localStorage.setItem(STORAGE_KEY, value); } catch (e) { /* private mode */ }
  }

  document.querySelectorAll("[data-mastodon-form]").forEach(function (form) {
    var input = form.querySelector("input[name=instance]");
    if (!input) { return; }
    if (!input.value) { input.value = remembered(); }
    form.addEventListener("submit", function () {
      var value = input.value.trim();
      if (value) { remember(value); }
    });
  });

  // The link icon is a plain link to the story; where the clipboard works it copies instead.
  document.querySelectorAll("[data-copy-link]").forEach(function (link) {
    var status = link.closest(".share").querySelector("[data-copy-status]");
    var label = link.querySelector("[data-copy-label]");
    if (!navigator.clipboard || !status) { return; }
    if (label) { label.textContent = link.getAttribute("data-copy-text") || gettext("Copy link"); }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(link.getAttribute("data-copy-link")).then(
        function () { status.textContent = link.getAttribute("data-copied-text") || gettext("Link copied."); },
        function () { status.textContent = link.getAttribute("data-copy-failed-text") || gettext("Could not copy: copy the address from the address bar."); }
      );
    });
  });

  document.querySelectorAll("[data-share-native]").forEach(function (button) {
    if (typeof navigator.share !== "function") { return; }
    button.closest("li").hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title"),
        url: button.getAttribute("data-share-url")
      }).catch(function () { /* the reader closed the share sheet */ });
    });
  });
})();
