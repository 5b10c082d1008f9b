/**
 * HTML pages of the simulator: login, consent, errors. Labels follow the
 * Gosuslugi screens word for word; every input has a bound label so that
 * the pages pass axe-core checks.
 */
import type { FastifyReply } from "fastify";

export function sendHtml(
  reply: FastifyReply,
  status: number,
  html: string,
): FastifyReply {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(html);
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
body{margin:0;font-family:Arial,Helvetica,sans-serif;background:#f5f7fa;color:#0b1f33}
header{background:#fff;border-bottom:1px solid #e1e5ea}
.brand{padding:12px 24px}
.logo{font-weight:700;font-size:20px;letter-spacing:1px;color:#0d4cd3}
.notice{background:#fff4d6;padding:8px 24px;font-size:14px}
main{max-width:440px;margin:32px auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 4px rgba(0,0,0,.1)}
h1{font-size:24px;margin-top:0}
h2{font-size:16px;margin:24px 0 8px}
label{display:block;margin:16px 0 4px;font-weight:700}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;font-size:16px;border:1px solid #66727f;border-radius:4px}
input[aria-invalid=true]{border-color:#b00020}
button,.button{display:inline-block;margin-top:20px;padding:12px 24px;font-size:16px;border-radius:4px;border:1px solid #0d4cd3;cursor:pointer;text-decoration:none}
.primary{background:#0d4cd3;color:#fff}
.secondary{background:#fff;color:#0d4cd3}
a{color:#0d4cd3}
.error-summary{border:2px solid #b00020;padding:12px;margin-bottom:16px;color:#b00020}
.client{display:block;font-size:20px;font-weight:700}
.small{font-size:14px;color:#4c5966}
.links{margin-top:24px;display:flex;flex-direction:column;gap:8px}
table{border-collapse:collapse;font-size:14px}
td,th{border:1px solid #e1e5ea;padding:4px 6px;text-align:left}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — Госуслуги (симулятор ЕСИА)</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<div class="brand"><span class="logo">ГОСУСЛУГИ</span></div>
<div class="notice" role="note">Симулятор ЕСИА для разработки и тестирования. Это не настоящие Госуслуги.</div>
</header>
<main>
${body}
</main>
</body>
</html>`;
}

export interface DemoAccount {
  name: string;
  login: string;
}

export function loginPage(input: {
  authorizationRequestId: string;
  login?: string;
  error?: string;
  accounts: DemoAccount[];
}): string {
  const error = input.error
    ? `<div class="error-summary" role="alert" id="login-error">${escapeHtml(input.error)}</div>`
    : "";
  const invalid = input.error
    ? ' aria-invalid="true" aria-describedby="login-error"'
    : "";
  const accounts = input.accounts.length
    ? `<details><summary>Учётные записи симулятора</summary>
<table><caption class="small">Вход по e-mail и паролю из фикстуры</caption>
<thead><tr><th scope="col">Пользователь</th><th scope="col">Логин</th></tr></thead>
<tbody>${input.accounts
        .map(
          (account) =>
            `<tr><td>${escapeHtml(account.name)}</td><td>${escapeHtml(account.login)}</td></tr>`,
        )
        .join("")}</tbody></table></details>`
    : "";
  return layout(
    "Вход",
    `<h1>Вход</h1>
${error}
<form method="post" action="/login" novalidate>
<input type="hidden" name="authReq" value="${escapeHtml(input.authorizationRequestId)}">
<label for="login">Телефон / Email / СНИЛС</label>
<input type="text" id="login" name="login" autocomplete="username" value="${escapeHtml(input.login ?? "")}"${invalid}>
<label for="password">Пароль</label>
<input type="password" id="password" name="password" autocomplete="current-password"${invalid}>
<p class="small"><a href="/simulator/unavailable?feature=recovery">Восстановить</a></p>
<button type="submit" class="primary">Войти</button>
</form>
<h2>Войти другим способом</h2>
<p><a href="/simulator/unavailable?feature=signature">Эл. подпись</a></p>
<div class="links">
<a href="/simulator/unavailable?feature=help">Не удаётся войти?</a>
<a href="/simulator/unavailable?feature=registration">Зарегистрироваться</a>
</div>
${accounts}`,
  );
}

/** Consent lines per scope, as Gosuslugi words them. */
const SCOPE_LABELS: Record<string, string> = {
  usr_org: "Просмотр списка организаций пользователя",
  openid: "Проведение входа в систему",
  fullname: "Просмотр вашей фамилии, имени и отчества",
  email: "Просмотр вашего адреса электронной почты",
  mobile: "Просмотр номера вашего мобильного телефона",
  birthdate: "Просмотр даты вашего рождения",
  id_doc: "Просмотр данных о вашем документе, удостоверяющем личность",
};

/** Gosuslugi lists the organization scope first, then the person scopes. */
const SCOPE_ORDER = ["usr_org", "openid", "fullname", "email", "mobile"];

export function consentLines(scopes: string[]): string[] {
  const ordered = [
    ...SCOPE_ORDER.filter((scope) => scopes.includes(scope)),
    ...scopes.filter((scope) => !SCOPE_ORDER.includes(scope)),
  ];
  return ordered.map(
    (scope) => SCOPE_LABELS[scope] ?? `Доступ к данным «${scope}»`,
  );
}

export function consentPage(input: {
  authorizationRequestId: string;
  clientId: string;
  scopes: string[];
}): string {
  const lines = consentLines(input.scopes)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("\n");
  return layout(
    "Предоставление прав доступа",
    `<h1>Предоставление прав доступа</h1>
<p><span class="client">${escapeHtml(input.clientId)}</span> запрашивает следующие права:</p>
<ul>
${lines}
</ul>
<form method="post" action="/consent">
<input type="hidden" name="authReq" value="${escapeHtml(input.authorizationRequestId)}">
<button type="submit" name="decision" value="grant" class="primary">Предоставить</button>
<button type="submit" name="decision" value="deny" class="secondary">Отказать</button>
</form>
<p class="small">Нажимая кнопку "Предоставить", вы разрешаете этой организации использовать указанные данные согласно её правилам и условиям. Вы всегда можете отозвать это разрешение в настройках Госуслуг.</p>`,
  );
}

export function errorPage(input: { message: string; code?: string }): string {
  const code = input.code
    ? `<p class="small">Код ошибки: ${escapeHtml(input.code)}</p>`
    : "";
  return layout(
    "Ошибка",
    `<h1>Ошибка</h1>
<p>${escapeHtml(input.message)}</p>
${code}`,
  );
}

const UNAVAILABLE_HEADINGS: Record<string, string> = {
  recovery: "Восстановление пароля недоступно в симуляторе",
  signature: "Вход с электронной подписью недоступен в симуляторе",
  help: "Помощь со входом недоступна в симуляторе",
  registration: "Регистрация недоступна в симуляторе",
};

export function unavailablePage(feature: string): string {
  const heading =
    UNAVAILABLE_HEADINGS[feature] ?? "Эта функция недоступна в симуляторе";
  return layout(
    "Недоступно",
    `<h1>${escapeHtml(heading)}</h1>
<p>Симулятор ЕСИА поддерживает только вход по логину и паролю из файлов фикстур. Вернитесь на предыдущую страницу и войдите по логину и паролю.</p>`,
  );
}

export function signedOutPage(): string {
  return layout(
    "Выход",
    `<h1>Вы вышли из учётной записи</h1>
<p>Сеанс на Госуслугах завершён. Эту вкладку можно закрыть.</p>`,
  );
}
