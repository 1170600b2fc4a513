// The contacts page of prospect-diary's Mini App. No third-party script: the launch parameters
// Telegram puts in the URL fragment (#tgWebAppData=…&tgWebAppThemeParams=…) are read here,
// kept in sessionStorage for reloads, and the launch data is sent in a POST body only.
"use strict";

(function () {
  var KEY = "pd-launch";

  function launchParams() {
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var query = new URLSearchParams(window.location.search);
    var saved = {};
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (e) { saved = {}; }
    var params = {
      card: fragment.get("card") || query.get("card") || saved.card || "",
      initData: fragment.get("tgWebAppData") || saved.initData || "",
      theme: fragment.get("tgWebAppThemeParams") || saved.theme || ""
    };
    try { sessionStorage.setItem(KEY, JSON.stringify(params)); } catch (e) { /* private mode */ }
    if (window.location.hash && window.history && window.history.replaceState) {
      // The launch data stays out of the address bar (and out of any bookmark or screenshot).
      window.history.replaceState(null, "", window.location.pathname);
    }
    return params;
  }

  function applyTheme(raw) {
    if (!raw) { return; }
    var theme;
    try { theme = JSON.parse(raw); } catch (e) { return; }
    var names = {
      bg_color: "--tg-bg", text_color: "--tg-text", hint_color: "--tg-hint",
      link_color: "--tg-link", secondary_bg_color: "--tg-secondary-bg"
    };
    Object.keys(names).forEach(function (key) {
      var value = theme[key];
      if (typeof value === "string" && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        document.documentElement.style.setProperty(names[key], value);
      }
    });
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function show(nodes) {
    var page = document.getElementById("page");
    page.replaceChildren.apply(page, nodes);
  }

  function refusal(message) {
    show([el("p", message || "Ссылка устарела — откройте карточку заново.", "refusal")]);
  }

  function render(card) {
    document.title = card.title;
    var nodes = [el("h1", card.title), el("p", card.subtitle, "hint")];
    var list = el("dl");
    card.rows.forEach(function (row) {
      var item = el("div");
      item.appendChild(el("dt", row.label));
      var dd = el("dd");
      var safe = row.href && /^(tel|mailto):/.test(row.href);
      if (safe) {
        var link = el("a", row.value, "big");
        link.href = row.href;
        dd.appendChild(link);
      } else {
        dd.textContent = row.value;
      }
      item.appendChild(dd);
      list.appendChild(item);
    });
    nodes.push(list);
    nodes.push(el("h2", card.recent_title));
    if (card.recent.length === 0) { nodes.push(el("p", card.empty, "hint")); }
    card.recent.forEach(function (entry) {
      var article = el("article");
      article.appendChild(el("div", entry.head, "hint"));
      article.appendChild(el("p", entry.text));
      nodes.push(article);
    });
    show(nodes);
  }

  function load() {
    var params = launchParams();
    applyTheme(params.theme);
    var card = parseInt(params.card, 10);
    if (!params.initData || !(card > 0)) { refusal(); return; }
    fetch("api/card", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ init_data: params.initData, card: card }),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer"
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; });
    }).then(function (body) {
      if (body && body.ok) { render(body); } else { refusal(body && body.message); }
    }).catch(function () { refusal(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
