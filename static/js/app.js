// htmx requests that change data carry the CSRF token from its cookie.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|; )(?:__Host-)?ocop_csrftoken=([^;]*)/);
  if (match) event.detail.headers["x-csrftoken"] = decodeURIComponent(match[1]);
});
// A filter <select data-submit-on-change> submits its form as soon as a choice is made (no inline
// handlers: the pages' Content-Security-Policy allows scripts from files only).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
  }
});
// A form sent back with errors puts the cursor on the first field in error (not on its first field):
// the clerk fixes what was refused and saves again, without hunting for it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-focus-error]");
  if (!form) return;
  var wrong = form.querySelector('[aria-invalid="true"], .field.invalid input, .field.invalid select, .field.invalid textarea');
  if (wrong) wrong.focus();
});
// The unread count beside "Inbox", fetched after the page (it is never worth holding the page for).
document.addEventListener("DOMContentLoaded", function () {
  var badge = document.querySelector("[data-inbox-count]");
  if (!badge || !window.fetch) return;
  fetch("/inbox/count", {credentials: "same-origin"}).then(function (response) {
    return response.ok ? response.text() : "";
  }).then(function (html) { badge.innerHTML = html; }).catch(function () {});
});
// On the login page (after a logout, or when a session ended) the counter's kept pages are dropped: a phone
// shared by two managers keeps nothing of the first one's point for the next.
if (window.caches && document.querySelector('form[action="/login"]')) {
  caches.keys().then(function (keys) {
    keys.filter(function (key) { return key.indexOf("ocop-counter-") === 0; }).forEach(function (key) { caches.delete(key); });
  }).catch(function () {});
}
