import { forwardRef } from "react";

export interface SummaryItem {
  /** The id of the field to move to; none for a problem of the whole form. */
  fieldId?: string;
  /** A page that fixes a problem of the whole form, such as the sign-in page. */
  href?: string;
  message: string;
}

/**
 * The error summary at the top of a form: a heading and one link per
 * problem. A link moves focus to its field. The form focuses the summary
 * itself after a failed submission.
 */
export const ErrorSummary = forwardRef<
  HTMLDivElement,
  { items: SummaryItem[]; title?: string }
>(function ErrorSummary({ items, title = "Исправьте ошибки в форме" }, ref) {
  if (items.length === 0) return null;
  return (
    <div
      ref={ref}
      className="error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      tabIndex={-1}
    >
      <h2 id="error-summary-title" className="error-summary__title">
        {title}
      </h2>
      <ul className="error-summary__list">
        {items.map((item, index) =>
          item.fieldId ? (
            <li key={`${item.fieldId}-${index}`}>
              <a
                href={`#${item.fieldId}`}
                onClick={(event) => {
                  const field = document.getElementById(item.fieldId!);
                  if (!field) return;
                  event.preventDefault();
                  field.scrollIntoView({ block: "center" });
                  field.focus();
                }}
              >
                {item.message}
              </a>
            </li>
          ) : item.href ? (
            <li key={`form-${index}`}>
              <a href={item.href}>{item.message}</a>
            </li>
          ) : (
            <li key={`form-${index}`}>{item.message}</li>
          ),
        )}
      </ul>
    </div>
  );
});
