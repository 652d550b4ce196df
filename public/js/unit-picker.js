/*
 * The unit checklist of the "create an inspection" form ([data-unit-picker]): a filter that hides
 * units whose name or code does not contain what is typed (without case or diacritics, as the
 * server's filters compare: see search-text.js), "select the units shown", "clear", and a live
 * count. Without JavaScript the list is simply all there, and the tools stay hidden.
 */
(function () {
  'use strict';
  var picker = document.querySelector('[data-unit-picker]');
  if (!picker || !window.hoso || !window.hoso.searchKey) return;
  var tools = picker.querySelector('[data-picker-tools]');
  var filter = picker.querySelector('[data-unit-filter]');
  var counter = picker.querySelector('[data-selected-count]');
  var rows = Array.prototype.slice.call(picker.querySelectorAll('li[data-search]'));
  var boxOf = function (row) {
    return row.querySelector('input[type="checkbox"]');
  };

  function count() {
    var n = rows.filter(function (row) {
      return boxOf(row).checked;
    }).length;
    if (counter) counter.textContent = (counter.dataset.template || '{count}').replace('{count}', String(n));
  }

  function applyFilter() {
    var q = window.hoso.searchKey(filter.value);
    rows.forEach(function (row) {
      row.hidden = q !== '' && row.dataset.search.indexOf(q) === -1;
    });
  }

  tools.hidden = false;
  filter.addEventListener('input', applyFilter);
  // Enter in the filter box would submit the whole form.
  filter.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') e.preventDefault();
  });
  picker.addEventListener('change', count);
  Array.prototype.forEach.call(picker.querySelectorAll('[data-select]'), function (button) {
    button.addEventListener('click', function () {
      var all = button.dataset.select === 'shown';
      rows.forEach(function (row) {
        if (!all) boxOf(row).checked = false;
        else if (!row.hidden) boxOf(row).checked = true;
      });
      count();
    });
  });
})();
