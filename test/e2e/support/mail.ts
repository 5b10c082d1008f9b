import type { Page } from "playwright-core";
import { checkScreen } from "./browser.js";
import type { Product } from "./product.js";

/** Mail is sent by the outbox worker after commit, so it may take a moment. */
const MAIL_TIMEOUT_MS = 60_000;

export interface CaughtMail {
  subject: string;
  /** The message page's text: envelope and body. */
  text: string;
}

/**
 * Opens the product's mail catcher page `/mail` and waits until it lists a
 * message to `to` whose subject is `subject`, then opens the message and
 * returns its text. Reloads the list while the worker has not sent it yet.
 * With `listScreen`, checks the list with axe-core and saves its screenshot
 * under that name before opening the message.
 */
export async function openMail(
  page: Page,
  product: Product,
  to: string,
  subject: string,
  listScreen?: string,
): Promise<CaughtMail> {
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  for (;;) {
    await page.goto(`${product.url}/mail`);
    await page.getByRole("heading", { name: "Почта", exact: true }).waitFor();
    // The table or the «no mail yet» notice: the list has loaded.
    await page
      .getByRole("table")
      .or(page.getByText("Писем пока нет"))
      .first()
      .waitFor();
    const row = page
      .getByRole("row")
      .filter({ hasText: to })
      .filter({ has: page.getByRole("link", { name: subject, exact: true }) });
    if ((await row.count()) > 0) {
      if (listScreen) await checkScreen(page, listScreen);
      await row.first().getByRole("link", { name: subject }).click();
      await page.getByRole("heading", { name: subject, exact: true }).waitFor();
      return { subject, text: await page.getByRole("main").innerText() };
    }
    if (Date.now() > deadline) {
      const listed = await page.getByRole("main").innerText();
      throw new Error(
        `no mail to ${to} with the subject «${subject}» within ${MAIL_TIMEOUT_MS / 1000} s; /mail lists:\n${listed}`,
      );
    }
    await page.waitForTimeout(1000);
  }
}
