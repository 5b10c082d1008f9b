import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkScreen,
  chooseKind,
  chooseOrganization,
  launchChromium,
  newPerson,
  signIn,
} from "./support/browser.js";
import { startProduct, type Product } from "./support/product.js";

// The application form without a mouse: every control is reached with Tab
// and set with the keys a keyboard user has, and a failed submission moves
// focus to the error summary, whose links lead to the fields.

const ORG_DC = "Муниципальное бюджетное учреждение «Досуговый центр Тестовый»";
const FORM_TITLE = "Форма заявки на создание рабочего кабинета";
const MAX_TABS = 60;

let product: Product;
let browser: Browser;

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

const isFocused = (element: Locator) =>
  element.evaluate((node) => node === document.activeElement);

/** Presses Tab until `element` has focus; fails if it is never reached. */
async function tabTo(page: Page, element: Locator, what: string) {
  for (let presses = 0; presses < MAX_TABS; presses++) {
    if (await isFocused(element)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${what} was not reached with ${MAX_TABS} presses of Tab`);
}

/** Moves a focused select with the arrow keys until `label` is selected. */
async function arrowToOption(page: Page, select: Locator, label: string) {
  const optionCount = await select.locator("option").count();
  for (let presses = 0; presses <= optionCount; presses++) {
    const selected = await select.evaluate(
      (node) =>
        (node as HTMLSelectElement).selectedOptions[0]?.textContent ?? "",
    );
    if (selected === label) return;
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`option «${label}» was not reached with ArrowDown`);
}

async function openForm(page: Page) {
  await signIn(page, product, "o.smirnova@dc-test.spb.example");
  await chooseOrganization(page, ORG_DC);
  await chooseKind(page, "Рабочий кабинет");
  await page.getByRole("heading", { name: FORM_TITLE }).waitFor();
}

describe("application form by keyboard", () => {
  it("moves focus to the error summary on a failed submit", async () => {
    const { context, page } = await newPerson(browser);
    await openForm(page);
    await page.getByLabel("Введите электронную почту").fill("");
    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();

    const summary = page.getByRole("alert").filter({
      has: page.getByRole("heading", { name: "Исправьте ошибки в форме" }),
    });
    await summary.waitFor();
    await expect.poll(() => isFocused(summary)).toBe(true);
    const links = summary.getByRole("link");
    await expect(links.count()).resolves.toBeGreaterThanOrEqual(5);
    await checkScreen(page, "50-error-summary");

    // Each link moves focus to its field, in the order of the form.
    const expectedTargets = [
      "Введите название кабинета",
      "Выберите регион",
      "Выберите тип кабинета",
      "Выберите редакцию",
    ];
    for (const [index, label] of expectedTargets.entries()) {
      await links.nth(index).click();
      await expect
        .poll(() => isFocused(page.getByLabel(label, { exact: true })), {
          message: `summary link ${index + 1} focuses «${label}»`,
        })
        .toBe(true);
    }
    await context.close();
  });

  it("is completed and submitted with the keyboard alone", async () => {
    const { context, page } = await newPerson(browser);
    await openForm(page);

    const name = page.getByLabel("Введите название кабинета");
    await tabTo(page, name, "«Введите название кабинета»");
    await page.keyboard.type("Кабинет ДЦ Тестовый");

    const region = page.getByLabel("Выберите регион");
    await tabTo(page, region, "«Выберите регион»");
    await arrowToOption(page, region, "Санкт-Петербург");

    const type = page.getByLabel("Выберите тип кабинета");
    await tabTo(page, type, "«Выберите тип кабинета»");
    await arrowToOption(page, type, "Подведомственная ОМСУ организация");

    const editorial = page.getByRole("combobox", { name: "Выберите редакцию" });
    await tabTo(page, editorial, "«Выберите редакцию»");
    // The options arrive from the server search; ArrowDown makes the first
    // one active once they are listed.
    const option = page.getByRole("option", { name: /КР ОМСУ/ });
    await option.waitFor({ state: "attached" });
    await expect
      .poll(async () => {
        await page.keyboard.press("ArrowDown");
        return editorial.getAttribute("aria-activedescendant");
      })
      .toBe(await option.getAttribute("id"));
    await page.keyboard.press("Enter");
    await expect(editorial.inputValue()).resolves.toBe("КР ОМСУ");

    const sphere = page.getByRole("checkbox", { name: "Тестовая сфера ГП" });
    await tabTo(page, sphere, "«Тестовая сфера ГП»");
    await page.keyboard.press("Space");
    await expect(sphere.isChecked()).resolves.toBe(true);

    const email = page.getByLabel("Введите электронную почту");
    await tabTo(page, email, "«Введите электронную почту»");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("dc-test@dc-test.spb.example");
    await checkScreen(page, "51-form-by-keyboard", email);

    const submit = page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" });
    await tabTo(page, submit, "«СОЗДАТЬ КАБИНЕТ»");
    await page.keyboard.press("Enter");
    await page
      .getByText(
        "Ваша заявка на подключение кабинета находится на рассмотрении",
      )
      .waitFor();
    await expect(
      page.getByLabel("Выберите редакцию", { exact: true }).inputValue(),
    ).resolves.toBe("КР ОМСУ");
    await context.close();
  });
});
