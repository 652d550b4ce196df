/*
 * Text as the pages' filters compare it, in the browser: no diacritics (đ → d), lower-case, one
 * space between words. The same folding as src/web/search-text.ts on the server
 * (tests/search-text.test.ts checks that the two agree).
 */
(function (root) {
  'use strict';
  function searchKey(text) {
    return String(text)
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim();
  }
  root.hoso = root.hoso || {};
  root.hoso.searchKey = searchKey;
})(typeof window !== 'undefined' ? window : globalThis);
