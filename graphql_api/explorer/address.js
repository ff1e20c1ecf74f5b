// The address is the page's state (#/treatment/tx:cyclobenzaprine?asOf=2017-01-15&dx=M54.50), so every
// view can be shared; `state` holds its date and diagnosis for the links the pages draw.

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// A whole date of a plausible year: typing a year into a date field passes through 0002, 0020, 0201 ...
export const isIsoDate = (value) => /^(19[5-9]\d|2\d{3})-\d{2}-\d{2}$/.test(value || "");

export const state = { asOf: todayIso(), dx: "" };

function encodeId(id) {
  return encodeURIComponent(id).replace(/%3A/gi, ":");
}

export function href(view, id, { withLookup = true } = {}) {
  let path = view === "home" ? "/" : `/${view}${id ? `/${encodeId(id)}` : ""}`;
  if (withLookup && view !== "letter") {
    const params = new URLSearchParams();
    if (state.asOf) params.set("asOf", state.asOf);
    if (state.dx) params.set("dx", state.dx);
    const query = params.toString();
    if (query) path += `?${query}`;
  }
  return `#${path}`;
}

function decodePart(part) {
  try {
    return decodeURIComponent(part);
  } catch (err) {
    return part;
  }
}

export function parseRoute() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const cut = raw.indexOf("?");
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const params = new URLSearchParams(cut < 0 ? "" : raw.slice(cut + 1));
  const parts = path.split("/").filter(Boolean).map(decodePart);
  return { view: parts[0] || "home", id: parts.length > 1 ? parts.slice(1).join("/") : null, params };
}

export function routeHref(route) {
  return href(route.view, route.id);
}
