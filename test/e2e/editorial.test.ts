import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applicationReference,
  checkScreen,
  chooseKind,
  chooseOrganization,
  launchChromium,
  newPerson,
  signIn,
} from "./support/browser.js";
import { openMail } from "./support/mail.js";
import { startProduct, type Product } from "./support/product.js";

// An editorial cabinet from application to use. The РОИВ «Комитет по
// культуре» (demo person 1000000006) applies for «Кабинет редакции», and the
// platform operator (1000000005) approves it. Then a subordinate museum of
// that committee (test/e2e/fixtures/culture-museum.json) applies for a work
// cabinet bound to it, and the committee approves that.

const ORG_KK = "Комитет по культуре Санкт-Петербурга";
const ORG_MUSEUM =
  "Санкт-Петербургское государственное бюджетное учреждение культуры «Музей городской скульптуры тестовый»";
const EDITORIAL_NAME = "КР Комитета по культуре";
const EDITORIAL_EMAIL = "kr-kultura@kultura.spb.example";
const OPERATOR_EMAIL = "i.sokolov@kip.spb.example";
const MUSEUM_NAME = "Кабинет Музея городской скульптуры";
const MUSEUM_EMAIL = "cabinet@museum-test.spb.example";
const PENDING = "Ваша заявка на подключение кабинета находится на рассмотрении";

const museumFixture = fileURLToPath(
  new URL("./fixtures/culture-museum.json", import.meta.url),
);

let product: Product;
let browser: Browser;

