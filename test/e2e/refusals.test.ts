import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
  checkScreen,
  launchChromium,
  logInToEsia,
  newPerson,
  openEsiaLogin,
  signIn,
} from "./support/browser.js";
import { startProduct, type Product } from "./support/product.js";

// «Отказать» at the ESIA consent, and each demo person who may not apply:
// the organization is listed but disabled, with the reason and who can fix it.

let product: Product;
let browser: Browser;

beforeAll(async () => {
  [product, browser] = await Promise.all([startProduct(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

const ORG_CGU =
  "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»";

/** Demo persons who may not apply, their organization and a phrase of the reason. */
const REFUSED = [
  {
    case: "no role",
    screen: "31-refused-no-role",
    login: "+7(900)0000010",
    organization: ORG_CGU,
    reason: "У вас нет роли «Руководитель» или «Администратор»",
  },
  {
    case: "no access group",
    screen: "32-refused-no-group",
    login: "+7(900)0000011",
    organization: ORG_CGU,
    reason:
      "Вы не состоите в группе доступа «ПОС. Госпаблики. Кабинет учреждения»",
  },
  {
    case: "blocked employee",
    screen: "33-refused-blocked",
    login: "+7(900)0000012",
    organization: ORG_CGU,
    reason: "Ваша учётная запись заблокирована в профиле организации",
  },
  {
    case: "liquidated organization",
    screen: "34-refused-liquidated",
    login: "+7(900)0000013",
    organization:
      "Санкт-Петербургское государственное унитарное предприятие «Невский вектор»",
    reason: "Организация ликвидирована по данным ЕСИА",
  },
  {
    case: "individual entrepreneur",
    screen: "35-refused-individual-entrepreneur",
    login: "+7(900)0000014",
    organization: "Индивидуальный предприниматель Лебедев Николай Петрович",
    reason: "а не индивидуальный предприниматель",
  },
];

describe("sign-in refusals", () => {
  it("says access was not granted after «Отказать»", async () => {
    const { context, page } = await newPerson(browser);
    await openEsiaLogin(page, product);
    await logInToEsia(page, "+7(900)0000002");
    await page.getByRole("button", { name: "Отказать" }).click();

    await page.waitForURL(/\/signin\?app_name=ku&error=access_denied$/);
    await page
      .getByRole("heading", { name: "Доступ не предоставлен" })
      .first()
      .waitFor();
    await expect(
      page
        .getByText("Вы не предоставили доступ к данным на Госуслугах")
        .count(),
    ).resolves.toBe(1);
    await checkScreen(page, "30-consent-refused");

    // The retry goes through ESIA again, which keeps its own session, so the
    // consent page comes back without a second login.
    await page.getByRole("button", { name: "Войти через ЕСИА" }).click();
    await page
      .getByRole("heading", { name: "Предоставление прав доступа" })
      .waitFor();
    await page.getByRole("button", { name: "Предоставить" }).click();
    await page.waitForURL(`${product.url}/organizations`);
    await page.getByRole("group", { name: "Выберите организацию:" }).waitFor();
    await context.close();
  });

  for (const person of REFUSED) {
    it(`disables the organization: ${person.case}`, async () => {
      const { context, page } = await newPerson(browser);
      await signIn(page, product, person.login);
      const radio = page.getByRole("radio", { name: person.organization });
      await radio.waitFor();
      await expect(radio.isDisabled()).resolves.toBe(true);
      await expect(accessibleDescription(radio)).resolves.toContain(
        person.reason,
      );
      await expect(
        page.getByText(person.reason, { exact: false }).count(),
      ).resolves.toBeGreaterThan(0);
      await checkScreen(page, person.screen);
      await context.close();
    });
  }

  it("explains that a person without an organization cannot apply", async () => {
    const { context, page } = await newPerson(browser);
    await signIn(page, product, "+7(900)0000015");
    await page
      .getByText("По данным ЕСИА вы не прикреплены ни к одной организации")
      .waitFor();
    await expect(page.getByRole("radio").count()).resolves.toBe(0);
    await expect(
      page.getByRole("button", { name: "ДАЛЕЕ" }).count(),
    ).resolves.toBe(0);
    await checkScreen(page, "36-refused-no-organization");
    await context.close();
  });
});

describe("sign-in from a link", () => {
  it("returns to the linked page after the sign-in", async () => {
    // A reviewer opens the queue from a mail while signed out.
    const { context, page } = await newPerson(browser);
    await page.goto(`${product.url}/review`);
    await page.waitForURL(/\/signin\?app_name=ku&return=%2Freview$/);
    await page.getByRole("button", { name: "Войти через ЕСИА" }).click();
    await logInToEsia(page, "+7(900)0000005");
    await page.getByRole("button", { name: "Предоставить" }).click();
    await page.waitForURL(`${product.url}/review`);
    await context.close();
  });
});
