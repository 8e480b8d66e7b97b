// A running job's page (/assistance/runs/{id}) asks for itself every few seconds and puts the
// fresh section in place, until the job ends. Without JavaScript the page's reload link does
// the same by hand.
(function () {
  "use strict";
  function poll() {
    var section = document.getElementById("job");
    if (!section || section.dataset.state !== "running") return;
    var seconds = parseInt(section.dataset.poll || "2", 10) || 2;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job");
          if (fresh) section.replaceWith(fresh);
          poll();
        })
        .catch(function () { poll(); });
    }, seconds * 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();
