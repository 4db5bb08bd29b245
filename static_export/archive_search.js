// The archive's search page (search/index.html). Over HTTP it runs Pagefind's own interface on the
// full-text index in pagefind/. From file:// browsers will not load Pagefind's WebAssembly, so it
// says so and searches the titles and summaries in titles.js, which a <script> element can load.
(function () {
    "use strict";

    var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    var archiveRoot = new URL("../", window.location.href); // This page is always search/index.html.

    if (window.location.protocol !== "file:" && window.PagefindUI) {
        var ui = new window.PagefindUI({
            element: "#archive-search",
            baseUrl: archiveRoot.pathname,
            showImages: false,
            autofocus: !query,
        });
        if (query) {
            ui.triggerSearch(query);
        }
        return;
    }

    var status = document.getElementById("archive-search-status");
    var list = document.getElementById("archive-search-results");
    document.getElementById("archive-search-offline").hidden = false;
    document.getElementById("archive-search-query").value = query;
    if (!query) {
        return;
    }
    var script = document.createElement("script");
    script.src = "titles.js";
    script.onload = function () {
        showResults(window.ARCHIVE_SEARCH_TITLES || []);
    };
    script.onerror = function () {
        status.textContent = "The list of titles could not be loaded. Please use the sitemap.";
    };
    document.head.appendChild(script);

    function showResults(pages) {
        var words = query.toLowerCase().split(/\s+/);
        var matches = pages.filter(function (page) {
            var text = [page.title, page.summary, page.type].join(" ").toLowerCase();
            return words.every(function (word) {
                return text.indexOf(word) !== -1;
            });
        });
        var count = matches.length === 1 ? "1 page" : matches.length + " pages";
        status.textContent = count + " with “" + query + "” in the title or summary.";
        matches.forEach(function (page) {
            list.appendChild(resultItem(page));
        });
    }

    function resultItem(page) {
        var item = element("li", "listing__item");
        var heading = item.appendChild(element("h3", "listing__title"));
        var link = heading.appendChild(element("a", "", page.title));
        link.href = new URL(page.url, archiveRoot).href;
        item.appendChild(element("p", "meta", page.type + (page.date ? ", " + page.date : "")));
        if (page.summary) {
            item.appendChild(element("p", "", page.summary));
        }
        return item;
    }

    function element(name, className, text) {
        var node = document.createElement(name);
        node.className = className;
        node.textContent = text || "";
        return node;
    }
})();
