// htmx requests that change data carry the CSRF token from its cookie.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|; )ocop_csrftoken=([^;]*)/);
  if (match) event.detail.headers["x-csrftoken"] = decodeURIComponent(match[1]);
});
