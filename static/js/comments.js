/* Comments, progressively enhanced: inline reply forms, posting and liking without a reload,
   drafts kept in sessionStorage, share links copied, "More comments" loaded in place, relative
   times kept current, and a notice when others post new comments while the page is open.
   Without this file every form still works by a normal POST and every link is a link.
   Texts come translated from the discussion's data-msg-* attributes (comments/thread.html). */
(function () {
  "use strict";
  // The strings of the page's language, from /jsi18n/ (Django's JavaScript catalogue); the
  // English text when it has not loaded.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }

  var discussion = document.querySelector("[data-discussion]");
  if (!discussion || !window.fetch || !window.FormData) { return; }

  var HEADERS = { "X-Requested-With": "XMLHttpRequest" };
  var live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  discussion.appendChild(live);

  function announce(text) { live.textContent = text; }
  function msg(name) { return discussion.getAttribute("data-msg-" + name) || ""; }

  function newToken() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function draftKey(form) {
    var parent = form.querySelector("[name=parent]");
    // Keyed by page, not form action: the anonymous draft form and the signed-in form share it.
    return "comment-draft:" + window.location.pathname + ":" + (parent ? parent.value : "");
  }

  function keepDrafts(form) {
    var body = form.querySelector("textarea[name=body]");
    if (!body) { return; }
    try {
      var saved = window.sessionStorage.getItem(draftKey(form));
      if (saved && !body.value) { body.value = saved; }
      body.addEventListener("input", function () {
        window.sessionStorage.setItem(draftKey(form), body.value);
      });
    } catch (e) { /* storage disabled: the server keeps drafts across a login anyway */ }
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  }

  function forgetDraft(form) {
    try { window.sessionStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
  }

  function insertComment(item) {
    var parentId = item.getAttribute("data-parent");
    var list;
    if (parentId) {
      var parent = document.getElementById("c" + parentId);
      if (!parent) { return false; }
      var folded = parent.querySelector(":scope > [data-replies]");
      if (folded) { folded.open = true; }
      list = parent.querySelector(":scope > [data-replies] > .comment-list--replies, :scope > .comment-list--replies");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list comment-list--replies";
        parent.appendChild(list);
      }
      list.appendChild(item);
    } else {
      list = discussion.querySelector("[data-comment-list]");
      var empty = discussion.querySelector("[data-comment-empty]");
      if (empty) { empty.remove(); }
      list.insertBefore(item, list.firstChild);
    }
    enhance(item);
    return true;
  }

  function onSubmit(event) {
    var form = event.target;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button.disabled) { return; }  // a double click sends one request
    button.disabled = true;
    var errors = form.querySelector("[data-comment-errors]");
    fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), headers: HEADERS, credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 401) {
        return response.json().then(function (data) { window.location.assign(data.login_url); });
      }
      if (response.status === 201) {
        return response.text().then(function (html) {
          var item = fragment(html);
          forgetDraft(form);
          form.reset();
          form.querySelector("textarea[name=body]").value = "";
          form.querySelector("[name=client_token]").value = newToken();
          if (errors) { errors.textContent = ""; }
          if (!insertComment(item)) { window.location.assign("/comments/" + item.getAttribute("data-comment") + "/"); return; }
          if (form.hasAttribute("data-inline-reply")) { form.remove(); }
          // The card shows its confirmation; the live region says it (inserted regions are
          // not reliably read), held or posted as the server decided.
          item.querySelectorAll(".comment__note[role]").forEach(function (note) { note.removeAttribute("role"); });
          announce(item.classList.contains("comment--held") ? msg("held") : msg("posted"));
          item.focus();
        });
      }
      if (response.status === 400) {
        return response.text().then(function (html) {
          errors.innerHTML = html;
          var alert = errors.querySelector("[role=alert]");
          if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
        });
      }
      form.submit();  // anything unexpected: let the server handle a normal post
    }).catch(function () { form.submit(); }).finally(function () { button.disabled = false; });
  }

  function openReply(event) {
    var link = event.currentTarget;
    var item = link.closest("[data-comment]");
    var slot = item.querySelector(":scope > [data-reply-slot]");
    event.preventDefault();
    var existing = slot.querySelector("form");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    fetch(link.href, { headers: HEADERS, credentials: "same-origin" }).then(function (response) {
      if (response.redirected || !response.ok) { window.location.assign(link.href); return; }
      return response.text().then(function (html) {
        var form = fragment(html);
        form.setAttribute("data-inline-reply", "");
        var cancel = document.createElement("button");
        cancel.type = "button";
        cancel.className = "link-button";
        cancel.textContent = msg("cancel");
        cancel.addEventListener("click", function () { form.remove(); link.focus(); });
        form.appendChild(cancel);
        slot.appendChild(form);
        enhanceForm(form);
        form.querySelector("textarea").focus();
      });
    }).catch(function () { window.location.assign(link.href); });
  }

  function onLike(event) {
    var form = event.target;
    event.preventDefault();
    fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), headers: HEADERS, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { form.submit(); return; }
      return response.json().then(function (data) {
        var button = form.querySelector("button");
        form.querySelector("[name=action]").value = data.liked ? "unlike" : "like";
        button.setAttribute("aria-pressed", data.liked ? "true" : "false");
        // The count as the server writes it: " 3" and a hidden "likes"; nothing for none.
        var count = form.querySelector("[data-like-count]");
        count.textContent = "";
        if (data.like_count) {
          var words = document.createElement("span");
          words.className = "visually-hidden";
          words.textContent = " " + data.label;
          count.append(" " + data.like_count, words);
        }
      });
    }).catch(function () { form.submit(); });
  }

  function enhanceForm(form) {
    if (form.hasAttribute("data-enhanced")) { return; }
    form.setAttribute("data-enhanced", "");
    form.addEventListener("submit", onSubmit);
    keepDrafts(form);
  }

  function note(item, text) {
    var card = item.querySelector(":scope > .comment__card");
    if (!card) { return; }
    var old = card.querySelector(":scope > [data-copied]");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    p.className = "comment__note";
    p.setAttribute("data-copied", "");
    p.textContent = text;
    card.insertBefore(p, card.firstChild);
    window.setTimeout(function () { p.remove(); }, 4000);
  }

  // Share: copy the comment's address where the browser allows; otherwise follow the link.
  function onShare(event) {
    var link = event.currentTarget;
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      note(link.closest("[data-comment]"), msg("copied"));
      announce(msg("copied"));
    }).catch(function () { window.location.assign(link.href); });
  }

  // The More menu closes with Escape (focus back on its button) and when focus leaves it.
  function enhanceMenu(menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) { menu.open = false; }
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-share-link]").forEach(function (link) {
      link.addEventListener("click", onShare);
    });
    root.querySelectorAll(".comment__more").forEach(enhanceMenu);
    refreshTimes(root);
    root.querySelectorAll("[data-comment-form]").forEach(enhanceForm);
    root.querySelectorAll("[data-reply-link]").forEach(function (link) {
      link.addEventListener("click", openReply);
    });
    root.querySelectorAll("[data-like-form]").forEach(function (form) {
      form.addEventListener("submit", onLike);
    });
  }

  document.addEventListener("click", function (event) {
    discussion.querySelectorAll(".comment__more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });

  /* Relative times ("2 h ago") come from the server, possibly from a cached page: recount
     them from their datetime in the page's language. Older than a week they show a date. */
  function refreshTimes(root) {
    if (!window.Intl || !Intl.RelativeTimeFormat) { return; }
    var format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto", style: "short" });
    var now = Date.now();
    root.querySelectorAll("time[data-relative]").forEach(function (time) {
      var seconds = (now - Date.parse(time.getAttribute("datetime"))) / 1000;
      if (isNaN(seconds) || seconds >= 7 * 86400) { return; }
      seconds = Math.max(seconds, 0);
      if (seconds < 60) { time.textContent = format.format(0, "second"); }
      else if (seconds < 3600) { time.textContent = format.format(-Math.floor(seconds / 60), "minute"); }
      else if (seconds < 86400) { time.textContent = format.format(-Math.floor(seconds / 3600), "hour"); }
      else { time.textContent = format.format(-Math.floor(seconds / 86400), "day"); }
    });
  }

  /* A link to a comment inside folded replies: unfold them (browsers that do not already). */
  function revealTarget() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (!target || !discussion.contains(target)) { return; }
    var folded = false;
    for (var node = target.parentElement; node && node !== discussion; node = node.parentElement) {
      if (node.tagName === "DETAILS" && node.hasAttribute("data-replies") && !node.open) { node.open = true; folded = true; }
    }
    if (folded) { target.scrollIntoView(); }
  }

  /* "More comments": the next page's threads added in place. The link stays a link without
     this (and on any failure); focus moves to the first new thread, and the live region says so. */
  function onMore(event) {
    var link = event.currentTarget;
    var nav = link.closest("[data-comment-pages]");
    var list = discussion.querySelector("[data-comment-list]");
    if (!nav || !list || !window.DOMParser) { return; }
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") { return; }
    link.setAttribute("aria-disabled", "true");
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var items = page.querySelectorAll("[data-comment-list] > [data-comment]");
      var first = null;
      items.forEach(function (item) {
        if (document.getElementById(item.id)) { return; }  // already shown (a new comment moved it)
        var adopted = document.importNode(item, true);
        list.appendChild(adopted);
        enhance(adopted);
        if (!first) { first = adopted; }
      });
      var next = page.querySelector("[data-comment-pages]");
      if (next) {
        next = document.importNode(next, true);
        var previous = next.querySelector("[rel=prev]");
        if (previous) { previous.remove(); }  // the earlier pages are all still above
        nav.replaceWith(next);
        enhancePages(next);
      } else {
        nav.remove();
      }
      announce(msg("more"));
      if (first) { first.focus(); }
    }).catch(function () { window.location.assign(link.href); });
  }

  function enhancePages(nav) {
    var more = nav.querySelector("[data-more-comments]");
    if (more) { more.addEventListener("click", onMore); }
  }

  enhance(discussion);
  discussion.querySelectorAll("[data-comment-pages]").forEach(enhancePages);
  window.addEventListener("hashchange", revealTarget);
  revealTarget();

  /* New comments while the page is open: a conditional GET (If-None-Match) every
     data-live-interval seconds (15 by default), skipped while the tab is hidden. The server
     answers 304 until the discussion changes. The notice sits in a polite live region fixed
     over the page, so nothing moves and focus stays where the reader is. */
  function watchForNewComments() {
    var url = discussion.getAttribute("data-live-url");
    var since = discussion.getAttribute("data-live-since");
    var notice = discussion.querySelector("[data-live-notice]");
    if (!url || !since || !notice) { return; }
    var seconds = parseFloat(discussion.getAttribute("data-live-interval")) || 15;
    var interval = Math.max(seconds, 0.5) * 1000;
    var etag = null;
    var shown = 0;
    var timer = null;

    function show(count, href) {
      if (count === shown) { return; }
      shown = count;
      notice.textContent = "";
      if (!count) { return; }
      var link = document.createElement("a");
      link.className = "live-notice__link";
      link.href = href;
      link.textContent = count + (count === 1 ? " new comment" : " new comments") + ": show";
      link.addEventListener("click", function (event) {
        // Already at that address, following the link would only scroll: load it afresh.
        if (link.pathname + link.search === window.location.pathname + window.location.search) {
          event.preventDefault();
          window.location.reload();
        }
      });
      notice.appendChild(link);
    }

    function check() {
      timer = null;
      if (document.visibilityState === "hidden") { return; }  // resumed by visibilitychange
      var headers = {};
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url + "?after=" + encodeURIComponent(since), {
        headers: headers, credentials: "same-origin", cache: "no-store"
      }).then(function (response) {
        if (response.status === 304 || !response.ok) { return null; }
        etag = response.headers.get("ETag");
        return response.json();
      }).then(function (data) {
        if (data) { show(data.count, data.url); }
      }).catch(function () { /* offline: try again next time */ }).finally(schedule);
    }

    function schedule() {
      if (timer === null && document.visibilityState !== "hidden") {
        timer = window.setTimeout(check, interval);
      }
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      } else {
        schedule();
      }
    });
    schedule();
  }

  watchForNewComments();
})();
