/**
 * One inspection told through the browser, against the real server: a unit secretary uploads and
 * fills in, the team lead returns an item with a note, the secretary fixes it, the lead accepts,
 * closes the inspection and prints the summary report. Every step clicks and reads what a person
 * would. Screenshots of the dashboard, the matrix and the dossier page are written to
 * $HOSO_SCREENSHOTS (docs/screenshots for the README), else to the run's temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { pdfPages } from '../helpers/pdf-text';
import { samplePath, samples } from '../helpers/sample-files';
import { type ServerProcess, startServer } from '../helpers/server-process';
import { launchBrowser, newPerson, type Person, signInAs } from './browser';
import { buildDemoCity, type DemoCity, DEMO_PASSWORD } from './demo-city';

const ADMIN_PASSWORD = 'Quan-tri-trinh-duyet-2023';
const NOTE = 'Danh sách chưa có xác nhận của cấp uỷ cơ sở; đề nghị bổ sung bản có chữ ký và đóng dấu.';

let dataDir: string;
let shots: string;
let server: ServerProcess;
let city: DemoCity;
let browser: Browser;
let secretary: Person;
let lead: Person;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-browser-'));
  shots = process.env.HOSO_SCREENSHOTS ? path.resolve(process.env.HOSO_SCREENSHOTS) : path.join(dataDir, 'screenshots');
  fs.mkdirSync(shots, { recursive: true });
  server = await startServer({ dataDir, env: { HOSO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  city = await buildDemoCity(server.baseUrl, ADMIN_PASSWORD);
  browser = await launchBrowser();
  secretary = await newPerson(browser, server.baseUrl);
  lead = await newPerson(browser, server.baseUrl);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** An item's block on the dossier page. */
const item = (page: Page, code: string): Locator => page.locator(`article[id="item-${code}"]`);
const badgeOf = (page: Page, code: string) => item(page, code).locator('.entry-head .badge');
const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, name) });

describe('an inspection in the browser', () => {
  it('a secretary signs in, uploads two files at once and enters a figure', async () => {
    const { page } = secretary;
    await signInAs(secretary, city.secretary.username, DEMO_PASSWORD);
    const row = page.getByRole('row', { name: new RegExp(city.inspection) });
    await row.getByRole('link', { name: 'Mở hồ sơ đơn vị' }).click();
    await page.getByRole('heading', { level: 1, name: city.storyUnit.name }).waitFor();

    await item(page, '1.1').getByLabel('Chọn tệp').setInputFiles([samplePath('pdf'), samplePath('docx')]);
    await item(page, '1.1').getByRole('button', { name: 'Tải lên' }).click();
    await page.getByText('Đã tải lên 2 tệp cho mục 1.1.').waitFor();
    await item(page, '1.1').getByRole('link', { name: samples.pdf }).waitFor();
    await item(page, '1.1').getByRole('link', { name: samples.docx }).waitFor();
    expect(await badgeOf(page, '1.1').textContent()).toBe('Đã nộp');

    await item(page, '8.1').getByLabel('Số liệu').fill('607');
    await item(page, '8.1').getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Đã lưu nội dung mục 8.1.').waitFor();
    expect(await item(page, '8.1').locator('.entry-value').textContent()).toBe('607');
    expect(await badgeOf(page, '8.1').textContent()).toBe('Đã nộp');
  });

  it('the team lead finds the unit in the matrix and returns an item with a note', async () => {
    const { page } = lead;
    await signInAs(lead, city.lead.username, DEMO_PASSWORD);
    await page.getByRole('row', { name: new RegExp(city.inspection) }).waitFor();
    await screenshot(page, 'dashboard.png');

    await page.getByRole('row', { name: new RegExp(city.inspection) }).getByRole('link', { name: 'Xem tiến độ' }).click();
    await page.locator('table.matrix').waitFor();
    await screenshot(page, 'matrix.png');

    // Typed without diacritics, as people often do.
    await page.getByLabel('Tìm đơn vị').fill('phan thiet');
    await page.getByRole('button', { name: 'Lọc' }).click();
    const rows = page.locator('table.matrix tbody tr');
    expect(await rows.count()).toBe(1);
    await rows.getByRole('link', { name: city.storyUnit.name }).click();
    await page.getByRole('heading', { level: 1, name: city.storyUnit.name }).waitFor();

    await item(page, '1.1').getByLabel('Ghi chú').fill(NOTE);
    await item(page, '1.1').getByRole('button', { name: 'Trả lại' }).click();
    await page.getByText('Mục 1.1: đã trả lại đơn vị kèm ghi chú.').waitFor();
    expect(await badgeOf(page, '1.1').textContent()).toBe('Trả lại');
  });

  it('the secretary reads the note and uploads the corrected file', async () => {
    const { page } = secretary;
    await page.reload();
    await item(page, '1.1').locator('.entry-note').getByText(NOTE).waitFor();
    expect(await badgeOf(page, '1.1').textContent()).toBe('Trả lại');
    await item(page, '1.1').scrollIntoViewIfNeeded();
    // Leave the section heading and the page's message in the picture.
    await page.evaluate('window.scrollBy(0, -140)');
    await screenshot(page, 'dossier.png');

    await item(page, '1.1').getByLabel('Chọn tệp').setInputFiles(samplePath('png'));
    await item(page, '1.1').getByRole('button', { name: 'Tải lên' }).click();
    await page.getByText('Đã tải lên 1 tệp cho mục 1.1.').waitFor();
    await item(page, '1.1').getByRole('link', { name: samples.png }).waitFor();
    expect(await badgeOf(page, '1.1').textContent()).toBe('Đã nộp');
  });

  it('the lead accepts it, closes the inspection and downloads the summary report', async () => {
    const { page } = lead;
    await page.reload();
    await item(page, '1.1').getByRole('link', { name: samples.png }).waitFor();
    await item(page, '1.1').getByRole('button', { name: 'Đạt' }).click();
    await page.getByText('Mục 1.1: đạt.').waitFor();
    expect(await badgeOf(page, '1.1').textContent()).toBe('Đạt');

    await page.getByRole('link', { name: 'Bảng tiến độ của đợt kiểm tra' }).click();
    await page.getByRole('link', { name: 'Kết thúc đợt kiểm tra' }).click();
    await page.getByRole('heading', { name: `Kết thúc đợt kiểm tra ${city.inspection}?` }).waitFor();
    await page.getByRole('button', { name: 'Kết thúc đợt kiểm tra' }).click();
    await page.getByText(`Đã kết thúc đợt kiểm tra ${city.inspection}.`).waitFor();
    expect(await page.locator('.insp-summary .badge').textContent()).toBe('Đã kết thúc');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Báo cáo tổng hợp (PDF)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = fs.readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await pdfPages(pdf)).join('\n')).toContain(city.storyUnit.name);
  });

  it('the secretary finds the dossier read-only, with the unit’s report to download', async () => {
    const { page } = secretary;
    await page.reload();
    await page.getByText('Đợt kiểm tra đã kết thúc: hồ sơ chỉ còn để xem.').waitFor();
    expect(await page.locator('input[type="file"]').count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Báo cáo kết quả kiểm tra (PDF)' }).click()]);
    expect(fs.readFileSync(await download.path()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('saw no script error and no refusal by the Content-Security-Policy on the way', () => {
    expect([...secretary.problems, ...lead.problems]).toEqual([]);
  });
});
