// Reads PDFs for tests/helpers/pdf-text.ts with pdfjs-dist's legacy build (the one for Node 20). It is
// a worker thread, not a module of the test, because pdfjs-dist is ESM and loads its own worker with
// import(): Node's loader runs it here as published, where jest's CommonJS module registry cannot.
// pdf.mjs builds a DOMMatrix as it loads, which Node 20 lacks: pdfjs-dist takes it from
// @napi-rs/canvas, a devDependency of its own for that reason (pdfjs-dist lists it as optional).
import { parentPort } from 'node:worker_threads';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Each page's size in points and its text items: the string, its baseline origin, width and height. */
async function readPages(data) {
  const doc = await getDocument({ data, verbosity: VerbosityLevel.ERRORS }).promise;
  try {
    const pages = [];
    for (let number = 1; number <= doc.numPages; number++) {
      const page = await doc.getPage(number);
      const [left, bottom, right, top] = page.view;
      const { items } = await page.getTextContent();
      pages.push({
        width: right - left,
        height: top - bottom,
        // Marked-content items carry no text.
        items: items.filter((item) => 'str' in item).map((item) => ({ str: item.str, x: item.transform[4], y: item.transform[5], width: item.width, height: item.height })),
      });
      page.cleanup();
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

parentPort.on('message', ({ id, data }) => {
  readPages(data).then(
    (pages) => parentPort.postMessage({ id, pages }),
    (error) => parentPort.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
