import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { matchesSearch, searchKey } from '../src/core/search-text';
import { projectRoot } from '../src/paths';

/** The browser's folding, from the very script the pages load. */
function browserSearchKey(): (text: string) => string {
  const sandbox: { hoso?: { searchKey: (text: string) => string } } = {};
  vm.runInNewContext(fs.readFileSync(path.join(projectRoot, 'public/js/search-text.js'), 'utf8'), sandbox);
  if (!sandbox.hoso) throw new Error('search-text.js defined nothing');
  return sandbox.hoso.searchKey;
}

const VIETNAMESE = 'aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ';
const letters = [...VIETNAMESE, ...VIETNAMESE.toUpperCase(), ...'0123456789 .-_'];

describe('accent-insensitive search text', () => {
  it('folds Vietnamese names to bare lower-case words', () => {
    expect(searchKey('Thành uỷ Tuyên Quang')).toBe('thanh uy tuyen quang');
    expect(searchKey('Đảng uỷ phường Ỷ La')).toBe('dang uy phuong y la');
    expect(searchKey('  ĐẢNG   UỶ xã Tràng Đà ')).toBe('dang uy xa trang da');
    // Text typed in decomposed form (a base letter and combining marks) folds the same way.
    expect(searchKey('Ỷ La'.normalize('NFD'))).toBe('y la');
  });

  it('finds a unit whatever the diacritics or case of the query', () => {
    expect(matchesSearch('tuyen quang', 'Thành uỷ Tuyên Quang')).toBe(true);
    expect(matchesSearch('ỷ la', 'Đảng uỷ phường Ỷ La')).toBe(true);
    expect(matchesSearch('y la', 'Đảng uỷ phường Ỷ La')).toBe(true);
    expect(matchesSearch('P-YLA', 'Đảng uỷ phường Ỷ La', 'P-YLA')).toBe(true);
    expect(matchesSearch('tân hà', 'Đảng uỷ phường Ỷ La')).toBe(false);
    expect(matchesSearch('   ', 'anything')).toBe(true);
  });

  it('folds exactly as the browser script does', () => {
    const inBrowser = browserSearchKey();
    const text = fc.array(fc.constantFrom(...letters), { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, fc.boolean(), (s, decomposed) => {
        const input = decomposed ? s.normalize('NFD') : s;
        expect(inBrowser(input)).toBe(searchKey(input));
      }),
      { numRuns: 500 },
    );
  });
});