beforeAll(async () => {
  [product, browser] = await Promise.all([
    startProduct({ fixtureFiles: [museumFixture] }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

/** Opens an application from a review queue and approves it. */
async function approveFromQueue(page: Page, name: string, reference: string) {
  await page.getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { name: `Заявка № ${reference}` }).waitFor();
  await page.getByRole("button", { name: "Одобрить" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Одобрить заявку?" });
  await confirm.getByRole("button", { name: "Одобрить" }).click();
  await page.getByText("Одобрена, редакция 1").first().waitFor();
}

describe("editorial cabinet", () => {
  it("is approved by the operator and then takes a subordinate", async () => {
    // The operator signs in first: the product learns the operator's e-mail
    // from ESIA at sign-in and sends the review notices there.
    const operator = await newPerson(browser);
    await signIn(operator.page, product, "+7(900)0000005");
    await operator.page
      .getByRole("link", { name: "Заявки на рассмотрение" })
      .click();
    await operator.page
      .getByText("Вы рассматриваете все заявки как оператор платформы.")
      .waitFor();

    // The committee applies for its editorial cabinet.
    const committee = await newPerson(browser);
    const page = committee.page;
    await signIn(page, product, "e.morozova@kultura.spb.example");
    await chooseOrganization(page, ORG_KK);
    await expect(
      page.getByRole("radio", { name: "Рабочий кабинет" }).isDisabled(),
    ).resolves.toBe(true);
    await chooseKind(page, "Кабинет редакции");
    await page
      .getByRole("heading", {
        name: "Форма заявки на создание кабинета редакции",
      })
      .waitFor();
    await expect(page.getByLabel("Выберите редакцию").count()).resolves.toBe(0);
    await page.getByLabel("Введите название кабинета").fill(EDITORIAL_NAME);
    await page
      .getByLabel("Выберите регион")
      .selectOption({ label: "Санкт-Петербург" });
    const types = await page
      .getByLabel("Выберите тип кабинета")
      .locator("option")
      .allInnerTexts();
    expect(types).toEqual(["Выбрать...", "РОИВ", "ОМСУ"]);
    await page
      .getByLabel("Выберите тип кабинета")
      .selectOption({ label: "РОИВ" });
    await page.getByRole("checkbox", { name: "Культура", exact: true }).check();
    await page.getByLabel("Введите электронную почту").fill(EDITORIAL_EMAIL);
    await checkScreen(page, "40-editorial-form");
    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page.getByText(PENDING).waitFor();
    await checkScreen(page, "41-editorial-submitted");
    const editorialReference = await applicationReference(page);

    const mailbox = await newPerson(browser);
    await openMail(
      mailbox.page,
      product,
      OPERATOR_EMAIL,
      `Новая заявка № ${editorialReference} ждёт рассмотрения`,
    );

    // The operator approves it from the queue of all applications.
    await operator.page.reload();
    await operator.page
      .getByRole("link", { name: EDITORIAL_NAME, exact: true })
      .waitFor();
    await checkScreen(operator.page, "42-operator-queue");
    await approveFromQueue(operator.page, EDITORIAL_NAME, editorialReference);
    await checkScreen(operator.page, "43-operator-approved");
    await openMail(
      mailbox.page,
      product,
      EDITORIAL_EMAIL,
      `Заявка № ${editorialReference} одобрена: кабинет создан`,
    );

    // A museum of the committee applies to the new editorial cabinet.
    const museum = await newPerson(browser);
    const museumPage = museum.page;
    await signIn(museumPage, product, "+7(900)0000901");
    await chooseOrganization(museumPage, ORG_MUSEUM);
    await chooseKind(museumPage, "Рабочий кабинет");
    await museumPage.getByLabel("Введите название кабинета").fill(MUSEUM_NAME);
    await museumPage
      .getByLabel("Выберите регион")
      .selectOption({ label: "Санкт-Петербург" });
    await museumPage
      .getByLabel("Выберите тип кабинета")
      .selectOption({ label: "Подведомственная РОИВ организация" });
    const editorial = museumPage.getByRole("combobox", {
      name: "Выберите редакцию",
    });
    await editorial.click();
    const options = museumPage
      .getByRole("listbox", { name: "Редакции" })
      .getByRole("option");
    await museumPage.getByRole("option", { name: /КР РОИВ/ }).waitFor();
    await museumPage
      .getByRole("option", { name: new RegExp(EDITORIAL_NAME) })
      .waitFor();
    await expect(options.count()).resolves.toBe(2);
    await checkScreen(museumPage, "44-subordinate-form", editorial);
    await museumPage
      .getByRole("option", { name: new RegExp(EDITORIAL_NAME) })
      .click();
    await expect(editorial.inputValue()).resolves.toBe(EDITORIAL_NAME);
    await museumPage
      .getByRole("checkbox", { name: "Культура", exact: true })
      .check();
    await museumPage.getByLabel("Введите электронную почту").fill(MUSEUM_EMAIL);
    await museumPage.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await museumPage.getByText(PENDING).waitFor();
    const museumReference = await applicationReference(museumPage);
    await openMail(
      mailbox.page,
      product,
      EDITORIAL_EMAIL,
      `Новая заявка № ${museumReference} ждёт рассмотрения`,
    );

    // The committee reviews it in its new editorial cabinet.
    await page.goto(`${product.url}/organizations`);
    await chooseOrganization(page, ORG_KK);
    await chooseKind(page, "Кабинет редакции");
    await page
      .getByRole("heading", { name: EDITORIAL_NAME, level: 1 })
      .waitFor();
    const queued = page.getByRole("link", { name: MUSEUM_NAME, exact: true });
    await queued.waitFor();
    await checkScreen(page, "45-new-editorial-queue", queued);
    await approveFromQueue(page, MUSEUM_NAME, museumReference);
    await openMail(
      mailbox.page,
      product,
      MUSEUM_EMAIL,
      `Заявка № ${museumReference} одобрена: кабинет создан`,
    );

    // The museum's cabinet is bound to the committee's editorial cabinet.
    await museumPage.goto(`${product.url}/organizations`);
    await chooseOrganization(museumPage, ORG_MUSEUM);
    await chooseKind(museumPage, "Рабочий кабинет");
    await museumPage
      .getByRole("heading", { name: MUSEUM_NAME, level: 1 })
      .waitFor();
    // Its page names the editorial cabinet without a link, because only the
    // committee and the operators may open that cabinet.
    await expect(
      museumPage.getByText(EDITORIAL_NAME, { exact: true }).count(),
    ).resolves.toBe(1);
    await expect(
      museumPage.getByRole("link", { name: EDITORIAL_NAME }).count(),
    ).resolves.toBe(0);
    await checkScreen(museumPage, "46-subordinate-cabinet");

    await Promise.all(
      [operator, committee, mailbox, museum].map((person) =>
        person.context.close(),
      ),
    );
  });
});
