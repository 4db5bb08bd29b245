// The archive's search page (search/index.html). Over HTTP it searches everything pages say with
// Pagefind's own index (pagefind/), through Pagefind's JavaScript API: its ready-made interfaces
// fetch every filter file as they start, which would make a visit's first query too heavy. From
// file:// browsers will not load Pagefind's WebAssembly, so it says so and searches the titles and
// summaries in titles.js, which a <script> element can load.
(function () {
    "use strict";

    var params = new URLSearchParams(window.location.search);
    var query = (params.get("q") || "").trim();
    var archiveRoot = new URL("../", window.location.href); // This page is always search/index.html.

    if (window.location.protocol !== "file:") {
        searchWithPagefind();
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

    function searchWithPagefind() {
        var RESULTS_AT_ONCE = 5; // Each result shown fetches its own fragment file.
        var section = document.getElementById("archive-search");
        var form = document.getElementById("archive-search-form");
        var words = form.elements.q;
        var summary = document.getElementById("archive-search-summary");
        var found = document.getElementById("archive-search-found");
        var more = document.getElementById("archive-search-more");
        var dates = new Intl.DateTimeFormat("en-GB", {
            day: "numeric",
            month: "long",
            year: "numeric",
            timeZone: "UTC",
        });
        var pagefind = null; // Loaded by the first search: a visit that does not search fetches none of it.
        var latest = 0;
        var shown = [];

        section.hidden = false;
        words.value = query;
        ["type", "year"].forEach(function (name) {
            form.elements[name].value = params.get(name) || "";
        });
        form.addEventListener("submit", function (event) {
            event.preventDefault();
            search(0);
        });
        words.addEventListener("input", function () {
            search(300); // as the visitor types, once they pause
        });
        form.addEventListener("change", function (event) {
            if (event.target !== words) {
                search(0);
            }
        });
        more.addEventListener("click", function () {
            showMore(latest);
        });
        if (query) {
            search(0);
        } else {
            words.focus();
        }

        function loadPagefind() {
            if (!pagefind) {
                pagefind = import(new URL("pagefind/pagefind.js", archiveRoot).href).then(function (module) {
                    return module.options({ baseUrl: archiveRoot.pathname }).then(function () {
                        return module;
                    });
                });
            }
            return pagefind;
        }

        function search(pause) {
            var term = words.value.trim();
            var filters = {};
            ["type", "year"].forEach(function (name) {
                if (form.elements[name].value) {
                    filters[name] = form.elements[name].value;
                }
            });
            var searchId = ++latest;
            rememberInAddress(term, filters);
            if (!term) {
                showFound(searchId, term, filters, []);
                return;
            }
            loadPagefind()
                .then(function (module) {
                    return module.debouncedSearch(term, { filters: filters }, pause);
                })
                .then(function (outcome) {
                    if (outcome) {
                        showFound(searchId, term, filters, outcome.results);
                    }
                })
                .catch(function () {
                    summary.textContent = "Search could not be loaded. Every page is listed in the sitemap.";
                });
        }

        function rememberInAddress(term, filters) {
            var address = new URLSearchParams();
            if (term) {
                address.set("q", term);
            }
            Object.keys(filters).forEach(function (name) {
                address.set(name, filters[name]);
            });
            var search = address.toString();
            window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
        }

        function showFound(searchId, term, filters, results) {
            if (searchId !== latest) {
                return; // A newer search has started.
            }
            shown = results;
            found.replaceChildren();
            var choices = Object.keys(filters).map(function (name) {
                return filters[name];
            });
            var within = choices.length ? " (" + choices.join(", ") + ")" : "";
            if (!term) {
                summary.textContent = "";
            } else if (!results.length) {
                summary.textContent = "No results for " + term + within;
            } else {
                var noun = results.length === 1 ? " result" : " results";
                summary.textContent = results.length.toLocaleString("en-GB") + noun + " for " + term + within;
            }
            showMore(searchId);
        }

        function showMore(searchId) {
            var next = shown.slice(found.children.length, found.children.length + RESULTS_AT_ONCE);
            more.hidden = true;
            Promise.all(
                next.map(function (result) {
                    return result.data();
                })
            ).then(function (pages) {
                if (searchId !== latest) {
                    return;
                }
                pages.forEach(function (page) {
                    found.appendChild(foundItem(page));
                });
                more.hidden = found.children.length >= shown.length;
            });
        }

        function foundItem(page) {
            var item = element("li", "listing__item");
            var heading = item.appendChild(element("h2", "listing__title"));
            var link = heading.appendChild(element("a", "", page.meta.title));
            link.href = page.url;
            var kind = (page.filters.type || ["Page"])[0];
            var date = page.meta.date ? ", " + dates.format(new Date(page.meta.date)) : "";
            item.appendChild(element("p", "meta", kind + date));
            item.appendChild(element("p", "")).appendChild(excerpt(page.excerpt));
            return item;
        }

        // Pagefind's excerpt is the page's text, escaped, with the words found in <mark>: keep just
        // that text and those marks, parsed in an inert <template>, never as the page's markup.
        function excerpt(html) {
            var template = document.createElement("template");
            template.innerHTML = html;
            var nodes = document.createDocumentFragment();
            template.content.childNodes.forEach(function (node) {
                var isMark = node.nodeName === "MARK";
                var text = node.textContent;
                nodes.appendChild(isMark ? element("mark", "", text) : document.createTextNode(text));
            });
            return nodes;
        }
    }

    function element(name, className, text) {
        var node = document.createElement(name);
        node.className = className;
        node.textContent = text || "";
        return node;
    }
})();
