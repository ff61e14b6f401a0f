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

  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-link"));
    var status = button.closest(".share__copy").querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = gettext("Link copied."); },
        function () { field.select(); status.textContent = gettext("Press Ctrl+C (⌘C on a Mac) to copy."); }
      );
    });
  });

  document.querySelectorAll("[data-share-url-field]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
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
