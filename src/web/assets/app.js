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
    // What the page shows: a card (card=N), the caller's registration form (draft) or the
    // full workbook (export=MSK). A fresh launch names one; a reload keeps the saved one.
    var fresh = fragment.has("card") || fragment.has("draft") || fragment.has("export") ||
      fragment.has("import") || query.has("card");
    var params = {
      card: fresh ? (fragment.get("card") || query.get("card") || "") : (saved.card || ""),
      draft: fresh ? fragment.has("draft") : !!saved.draft,
      exportScope: fresh ? (fragment.get("export") || "") : (saved.exportScope || ""),
      upload: fresh ? fragment.has("import") : !!saved.upload,
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

  // The language of the Telegram client, for a refusal the server did not word: the launch
  // data names it (unsigned here, and only used to choose between two texts).
  function lang(initData) {
    try {
      var user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
      if (typeof user.language_code === "string" && user.language_code.indexOf("en") === 0) { return "en"; }
    } catch (e) { /* no user: Russian */ }
    return "ru";
  }

  var STALE = {
    ru: "Ссылка устарела — откройте карточку заново.",
    en: "This link has expired — open the card again."
  };

  var currentLang = "ru";

  function refusal(message) {
    show([el("p", message || STALE[currentLang], "refusal")]);
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
    if (!card.recent) { show(nodes); return; }
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

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer"
    });
  }

  function json(response) {
    return response.json().catch(function () { return { ok: false }; });
  }

  function showJson(response) {
    return json(response).then(function (body) {
      if (body && body.ok) { render(body); } else { refusal(body && body.message); }
    });
  }

  // The workbook comes as the response itself, and is saved from memory: it is never at a URL.
  function download(response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || type.indexOf("spreadsheetml") < 0) {
      return json(response).then(function (body) { refusal(body && body.message); });
    }
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(disposition);
    var name = match ? match[1] : "prospects.xlsx";
    return response.blob().then(function (blob) {
      var link = el("a", "📥 " + name, "big");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.id = "download";
      show([el("h1", "📊"), link]);
      link.click();
    });
  }

  // The upload form of a file of clients: the file goes from the phone to the bank, is checked,
  // and waits there for «Загрузить» or «Отмена».
  var UPLOAD = {
    ru: { title: "Загрузка клиентов", hint: "Файл .xlsx или .csv со столбцами Наименование, ИНН и другими.", check: "Проверить файл" },
    en: { title: "Import clients", hint: "An .xlsx or .csv file with the columns Name, INN and others.", check: "Check the file" }
  };

  function bytesLink(base64, name) {
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    var link = el("a", "📥 " + name, "big");
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
    link.download = name;
    return link;
  }

  function decide(initData, id, save) {
    post("api/import/decide", { init_data: initData, id: id, save: save })
      .then(json)
      .then(function (body) { show([el("p", (body && body.message) || STALE[currentLang], body && body.ok ? "" : "refusal")]); })
      .catch(function () { refusal(); });
  }

  function preview(initData, body) {
    var nodes = [el("h1", UPLOAD[currentLang].title), el("p", body.preview)];
    body.notes.forEach(function (note) { nodes.push(el("p", note, "hint")); });
    if (body.errors) { nodes.push(bytesLink(body.errors, body.errors_name)); }
    if (body.can_save) {
      var save = el("button", body.save);
      save.id = "save";
      save.addEventListener("click", function () { save.disabled = true; decide(initData, body.id, true); });
      var cancel = el("button", body.cancel);
      cancel.addEventListener("click", function () { decide(initData, body.id, false); });
      nodes.push(save, cancel);
    }
    show(nodes);
  }

  function uploadForm(initData) {
    var texts = UPLOAD[currentLang];
    var input = el("input");
    input.type = "file";
    input.accept = ".xlsx,.csv,text/csv";
    var check = el("button", texts.check);
    check.addEventListener("click", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      check.disabled = true;
      var reader = new FileReader();
      reader.onload = function () {
        var content = String(reader.result).replace(/^data:[^,]*,/, "");
        post("api/import", { init_data: initData, file_name: file.name, content: content })
          .then(json)
          .then(function (body) {
            if (body && body.ok) { preview(initData, body); } else { refusal(body && body.message); }
          })
          .catch(function () { refusal(); });
      };
      reader.readAsDataURL(file);
    });
    show([el("h1", texts.title), el("p", texts.hint, "hint"), input, check]);
  }

  function load() {
    var params = launchParams();
    currentLang = lang(params.initData);
    applyTheme(params.theme);
    if (!params.initData) { refusal(); return; }
    var request;
    if (params.upload) {
      uploadForm(params.initData);
      return;
    }
    if (params.exportScope) {
      request = post("api/export", { init_data: params.initData, scope: params.exportScope }).then(download);
    } else if (params.draft) {
      request = post("api/draft", { init_data: params.initData }).then(showJson);
    } else {
      var card = parseInt(params.card, 10);
      if (!(card > 0)) { refusal(); return; }
      request = post("api/card", { init_data: params.initData, card: card }).then(showJson);
    }
    request.catch(function () { refusal(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
