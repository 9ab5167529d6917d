// Saving a file the server sends back to a POST: the table's CSV/GeoJSON and an upload's
// rejected rows. The session id travels in the POST body, never in a URL (proxies log
// URLs). filenameFrom is pure and unit-tested under Node (tests/js/downloads.test.js).
(function (root) {
  "use strict";

  // The file name a Content-Disposition header gives (RFC 5987 UTF-8 form first).
  function filenameFrom(disposition, fallback) {
    const text = disposition || "";
    const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(text);
    const plain = /filename="?([^";]+)"?/.exec(text);
    return utf8 ? decodeURIComponent(utf8[1]) : plain ? plain[1] : fallback;
  }

  // POST body to url and save the answer; rejects with the server's words on an error.
  async function savePosted(url, body, fallback) {
    const response = await fetch(url, {method: "POST", body: body, credentials: "same-origin"});
    if (!response.ok) { throw new Error(await response.text()); }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = filenameFrom(response.headers.get("Content-Disposition"), fallback);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  const api = {filenameFrom: filenameFrom, savePosted: savePosted};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  root.zonewatchDownloads = api;
})(typeof window !== "undefined" ? window : globalThis);
