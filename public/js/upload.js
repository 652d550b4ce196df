/*
 * Upload progress, as a progressive enhancement of the dossier page's upload forms
 * (form[data-upload]): the same multipart POST sent with XHR so a progress bar can follow it. The
 * server answers such a request ({X-Upload-Progress: 1}) with {next} instead of a redirect; the
 * page then loads `next`, where the server's message waits. Anything unexpected falls back to
 * submitting the form the plain way.
 */
(function () {
  'use strict';
  if (!window.XMLHttpRequest || !window.FormData) return;

  function go(next) {
    var url = new URL(next, window.location.href);
    var samePage = url.pathname === window.location.pathname && url.search === window.location.search;
    if (!samePage) return window.location.assign(url.href);
    // Only the #item differs: assigning it would scroll without loading the fresh page.
    window.history.replaceState(null, '', url.href);
    window.location.reload();
  }

  function enhance(form) {
    var button = form.querySelector('button[type="submit"]');
    var bar = form.querySelector('progress');
    form.addEventListener('submit', function (event) {
      if (!bar || form.dataset.sending === '1') return;
      event.preventDefault();
      form.dataset.sending = '1';
      var xhr = new XMLHttpRequest();
      var fallback = function () {
        HTMLFormElement.prototype.submit.call(form);
      };
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Upload-Progress', '1');
      xhr.responseType = 'json';
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded * 100) / e.total);
      });
      xhr.addEventListener('load', function () {
        var next = xhr.status === 200 && xhr.response && xhr.response.next;
        if (typeof next === 'string') go(next);
        else fallback();
      });
      xhr.addEventListener('error', fallback);
      if (button) button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      xhr.send(new FormData(form));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-upload]'), enhance);
})();
