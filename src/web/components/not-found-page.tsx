import { Link } from "react-router-dom";
import { PageHeading } from "./page-heading";

export function NotFoundPage() {
  return (
    <div className="narrow">
      <PageHeading title="Страница не найдена">Страница не найдена</PageHeading>
      <p>
        Проверьте адрес страницы или начните с{" "}
        <Link to="/organizations">выбора организации</Link>.
      </p>
    </div>
  );
}
