import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from "playwright-core";
import { expect } from "vitest";
import type { Product } from "./product.js";

export const DEMO_PASSWORD = "demo-password";

/** Debian's Chromium; the suite never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The screenshot size: small PNGs that still show a whole form step. */
export const VIEWPORT = { width: 1280, height: 800 };

const screenshotDir = fileURLToPath(
  new URL("../../../docs/screenshots/", import.meta.url),
);

/** Actions and waits fail after this long, so a missing label fails fast. */
const ACTION_TIMEOUT_MS = 20_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Opens a fresh browser profile for one person: own cookies, Russian locale. */
export async function newPerson(browser: Browser): Promise<{
  context: BrowserContext;
  page: Page;
}> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    locale: "ru-RU",
    timezoneId: "Europe/Moscow",
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Saves the visible part of the page to docs/screenshots/<name>.png, for the
 * walkthrough. Names start with a two-digit step number. The page is scrolled
 * to the top first, or so that `show` is in the middle when given.
 */
export async function screenshot(
  page: Page,
  name: string,
  show?: Locator,
): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  if (show)
    await show.evaluate((node) => node.scrollIntoView({ block: "center" }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({
    path: `${screenshotDir}${name}.png`,
    animations: "disabled",
    caret: "hide",
  });
}

/** Impacts that fail a screen. Minor and moderate findings are not reported. */
const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

/**
 * Runs axe-core's default rules (its WCAG A and AA rules and best practices)
 * on the page as it is now, and fails on any serious or critical finding,
 * naming the rule and the elements.
 */
export async function expectNoSeriousA11yViolations(
  page: Page,
  screen: string,
): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((violation) =>
    BLOCKING_IMPACTS.has(violation.impact ?? ""),
  );
  const report = blocking.map(
    (violation) =>
      `${violation.impact} ${violation.id}: ${violation.help}\n` +
      violation.nodes
        .slice(0, 5)
        .map((node) => `    ${node.target.join(" ")}: ${node.failureSummary}`)
        .join("\n"),
  );
  // A string, so that the failure shows every finding in full.
  expect(report.join("\n"), `axe findings on «${screen}» (${page.url()})`).toBe(
    "",
  );
}

/** Checks the screen with axe-core, then saves its screenshot. */
export async function checkScreen(
  page: Page,
  name: string,
  show?: Locator,
): Promise<void> {
  await expectNoSeriousA11yViolations(page, name);
  await screenshot(page, name, show);
}

/** Returns the text of the elements that `aria-describedby` of the element names. */
export async function accessibleDescription(element: Locator): Promise<string> {
  return element.evaluate((node) =>
    (node.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? "")
      .filter(Boolean)
      .join(" "),
  );
}

/** Opens the product's sign-in page and presses «Войти через ЕСИА». */
export async function openEsiaLogin(page: Page, product: Product) {
  await page.goto(`${product.url}/signin?app_name=ku`);
  await page.getByRole("button", { name: "Войти через ЕСИА" }).click();
  await expect
    .poll(() => page.url(), { timeout: ACTION_TIMEOUT_MS })
    .toContain(product.esiaUrl);
}

/** Fills the simulator's login form and presses «Войти». */
export async function logInToEsia(page: Page, login: string) {
  await page.getByLabel("Телефон / Email / СНИЛС").fill(login);
  await page.getByLabel("Пароль").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Войти", exact: true }).click();
  await page
    .getByRole("heading", { name: "Предоставление прав доступа" })
    .waitFor();
}

/**
 * Signs the person in through the whole ESIA round trip: the product's
 * sign-in page, the simulator's login and consent, and back to
 * «Выберите организацию:».
 */
export async function signIn(
  page: Page,
  product: Product,
  login: string,
): Promise<void> {
  await openEsiaLogin(page, product);
  await logInToEsia(page, login);
  await page.getByRole("button", { name: "Предоставить" }).click();
  await page.waitForURL(`${product.url}/organizations`);
}

/** Chooses an organization by its full name and presses «ДАЛЕЕ». */
export async function chooseOrganization(page: Page, fullName: string) {
  await page.getByRole("radio", { name: fullName }).check();
  await page.getByRole("button", { name: "ДАЛЕЕ" }).click();
  await page.getByRole("group", { name: "Выберите кабинет:" }).waitFor();
}

/** Reads the application's number from the caption «Заявка № …, подана …». */
export async function applicationReference(page: Page): Promise<string> {
  const caption = await page.getByText(/Заявка № \S+, подана/).innerText();
  const match = /Заявка № (\S+),/.exec(caption);
  if (!match) throw new Error(`no application number in «${caption}»`);
  return match[1]!;
}

/** Chooses «Кабинет редакции» or «Рабочий кабинет» and presses «ДАЛЕЕ». */
export async function chooseKind(
  page: Page,
  kind: "Кабинет редакции" | "Рабочий кабинет",
) {
  await page.getByRole("radio", { name: kind }).check();
  await page.getByRole("button", { name: "ДАЛЕЕ" }).click();
}
