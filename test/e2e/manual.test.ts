import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkScreen,
  chooseKind,
  chooseOrganization,
  launchChromium,
  logInToEsia,
  newPerson,
  openEsiaLogin,
  signIn,
} from "./support/browser.js";
import { startProduct, type Product } from "./support/product.js";

// The manual's scenario in Chromium with the demo data of the embedded
// default: the applicant of a subordinate organization and the reviewer of
// «КР РОИВ» in two browser profiles, the mail in the local catcher at each
// step. Screenshots go to docs/screenshots for docs/walkthrough.md.

const ORG_CGU =
  "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»";
const ORG_KIP = "Комитет по информационной политике Санкт-Петербурга";

let product: Product;
let browser: Browser;

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

/** The read-only or editable control of a form field, by its label. */
const field = (page: Page, label: string) =>
  page.getByLabel(label, { exact: true });

describe("manual scenario", () => {
  it("fills the РОИВ's work cabinet form from «КР РОИВ»", async () => {
    const { context, page } = await newPerson(browser);
    await signIn(page, product, "+7(900)0000001");
    await chooseOrganization(page, ORG_KIP);
    await chooseKind(page, "Рабочий кабинет");
    await page
      .getByRole("heading", {
        name: "Форма заявки на создание рабочего кабинета",
      })
      .waitFor();

    await expect
      .poll(() => field(page, "Выберите регион").inputValue())
      .toBe("Санкт-Петербург");
    await expect(
      field(page, "Выберите тип кабинета").inputValue(),
    ).resolves.toBe("РОИВ");
    await expect(field(page, "Выберите редакцию").inputValue()).resolves.toBe(
      "КР РОИВ",
    );
    await expect(field(page, "Выберите сферы").inputValue()).resolves.toBe(
      "Тестовая сфера ПП",
    );
    for (const label of [
      "Выберите регион",
      "Выберите тип кабинета",
      "Выберите редакцию",
      "Выберите сферы",
    ]) {
      await expect(
        field(page, label).isEditable(),
        `«${label}» is locked`,
      ).resolves.toBe(false);
    }
    await expect(
      field(page, "Введите название кабинета").isEditable(),
    ).resolves.toBe(true);
    await field(page, "Введите название кабинета").fill(
      "Рабочий кабинет КИП СПб",
    );
    await checkScreen(page, "06-form-locked-from-editorial");

    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page
      .getByText(
        "Ваша заявка на подключение кабинета находится на рассмотрении",
      )
      .waitFor();
    await context.close();
  });

  it("takes a subordinate organization's application to approval", async () => {
    const applicant = await newPerson(browser);
    const page = applicant.page;

    await page.goto(`${product.url}/signin?app_name=ku`);
    await page.getByRole("button", { name: "Войти через ЕСИА" }).waitFor();
    await checkScreen(page, "01-sign-in");

    await openEsiaLogin(page, product);
    await page.getByLabel("Телефон / Email / СНИЛС").waitFor();
    for (const label of [
      "Восстановить",
      "Эл. подпись",
      "Не удаётся войти?",
      "Зарегистрироваться",
    ]) {
      await expect(
        page.getByRole("link", { name: label }).count(),
        `link «${label}» on the ESIA login page`,
      ).resolves.toBe(1);
    }
    await expect(page.getByText("Войти другим способом").count()).resolves.toBe(
      1,
    );
    await checkScreen(page, "02-esia-login");

    await logInToEsia(page, "+7(900)0000002");
    await expect(page.getByText("MNSV36").count()).resolves.toBe(1);
    await expect(
      page.getByText("запрашивает следующие права:").count(),
    ).resolves.toBe(1);
    for (const line of [
      "Просмотр списка организаций пользователя",
      "Проведение входа в систему",
      "Просмотр вашей фамилии, имени и отчества",
      "Просмотр вашего адреса электронной почты",
      "Просмотр номера вашего мобильного телефона",
    ]) {
      await expect(
        page.getByRole("listitem").filter({ hasText: line }).count(),
        `consent line «${line}»`,
      ).resolves.toBe(1);
    }
    await expect(
      page.getByRole("button", { name: "Отказать" }).count(),
    ).resolves.toBe(1);
    await checkScreen(page, "03-esia-consent");

    await page.getByRole("button", { name: "Предоставить" }).click();
    await page.waitForURL(`${product.url}/organizations`);
    await page.getByRole("group", { name: "Выберите организацию:" }).waitFor();
    await expect(page.getByText("ОГРН: 1027800001030").count()).resolves.toBe(
      1,
    );
    await expect(
      page.getByRole("button", { name: "НАЗАД" }).count(),
    ).resolves.toBe(1);
    await checkScreen(page, "04-organization");

    await chooseOrganization(page, ORG_CGU);
    await expect(
      page.getByRole("radio", { name: "Кабинет редакции" }).count(),
    ).resolves.toBe(1);
    await checkScreen(page, "05-cabinet-kind");

    await chooseKind(page, "Рабочий кабинет");
    await page
      .getByRole("heading", {
        name: "Форма заявки на создание рабочего кабинета",
      })
      .waitFor();
    await expect(
      page.getByRole("button", { name: "НА ФОРМУ ВХОДА" }).count(),
    ).resolves.toBe(1);
    await checkScreen(page, "07-form-subordinate");

    await field(page, "Введите название кабинета").fill("Кабинет ЦГУ");
    await page
      .getByLabel("Выберите регион")
      .selectOption({ label: "Санкт-Петербург" });
    await page
      .getByLabel("Выберите тип кабинета")
      .selectOption({ label: "Подведомственная РОИВ организация" });
    const editorial = page.getByRole("combobox", { name: "Выберите редакцию" });
    await editorial.click();
    await page.getByRole("option", { name: /КР РОИВ/ }).click();
    await expect(editorial.inputValue()).resolves.toBe("КР РОИВ");
    await page.getByRole("checkbox", { name: "Тестовая сфера ПП" }).check();
    await field(page, "Введите электронную почту").fill(
      "cgu-cabinet@cgu.spb.example",
    );
    await checkScreen(page, "08-form-subordinate-filled");

    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page
      .getByText(
        "Ваша заявка на подключение кабинета находится на рассмотрении",
      )
      .waitFor();
    await page.reload();
    await page
      .getByText(
        "Ваша заявка на подключение кабинета находится на рассмотрении",
      )
      .waitFor();
    await expect(
      field(page, "Введите название кабинета").inputValue(),
    ).resolves.toBe("Кабинет ЦГУ");
    await expect(
      field(page, "Введите название кабинета").isEditable(),
    ).resolves.toBe(false);
    await checkScreen(page, "09-submitted");

    await applicant.context.close();
  });
});
