import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applicationReference,
  checkScreen,
  chooseKind,
  chooseOrganization,
  launchChromium,
  logInToEsia,
  newPerson,
  openEsiaLogin,
  signIn,
} from "./support/browser.js";
import { openMail } from "./support/mail.js";
import { startProduct, type Product } from "./support/product.js";

// The manual's scenario in Chromium with the demo data of the embedded
// default: the applicant of a subordinate organization and the reviewer of
// «КР РОИВ» in two browser profiles, the mail in the local catcher at each
// step. Screenshots go to docs/screenshots for docs/walkthrough.md.

const ORG_CGU =
  "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»";
const ORG_KIP = "Комитет по информационной политике Санкт-Петербурга";
const APPLICANT_EMAIL = "cgu-cabinet@cgu.spb.example";
/** The e-mail of the demo editorial cabinet «КР РОИВ». */
const KR_ROIV_EMAIL = "kr-roiv@demo.gospubliki.localhost";
const REJECTION_REASON =
  "Укажите в названии кабинета полное название учреждения";
const FIXED_NAME = "Кабинет СПб ГБУ «Центр городских услуг»";
const PENDING = "Ваша заявка на подключение кабинета находится на рассмотрении";

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

    // «НА ФОРМУ ВХОДА» asks before it drops the typed name.
    await page.getByRole("button", { name: "НА ФОРМУ ВХОДА" }).click();
    const leave = page.getByRole("alertdialog", {
      name: "Перейти на форму входа?",
    });
    await leave.waitFor();
    await checkScreen(page, "07-leave-form-confirm");
    await leave.getByRole("button", { name: "Остаться на форме" }).click();
    await expect(
      field(page, "Введите название кабинета").inputValue(),
    ).resolves.toBe("Рабочий кабинет КИП СПб");

    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page.getByText(PENDING).waitFor();
    await expect(field(page, "Выберите редакцию").inputValue()).resolves.toBe(
      "КР РОИВ",
    );

    // Nothing is left unsaved now, so «НА ФОРМУ ВХОДА» signs out at once.
    await page.getByRole("button", { name: "НА ФОРМУ ВХОДА" }).click();
    await page.waitForURL(`${product.url}/signin?app_name=ku`);
    await page.getByRole("button", { name: "Войти через ЕСИА" }).waitFor();
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
    await checkScreen(page, "08-form-subordinate");

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
    await field(page, "Введите электронную почту").fill(APPLICANT_EMAIL);
    await checkScreen(page, "09-form-subordinate-filled");

    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page.getByText(PENDING).waitFor();
    await page.reload();
    await page.getByText(PENDING).waitFor();
    await expect(
      field(page, "Введите название кабинета").inputValue(),
    ).resolves.toBe("Кабинет ЦГУ");
    await expect(
      field(page, "Введите название кабинета").isEditable(),
    ).resolves.toBe(false);
    await checkScreen(page, "10-submitted");
    const reference = await applicationReference(page);

    // The catcher got the confirmation for the applicant and the notice for
    // the editorial cabinet's address.
    const mailbox = await newPerson(browser);
    const submitted = await openMail(
      mailbox.page,
      product,
      APPLICANT_EMAIL,
      `Заявка № ${reference} принята на рассмотрение`,
      "11-mail-list",
    );
    expect(submitted.text).toContain("Кабинет ЦГУ");
    await checkScreen(mailbox.page, "12-mail-submitted");
    await openMail(
      mailbox.page,
      product,
      KR_ROIV_EMAIL,
      `Новая заявка № ${reference} ждёт рассмотрения`,
    );

    // The reviewer of «КР РОИВ» opens the editorial cabinet and its queue.
    const reviewer = await newPerson(browser);
    await signIn(reviewer.page, product, "s.volkov@kip.spb.example");
    await chooseOrganization(reviewer.page, ORG_KIP);
    await chooseKind(reviewer.page, "Кабинет редакции");
    await reviewer.page
      .getByRole("heading", { name: "КР РОИВ", level: 1 })
      .waitFor();
    const queueLink = reviewer.page.getByRole("link", { name: "Кабинет ЦГУ" });
    await queueLink.waitFor();
    await checkScreen(reviewer.page, "13-review-queue", queueLink);

    await queueLink.click();
    await reviewer.page
      .getByRole("heading", { name: `Заявка № ${reference}` })
      .waitFor();
    for (const text of [
      ORG_CGU,
      "Петров Алексей Викторович",
      "a.petrov@cgu.spb.example",
      "+7(900)0000002",
    ]) {
      await expect(
        reviewer.page.getByText(text, { exact: true }).count(),
        `«${text}» on the review page`,
      ).resolves.toBeGreaterThan(0);
    }
    await checkScreen(reviewer.page, "14-review-application");

    await reviewer.page.getByRole("button", { name: "Отклонить" }).click();
    await reviewer.page.getByLabel("Причина отклонения").fill(REJECTION_REASON);
    await checkScreen(
      reviewer.page,
      "15-review-reject-reason",
      reviewer.page.getByRole("button", { name: "Отклонить заявку" }),
    );
    await reviewer.page
      .getByRole("button", { name: "Отклонить заявку" })
      .click();
    await reviewer.page
      .getByText(`Причина: ${REJECTION_REASON}`, { exact: true })
      .first()
      .waitFor();

    // The applicant sees the reason and the editable form.
    await page.reload();
    await page
      .getByText("Ваша заявка на подключение кабинета отклонена по причине:")
      .waitFor();
    await expect(
      page.getByText(REJECTION_REASON, { exact: true }).count(),
    ).resolves.toBe(1);
    await expect(
      page
        .getByText("Исправьте параметры заявки и снова верните на рассмотрение")
        .count(),
    ).resolves.toBe(1);
    await expect(
      field(page, "Введите название кабинета").isEditable(),
    ).resolves.toBe(true);
    // The submission's confirmation no longer describes the application.
    await expect(
      page.getByText("Заявка отправлена на рассмотрение").count(),
    ).resolves.toBe(0);
    await checkScreen(page, "16-rejected");

    const rejected = await openMail(
      mailbox.page,
      product,
      APPLICANT_EMAIL,
      `Заявка № ${reference} отклонена`,
    );
    expect(rejected.text).toContain(REJECTION_REASON);
    await checkScreen(mailbox.page, "17-mail-rejected");

    // The fix: the full name and a second sphere, as in the manual.
    await field(page, "Введите название кабинета").fill(FIXED_NAME);
    await page.getByRole("checkbox", { name: "Тестовая сфера ГП" }).check();
    await page.getByRole("button", { name: "СОЗДАТЬ КАБИНЕТ" }).click();
    await page.getByText(PENDING).waitFor();
    await expect(
      field(page, "Введите название кабинета").inputValue(),
    ).resolves.toBe(FIXED_NAME);
    await checkScreen(page, "18-resubmitted");

    await openMail(
      mailbox.page,
      product,
      APPLICANT_EMAIL,
      `Заявка № ${reference} повторно направлена на рассмотрение`,
    );
    await checkScreen(mailbox.page, "19-mail-resubmitted");
    await openMail(
      mailbox.page,
      product,
      KR_ROIV_EMAIL,
      `Исправленная заявка № ${reference} ждёт рассмотрения`,
    );

    // The reviewer sees the second revision with what changed, and approves.
    await reviewer.page.reload();
    await reviewer.page
      .getByRole("heading", { name: "Редакция 2", exact: true })
      .waitFor();
    const changes = reviewer.page.getByRole("row", {
      name: /Название кабинета/,
    });
    await expect(changes.innerText()).resolves.toContain(FIXED_NAME);
    await reviewer.page.getByRole("button", { name: "Одобрить" }).click();
    const confirm = reviewer.page.getByRole("alertdialog", {
      name: "Одобрить заявку?",
    });
    await confirm.waitFor();
    await checkScreen(reviewer.page, "20-review-approve");
    await confirm.getByRole("button", { name: "Одобрить" }).click();
    await reviewer.page.getByText("Одобрена, редакция 2").first().waitFor();

    const approved = await openMail(
      mailbox.page,
      product,
      APPLICANT_EMAIL,
      `Заявка № ${reference} одобрена: кабинет создан`,
    );
    expect(approved.text).toContain(FIXED_NAME);
    await checkScreen(mailbox.page, "21-mail-approved");

    // Choosing the organization and the kind now opens the cabinet.
    await page.goto(`${product.url}/organizations`);
    await chooseOrganization(page, ORG_CGU);
    await chooseKind(page, "Рабочий кабинет");
    await page.getByRole("heading", { name: FIXED_NAME, level: 1 }).waitFor();
    // The page shows the editorial cabinet's name without a link, because only
    // its reviewers may open that cabinet.
    await expect(
      page.getByText("КР РОИВ", { exact: true }).count(),
    ).resolves.toBe(1);
    await expect(
      page.getByRole("link", { name: "КР РОИВ" }).count(),
    ).resolves.toBe(0);
    await checkScreen(page, "22-cabinet");

    // «КР РОИВ» lists the new work cabinet.
    await reviewer.page.goto(`${product.url}/organizations`);
    await chooseOrganization(reviewer.page, ORG_KIP);
    await chooseKind(reviewer.page, "Кабинет редакции");
    await reviewer.page.getByRole("link", { name: FIXED_NAME }).waitFor();

    await Promise.all([
      applicant.context.close(),
      reviewer.context.close(),
      mailbox.context.close(),
    ]);
  });
});
